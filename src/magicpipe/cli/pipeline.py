"""``magicpipe pipeline`` and ``magicpipe bench two-level|thresholds``: CSV, summary.json and figures.

The rows and summaries are :mod:`magicpipe.report.benchmarks`' and the figures :mod:`magicpipe.report.charts`';
this module runs them over its jobs, prints and writes them.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import time
from pathlib import Path

from magicpipe.cli._args import bounded_int
from magicpipe.cli.options import hardware, hardware_options
from magicpipe.compiler import Pipeline, parallel, sequential
from magicpipe.compiler.failures import expected_delay, monte_carlo
from magicpipe.compiler.options import PAPER
from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.stalls import expected_rounds
from magicpipe.errors import SpecError
from magicpipe.executor import add_executor_args, map_ordered, open_executor
from magicpipe.progress import Progress


def register(sub) -> None:
    p = sub.add_parser("pipeline", help="Pareto front and minimum-volume schedule of one distance sequence")
    p.add_argument("--distances", required=True, help="code distance per level, lowest first, e.g. 5,17")
    hardware_options(p)
    p.add_argument("--allow-non-improving", action="store_true",
                   help="accept levels whose output error is not below their input error")
    p.add_argument("--layout-aware", action="store_true",
                   help="size the fill by the low-level blocks that pack into the idle high-level block, charge "
                        "data-patch moves d rounds a step, and write the least-volume schedule re-costed with its "
                        "floor plan's move steps (two levels; docs/model.md, 'Layout-aware sizing')")
    p.add_argument("--shots", type=bounded_int(0, 10**6), default=0,
                   help="Monte Carlo runs of the scheduler with random failures at the least-volume point, "
                        "to compare with the analytic delay (default 0: none)")
    p.add_argument("--seed", type=bounded_int(0), default=1, help="seed of the Monte Carlo runs (default 1)")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    p.set_defaults(run=run_pipeline)

    b = sub.add_parser("bench", help="the paper's benchmarks (Fig. 6, Fig. 7 / Table 2)")
    bs = b.add_subparsers(dest="bench", required=True)
    g = bs.add_parser("two-level", help="every ordered pair of odd distances (Fig. 6)")
    g.add_argument("--min-distance", type=bounded_int(1), default=3)
    g.add_argument("--max-distance", type=bounded_int(1, MAX_DISTANCE), default=21)
    hardware_options(g)
    add_executor_args(g, workers=os.cpu_count() or 1)
    g.add_argument("--policy", choices=("search", "paper"), default="search",
                   help="scheduler policy: every one of POLICIES per cell (default) or the paper's")
    g.add_argument("--layout-aware", action="store_true",
                   help="size each cell's fill by the low-level blocks that pack into the idle high-level block, "
                        "charge data-patch moves d rounds a step, and re-cost the chosen point with its floor "
                        "plan's move steps (docs/model.md, 'Layout-aware sizing')")
    g.add_argument("--shots", type=bounded_int(0, 10**6), default=100,
                   help="Monte Carlo runs of the scheduler at each cell's chosen point, for the MC-evaluated "
                        "reductions (default 100; 0: none)")
    g.add_argument("--seed", type=bounded_int(0), default=1, help="Monte Carlo seed (default 1)")
    g.add_argument("--out", required=True, type=Path)
    g.set_defaults(run=run_two_level)
    q = bs.add_parser("policies", help="each scheduler rule's effect: least volume per policy, Monte Carlo-evaluated")
    q.add_argument("--d1", default="3,5", help="level-1 distances (default 3,5)")
    q.add_argument("--d2", default="7,9,11,13,15,17,19,21", help="level-2 distances (default 7..21)")
    hardware_options(q)
    q.add_argument(
        "--shots", type=bounded_int(0, 10**6), default=100, help="Monte Carlo runs per chosen point (default 100)"
    )
    q.add_argument("--seed", type=bounded_int(0), default=7, help="Monte Carlo seed (default 7)")
    q.add_argument("--policy", action="append", metavar="NAME",
                   help="a policy to compare, by its name in policies.csv's 'policy' column; repeat it for several "
                        "(default: every one)")
    q.add_argument("--out", required=True, type=Path)
    q.set_defaults(run=run_policies)
    h = bs.add_parser("thresholds", help="least volume per error threshold, two and three levels (Fig. 7)")
    h.add_argument("--min-exponent", type=bounded_int(1, 300), default=10, help="first threshold 10^-MIN (default 10)")
    h.add_argument("--max-exponent", type=bounded_int(1, 300), default=50, help="last threshold 10^-MAX (default 50)")
    h.add_argument("--step", type=bounded_int(1), default=1, help="exponent step (default 1)")
    h.add_argument("--max-distance", type=bounded_int(3, MAX_DISTANCE), default=47)
    hardware_options(h)
    add_executor_args(h, workers=os.cpu_count() or 1)
    h.add_argument("--out", required=True, type=Path)
    h.set_defaults(run=run_thresholds)


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


MAX_DISTANCE = 99
"""Largest code distance the commands accept (``bench`` searches up to it, ``pipeline`` takes it)."""


# -- magicpipe pipeline ------------------------------------------------------------------------------------
def run_pipeline(args) -> int:
    try:
        distances = tuple(int(x) for x in args.distances.split(","))
    except ValueError:
        raise SpecError(f"--distances must be comma-separated integers such as 5,17, got {args.distances!r}") from None
    if any(d > MAX_DISTANCE for d in distances):
        raise SpecError(
            f"--distances {args.distances}: distances above {MAX_DISTANCE} are outside what the planner "
            f"searches (a d={MAX_DISTANCE} patch already holds {2 * MAX_DISTANCE**2 - 1} qubits); lower them"
        )
    from magicpipe.report import benchmarks, charts

    hw = hardware(args)
    pipe = Pipeline.from_distances(distances, hw, strict=not args.allow_non_improving)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.layout_aware:
        from magicpipe.lattice.recost import layout_policies, recost_point

        front = pareto_front(pipe, layout_policies(pipe))
        best, _ = recost_point(front.min_volume())
    else:
        front = pareto_front(pipe)
        best = front.min_volume()
    seq, par = sequential(pipe), parallel(pipe)
    rows = benchmarks.front_rows(front)
    _write_csv(out / "points.csv", rows)
    _write_csv(out / "front.csv", [r for r in rows if r["pareto"]])
    summary = benchmarks.pipeline_summary(front, best)
    summary["layout_aware"] = args.layout_aware
    summary["at_pessimistic_edge"] = benchmarks.at_pessimistic_edge(pipe)
    if args.shots:
        mc = monte_carlo(best.schedule, args.shots, args.seed)
        summary["failure_delay"] = {"analytic_rounds": expected_rounds(best.schedule) - best.deterministic_rounds,
                                    "first_stall_rounds": expected_delay(best.schedule),
                                    "search_rounds": best.expected_delay, "search_delay_model": best.delay_model,
                                    "monte_carlo_rounds": mc.mean_delay,
                                    "monte_carlo_stderr": mc.stderr_delay, "shots": mc.shots, "seed": mc.seed,
                                    "stalled_fraction": mc.stall_fraction}
    from magicpipe.grammar import write_checked_stream

    summary["stream"] = write_checked_stream(best.schedule, out)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, allow_nan=False))
    (out / "schedule.json").write_text(json.dumps(benchmarks.schedule_dict(best.schedule), indent=1, allow_nan=False))
    charts.save(charts.front_figure(front, hw.rounds_to_us(1), [("sequential", seq.qubits, seq.rounds),
                                                                 ("parallel", par.qubits, par.rounds)]),
                out / "front.png")
    print(f"distances {distances}: output error {pipe.output_error:.3g} (error model {hw.model.name!r})")
    print(f"  sequential  Q={seq.qubits:>8}  T={hw.rounds_to_us(seq.rounds):8.1f} us  QT={seq.volume:.4g}")
    print(f"  parallel    Q={par.qubits:>8}  T={hw.rounds_to_us(par.rounds):8.1f} us  QT={par.volume:.4g}")
    print(f"  dynamic     Q={best.qubits:>8}  T={hw.rounds_to_us(best.rounds):8.1f} us  QT={best.volume:.4g}"
          f"  ({100 * summary['reduction_vs_sequential']:.1f}% below sequential, "
          f"{100 * summary['reduction_vs_parallel']:.1f}% below parallel; buffer {best.buffer_slots} slots)")
    print(f"  front: {len(front.points)} points of {len(front.evaluated)} evaluated -> {out}")
    return 0


def _ordered(name: str, low: int, high: int) -> None:
    if low > high:
        raise SpecError(f"--min-{name} {low} is above --max-{name} {high}; give a minimum at most the maximum")


# -- magicpipe bench two-level ------------------------------------------------------------------------------
def _cell(job):
    from magicpipe.report import benchmarks

    return benchmarks.two_level_cell(*job)


# Columns of cells.csv and thresholds.csv that depend on where and after what a task ran.
RUN_DEPENDENT_COLUMNS = ("seconds", "cbc_solves", "cpu_seconds", "exact_solves")


def _map(func, jobs, args, label: str):
    """``func`` over ``jobs`` on the executor of ``--workers``/``--dask``, in job order, with progress."""
    jobs = list(jobs)
    with open_executor(args.workers, args.dask, args.dask_timeout) as ex, \
            Progress(len(jobs), label, unit="tasks") as progress:
        return map_ordered(ex, func, jobs, progress=progress), ex.describe()


def run_two_level(args) -> int:
    from magicpipe.report import benchmarks, charts

    _ordered("distance", args.min_distance, args.max_distance)
    ds = range(args.min_distance, args.max_distance + 1, 2)
    hw = hardware(args)
    jobs = [(d1, d2, hw, args.policy, args.shots, args.seed, args.layout_aware) for d1 in ds for d2 in ds]
    start = time.perf_counter()
    rows, where = _map(_cell, jobs, args, "bench two-level")
    wall = time.perf_counter() - start
    args.out.mkdir(parents=True, exist_ok=True)
    _write_csv(args.out / "cells.csv", rows)
    summary = benchmarks.two_level_summary(rows, hw, wall_seconds=wall, workers=args.workers, executor=where,
                                           policy=args.policy, shots=args.shots, seed=args.seed,
                                           layout_aware=args.layout_aware)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, allow_nan=False))
    charts.save(charts.heatmap_figure(charts.cells_of(rows)), args.out / "reductions.png")
    print(json.dumps(summary, indent=2, allow_nan=False))
    return 0


# -- magicpipe bench policies -------------------------------------------------------------------------------
def policy_variants() -> dict:
    """The policies ``bench policies`` compares: the paper's, each failure-aware rule alone, and combinations."""
    from dataclasses import replace

    from magicpipe.compiler.options import FAILURE_AWARE, DynamicOptions

    out = {"paper": PAPER, "failure-aware": FAILURE_AWARE}
    for field, value in (("lanes", "free"), ("resume", "greedy"), ("fill", "expected"), ("spare_fill", True),
                         ("short_launch", True)):
        out[f"paper+{field}={value}"] = replace(PAPER, **{field: value})
    out["paper+fill=expected+spare_fill"] = DynamicOptions(fill="expected", spare_fill=True)
    out["failure-aware, short_launch=False"] = replace(FAILURE_AWARE, short_launch=False)
    out["failure-aware+fill_margin=1"] = replace(FAILURE_AWARE, fill_margin=1)
    out["failure-aware+launch_rule=greedy"] = replace(FAILURE_AWARE, launch_rule="greedy")
    return out


