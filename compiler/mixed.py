"""Mixed supplies: CCZ states for a program's Toffolis, T states for the rest.

A program whose layers are known by kind (:attr:`~magicpipe.compiler.program.ProgramDemand.kinds`) can be fed
two ways: all T (every Toffoli paid ``toffoli_t`` T states, :func:`~magicpipe.compiler.program.plan_program`'s
search) or *mixed*: ``K_C`` copies of a CCZ source (an 8-to-CCZ factory, one CCZ state per Toffoli) beside
``K_T`` copies of a T source for the other T states. Each kind has its own buffer at the ports (a CCZ state
occupies three patches, a T state one, at the program's distance), and a layer starts when both kinds have
their states (:func:`~magicpipe.compiler.supplies.simulate_supplies`); a CCZ state is never spent on T demand.

Error. The distillation error of a mixed point is ``t x e_T + c x e_C`` for ``t`` T states of error ``e_T``
and ``c`` CCZ states of error ``e_C`` (the CCZ source's error is per CCZ state, as Litinski reports it); a
pair of sources is used only when this is within the distillation share. The data block is as for all-T
points (its distance the least that keeps it within the logical share over the runtime, waits included).

Search. Pairs of the T sources of the all-T front (the ones that matter; the cheapest few by volume per
state when that front is empty) with every undominated CCZ source. For each pair, ``K_C`` runs over the copy
grid up to the count at which CCZ states never make a layer wait, and ``K_T`` over a few counts around the
balance ``K_T* = K_C x (c_rate / c) x (t / t_rate)`` (the T supply finishing its share when the CCZ supply
does); the search of a pair stops once only the first layer waits. Without a T state besides the Toffolis the
point has no T factory (``copies`` 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from magicpipe.compiler.hardware import Hardware, patch_qubits
from magicpipe.compiler.program import (
    _EPS,
    _MAX_DISTANCE,
    LAYOUTS,
    DataBlock,
    ProgramDemand,
    ProgramPoint,
    Simulation,
    _copy_grid,
    _tiles,
    cycle_rounds,
    first_rounds,
    layer_distance,
    undominated_sources,
)
from magicpipe.compiler.source import Source
from magicpipe.compiler.supplies import KindTimeline, Supply, simulate_supplies
from magicpipe.errors import InfeasibleError, SpecError

__all__ = ["NO_T_SOURCE", "CCZ_PATCHES", "ccz_target", "evaluate_mixed", "mixed_points", "pair_error"]

#: the T side of a mixed point whose program has no T state besides its Toffolis (used with 0 copies)
NO_T_SOURCE = Source("no T factory", "none", 1, 1.0, 1.0, 1, 0.0)
#: buffer patches a CCZ state occupies (a three-qubit state)
CCZ_PATCHES = 3
_BALANCE = (0.8, 0.9, 1.0, 1.1, 1.25)
_FEW = 4


def ccz_target(demand: ProgramDemand, target: float) -> float:
    """The error per CCZ state the CCZ factories are searched at, for T sources found at the all-T per-state
    ``target``: the share of one consumed state, ``target x M / (t + c)`` with ``M = t + k c`` the all-T
    count (``k = toffoli_t``). Any such pair fits the share, ``t e_T + c e_C <= share (t / (t + k c) +
    c / (t + c)) <= share`` for ``k >= 1``; :func:`mixed_points` checks every pair all the same."""
    kinds = _kinds(demand)
    return target * demand.t_states / (kinds.t_total + kinds.ccz_total)  # kinds come with Toffolis: >= 1 state


def pair_error(demand: ProgramDemand, t_source: Source, ccz_source: Source) -> float:
    """Distillation error of the mixed point: ``t x e_T + c x e_C`` (module docstring)."""
    kinds = _kinds(demand)
    return kinds.t_total * t_source.output_error + kinds.ccz_total * ccz_source.output_error


def _kinds(demand: ProgramDemand) -> KindTimeline:
    if demand.kinds is None:
        raise SpecError("a mixed T + CCZ supply needs the program's layers by kind; this demand has no Toffolis "
                        "by layer")
    return demand.kinds


def _simulate(demand: ProgramDemand, t_source: Source, t_copies: int, ccz_source: Source, ccz_copies: int,
              layer_rounds: float, record: bool) -> tuple[Simulation, int]:
    """The two-supply simulation, and the CCZ buffer's states (the rest of ``buffer_states`` are T states)."""
    kinds = _kinds(demand)
    with_t = kinds.t_total > 0
    supplies = [Supply.of(ccz_copies, ccz_source.outputs, cycle_rounds(ccz_source, demand.handoff),
                          first_rounds(ccz_source, demand.handoff),
                          kinds.ccz_peak)]
    rows: list[tuple[int, ...]] = [(c,) for c in kinds.ccz_states]
    if with_t:
        supplies.append(Supply.of(t_copies, t_source.outputs, cycle_rounds(t_source, demand.handoff),
                                  first_rounds(t_source, demand.handoff),
                                  kinds.t_peak))
        rows = [(c, t) for c, t in zip(kinds.ccz_states, kinds.t_states)]
    run = simulate_supplies(rows, kinds.lengths, supplies, layer_rounds, record)
    runs = tuple((start, n, t + c, layer_rounds, first, w)
                 for (start, n, first, w), t, c in zip(run.runs, kinds.t_states, kinds.ccz_states))
    buffer = sum(int(s.cap) for s in supplies)
    return Simulation(run.runtime_rounds, run.wait_rounds, run.startup_wait_rounds, buffer,
                      kinds.t_total + kinds.ccz_total, runs), int(supplies[0].cap)


