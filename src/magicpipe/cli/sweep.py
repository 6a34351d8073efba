"""``magicpipe sweep PROGRAM --out DIR``: a grid over hardware, budgets and architectures, one CSV row per point.

Writes ``DIR/sweep.json`` (what the sweep is: program digest and grid; written first), ``DIR/points.csv``
(one row per point, appended and flushed as each point finishes) and ``DIR/summary.json``. Re-running with
the same ``DIR`` skips the points already in ``points.csv`` (a half-written last line is dropped) and
refuses a ``DIR`` written by a different sweep, naming the parameter that differs. When the sweep ends,
``points.csv`` is rewritten in point order, so it is the same file however the points were spread over
workers (apart from the ``seconds`` column). The per-point work is :func:`magicpipe.sweep.evaluate_point`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import pathlib
import time
from typing import Any

from magicpipe.cli.options import option
from magicpipe.errors import SpecError
from magicpipe.executor import DEFAULT_TIMEOUT, add_executor_args, imap_unordered, open_executor
from magicpipe.progress import Progress
from magicpipe.sweep import (
    COLUMNS, PARAMS, Grid, definition_difference, load_sweep_program, run_point, sweep_definition,
)

__all__ = ["register", "run_sweep"]

DEFINITION_FILE, POINTS_FILE, SUMMARY_FILE = "sweep.json", "points.csv", "summary.json"


def register(subparsers: Any) -> None:
    """Add the ``sweep`` command."""
    s = subparsers.add_parser(
        "sweep", help="a grid of plans over hardware, error budgets and architectures (resumable CSV)",
        description="Plan PROGRAM at every point of a grid; one row per point in OUT/points.csv, appended as "
                    "points finish; re-running with the same --out skips finished points.",
    )
    s.add_argument("program", type=pathlib.Path, help="an OpenQASM 2/3 file, or a .json of logical counts")
    s.add_argument("--out", required=True, type=pathlib.Path, help="output folder; re-using it resumes")
    option(s, "--physical-error", "--p", type=float, nargs="+", default=[1e-4],
           help="physical error rates (default 1e-4)")
    option(s, "--magic-error", "--eps", type=float, nargs="+", default=[1e-4],
           help="raw magic-state errors (default 1e-4)")
    option(s, "--t-2q-ns", "--t2q-ns", type=float, nargs="+", default=[50.0],
           help="two-qubit gate times, ns (default 50)")
    option(s, "--t-meas-ns", "--tmeas-ns", type=float, nargs="+", default=[100.0],
           help="measurement times, ns (default 100)")
    s.add_argument("--error-model", nargs="+", default=["measured"], metavar="MODEL",
                   help="error models: paper, measured or a model file (default measured)")
    s.add_argument("--error-budget", type=float, nargs="+", default=[1e-3],
                   help="total error budgets of the program (default 1e-3)")
    s.add_argument("--max-levels", type=int, nargs="+", default=[3], help="most distillation levels (default 3)")
    s.add_argument("--method", nargs="+", default=["all"], help="whose chosen point: all (the plan with the "
                   "factory catalogue), dynamic (the paper's pipeline alone), sequential, parallel (default all)")
    s.add_argument("--objective", nargs="+", default=["volume"], help="volume, qubits or runtime (default volume)")
    add_executor_args(s, workers=os.cpu_count() or 1)
    s.set_defaults(run=_run, resume_out=True)  # the staging folder starts as a copy of OUT: a re-run resumes


def _grid(args: argparse.Namespace) -> Grid:
    return Grid(p=args.physical_error, eps=args.magic_error, t_2q_ns=args.t_2q_ns,
                t_meas_ns=args.t_meas_ns, error_model=args.error_model, error_budget=args.error_budget,
                max_levels=args.max_levels, method=args.method, objective=args.objective)


def _run(args: argparse.Namespace) -> int:
    program, program_id = load_sweep_program(args.program)
    grid = _grid(args)
    summary = run_sweep(program, program_id, grid, args.out, workers=args.workers, dask=args.dask,
                        timeout=args.dask_timeout)
    print(f"sweep: {summary['points']} points ({summary['ok']} ok, {summary['infeasible']} infeasible; "
          f"{summary['resumed']} from an earlier run) -> {args.out / POINTS_FILE}")
    return 0


def _text(row: dict[str, Any]) -> dict[str, str]:
    """A row as the strings the CSV file holds (what reading it back gives)."""
    return {k: "" if row[k] is None else str(row[k]) for k in COLUMNS}


def _read_done(path: pathlib.Path, points: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
    """Rows of finished points in an existing ``points.csv``; a truncated row is left out."""
    if not path.exists():
        return {}
    text = path.read_text()
    if not text.endswith("\n"):  # a stopped run can leave its last line half-written: it is not a finished point
        text = text[: text.rfind("\n") + 1]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames and tuple(reader.fieldnames) != COLUMNS:
        raise SpecError(f"{path} has columns {reader.fieldnames}, not a sweep's {list(COLUMNS)}; use another --out")
    rows = [r for r in reader if None not in r.values() and None not in r]
    done = {}
    for r in rows:
        i = int(r["index"])
        if not 0 <= i < len(points):
            raise SpecError(f"{path}: row index {i} is outside this sweep's {len(points)} points; use another --out")
        for name in PARAMS:
            if r[name] != str(points[i][name]):
                raise SpecError(f"{path}: point {i} has {name}={r[name]} but this sweep's point {i} has "
                                f"{name}={points[i][name]}; use another --out")
        done[i] = r
    return done


def _write_rows(path: pathlib.Path, rows: list[dict[str, str]]) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)


def _check_definition(out: pathlib.Path, definition: dict[str, Any]) -> None:
    path = out / DEFINITION_FILE
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except json.JSONDecodeError:
            raise SpecError(f"{path} is not a sweep definition (invalid JSON); use another --out") from None
        diff = definition_difference(old, definition)
        if diff:
            raise SpecError(f"{out} holds another sweep: {diff}; use another --out, or the same parameters to resume")
    else:
        path.write_text(json.dumps(definition, indent=2) + "\n")


def run_sweep(program: Any, program_id: dict[str, str], grid: Grid, out: pathlib.Path, *, workers: int = 1,
              dask: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Run (or resume) the sweep into ``out``; returns the summary written to ``out/summary.json``.

    Raises:
        SpecError: ``out`` holds another sweep (the differing parameter named), a point's bad input, an
            executor that cannot start.
    """
    out = pathlib.Path(out)
    points = grid.points()
    definition = sweep_definition(program_id, grid)
    out.mkdir(parents=True, exist_ok=True)
    _check_definition(out, definition)
    csv_path = out / POINTS_FILE
    done = _read_done(csv_path, points)
    resumed = len(done)
    _write_rows(csv_path, [done[i] for i in sorted(done)])  # drops a half-written line of a stopped run
    jobs = [(i, program, params) for i, params in enumerate(points) if i not in done]
    start = time.perf_counter()
    where = "nothing to run"
    if jobs:
        with open_executor(workers, dask, timeout) as ex, csv_path.open("a", newline="") as f, \
                Progress(len(points), "sweep", done=resumed) as progress:
            where = ex.describe()
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            for _, row in imap_unordered(ex, run_point, jobs, progress=progress):
                text = _text(row)
                writer.writerow(text)
                f.flush()
                done[int(text["index"])] = text
    _write_rows(csv_path, [done[i] for i in sorted(done)])
    summary = {
        "schema": definition["schema"], "program": program_id, "points": len(points),
        "ok": sum(r["status"] == "ok" for r in done.values()),
        "infeasible": sum(r["status"] == "infeasible" for r in done.values()),
        "resumed": resumed, "executor": where, "wall_seconds": round(time.perf_counter() - start, 2),
    }
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return summary