def run_policies(args) -> int:
    hw = hardware(args)
    try:
        cells = [(int(a), int(b)) for a in args.d1.split(",") for b in args.d2.split(",")]
    except ValueError:
        raise SpecError(f"--d1 and --d2 must be comma-separated integers, got {args.d1!r} and {args.d2!r}") from None
    variants = policy_variants()
    if args.policy:
        unknown = [w for w in args.policy if w not in variants]
        if unknown:
            raise SpecError(f"--policy {unknown[0]!r} is not a policy; the policies are "
                            f"{', '.join(map(repr, variants))}")
        variants = {w: variants[w] for w in dict.fromkeys(args.policy)}
    rows = []
    for name, options in variants.items():
        for d1, d2 in cells:
            pipe = Pipeline.from_distances((d1, d2), hw)
            best = pareto_front(pipe, options, least_volume_only=True).min_volume()
            mc = monte_carlo(best.schedule, args.shots, args.seed)
            volume = best.qubits * mc.mean_rounds
            rows.append({"policy": name, "d1": d1, "d2": d2, "qubits": best.qubits, "buffer": best.buffer_slots,
                         "rounds": round(best.rounds, 4), "mc_rounds": round(mc.mean_rounds, 4),
                         "mc_reduction_vs_sequential": round(1 - volume / sequential(pipe).volume, 5),
                         "mc_reduction_vs_parallel": round(1 - volume / parallel(pipe).volume, 5)})
    args.out.mkdir(parents=True, exist_ok=True)
    _write_csv(args.out / "policies.csv", rows)
    summary = {
        name: {
            "mean_vs_sequential": statistics.fmean(
                r["mc_reduction_vs_sequential"] for r in rows if r["policy"] == name
            ),
            "mean_vs_parallel": statistics.fmean(r["mc_reduction_vs_parallel"] for r in rows if r["policy"] == name),
            "worst_vs_sequential": min(r["mc_reduction_vs_sequential"] for r in rows if r["policy"] == name),
        }
        for name in variants
    }
    (args.out / "summary.json").write_text(json.dumps({"p": hw.p, "eps": hw.eps, "shots": args.shots, "seed": args.seed,
                                                       "cells": len(cells), "policies": summary}, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


# -- magicpipe bench thresholds -----------------------------------------------------------------------------
def _threshold(job):
    from magicpipe.report import benchmarks

    return benchmarks.threshold_row(*job)


def run_thresholds(args) -> int:
    from magicpipe.report import benchmarks, charts

    _ordered("exponent", args.min_exponent, args.max_exponent)
    exps = list(range(args.min_exponent, args.max_exponent + 1, args.step))
    hw = hardware(args)
    jobs = [(e, hw, args.max_distance) for e in exps]
    start = time.perf_counter()
    everything, where = _map(_threshold, jobs, args, "bench thresholds")
    wall = time.perf_counter() - start
    rows = [r for r in everything if r["reachable"]]
    if not rows:
        raise SpecError(f"no threshold in 1e-{args.min_exponent}..1e-{args.max_exponent} is reachable with distances "
                        f"up to {args.max_distance}; raise --max-distance")
    args.out.mkdir(parents=True, exist_ok=True)
    _write_csv(args.out / "thresholds.csv", rows)
    summary = benchmarks.thresholds_summary(everything, hw, wall_seconds=wall, executor=where,
                                            max_distance=args.max_distance)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, allow_nan=False))
    charts.save(charts.thresholds_figure(rows), args.out / "thresholds.png")
    print(json.dumps(summary, indent=2, allow_nan=False))
    return 0