def evaluate_mixed(demand: ProgramDemand, t_source: Source, t_copies: int, ccz_source: Source, ccz_copies: int,
                   layout: str, hardware: Hardware, record: bool = True,
                   start_distance: int | None = None) -> ProgramPoint:
    """The mixed point of ``t_copies`` of ``t_source`` and ``ccz_copies`` of ``ccz_source`` (module docstring).

    Raises:
        SpecError: a source of the wrong kind, or no T copy for T demand.
        InfeasibleError: the data block misses its share at every distance.
    """
    kinds = _kinds(demand)
    if ccz_source.kind != "CCZ" or (t_copies and t_source.kind != "T"):
        raise SpecError(f"a mixed point takes a T source and a CCZ source, got {t_source.kind!r} "
                        f"({t_source.name}) and {ccz_source.kind!r} ({ccz_source.name})")
    if kinds.t_total and t_copies < 1:
        raise SpecError(f"the program needs {kinds.t_total} T states besides its Toffolis: give T copies")
    n = demand.counts.num_qubits
    cyc = LAYOUTS[layout][1]
    tiles = _tiles(layout, n)
    d = start_distance or layer_distance(demand, layout, hardware)
    while True:
        block = DataBlock(layout, n, tiles, d, cyc)
        sim, ccz_cap = _simulate(demand, t_source, t_copies, ccz_source, ccz_copies, block.layer_rounds, record)
        err = block.logical_error(sim.runtime_rounds, hardware)
        if err <= demand.budgets[0] or d >= _MAX_DISTANCE:
            break
        d += 2
    if err > demand.budgets[0]:
        raise InfeasibleError(f"the data block's logical error {err:.3g} exceeds its budget "
                              f"{demand.budgets[0]:.3g} at every distance")
    buffer_patches = (sim.buffer_states - ccz_cap) + CCZ_PATCHES * ccz_cap
    errors = (("logical", err), ("distillation", pair_error(demand, t_source, ccz_source)),
              ("synthesis", demand.synthesis_error))
    return ProgramPoint(t_source, t_copies if kinds.t_total else 0, block, sim, buffer_patches * patch_qubits(d),
                        hardware.rounds_to_us(sim.runtime_rounds), errors, None, demand.budgets, ccz_source,
                        ccz_copies)


def _t_sources(t_sources: Sequence[Source], all_t_front: Sequence[ProgramPoint]) -> list[Source]:
    used = list(dict.fromkeys(p.source for p in all_t_front if p.source.kind == "T" and p.copies))
    if used:
        return used
    return sorted(undominated_sources(list(t_sources)),
                  key=lambda s: (s.qubits * s.period_rounds / s.outputs, s.name))[:_FEW]


def mixed_points(demand: ProgramDemand, t_sources: Sequence[Source], ccz_sources: Sequence[Source],
                 hardware: Hardware, layout: str, all_t_front: Sequence[ProgramPoint] = (),
                 max_copies: int | None = None) -> tuple[list[ProgramPoint], int]:
    """Mixed points over pairs of sources and their copies (module docstring), and how many were evaluated.

    ``all_t_front`` is the all-T search's front: its T sources are the ones paired.
    """
    kinds = _kinds(demand)
    if not kinds.ccz_total:
        return [], 0
    share = demand.budgets[1] * (1 + 1e-12)
    d_min = layer_distance(demand, layout, hardware)
    tau = LAYOUTS[layout][1] * d_min
    t_side = _t_sources(t_sources, all_t_front) if kinds.t_total else [NO_T_SOURCE]
    points: list[ProgramPoint] = []
    evaluated = 0
    for c_src in undominated_sources([s for s in ccz_sources if s.kind == "CCZ"]):
        for t_src in t_side:
            if pair_error(demand, t_src, c_src) > share:
                continue
            c_cycle, t_cycle = cycle_rounds(c_src, demand.handoff), cycle_rounds(t_src, demand.handoff)
            c_need = max(1, math.ceil(kinds.ccz_peak * c_cycle / (c_src.outputs * tau) - _EPS))
            t_need = max(1, math.ceil(kinds.t_peak * t_cycle / (t_src.outputs * tau) - _EPS))
            if max_copies is not None:
                c_need, t_need = min(c_need, max_copies), min(t_need, max_copies)
            for kc in _copy_grid(c_need):
                balance = kc * (c_src.rate / kinds.ccz_total) * (kinds.t_total / t_src.rate)
                kts = sorted({min(t_need, max(1, math.ceil(balance * f - _EPS))) for f in _BALANCE}
                             | ({t_need} if kc == c_need else set())) if kinds.t_total else [0]
                done = False
                for kt in kts:
                    try:
                        pt = evaluate_mixed(demand, t_src, kt, c_src, kc, layout, hardware, record=False)
                    except InfeasibleError:
                        continue
                    points.append(pt)
                    evaluated += 1
                    done = done or (pt.simulation.wait_rounds <= pt.simulation.startup_wait_rounds + _EPS
                                    and pt.data.distance == d_min)
                if done:
                    break  # only the first layer waits, at the least distance: more copies cannot help
    return points, evaluated
