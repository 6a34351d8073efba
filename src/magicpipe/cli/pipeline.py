"""``magicpipe pipeline`` and ``magicpipe bench two-level|thresholds``: CSV, summary.json and figures."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from magicpipe.compiler import Hardware, Pipeline, parallel, sequential
from magicpipe.compiler.allocator import solver_stats
from magicpipe.compiler.bounds import lower_bound
from magicpipe.compiler.failures import expected_delay, monte_carlo
from magicpipe.compiler.options import PAPER
from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.search import best_pipeline
from magicpipe.compiler.stalls import expected_rounds
from magicpipe.compiler.steady import steady_state
from magicpipe.errors import InfeasibleError, SpecError


def _hardware_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--p", type=float, default=1e-4, help="physical error rate per operation (default 1e-4)")
    p.add_argument("--eps", type=float, default=1e-4, help="raw magic-state error (default 1e-4)")
    p.add_argument("--t2q-ns", type=float, default=50.0, help="two-qubit gate time in ns (default 50)")
    p.add_argument("--tmeas-ns", type=float, default=100.0, help="measurement time in ns (default 100)")


def _hardware(args) -> Hardware:
    return Hardware(p=args.p, eps=args.eps, t_2q_ns=args.t2q_ns, t_meas_ns=args.tmeas_ns)


def register(sub) -> None:
    p = sub.add_parser("pipeline", help="Pareto front and minimum-volume schedule of one distance sequence")
    p.add_argument("--distances", required=True, help="code distance per level, lowest first, e.g. 5,17")
    _hardware_args(p)
    p.add_argument("--allow-non-improving", action="store_true",
                   help="accept levels whose output error is not below their input error")
    p.add_argument("--shots", type=int, default=0,
                   help="Monte Carlo runs of the scheduler with random failures at the least-volume point, "
                        "to compare with the analytic delay (default 0: none)")
    p.add_argument("--seed", type=int, default=1, help="seed of the Monte Carlo runs (default 1)")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    p.set_defaults(run=run_pipeline)

    b = sub.add_parser("bench", help="the paper's benchmarks (Fig. 6, Fig. 7 / Table 2)")
    bs = b.add_subparsers(dest="bench", required=True)
    g = bs.add_parser("two-level", help="every ordered pair of odd distances (Fig. 6)")
    g.add_argument("--min-distance", type=int, default=3)
    g.add_argument("--max-distance", type=int, default=21)
    _hardware_args(g)
    g.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
    g.add_argument("--policy", choices=("search", "paper"), default="search",
                   help="scheduler policy: every one of POLICIES per cell (default) or the paper's")
    g.add_argument("--shots", type=int, default=100,
                   help="Monte Carlo runs of the scheduler at each cell's chosen point, for the MC-evaluated "
                        "reductions (default 100; 0: none)")
    g.add_argument("--seed", type=int, default=1, help="Monte Carlo seed (default 1)")
    g.add_argument("--out", required=True, type=Path)
    g.set_defaults(run=run_two_level)
    q = bs.add_parser("policies", help="each scheduler rule's effect: least volume per policy, Monte Carlo-evaluated")
    q.add_argument("--d1", default="3,5", help="level-1 distances (default 3,5)")
    q.add_argument("--d2", default="7,9,11,13,15,17,19,21", help="level-2 distances (default 7..21)")
    _hardware_args(q)
    q.add_argument("--shots", type=int, default=100, help="Monte Carlo runs per chosen point (default 100)")
    q.add_argument("--seed", type=int, default=7, help="Monte Carlo seed (default 7)")
    q.add_argument("--out", required=True, type=Path)
    q.set_defaults(run=run_policies)
    h = bs.add_parser("thresholds", help="least volume per error threshold, two and three levels (Fig. 7)")
    h.add_argument("--min-exponent", type=int, default=10, help="first threshold 10^-MIN (default 10)")
    h.add_argument("--max-exponent", type=int, default=50, help="last threshold 10^-MAX (default 50)")
    h.add_argument("--step", type=int, default=1, help="exponent step (default 1)")
    h.add_argument("--max-distance", type=int, default=47)
    _hardware_args(h)
    h.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    h.add_argument("--out", required=True, type=Path)
    h.set_defaults(run=run_thresholds)


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt, fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# -- magicpipe pipeline ------------------------------------------------------------------------------------
def schedule_dict(s) -> dict:
    """The schedule as JSON-able data (runs, executions, takes, stalls)."""
    return {
        "qubit_budget": s.qubit_budget, "buffer_slots": s.buffer_slots, "slot_qubits": s.slot_qubits,
        "launch_threshold": s.launch_threshold, "rounds": s.rounds, "peak_qubits": s.peak_qubits(),
        "producers": [{"name": p.name, "qubits": p.qubits, "rounds": p.rounds, "outputs": p.outputs,
                       "p_succ": p.p_succ, "eps_out": p.eps_out, "distance": p.distance} for p in s.producers],
        "runs": [{"id": r.id, "producer": r.producer, "start": r.start, "end": r.end, "qubits": r.qubits,
                  "role": r.role, "lane": r.lane, "outputs": r.outputs} for r in s.runs],
        "executions": [{"index": t.index, "launch": t.launch, "end": t.end} for t in s.tops],
        "takes": [{"time": k.time, "execution": k.top, "step": k.step, "count": k.count} for k in s.takes],
        "stalls": [{"step": x.step, "start": x.start, "end": x.end, "reuse": x.reuse, "threshold": x.threshold,
                    "moved_out": x.moved_out, "reclaimed": x.reclaimed} for x in s.stalls],
    }


def run_pipeline(args) -> int:
    try:
        distances = tuple(int(x) for x in args.distances.split(","))
    except ValueError:
        raise SpecError(f"--distances must be comma-separated integers such as 5,17, got {args.distances!r}") from None
    hw = _hardware(args)
    pipe = Pipeline.from_distances(distances, hw, strict=not args.allow_non_improving)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    front = pareto_front(pipe)
    seq, par = sequential(pipe), parallel(pipe)
    best = front.min_volume()
    steady = steady_state(pipe, best)
    rows = [{"qubits": p.qubits, "rounds": round(p.rounds, 4), "us": hw.rounds_to_us(p.rounds),
             "buffer_slots": p.buffer_slots, "deterministic_rounds": p.deterministic_rounds,
             "expected_delay": round(p.expected_delay, 4), "delay_model": p.delay_model,
             "policy": p.policy.label, "volume": round(p.volume, 1),
             "efficiency": round(p.efficiency, 4), "pareto": p in front.points} for p in front.evaluated]
    _write_csv(out / "points.csv", rows)
    _write_csv(out / "front.csv", [r for r in rows if r["pareto"]])
    summary = {
        "distances": list(distances), "p": hw.p, "eps": hw.eps, "t_2q_ns": hw.t_2q_ns, "t_meas_ns": hw.t_meas_ns,
        "t_stab_ns": hw.t_stab_ns,
        "logical_error_model": {"A": hw.model.A, "p_th": hw.model.p_th, "source": hw.model.source},
        "levels": [{"distance": lv.factory.distance, "qubits": lv.qubits, "rounds": lv.rounds,
                    "eps_in": lv.eps_in, "eps_out": lv.eps_out, "p_succ": lv.p_succ} for lv in pipe.levels],
        "output_error": pipe.output_error,
        "sequential": {"qubits": seq.qubits, "rounds": seq.rounds, "volume": seq.volume},
        "parallel": {"qubits": par.qubits, "rounds": par.rounds, "volume": par.volume},
        "dynamic_min_volume": {"qubits": best.qubits, "rounds": best.rounds, "buffer_slots": best.buffer_slots,
                               "expected_delay": best.expected_delay, "volume": best.volume,
                               "efficiency": best.efficiency, "policy": best.policy.label,
                               "delay_model": best.delay_model},
        "reduction_vs_sequential": 1 - best.volume / seq.volume,
        "reduction_vs_parallel": 1 - best.volume / par.volume,
        "lower_bound": lower_bound(pipe),
        "steady_state": {"first_output_rounds": steady.first_output, "period_rounds": steady.period,
                         "deterministic_period_rounds": steady.deterministic_period, "shots": steady.shots,
                         "volume_per_state": steady.volume_per_state},
        "front_points": len(front.points), "evaluated_points": len(front.evaluated),
    }
    if args.shots:
        mc = monte_carlo(best.schedule, args.shots, args.seed)
        summary["failure_delay"] = {"analytic_rounds": expected_rounds(best.schedule) - best.deterministic_rounds,
                                    "first_stall_rounds": expected_delay(best.schedule),
                                    "search_rounds": best.expected_delay, "search_delay_model": best.delay_model,
                                    "monte_carlo_rounds": mc.mean_delay,
                                    "monte_carlo_stderr": mc.stderr_delay, "shots": mc.shots, "seed": mc.seed,
                                    "stalled_fraction": mc.stall_fraction}
    summary["stream"] = _write_stream(best.schedule, out)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "schedule.json").write_text(json.dumps(schedule_dict(best.schedule), indent=1))
    _plot_front(front, seq, par, hw, out / "front.png")
    print(f"distances {distances}: output error {pipe.output_error:.3g}")
    print(f"  sequential  Q={seq.qubits:>8}  T={hw.rounds_to_us(seq.rounds):8.1f} us  QT={seq.volume:.4g}")
    print(f"  parallel    Q={par.qubits:>8}  T={hw.rounds_to_us(par.rounds):8.1f} us  QT={par.volume:.4g}")
    print(f"  dynamic     Q={best.qubits:>8}  T={hw.rounds_to_us(best.rounds):8.1f} us  QT={best.volume:.4g}"
          f"  ({100 * summary['reduction_vs_sequential']:.1f}% below sequential, "
          f"{100 * summary['reduction_vs_parallel']:.1f}% below parallel; buffer {best.buffer_slots} slots)")
    print(f"  front: {len(front.points)} points of {len(front.evaluated)} evaluated -> {out}")
    return 0


def _write_stream(schedule, out: Path) -> dict:
    """Lay the schedule out, write OUT/schedule.lsi lazily and check it (``magicpipe check`` rules).

    Composed (three-level) menus have no floor plan yet: the entry then says why no stream was written.
    """
    from magicpipe.errors import VerificationError
    from magicpipe.grammar import parse_file, write_schedule
    from magicpipe.lattice import check, plan_floor

    try:
        fp = plan_floor(schedule)
    except SpecError as e:
        return {"file": None, "reason": str(e)}
    path = write_schedule(schedule, out, fp)
    violations = check(parse_file(path))
    if violations:
        raise VerificationError(f"{path}: {violations[0]}", violations)
    return {"file": path.name, "floorplan_width": fp.width, "floorplan_height": fp.height,
            "floorplan_qubits": fp.qubits, "layout_overhead": fp.qubits / schedule.qubit_budget,
            "move_steps": fp.move_steps}


def _plot_front(front, seq, par, hw, path: Path) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    pts = front.evaluated
    sc = ax.scatter([p.qubits for p in pts], [hw.rounds_to_us(p.rounds) for p in pts],
                    c=[p.buffer_slots for p in pts], cmap="viridis", s=10, alpha=0.35)
    ax.plot([p.qubits for p in front.points], [hw.rounds_to_us(p.rounds) for p in front.points], "k.-", lw=1,
            label="dynamic Pareto front")
    best = front.min_volume()
    ax.plot(best.qubits, hw.rounds_to_us(best.rounds), "r*", ms=14, label="least Q·T")
    ax.plot(seq.qubits, hw.rounds_to_us(seq.rounds), "s", color="tab:orange", label="sequential")
    ax.plot(par.qubits, hw.rounds_to_us(par.rounds), "D", color="tab:blue", label="parallel")
    fig.colorbar(sc, ax=ax, label="buffer slots")
    ax.set_xlabel("physical qubits")
    ax.set_ylabel("time for one top-level state (us)")
    ax.set_title(f"distances {front.pipeline.distances}")
    ax.legend(fontsize=8)
    _save(plt, fig, path)


# -- magicpipe bench two-level ------------------------------------------------------------------------------
def _cell(job):
    d1, d2, hw, policy, shots, seed = job
    pipe = Pipeline.from_distances((d1, d2), hw)
    start, cpu = time.perf_counter(), time.process_time()
    front = pareto_front(pipe, PAPER if policy == "paper" else None, seed=seed)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    seq, par, best = sequential(pipe), parallel(pipe), front.min_volume()
    row = {
        "d1": d1, "d2": d2, "seq_qubits": seq.qubits, "seq_rounds": seq.rounds, "par_qubits": par.qubits,
        "par_rounds": par.rounds, "dyn_qubits": best.qubits, "dyn_rounds": round(best.rounds, 4),
        "dyn_buffer": best.buffer_slots, "dyn_delay": round(best.expected_delay, 4),
        "lower_bound": round(lower_bound(pipe), 1), "efficiency": round(best.efficiency, 4),
        "reduction_vs_sequential": round(1 - best.volume / seq.volume, 5),
        "reduction_vs_parallel": round(1 - best.volume / par.volume, 5),
        "output_error": pipe.output_error, "improving": pipe.improves, "front_points": len(front.points),
        "seconds": round(seconds, 3), "cbc_solves": solver_stats()["cbc_solves"],
        "cpu_seconds": round(cpu, 3), "dyn_policy": best.policy.label, "dyn_delay_model": best.delay_model,
        "level1_p_succ": round(pipe.levels[0].p_succ, 5),
        "first_stall_delay": round(expected_delay(best.schedule), 4),
        "all_stall_delay": round(expected_rounds(best.schedule) - best.deterministic_rounds, 4),
    }
    if shots:
        mc = monte_carlo(best.schedule, shots, seed)
        volume = best.qubits * mc.mean_rounds
        row.update({"mc_delay": round(mc.mean_delay, 4), "mc_stderr": round(mc.stderr_delay, 4),
                    "mc_reduction_vs_sequential": round(1 - volume / seq.volume, 5),
                    "mc_reduction_vs_parallel": round(1 - volume / par.volume, 5),
                    "mc_efficiency": round(volume / lower_bound(pipe), 4)})
    return row


def _map(func, jobs, workers):
    if workers <= 1:
        return [func(j) for j in jobs]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(func, jobs, chunksize=1))


def _stats(values: list[float]) -> dict:
    return {"mean": statistics.fmean(values), "min": min(values), "max": max(values), "median": statistics.median(values)}


def run_two_level(args) -> int:
    ds = range(args.min_distance, args.max_distance + 1, 2)
    hw = _hardware(args)
    jobs = [(d1, d2, hw, args.policy, args.shots, args.seed) for d1 in ds for d2 in ds]
    start = time.perf_counter()
    rows = _map(_cell, jobs, args.workers)
    wall = time.perf_counter() - start
    args.out.mkdir(parents=True, exist_ok=True)
    _write_csv(args.out / "cells.csv", rows)
    off = [r for r in rows if r["d1"] != r["d2"]]
    summary = {
        "cells": len(rows), "p": args.p, "eps": args.eps, "wall_seconds": round(wall, 2), "workers": args.workers,
        "mean_reduction_vs_sequential": statistics.fmean(r["reduction_vs_sequential"] for r in rows),
        "mean_reduction_vs_parallel": statistics.fmean(r["reduction_vs_parallel"] for r in rows),
        "min_reduction_vs_sequential": min(r["reduction_vs_sequential"] for r in rows),
        "min_reduction_vs_parallel": min(r["reduction_vs_parallel"] for r in rows),
        "mean_efficiency": statistics.fmean(r["efficiency"] for r in rows),
        "off_diagonal": {  # the paper's 90 cells (d1 != d2)
            "cells": len(off),
            "reduction_vs_sequential": _stats([r["reduction_vs_sequential"] for r in off]),
            "reduction_vs_parallel": _stats([r["reduction_vs_parallel"] for r in off]),
            "negative_vs_sequential": sum(r["reduction_vs_sequential"] < 0 for r in off),
            "negative_vs_parallel": sum(r["reduction_vs_parallel"] < 0 for r in off),
        },
        "improving_cells": sum(r["improving"] for r in rows),
        "policy": args.policy,
        "policies_chosen": {k: sum(r["dyn_policy"] == k for r in rows) for k in sorted({r["dyn_policy"] for r in rows})},
        "cell_seconds": _stats([r["seconds"] for r in rows]),
        "search_cpu_seconds": round(sum(r["cpu_seconds"] for r in rows), 2),  # the Pareto searches, MC excluded
    }
    if args.shots:
        summary["monte_carlo"] = {
            "shots": args.shots, "seed": args.seed,
            "mean_reduction_vs_sequential": statistics.fmean(r["mc_reduction_vs_sequential"] for r in rows),
            "mean_reduction_vs_parallel": statistics.fmean(r["mc_reduction_vs_parallel"] for r in rows),
            "min_reduction_vs_sequential": min(r["mc_reduction_vs_sequential"] for r in rows),
            "min_reduction_vs_parallel": min(r["mc_reduction_vs_parallel"] for r in rows),
            "cells_below_sequential_by_2pct": sum(r["mc_reduction_vs_sequential"] < -0.02 for r in rows),
            "cells_below_parallel_by_2pct": sum(r["mc_reduction_vs_parallel"] < -0.02 for r in rows),
            "mean_efficiency": statistics.fmean(r["mc_efficiency"] for r in rows),
        }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    _heatmaps(rows, list(ds), args.out / "reductions.png")
    print(json.dumps(summary, indent=2))
    return 0


def _heatmaps(rows, ds, path: Path) -> None:
    import numpy as np

    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
    for ax, key, title in zip(axes, ("reduction_vs_sequential", "reduction_vs_parallel"), ("vs sequential", "vs parallel")):
        grid = np.full((len(ds), len(ds)), np.nan)
        for r in rows:
            grid[ds.index(r["d2"]), ds.index(r["d1"])] = 100 * r[key]
        im = ax.imshow(grid, origin="lower", cmap="viridis")
        ax.set_xticks(range(len(ds)), ds)
        ax.set_yticks(range(len(ds)), ds)
        ax.set_xlabel("level-1 distance d1")
        ax.set_ylabel("level-2 distance d2")
        ax.set_title(f"Q·T reduction {title} (%)")
        for i in range(len(ds)):
            for j in range(len(ds)):
                if not math.isnan(grid[i, j]):
                    ax.text(j, i, f"{grid[i, j]:.0f}", ha="center", va="center", fontsize=6, color="w")
        fig.colorbar(im, ax=ax)
    _save(plt, fig, path)


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
    hw = _hardware(args)
    try:
        cells = [(int(a), int(b)) for a in args.d1.split(",") for b in args.d2.split(",")]
    except ValueError:
        raise SpecError(f"--d1 and --d2 must be comma-separated integers, got {args.d1!r} and {args.d2!r}") from None
    rows = []
    for name, options in policy_variants().items():
        for d1, d2 in cells:
            pipe = Pipeline.from_distances((d1, d2), hw)
            best = pareto_front(pipe, options).min_volume()
            mc = monte_carlo(best.schedule, args.shots, args.seed)
            volume = best.qubits * mc.mean_rounds
            rows.append({"policy": name, "d1": d1, "d2": d2, "qubits": best.qubits, "buffer": best.buffer_slots,
                         "rounds": round(best.rounds, 4), "mc_rounds": round(mc.mean_rounds, 4),
                         "mc_reduction_vs_sequential": round(1 - volume / sequential(pipe).volume, 5),
                         "mc_reduction_vs_parallel": round(1 - volume / parallel(pipe).volume, 5)})
    args.out.mkdir(parents=True, exist_ok=True)
    _write_csv(args.out / "policies.csv", rows)
    summary = {name: {"mean_vs_sequential": statistics.fmean(r["mc_reduction_vs_sequential"] for r in rows if r["policy"] == name),
                      "mean_vs_parallel": statistics.fmean(r["mc_reduction_vs_parallel"] for r in rows if r["policy"] == name),
                      "worst_vs_sequential": min(r["mc_reduction_vs_sequential"] for r in rows if r["policy"] == name)}
               for name in policy_variants()}
    (args.out / "summary.json").write_text(json.dumps({"p": hw.p, "eps": hw.eps, "shots": args.shots, "seed": args.seed,
                                                       "cells": len(cells), "policies": summary}, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


# -- magicpipe bench thresholds -----------------------------------------------------------------------------
def _threshold(job):
    exponent, hw, dmax = job
    row = {"threshold": 10.0**-exponent, "reachable": True}
    start = time.perf_counter()
    for method in ("sequential", "parallel", "dynamic"):
        try:
            c = best_pipeline(10.0**-exponent, hw, method, levels=(2, 3), distances=range(3, dmax + 1, 2))
        except InfeasibleError:
            row["reachable"] = False  # beyond what distances up to dmax reach (Eq. 3's 7.1 p_L floor)
            return row
        row[f"{method}_distances"] = "-".join(map(str, c.pipeline.distances))
        row[f"{method}_qubits"] = c.qubits
        row[f"{method}_rounds"] = round(c.rounds, 4)
        row[f"{method}_volume"] = round(c.volume, 1)
    row["reduction_vs_sequential"] = round(1 - row["dynamic_volume"] / row["sequential_volume"], 5)
    row["reduction_vs_parallel"] = round(1 - row["dynamic_volume"] / row["parallel_volume"], 5)
    row["seconds"] = round(time.perf_counter() - start, 2)
    return row


def run_thresholds(args) -> int:
    exps = list(range(args.min_exponent, args.max_exponent + 1, args.step))
    hw = _hardware(args)
    jobs = [(e, hw, args.max_distance) for e in exps]
    start = time.perf_counter()
    everything = _map(_threshold, jobs, args.workers)
    wall = time.perf_counter() - start
    rows = [r for r in everything if r["reachable"]]
    if not rows:
        raise SpecError(f"no threshold in 1e-{args.min_exponent}..1e-{args.max_exponent} is reachable with distances "
                        f"up to {args.max_distance}; raise --max-distance")
    args.out.mkdir(parents=True, exist_ok=True)
    _write_csv(args.out / "thresholds.csv", rows)
    summary = {
        "thresholds": len(rows), "p": args.p, "eps": args.eps, "wall_seconds": round(wall, 2),
        "unreachable": [r["threshold"] for r in everything if not r["reachable"]],
        "max_distance": args.max_distance,
        "reduction_vs_sequential": _stats([r["reduction_vs_sequential"] for r in rows]),
        "reduction_vs_parallel": _stats([r["reduction_vs_parallel"] for r in rows]),
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for method, style in (("sequential", "s-"), ("parallel", "D-"), ("dynamic", "o-")):
        ax.semilogy([-math.log10(r["threshold"]) for r in rows], [r[f"{method}_volume"] for r in rows], style,
                    ms=3, label=method)
    ax.set_xlabel("-log10(error threshold)")
    ax.set_ylabel("least qubit-round volume per state")
    ax.legend()
    _save(plt, fig, args.out / "thresholds.png")
    print(json.dumps(summary, indent=2))
    return 0
