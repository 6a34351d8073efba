"""``magicpipe report INPUT --out DIR``: metrics, pictures and a one-page HTML report of a pipeline.

INPUT is a stream (``schedule.lsi``), a ``plan.json`` of ``magicpipe compile``, a ``summary.json`` of
``magicpipe pipeline``, or a folder holding one. Writes ``DIR/metrics.json``, the pictures as PNG and SVG and
``DIR/report.html`` (:mod:`magicpipe.report`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from magicpipe.errors import SpecError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``report`` command."""
    p = subparsers.add_parser(
        "report",
        help="metrics, pictures and a one-page HTML report of a pipeline beside the baselines",
        description="Measure a dynamic pipeline (throughput, utilisation, stalls, buffers, yield, cost, storage "
                    "decay) beside the sequential and parallel baselines; draw the space-time diagram, the "
                    "floor plan, the buffers and the Pareto front; write OUT/metrics.json, the pictures and "
                    "OUT/report.html.",
    )
    p.add_argument("input", metavar="INPUT", type=Path,
                   help="schedule.lsi, plan.json, summary.json, or a folder holding one")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder, created if missing")
    p.add_argument("--cells", type=Path, default=None, metavar="CSV",
                   help="cells.csv of 'magicpipe bench two-level', for the reduction heat maps (Fig. 6)")
    p.add_argument("--times", default=None, metavar="R1,R2,...",
                   help="rounds at which to draw the floor plan (default: end of the fill phase, the launch, "
                        "a reuse window, the last step)")
    p.add_argument("--no-front", action="store_true",
                   help="skip the Pareto front (Fig. 8), which recomputes the pipeline's front")
    p.add_argument("--pictures", choices=("all", "png", "none"), default="all",
                   help="all: every picture as PNG and SVG (default); png: PNG only; none: metrics.json and a page "
                        "of tables, nothing drawn (fast, for scripts)")
    p.set_defaults(run=run)


def _times(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        times = tuple(int(x) for x in text.split(","))
    except ValueError:
        raise SpecError(f"--times must be comma-separated rounds such as 0,55,160, got {text!r}") from None
    if any(t < 0 for t in times):
        raise SpecError(f"--times must be rounds >= 0, got {text!r}")
    return times


def run(args: argparse.Namespace) -> int:
    from magicpipe.report import load, read_cells, write_report

    times = _times(args.times)
    report = load(args.input, front=not args.no_front)
    cells = read_cells(args.cells) if args.cells else None
    paths = write_report(report, args.out, cells=cells, times=times, formats=args.pictures)
    print(f"{report.source}: distances {report.pipeline.distances}")
    for m in report.metrics:
        print(f"  {m.name:<11} Q={m.qubit_budget:>8}  T={m.makespan * m.round_us:8.1f} us  "
              f"{m.throughput_per_ms:7.3f} states/ms  utilisation {100 * m.mean_utilisation:5.1f}%  "
              f"stalls {m.stalls}  {m.qubit_us_per_state:.4g} qubit-us/state")
    for note in report.notes:
        print(f"  note: {note}")
    print(f"wrote {paths['html']} and {len(paths) - 2} pictures, metrics.json")
    return 0
