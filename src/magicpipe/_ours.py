"""TEMPORARY adapter: magicpipe's whole-program (qubits, runtime) front for logical counts, built on the core
that exists today, for ``magicpipe bench peers`` until ``magicpipe.compile(counts, ...)`` and its ``.front``
land (issue 9, items 3-5). Delete this module then and point :func:`magicpipe.peers.ours` at ``compile``.

Model (each choice stated so the numbers can be read):

1. Counts are read by the Azure estimator's conventions (:func:`magicpipe.peers.azure_layout`): T states,
   logical depth ``D`` and the budget split; one layer per logical cycle of ``L = d`` rounds.
2. Program: Litinski's fast block of ``2Q + ceil(sqrt(8Q)) + 1`` patches at the least distance whose
   ``patches x D x p_L(d)`` fits the logical budget (:func:`magicpipe.passes.plan.program_cost`).
3. Factory: for the per-state target (budget_tstates / T states), the ``candidates`` cheapest distance
   sequences (:func:`pipelines`); for ``dynamic`` every point of each one's dynamic Pareto front (storage decay
   charged) becomes a continuously running copy (:func:`magicpipe.compiler.steady.steady_state`: start-up =
   first output, period = mean spacing / P_top, failures included); ``sequential`` and ``parallel`` are the
   paper's static baselines run back to back. A single level runs back to back: period = rounds / p_succ.
4. Supply against demand: ``K`` copies deliver their ``j``-th batch at ``startup + j x period``; the program
   consumes the ``N`` states uniformly over its ``D`` layers (as the estimators assume) and waits when a state is
   not ready. The wait is evaluated where supply and demand lines are furthest apart -- the first state
   (start-up) or the last batch -- exact for uniform demand up to one layer. Runtime = ``D x L`` + wait.
5. Front: every (source, K) from K = 1 to the first K that never makes the program wait beyond the
   start-up; the non-dominated (physical qubits, runtime) points.
"""

from __future__ import annotations

import math

from magicpipe.compiler import (
    Hardware,
    LogicalCounts,
    Pipeline,
    Source,
    parallel,
    sequential,
)
from magicpipe.compiler.bounds import lower_bound
from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.search import best_pipeline, candidate_pipelines
from magicpipe.compiler.steady import steady_state
from magicpipe.errors import InfeasibleError, SpecError
from magicpipe.passes.plan import program_cost
from magicpipe.peers import azure_layout

__all__ = ["METHODS", "pipelines", "plan", "sources", "wait_rounds"]

METHODS = ("dynamic", "sequential", "parallel")
_MAX_COPIES = 100_000


def sources(pipe: Pipeline, target: float, method: str = "dynamic") -> list[Source]:
    """``pipe`` as continuously running copies (step 3): every point of its dynamic front, or one static
    baseline (:mod:`magicpipe.compiler.baselines`: sequential reuses one footprint level after level, period =
    its rounds / P_top; parallel runs its top level back to back, period = T_L / P_top)."""
    name = f"{method} 15-to-1 {pipe.distances}"
    top = pipe.levels[-1]
    if len(pipe.levels) == 1:
        return [Source(name, method, top.qubits, float(top.rounds), top.rounds / top.p_succ, 1, top.eps_out,
                       distances=pipe.distances)]
    if method in ("sequential", "parallel"):
        c = (sequential if method == "sequential" else parallel)(pipe)
        startup = float(sum(lv.rounds for lv in pipe.levels))
        return [Source(name, method, c.qubits, startup, c.rounds / top.p_succ, 1, top.eps_out,
                       distances=pipe.distances, detail=(("copies_per_level", list(c.copies)),))]
    out = []
    for pt in pareto_front(pipe, max_output_error=target).points:
        st = steady_state(pipe, pt)
        out.append(Source(name, method, st.qubits, float(st.first_output), st.period / st.p_top, 1,
                          pt.output_error, distances=pipe.distances, detail=(("buffer_slots", pt.buffer_slots),)))
    return out


