"""Pictures of space-times (matplotlib, Agg): the space-time diagram of Fig. 3, qubits by holder, buffers.

Every function builds and returns a :class:`matplotlib.figure.Figure` and writes nothing
(:mod:`magicpipe.report.write` writes them as PNG and SVG). Matplotlib is imported when a picture is drawn,
with the non-interactive Agg backend.

The space-time diagram draws each factory run as a box (width: its rounds, in microseconds; height: its
qubits; colour: its level), the paper's Fig. 3. The vertical position is only a packing: boxes are stacked
first-fit below the budget, the top-level factory at the bottom; while it lends its ancilla region only its
data patches stay drawn and the reuse runs take the band above them. Stalls are hatched, lent regions
outlined, failed runs crossed; the band at the top is the buffer, darker as it fills.
"""

from __future__ import annotations

from collections.abc import Sequence

from magicpipe.report.metrics import Metrics
from magicpipe.report.spacetime import Box, SpaceTime

__all__ = ["LEVEL_COLOURS", "pyplot", "place_boxes", "spacetime_figure", "usage_figure", "buffer_figure"]

LEVEL_COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#8172B3")
"""Face colour of a level-1, 2, 3, 4 factory."""
STALL_COLOUR = "#C44E52"
REUSE_COLOUR = "#2CA02C"
BUFFER_COLOUR = "#937860"


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def margins(fig, left: float, right: float, bottom: float, top: float, wspace: float = 0.2,
            hspace: float = 0.2) -> None:
    """Fixed margins in inches (and matplotlib's relative gaps between panels). A layout engine ("tight",
    "constrained") draws the figure once more to measure its labels, a third of a picture's time; these
    margins hold the labels of every picture drawn here at its size."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height,
                        wspace=wspace, hspace=hspace)


def colour(level: int) -> str:
    return LEVEL_COLOURS[(level - 1) % len(LEVEL_COLOURS)]


def _segments(tl: SpaceTime, box: Box) -> list[tuple[int, int, int]]:
    """``(start, end, qubits)`` pieces of a consuming box: its data patches only while it lends its ancillas."""
    cuts = sorted({box.start, box.end} | {x for g in tl.gaps if g.name == box.name and g.lent_start >= 0
                                          for x in (g.lent_start, g.lent_end)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        lent = sum(g.lent_qubits for g in tl.gaps if g.name == box.name and g.lent_start <= a < g.lent_end)
        out.append((a, b, box.qubits - lent))
    return out


def _free(clash, limit: float) -> list[tuple[float, float]]:
    """The intervals of ``[0, limit)`` that no rectangle of ``clash`` covers, bottom up."""
    out, y = [], 0.0
    for lo, hi in sorted((r[2], r[3]) for r in clash):
        if lo > y:
            out.append((y, min(lo, limit)))
        y = max(y, hi)
    if y < limit:
        out.append((y, limit))
    return [(lo, hi) for lo, hi in out if hi > lo]


def place_boxes(tl: SpaceTime) -> dict[str, tuple[tuple[float, float], ...]]:
    """Where to draw every box: ``(y, height)`` pieces in qubits. Top-level boxes sit at 0; the others take,
    by start round, the lowest free band below the budget (less the buffer) that holds them, or, when the
    free qubits are scattered (the core counts qubits, not places), several pieces bottom up; what does not
    fit goes above the budget line.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> from magicpipe.compiler.baselines import sequential_schedules
        >>> pipe = Pipeline.from_distances((5, 17))
        >>> y = place_boxes(SpaceTime.from_schedules("sequential", sequential_schedules(pipe)))
        >>> y["L2.0"], y["L1.0"], y["L1.1"]
        (((0, 8655),), ((0.0, 735),), ((735.0, 735),))
    """
    limit = tl.qubit_budget - sum(b.reserved_qubits for b in tl.buffers)
    taken: list[tuple[int, int, float, float]] = []  # (start, end, y0, y1)
    where: dict[str, tuple[tuple[float, float], ...]] = {}
    for box in tl.top_boxes():
        where[box.name] = ((0, box.qubits),)
        taken += [(a, b, 0, q) for a, b, q in _segments(tl, box)]
    for box in sorted((b for b in tl.boxes if b.name not in where), key=lambda b: (b.start, -b.qubits, b.name)):
        clash = [r for r in taken if r[0] < box.end and box.start < r[1]]
        free = _free(clash, limit)
        whole = [lo for lo, hi in free if hi - lo >= box.qubits]
        if whole:
            pieces = [(whole[0], box.qubits)]
        else:
            pieces, need = [], box.qubits
            for lo, hi in free:
                if need > 0:
                    pieces.append((lo, min(hi - lo, need)))
                    need -= pieces[-1][1]
            if need > 0:
                pieces.append((max([limit] + [r[3] for r in clash]), need))
        where[box.name] = tuple(pieces)
        taken += [(box.start, box.end, y, y + h) for y, h in pieces]
    return where


def _draw_timeline(ax, tl: SpaceTime, metrics: Metrics | None, q_max: float) -> None:
    from matplotlib.patches import Rectangle

    us = tl.round_us
    where = place_boxes(tl)
    for box in tl.boxes:
        if box.level == tl.levels:  # a top-level box: its data patches only while it lends its ancillas
            rects = [(a, b, where[box.name][0][0], q) for a, b, q in _segments(tl, box)]
        else:
            rects = [(box.start, box.end, y, h) for y, h in where[box.name]]
        for a, b, y, h in rects:
            edge = "black" if not box.success else ("white" if h > q_max / 60 else "none")  # thin boxes: no edge
            ax.add_patch(Rectangle((a * us, y), (b - a) * us, h, facecolor=colour(box.level), edgecolor=edge,
                                   linewidth=0.4, alpha=0.9 if box.role != "reuse" else 0.75,
                                   hatch=None if box.success else "xx"))
    for g in tl.gaps:
        y = where[g.name][0][0] if g.name in where else 0
        for a, b, q in [(g.start, g.end, g.qubits)] if g.lent_start < 0 else [
                (g.start, g.lent_start, g.qubits), (g.lent_start, g.lent_end, g.qubits - g.lent_qubits),
                (g.lent_end, g.end, g.qubits)]:
            if b > a:
                ax.add_patch(Rectangle((a * us, y), (b - a) * us, q, facecolor="none", edgecolor=STALL_COLOUR,
                                       hatch="///", linewidth=0.8))
        if g.lent_start >= 0:
            ax.add_patch(Rectangle((g.lent_start * us, y + g.qubits - g.lent_qubits), g.lent_rounds * us,
                                   g.lent_qubits, facecolor="none", edgecolor=REUSE_COLOUR, linewidth=1.6,
                                   linestyle="--"))
    _draw_buffer_band(ax, tl)
    ax.axhline(tl.qubit_budget, color="black", linestyle=":", linewidth=1)
    ax.set_ylim(0, q_max * 1.04)
    title = f"{tl.name}: Q = {tl.qubit_budget:,} qubits, T = {tl.makespan * us:.1f} µs"
    if metrics is not None:
        title += (f", mean utilisation {100 * metrics.mean_utilisation:.0f}%, {metrics.stalls} stall(s), "
                  f"{metrics.reuse_windows} reuse window(s)")
    ax.set_title(title, fontsize=9, loc="left")
    ax.set_ylabel("qubits")


def _draw_buffer_band(ax, tl: SpaceTime) -> None:
    from matplotlib.patches import Rectangle

    us, top = tl.round_us, tl.qubit_budget
    for buf in tl.buffers:
        if not buf.reserved_qubits:
            continue
        y0 = top - buf.reserved_qubits
        top = y0
        ax.add_patch(Rectangle((0, y0), tl.makespan * us, buf.reserved_qubits, facecolor=BUFFER_COLOUR, alpha=0.15,
                               edgecolor="none"))
        ends = [p[0] for p in buf.points[1:]] + [tl.makespan]
        for (t, _, held), end in zip(buf.points, ends):
            if held and end > t:
                ax.add_patch(Rectangle((t * us, y0), (end - t) * us, held * buf.slot_qubits,
                                       facecolor=BUFFER_COLOUR, alpha=0.6, edgecolor="none"))


def _legend(fig, levels: int) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=colour(k), label=f"level-{k} factory") for k in range(1, levels + 1)]
    handles += [Patch(facecolor="none", edgecolor=STALL_COLOUR, hatch="///", label="stall"),
                Patch(facecolor="none", edgecolor=REUSE_COLOUR, linestyle="--", label="lent ancilla region"),
                Patch(facecolor=BUFFER_COLOUR, alpha=0.6, label="buffer (held states)"),
                Patch(facecolor="white", edgecolor="black", hatch="xx", label="failed run")]
    fig.legend(handles=handles, fontsize=7, loc="lower center", ncol=len(handles), framealpha=0.9)


def spacetime_figure(spacetimes: Sequence[SpaceTime], metrics: Sequence[Metrics] | None = None):
    """Fig. 3 for each space-time, one panel each, on shared axes (the same time and qubit scales)."""
    plt = pyplot()
    fig, axes = plt.subplots(len(spacetimes), 1, figsize=(10, 2.6 * len(spacetimes) + 0.6), sharex=True,
                             squeeze=False)
    q_max = max(t.qubit_budget for t in spacetimes)
    for k, (ax, tl) in enumerate(zip(axes[:, 0], spacetimes)):
        _draw_timeline(ax, tl, metrics[k] if metrics else None, q_max)
    _legend(fig, max(t.levels for t in spacetimes))
    axes[-1, 0].set_xlim(0, max(t.makespan * t.round_us for t in spacetimes) * 1.01)
    axes[-1, 0].set_xlabel("time (µs)")
    fig.suptitle("Space-time diagram: factory runs as boxes (width = time, height = qubits)", fontsize=10)
    margins(fig, 0.85, 0.2, 0.95, 0.66, hspace=0.25)  # the legend sits below the panels
    return fig


_HOLDERS = (("stalled", STALL_COLOUR, "stalled factories (idle)"), ("held", BUFFER_COLOUR, "buffer, held states"),
            ("reserved", "#CCB974", "buffer, empty slots"), ("unused", "#DDDDDD", "unassigned"))


def usage_figure(metrics: Sequence[Metrics]):
    """Qubits by holder over time (stacked), one panel per architecture, with the utilisation in the title."""
    plt = pyplot()
    fig, axes = plt.subplots(len(metrics), 1, figsize=(10, 2.2 * len(metrics) + 0.6), sharex=True, squeeze=False)
    for ax, m in zip(axes[:, 0], metrics):
        xs = [u.start * m.round_us for u in m.usage] + [m.makespan * m.round_us]
        layers, labels, colours = [], [], []
        for k in range(len(m.distances)):
            layers.append([u.factories[k] for u in m.usage])
            labels.append(f"level-{k + 1} factories, working")
            colours.append(colour(k + 1))
        for attr, c, label in _HOLDERS:
            layers.append([getattr(u, attr) for u in m.usage])
            labels.append(label)
            colours.append(c)
        ys = [row + row[-1:] for row in layers]
        ax.stackplot(xs, *ys, labels=labels, colors=colours, step="post", alpha=0.85)
        ax.axhline(m.qubit_budget, color="black", linestyle=":", linewidth=1)
        ax.set_ylim(0, max(x.qubit_budget for x in metrics) * 1.04)
        ax.set_title(f"{m.name}: mean utilisation {100 * m.mean_utilisation:.1f}% of {m.qubit_budget:,} qubits",
                     fontsize=9, loc="left")
        ax.set_ylabel("qubits")
    axes[0, 0].legend(fontsize=7, loc="upper right", ncol=2, framealpha=0.9)
    axes[-1, 0].set_xlim(0, max(m.makespan * m.round_us for m in metrics) * 1.01)
    axes[-1, 0].set_xlabel("time (µs)")
    fig.suptitle("Qubit utilisation over time: busy = working factories + buffer slots holding a state", fontsize=10)
    margins(fig, 0.85, 0.2, 0.6, 0.66, hspace=0.3)
    return fig


def buffer_figure(metrics: Sequence[Metrics]):
    """Buffer occupancy over time per level, one panel per architecture, capacities dashed."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.2), squeeze=False)
    for ax, m in zip(axes[0], metrics):
        for b in m.buffers:
            if not b.series or (b.peak == 0 and b.ledger.produced == 0):
                continue
            xs = [t * m.round_us for t, _ in b.series] + [m.makespan * m.round_us]
            ys = [v for _, v in b.series]
            ax.step(xs, ys + ys[-1:], where="post", color=colour(b.level), label=f"level-{b.level} states")
            if b.capacity is not None:
                ax.axhline(b.capacity, color=colour(b.level), linestyle="--", linewidth=0.8,
                           label=f"level-{b.level} slots ({b.capacity})")
        ax.set_title(f"{m.name}", fontsize=9)
        ax.set_xlabel("time (µs)")
        ax.set_ylim(0, None)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    axes[0, 0].set_ylabel("states held in the buffer")
    fig.suptitle("Buffer occupancy over time", fontsize=10)
    margins(fig, 0.6, 0.2, 0.6, 0.66, wspace=0.15)
    return fig
