"""Write a report's files: ``metrics.json``, every picture as PNG and SVG, and ``report.html``.

:func:`report_dict` is the ``metrics.json`` document (schema in ``docs/report.md``); :func:`pictures` draws
the figures; :func:`write_report` writes them all into a folder.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from collections.abc import Sequence

from magicpipe.errors import SpecError
from magicpipe.report.build import Report
from magicpipe.report.charts import Cell, front_figure, heatmap_figure
from magicpipe.report.figures import buffer_figure, pyplot, spacetime_figure, usage_figure
from magicpipe.report.floorplan import default_times, floorplan_figure
from magicpipe.report.html import Picture, render_html

__all__ = ["SCHEMA", "report_dict", "pictures", "save_svg", "write_report"]

SCHEMA = "magicpipe-report-metrics/1"
"""The ``schema`` value of ``metrics.json``; it changes when a key changes meaning or goes away."""


def report_dict(report: Report) -> dict:
    """The ``metrics.json`` document of ``report``.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> from magicpipe.compiler.pareto import pareto_front
        >>> from magicpipe.report.build import build_report
        >>> pipe = Pipeline.from_distances((5, 17))
        >>> d = report_dict(build_report(pipe, pareto_front(pipe).min_volume().schedule))
        >>> d["schema"], sorted(d["architectures"]), d["architectures"]["dynamic"]["stalls"]["count"]
        ('magicpipe-report-metrics/1', ['dynamic', 'parallel', 'sequential'], 0)
    """
    pipe = report.pipeline
    hw = pipe.hardware
    return {
        "schema": SCHEMA,
        "source": report.source,
        "pipeline": {
            "distances": list(pipe.distances), "protocol": pipe.levels[0].factory.protocol.name,
            "output_error": pipe.output_error,
            "hardware": {"p": hw.p, "eps": hw.eps, "t_2q_ns": hw.t_2q_ns, "t_meas_ns": hw.t_meas_ns,
                         "t_stab_ns": hw.t_stab_ns, "round_us": hw.rounds_to_us(1),
                         "logical_error_model": {"A": hw.model.A, "p_th": hw.model.p_th, "source": hw.model.source},
                         "error_model": hw.model.info()},
            "levels": [{"level": lv.index, "distance": lv.factory.distance, "qubits": lv.qubits,
                        "rounds": lv.rounds, "eps_in": lv.eps_in, "eps_out": lv.eps_out, "p_succ": lv.p_succ}
                       for lv in pipe.levels],
        },
        "program": None if report.program is None else {
            "states": report.program.states, "rounds": report.program.rounds,
            "states_per_ms": report.program.states / (hw.rounds_to_us(report.program.rounds) / 1000.0)},
        "repetition": None if report.repetition is None else {"count": report.repetition[0],
                                                              "period_rounds": report.repetition[1]},
        "cost_models": [{"name": n, "qubits": q, "rounds": r, "volume": q * r} for n, q, r in report.models],
        "architectures": {m.name: m.to_dict() for m in report.metrics},
        "notes": list(report.notes),
    }


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def save_svg(fig, path: Path) -> None:
    """Save ``fig`` as SVG, the same bytes every time: no date, element ids from a fixed salt."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "magicpipe"}):
        fig.savefig(path, format="svg", metadata={"Date": None})


def pictures(report: Report, *, cells: Sequence[Cell] | None = None,
             times: Sequence[int] | None = None) -> list[tuple[Picture, object]]:
    """Every picture of ``report`` with its matplotlib figure (still open)."""
    out = []

    def add(name: str, title: str, caption: str, fig) -> None:
        out.append((Picture(name, title, caption, _png(fig)), fig))

    add("spacetime", "Space-time diagram (Fig. 3)",
        "Each box is a factory run: width = time, height = qubits, colour = level. Hatched: a stalled factory; "
        "dashed green: its ancilla region lent to reuse runs; brown band: the buffer, darker as it fills; "
        "dotted line: the qubit budget. Vertical position is a packing, not a place on the chip.",
        spacetime_figure(report.spacetimes, report.metrics))
    add("schedule", "The dynamic schedule",
        "The dynamic pipeline's space-time diagram alone, on its own qubit scale.",
        spacetime_figure(report.spacetimes[:1], report.metrics[:1]))
    add("utilisation", "Qubit utilisation over time",
        "Qubits by holder, stacked; busy = working factories + slots holding a state.", usage_figure(report.metrics))
    add("buffers", "Buffer occupancy over time", "States waiting for the level above, per level; dashed: slots.",
        buffer_figure(report.metrics))
    if report.stream is not None:
        chosen = tuple(times) if times else default_times(report.stream)
        add("floorplan", "Floor plan at chosen rounds",
            f"The dynamic pipeline's floor plan at rounds {', '.join(map(str, chosen))}: tiles by role.",
            floorplan_figure(report.stream, chosen))
    if report.front is not None:
        dyn = report.metric("dynamic")
        add("front", "Pareto front (Fig. 8)",
            "Every configuration evaluated (colour: buffer slots), the front, the least-volume point and the "
            "baselines' cost-model points; the ring marks the reported schedule.",
            front_figure(report.front, report.pipeline.hardware.rounds_to_us(1),
                         [(n, q, r) for n, q, r in report.models if n != "dynamic"],
                         (dyn.qubit_budget, dyn.model_rounds or dyn.makespan)))
    if cells:
        add("reductions", "Volume reductions of the two-level benchmark (Fig. 6)",
            "Dynamic pipeline's Q·T reduction against each baseline per distance pair (lighter = larger).",
            heatmap_figure(cells))
    return out


PICTURES = ("all", "png", "none")


def write_report(report: Report, out: Path, *, cells: Sequence[Cell] | None = None,
                 times: Sequence[int] | None = None, formats: str = "all") -> dict[str, Path]:
    """Write ``metrics.json``, the pictures and ``report.html`` into ``out``; return their paths.

    ``formats``: ``"all"`` writes each picture as PNG and SVG, ``"png"`` as PNG only (the page then links no
    vector file), ``"none"`` draws nothing (metrics and a page with the tables only; the fast way for scripts).
    """
    if formats not in PICTURES:
        raise SpecError(f"pictures must be one of {', '.join(PICTURES)}, got {formats!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    drawn = pictures(report, cells=cells, times=times) if formats != "none" else []
    plt = pyplot() if drawn else None
    for pic, fig in drawn:
        png = out / f"{pic.name}.png"
        png.write_bytes(pic.png)
        if formats == "all":
            save_svg(fig, out / f"{pic.name}.svg")
        plt.close(fig)
        paths[pic.name] = png
    paths["metrics"] = out / "metrics.json"
    paths["metrics"].write_text(json.dumps(report_dict(report), indent=1, allow_nan=False))
    paths["html"] = out / "report.html"
    paths["html"].write_text(render_html(report, [p for p, _ in drawn], vector=formats == "all"), encoding="utf-8")
    return paths

