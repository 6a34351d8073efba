"""The rows and summaries of ``magicpipe pipeline`` and ``magicpipe bench two-level|thresholds``, as plain dicts.

Pure: every function takes core objects and returns JSON-able data; the CLI (``magicpipe.cli.pipeline``) only
runs them over its jobs, prints them and writes them (CSV, ``summary.json``); the pictures are
:mod:`magicpipe.report.charts`'. A two-level cell and a threshold row time their own computation
(``seconds``), the one value that is not the same from run to run.

Examples:
    >>> from magicpipe.compiler import Hardware
    >>> row = two_level_cell(3, 9, Hardware())
    >>> row["seq_qubits"], row["par_qubits"], row["reduction_vs_sequential"] > 0
    (4080, 5641, True)
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from typing import Any
from collections.abc import Sequence

from magicpipe.compiler import Hardware, Pipeline, parallel, sequential
from magicpipe.compiler.accounted import sequential_accounted
from magicpipe.compiler.allocator import solver_stats
from magicpipe.compiler.bounds import lower_bound
from magicpipe.compiler.pareto import ParetoFront, ParetoPoint, pareto_front
from magicpipe.compiler.schedule import Schedule
from magicpipe.compiler.search import best_pipeline
from magicpipe.compiler.steady import steady_state
from magicpipe.errors import InfeasibleError, SpecError

__all__ = ["front_rows", "pipeline_summary", "at_pessimistic_edge", "schedule_dict", "two_level_cell",
           "two_level_summary", "layout_summary", "threshold_row", "thresholds_summary", "stats"]

Row = dict[str, Any]


def front_rows(front: ParetoFront) -> list[Row]:
    """One row per evaluated configuration of ``front`` (``points.csv``; ``pareto`` marks the front's)."""
    hw = front.pipeline.hardware
    return [{"qubits": p.qubits, "rounds": round(p.rounds, 4), "us": hw.rounds_to_us(p.rounds),
             "buffer_slots": p.buffer_slots, "deterministic_rounds": p.deterministic_rounds,
             "expected_delay": round(p.expected_delay, 4), "delay_model": p.delay_model,
             "policy": p.policy.label, "volume": round(p.volume, 1),
             "efficiency": round(p.efficiency, 4), "pareto": p in front.points} for p in front.evaluated]


def pipeline_summary(front: ParetoFront, best: ParetoPoint | None = None) -> Row:
    """``summary.json`` of ``magicpipe pipeline`` (without its ``failure_delay`` and ``stream`` entries); ``best``:
    the point reported as the least-volume one (default the front's; the re-costed one with ``--layout-aware``)."""
    pipe = front.pipeline
    hw = pipe.hardware
    seq, par, best = sequential(pipe), parallel(pipe), best or front.min_volume()
    acc = sequential_accounted(pipe)
    steady = steady_state(pipe, best)
    return {
        "distances": list(pipe.distances), "p": hw.p, "eps": hw.eps, "t_2q_ns": hw.t_2q_ns,
        "t_meas_ns": hw.t_meas_ns, "t_stab_ns": hw.t_stab_ns,
        "logical_error_model": {"A": hw.model.A, "p_th": hw.model.p_th, "source": hw.model.source},
        "error_model": hw.model.info(),
        "levels": [{"distance": lv.factory.distance, "qubits": lv.qubits, "rounds": lv.rounds,
                    "eps_in": lv.eps_in, "eps_out": lv.eps_out, "p_succ": lv.p_succ} for lv in pipe.levels],
        "output_error": pipe.output_error,
        "sequential": {"qubits": seq.qubits, "rounds": seq.rounds, "volume": seq.volume},
        "parallel": {"qubits": par.qubits, "rounds": par.rounds, "volume": par.volume},
        "sequential_accounted": {"qubits": acc.qubits, "rounds": acc.rounds, "volume": acc.volume},
        "dynamic_min_volume": {"qubits": best.qubits, "rounds": best.rounds, "buffer_slots": best.buffer_slots,
                               "expected_delay": best.expected_delay, "volume": best.volume,
                               "efficiency": best.efficiency, "policy": best.policy.label,
                               "delay_model": best.delay_model},
        "reduction_vs_sequential": 1 - best.volume / seq.volume,
        "reduction_vs_parallel": 1 - best.volume / par.volume,
        "reduction_vs_sequential_accounted": 1 - best.volume / acc.volume,
        "lower_bound": lower_bound(pipe),
        "steady_state": {"first_output_rounds": steady.first_output, "period_rounds": steady.period,
                         "deterministic_period_rounds": steady.deterministic_period, "shots": steady.shots,
                         "volume_per_state": steady.volume_per_state},
        "front_points": len(front.points), "evaluated_points": len(front.evaluated),
    }


def at_pessimistic_edge(pipe: Pipeline) -> Row | None:
    """The same distances under the pessimistic edge of the error model: errors and success per level (None when
    the model has no edge)."""
    hw = pipe.hardware
    edge = hw.model.pessimistic()
    if edge is hw.model:
        return None
    try:
        at_edge = Pipeline.from_distances(pipe.distances, dataclasses.replace(hw, model=edge))
    except SpecError as e:
        return {"model": edge.name, "error": str(e)}
    return {"model": edge.name, "output_error": at_edge.output_error, "improving": at_edge.improves,
            "levels": [{"distance": lv.factory.distance, "eps_out": lv.eps_out, "p_succ": lv.p_succ}
                       for lv in at_edge.levels]}


def schedule_dict(s: Schedule) -> Row:
    """The schedule as JSON-able data (runs, executions, takes, stalls): ``schedule.json``."""
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


def _layout(best: ParetoPoint, layout_aware: bool, seed: int) -> tuple[ParetoPoint, Row]:
    """The chosen point (re-costed with the floor plan's moves when ``layout_aware``) and its floor-plan columns
    (empty where the lattice layer lays out no floor plan)."""
    from magicpipe.lattice.floorplan import plan_floor
    from magicpipe.lattice.recost import recost_point

    try:
        best, fp = recost_point(best, seed=seed) if layout_aware else (best, plan_floor(best.schedule))
    except (SpecError, InfeasibleError):
        return best, {"layout_qubits": "", "layout_overhead": "", "move_steps": "", "move_rounds": ""}
    return best, {"layout_qubits": fp.qubits, "layout_overhead": round(fp.qubits / best.qubits, 4),
                  "move_steps": fp.move_steps if any(s.reuse for s in best.schedule.stalls) else 0,
                  "move_rounds": best.schedule.move_rounds}


def two_level_cell(d1: int, d2: int, hw: Hardware, policy: str = "search", shots: int = 0, seed: int = 1,
                   layout_aware: bool = False) -> Row:
    """One cell of Fig. 6: the pipeline ``(d1, d2)``'s least-volume dynamic point beside both baselines.

    ``policy`` ``"search"`` tries every policy of :func:`~magicpipe.compiler.pareto.search_policies`, ``"paper"``
    the paper's scheduler alone; ``shots`` Monte Carlo runs of the chosen point give the ``mc_*`` columns.
    ``layout_aware``: the policies size the fill by what packs into the idle block and charge moves of d rounds
    (:func:`magicpipe.lattice.recost.layout_policies`), and the chosen point is re-costed with its floor plan's
    move steps (:func:`magicpipe.lattice.recost.recost_point`). The ``layout_*`` columns give the chosen point's
    floor plan either way.
    """
    from magicpipe.compiler.failures import expected_delay, monte_carlo
    from magicpipe.compiler.options import PAPER
    from magicpipe.compiler.pareto import search_policies
    from magicpipe.compiler.stalls import expected_rounds

    pipe = Pipeline.from_distances((d1, d2), hw)
    solves = solver_stats()["cbc_solves"]
    start, cpu = time.perf_counter(), time.process_time()
    policies = (PAPER,) if policy == "paper" else search_policies(pipe)
    if layout_aware:
        from magicpipe.lattice.recost import layout_policies

        policies = layout_policies(pipe, policies)
    front = pareto_front(pipe, policies, seed=seed, least_volume_only=True)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu  # the search (floor plan excluded)
    best, layout = _layout(front.min_volume(), layout_aware, seed)
    seq, par = sequential(pipe), parallel(pipe)
    acc = sequential_accounted(pipe)
    row: Row = {
        "d1": d1, "d2": d2, "seq_qubits": seq.qubits, "seq_rounds": seq.rounds, "par_qubits": par.qubits,
        "par_rounds": par.rounds, "dyn_qubits": best.qubits, "dyn_rounds": round(best.rounds, 4),
        "dyn_buffer": best.buffer_slots, "dyn_delay": round(best.expected_delay, 4),
        "lower_bound": round(lower_bound(pipe), 1), "efficiency": round(best.efficiency, 4),
        "reduction_vs_sequential": round(1 - best.volume / seq.volume, 5),
        "reduction_vs_parallel": round(1 - best.volume / par.volume, 5),
        # the sequential baseline with its waiting states' patches and failed runs counted (compiler.accounted)
        "seq_acc_qubits": acc.qubits, "seq_acc_rounds": round(acc.rounds, 4),
        "reduction_vs_sequential_accounted": round(1 - best.volume / acc.volume, 5),
        "output_error": pipe.output_error, "improving": pipe.improves, "front_points": len(front.points),
        # seconds, cpu_seconds and cbc_solves depend on where the cell ran (the machine; what the worker's solver
        # cache already held): the "timing columns" (magicpipe.cli.pipeline.RUN_DEPENDENT_COLUMNS); every other
        # column is a pure result
        "seconds": round(seconds, 3), "cbc_solves": solver_stats()["cbc_solves"] - solves,
        "cpu_seconds": round(cpu, 3), "dyn_policy": best.policy.label, "dyn_delay_model": best.delay_model,
        "level1_p_succ": round(pipe.levels[0].p_succ, 5),
        "first_stall_delay": round(expected_delay(best.schedule), 4),
        "all_stall_delay": round(expected_rounds(best.schedule) - best.deterministic_rounds, 4),
        **layout,
    }
    if shots:
        mc = monte_carlo(best.schedule, shots, seed)
        volume = best.qubits * mc.mean_rounds
        row.update({"mc_delay": round(mc.mean_delay, 4), "mc_stderr": round(mc.stderr_delay, 4),
                    "mc_reduction_vs_sequential": round(1 - volume / seq.volume, 5),
                    "mc_reduction_vs_parallel": round(1 - volume / par.volume, 5),
                    "mc_reduction_vs_sequential_accounted": round(1 - volume / acc.volume, 5),
                    "mc_efficiency": round(volume / lower_bound(pipe), 4)})
    return row


def stats(values: Sequence[float]) -> Row | None:
    """Mean, min, max and median of ``values`` (None when there is none: one distance gives no off-diagonal)."""
    if not values:
        return None
    return {"mean": statistics.fmean(values), "min": min(values), "max": max(values),
            "median": statistics.median(values)}


def layout_summary(rows: Sequence[Row]) -> Row:
    """The chosen points' floor plans over the cells with d1 < d2 (the 45 pairs of the layout survey): floor-plan
    qubits over Q, the pairs above 1.1, and the move steps of the points that lend their region."""
    laid = [r for r in rows if r["d1"] < r["d2"] and r["layout_overhead"] != ""]
    if not laid:
        return {"pairs": 0}
    return {"pairs": len(laid), "overhead": stats([r["layout_overhead"] for r in laid]),
            "over_1_1": [[r["d1"], r["d2"]] for r in laid if r["layout_overhead"] > 1.1],
            "move_steps": {str(k): sum(r["move_steps"] == k for r in laid)
                           for k in sorted({r["move_steps"] for r in laid})}}


def two_level_summary(rows: Sequence[Row], hw: Hardware, *, wall_seconds: float, workers: int,
                      executor: str = "", policy: str = "search", shots: int = 0, seed: int = 1,
                      layout_aware: bool = False) -> Row:
    """``summary.json`` of ``magicpipe bench two-level`` over its cells (``executor``: where they ran)."""
    off = [r for r in rows if r["d1"] != r["d2"]]
    return {
        "cells": len(rows),
        "p": hw.p,
        "eps": hw.eps,
        "wall_seconds": round(wall_seconds, 2),
        "workers": workers,
        "executor": executor,
        "error_model": hw.model.info(),
        "mean_reduction_vs_sequential": statistics.fmean(r["reduction_vs_sequential"] for r in rows),
        "mean_reduction_vs_parallel": statistics.fmean(r["reduction_vs_parallel"] for r in rows),
        "min_reduction_vs_sequential": min(r["reduction_vs_sequential"] for r in rows),
        "min_reduction_vs_parallel": min(r["reduction_vs_parallel"] for r in rows),
        "mean_reduction_vs_sequential_accounted": statistics.fmean(
            r["reduction_vs_sequential_accounted"] for r in rows),
        "min_reduction_vs_sequential_accounted": min(r["reduction_vs_sequential_accounted"] for r in rows),
        "mean_efficiency": statistics.fmean(r["efficiency"] for r in rows),
        "off_diagonal": {  # the paper's 90 cells (d1 != d2)
            "cells": len(off),
            "reduction_vs_sequential": stats([r["reduction_vs_sequential"] for r in off]),
            "reduction_vs_parallel": stats([r["reduction_vs_parallel"] for r in off]),
            "negative_vs_sequential": sum(r["reduction_vs_sequential"] < 0 for r in off),
            "negative_vs_parallel": sum(r["reduction_vs_parallel"] < 0 for r in off),
        },
        "improving_cells": sum(r["improving"] for r in rows),
        "policy": policy,
        "layout_aware": layout_aware,
        "layout": layout_summary(rows),
        "policies_chosen": {
            k: sum(r["dyn_policy"] == k for r in rows) for k in sorted({r["dyn_policy"] for r in rows})
        },
        "cell_seconds": stats([r["seconds"] for r in rows]),
        "search_cpu_seconds": round(sum(r["cpu_seconds"] for r in rows), 2),  # the Pareto searches, MC excluded
        **(
            {
                "monte_carlo": {
                    "shots": shots,
                    "seed": seed,
                    "mean_reduction_vs_sequential": statistics.fmean(r["mc_reduction_vs_sequential"] for r in rows),
                    "mean_reduction_vs_parallel": statistics.fmean(r["mc_reduction_vs_parallel"] for r in rows),
                    "min_reduction_vs_sequential": min(r["mc_reduction_vs_sequential"] for r in rows),
                    "min_reduction_vs_parallel": min(r["mc_reduction_vs_parallel"] for r in rows),
                    "cells_below_sequential_by_2pct": sum(r["mc_reduction_vs_sequential"] < -0.02 for r in rows),
                    "cells_below_parallel_by_2pct": sum(r["mc_reduction_vs_parallel"] < -0.02 for r in rows),
                    "mean_reduction_vs_sequential_accounted": statistics.fmean(
                        r["mc_reduction_vs_sequential_accounted"] for r in rows),
                    "min_reduction_vs_sequential_accounted": min(
                        r["mc_reduction_vs_sequential_accounted"] for r in rows),
                    "cells_below_sequential_accounted_by_2pct": sum(
                        r["mc_reduction_vs_sequential_accounted"] < -0.02 for r in rows),
                    "mean_efficiency": statistics.fmean(r["mc_efficiency"] for r in rows),
                }
            }
            if shots
            else {}
        ),
    }


def threshold_row(exponent: int, hw: Hardware, max_distance: int) -> Row:
    """One row of Fig. 7 / Table 2: each method's least-volume pipeline for the error threshold 10^-exponent
    over two and three levels of odd distances up to ``max_distance`` (``reachable`` False when none reaches it)."""
    row: Row = {"threshold": 10.0**-exponent, "reachable": True}
    before = solver_stats()
    start = time.perf_counter()
    for method in ("sequential", "sequential-accounted", "parallel", "dynamic"):
        try:
            c = best_pipeline(10.0**-exponent, hw, method, levels=(2, 3), distances=range(3, max_distance + 1, 2))
        except InfeasibleError:
            row["reachable"] = False  # beyond what distances up to dmax reach (Eq. 3's 7.1 p_L floor)
            return row
        key = method.replace("-", "_")
        row[f"{key}_distances"] = "-".join(map(str, c.pipeline.distances))
        row[f"{key}_qubits"] = c.qubits
        row[f"{key}_rounds"] = round(c.rounds, 4)
        row[f"{key}_volume"] = round(c.volume, 1)
    row["reduction_vs_sequential"] = round(1 - row["dynamic_volume"] / row["sequential_volume"], 5)
    row["reduction_vs_sequential_accounted"] = round(1 - row["dynamic_volume"] / row["sequential_accounted_volume"], 5)
    row["reduction_vs_parallel"] = round(1 - row["dynamic_volume"] / row["parallel_volume"], 5)
    row["seconds"] = round(time.perf_counter() - start, 2)
    after = solver_stats()  # mixed-menu allocations: exact solves, and CBC solves (none unless forced)
    row["exact_solves"] = after["exact"] - before["exact"]
    row["cbc_solves"] = after["cbc_solves"] - before["cbc_solves"]
    return row


def thresholds_summary(everything: Sequence[Row], hw: Hardware, *, wall_seconds: float, max_distance: int,
                       executor: str = "") -> Row:
    """``summary.json`` of ``magicpipe bench thresholds`` over every row, reachable or not."""
    rows = [r for r in everything if r["reachable"]]
    return {
        "thresholds": len(rows), "p": hw.p, "eps": hw.eps, "wall_seconds": round(wall_seconds, 2), "executor": executor,
        "error_model": hw.model.info(),
        "unreachable": [r["threshold"] for r in everything if not r["reachable"]],
        "max_distance": max_distance,
        "reduction_vs_sequential": stats([r["reduction_vs_sequential"] for r in rows]),
        "reduction_vs_sequential_accounted": stats([r["reduction_vs_sequential_accounted"] for r in rows]),
        "reduction_vs_parallel": stats([r["reduction_vs_parallel"] for r in rows]),
        "exact_solves": sum(r["exact_solves"] for r in rows),
        "cbc_solves": sum(r["cbc_solves"] for r in rows),
    }
