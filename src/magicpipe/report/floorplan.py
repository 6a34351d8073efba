"""The floor plan of a stream at chosen rounds, tiles coloured by role.

:func:`snapshot` replays a stream's instructions up to the end of a round and says what every part of the
floor plan holds: the top-level block's tiles are ``data`` (where its data patches are, after any moves) or
``ancilla``, or ``reused`` while lent to low-level factories; the slots are ``buffer`` tiles, full or empty;
running low-level blocks are ``low``. :func:`floorplan_figure` draws one panel per round;
:func:`default_times` picks the rounds worth a look (the end of the fill phase, the launch, a reuse window,
the last step).

Examples:
    >>> from magicpipe.compiler import Pipeline
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> from magicpipe.lattice import build_stream
    >>> stream = build_stream(pareto_front(Pipeline.from_distances((5, 17))).min_volume().schedule)
    >>> default_times(stream)
    (54, 55, 148, 241)
    >>> snap = snapshot(stream, 55)
    >>> len(snap.low), sum(snap.slots), len(snap.tops[0].data)
    (1, 7, 5)
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence

from magicpipe.lattice.geometry import Rect, Tile
from magicpipe.lattice.stream import PROGRAM, Stream
from magicpipe.report.figures import LEVEL_COLOURS, pyplot
from magicpipe.lattice.readback import body

__all__ = ["TopState", "Snapshot", "snapshot", "default_times", "floorplan_figure", "ROLE_COLOURS"]

ROLE_COLOURS = {"data": "#1F3A93", "ancilla": "#AFC6E9", "reused": "#B7E4C7", "buffer": "#937860",
                "empty slot": "#F1E9DF", "low": LEVEL_COLOURS[0]}
"""Colour of each tile role."""


@dataclass(frozen=True, slots=True)
class TopState:
    """A running top-level execution: its block, its data tiles now, what it lends, whether it stalls."""

    name: str
    region: Rect
    distance: int
    data: tuple[Tile, ...]
    lent: Rect | None
    stalled: bool


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the floor plan holds at the end of round ``time``."""

    time: int
    low: tuple[tuple[str, Rect, int], ...]  # (name, block, distance)
    tops: tuple[TopState, ...]
    slots: tuple[bool, ...]


def snapshot(stream: Stream, time: int) -> Snapshot:
    """Replay ``stream`` through round ``time`` (a ``REPEAT`` stream: its first period)."""
    low: dict[str, tuple[Rect, int]] = {}
    tops: dict[str, dict] = {}
    slots = [False] * len(stream.header.slots)
    for i in body(stream):
        if i.time > time:
            break
        if i.action == "LAUNCH" and i.target.startswith("H"):
            tops[i.target] = {
                "region": i.region,
                "d": i.distance,
                "data": list(i.tiles),
                "lent": None,
                "stalled": False,
            }
        elif i.action == "LAUNCH":
            low[i.target] = (i.region, i.distance)
        elif i.action in ("OUTPUT", "DISCARD") and i.target in low:
            low.pop(i.target)
        elif i.action == "OUTPUT" and i.peer == PROGRAM or (i.action == "DISCARD" and i.target in tops):
            tops.pop(i.target, None)
        _slot(i, slots)
        _top_event(i, tops)
    return Snapshot(time, tuple((n, r, d) for n, (r, d) in sorted(low.items(), key=lambda x: int(x[0][1:]))),
                    tuple(TopState(n, t["region"], t["d"], tuple(t["data"]), t["lent"], t["stalled"])
                          for n, t in sorted(tops.items())), tuple(slots))


def _slot(i, slots: list[bool]) -> None:
    if i.slot < 0 or i.slot >= len(slots):
        return
    if i.action == "OUTPUT":
        slots[i.slot] = True
    elif i.action in ("CONSUME", "DISCARD"):
        slots[i.slot] = False


def _top_event(i, tops: dict) -> None:
    t = tops.get(i.target)
    if t is None:
        return
    if i.action == "MOVE" and i.patch > 0:
        t["data"][i.patch - 1] = i.tiles[-1]
    elif i.action == "REUSE":
        t["lent"] = i.region
    elif i.action == "RECLAIM":
        t["lent"] = None
    elif i.action == "STALL":
        t["stalled"] = True
    elif i.action == "RESUME":
        t["stalled"] = False