def pipelines(target: float, hardware: Hardware, method: str, candidates: int) -> list[Pipeline]:
    """The ``candidates`` cheapest distance sequences meeting ``target`` (by the dynamic volume bound for
    ``dynamic``, plus :func:`best_pipeline`'s choice; by one copy's volume for a baseline)."""
    pipes = list(candidate_pipelines(target, hardware))
    if not pipes:
        raise InfeasibleError(f"no pipeline of up to 3 levels reaches the per-state target {target:.3g}")
    if method == "dynamic":
        chosen = [best_pipeline(target, hardware, method="dynamic", storage_decay=True).pipeline]
        ranked = chosen + sorted(pipes, key=lower_bound)
    else:
        base = sequential if method == "sequential" else parallel
        ranked = sorted(pipes, key=lambda p: (base(p).qubits * base(p).rounds, p.distances))
    out: dict[tuple[int, ...], Pipeline] = {}
    for p in ranked:
        if len(out) >= candidates + (method == "dynamic"):
            break
        out.setdefault(p.distances, p)
    return list(out.values())


def wait_rounds(s: Source, copies: int, states: int, layers: int, layer_rounds: float) -> float:
    """Rounds the program waits for ``states`` states from ``copies`` copies of ``s`` (step 4)."""
    batches = math.ceil(states / (copies * s.outputs))
    last = (batches - 1) * copies * s.outputs  # index of the first state of the last batch
    need = math.floor(last * layers / states) * layer_rounds
    return max(s.startup_rounds, s.startup_rounds + (batches - 1) * s.period_rounds - need)


def plan(counts: LogicalCounts, hardware: Hardware, error_budget: float, method: str = "dynamic",
         candidates: int = 6) -> dict:
    """magicpipe's front for ``counts`` (module docstring); the top-level numbers are those of the point of fewest
    physical qubits among the points within 1% of the fastest runtime."""
    if method not in METHODS:
        raise SpecError(f"method must be one of {METHODS}, got {method!r}")
    lay = azure_layout(counts, error_budget)
    prog = program_cost(counts.num_qubits, lay.logical_depth, lay.budget_logical, hardware)
    base = {"method": method, "data_qubits": prog.data_qubits, "data_distance": prog.distance,
            "logical_depth": lay.logical_depth, "t_states": lay.t_states, "cycle_ns": hardware.t_stab_ns,
            "adapter": "magicpipe._ours (temporary)"}
    if lay.t_states == 0:
        r = hardware.rounds_to_us(prog.runtime_rounds)
        return base | {"physical_qubits": prog.data_qubits, "factory_qubits": 0, "runtime_us": r,
                       "front": [(prog.data_qubits, r)], "copies": 0, "distances": [], "source": None}
    target = lay.budget_tstates / lay.t_states
    demand_rate = lay.t_states / (lay.logical_depth * prog.layer_rounds)
    points = []
    for pipe in pipelines(target, hardware, method, candidates):
        for s in sources(pipe, target, method):
            k_fast = math.ceil(demand_rate * s.period_rounds / s.outputs)
            if k_fast > _MAX_COPIES:
                continue  # a source this slow is never on the front
            for k in range(1, k_fast + 2):
                w = wait_rounds(s, k, lay.t_states, lay.logical_depth, prog.layer_rounds)
                points.append((prog.data_qubits + k * s.qubits, prog.runtime_rounds + w, k, s))
    points.sort(key=lambda x: (x[1], x[0]))
    front, best_q = [], None
    for pt in points:
        if best_q is None or pt[0] < best_q:
            front.append(pt)
            best_q = pt[0]
    # the reported point: fewest qubits within 1% of the fastest runtime (the fastest alone can cost 10% more
    # qubits for a few rounds)
    q, rounds, k, s = min((p for p in front if p[1] <= front[0][1] * 1.01), key=lambda p: (p[0], p[1]))
    return base | {
        "physical_qubits": q, "factory_qubits": q - prog.data_qubits, "runtime_us": hardware.rounds_to_us(rounds),
        "front": [(p[0], hardware.rounds_to_us(p[1])) for p in front], "copies": k,
        "distances": list(s.distances), "source": s.info(),
    }