def default_times(stream: Stream) -> tuple[int, ...]:
    """The end of the fill phase, the first launch, the middle of the first reuse window (else of the first
    execution), and the round before the first output."""
    insts = body(stream)
    launch = next((i.time for i in insts if i.action == "LAUNCH" and i.target.startswith("H")), 0)
    end = next((i.time for i in insts if i.action == "OUTPUT" and i.peer == PROGRAM), launch + 1)
    reuse = next((i for i in insts if i.action == "REUSE"), None)
    reclaim = next((i.time for i in insts if i.action == "RECLAIM"), end)
    middle = (reuse.time + reclaim) // 2 if reuse is not None else (launch + end) // 2
    return tuple(sorted({max(launch - 1, 0), launch, middle, max(end - 1, 0)}))


def _tiles(region: Rect, d: int):
    for x in range(region.x, region.x + region.w, d):
        for y in range(region.y, region.y + region.h, d):
            yield Rect(x, y, d, d)


def _draw(ax, stream: Stream, snap: Snapshot) -> None:
    from matplotlib.patches import Rectangle

    h = stream.header
    ax.add_patch(Rectangle((0, 0), h.width, h.height, facecolor="#FAFAFA", edgecolor="black", linewidth=0.8))
    for reg in h.regions:
        r = reg.rect
        ax.add_patch(Rectangle((r.x, r.y), r.w, r.h, facecolor="none", edgecolor="#888888", linewidth=0.6,
                               linestyle=":"))
    for top in snap.tops:
        data = {(t.x, t.y) for t in top.data}
        for tile in _tiles(top.region, top.distance):
            lent = top.lent is not None and top.lent.contains(tile)
            role = "data" if (tile.x, tile.y) in data else ("reused" if lent else "ancilla")
            ax.add_patch(Rectangle((tile.x, tile.y), tile.w, tile.h, facecolor=ROLE_COLOURS[role], edgecolor="white",
                                   linewidth=0.8, hatch="///" if top.stalled and role == "ancilla" else None))
    for k, s in enumerate(h.slots):
        full = k < len(snap.slots) and snap.slots[k]
        ax.add_patch(Rectangle((s.x, s.y), s.w, s.h, facecolor=ROLE_COLOURS["buffer" if full else "empty slot"],
                               edgecolor="white" if full else ROLE_COLOURS["buffer"], linewidth=0.8))
    for _name, region, d in snap.low:
        for tile in _tiles(region, d):
            ax.add_patch(Rectangle((tile.x, tile.y), tile.w, tile.h, facecolor=ROLE_COLOURS["low"], edgecolor="white",
                                   linewidth=0.3, alpha=0.85))
        ax.add_patch(Rectangle((region.x, region.y), region.w, region.h, facecolor="none", edgecolor="black",
                               linewidth=0.7))
    ax.set_xlim(-1, h.width + 1)
    ax.set_ylim(-1, h.height + 1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    stalled = any(t.stalled for t in snap.tops)
    us = (6 * h.t_2q_ns + h.t_meas_ns) / 1000.0
    ax.set_title(f"round {snap.time} ({snap.time * us:.1f} µs): {len(snap.low)} low-level, "
                 f"{sum(snap.slots)}/{len(snap.slots)} slots{', stalled' if stalled else ''}", fontsize=8)


def floorplan_figure(stream: Stream, times: Sequence[int] | None = None):
    """One panel per round of ``times`` (default: :func:`default_times`), tiles coloured by role."""
    from matplotlib.patches import Patch

    times = tuple(times) if times else default_times(stream)
    plt = pyplot()
    cols = min(len(times), 2)
    rows = -(-len(times) // cols)
    h = stream.header
    width = 11
    fig, axes = plt.subplots(rows, cols, figsize=(width, rows * ((width / cols) * h.height / h.width + 0.5) + 1.0),
                             squeeze=False)
    for ax, t in zip(axes.flat, times):
        _draw(ax, stream, snapshot(stream, t))
    for ax in list(axes.flat)[len(times):]:
        ax.axis("off")
    labels = {"data": "data patch (top level)", "ancilla": "ancilla (top level)", "reused": "reused (lent ancilla)",
              "buffer": "buffer slot, full", "empty slot": "buffer slot, empty", "low": "low-level factory"}
    fig.legend(handles=[Patch(facecolor=ROLE_COLOURS[k], edgecolor="#555555", label=v) for k, v in labels.items()],
               loc="lower center", ncol=6, fontsize=7)
    fig.suptitle(f"Floor plan, {h.width} x {h.height} (qubit pitch), distances {h.distances}", fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig
