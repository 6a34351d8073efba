"""Re-costing a schedule with the moves its floor plan's routes need, and layout-aware sizing.

The core charges ``DynamicOptions.move_rounds`` (2 by default: Fig. 4(c)'s two steps of one round, the paper's
convention) for moving the data patches aside and again for moving them back. On the floor plan the moves take
the steps their routes need (0 when the lent region holds no data patch, 1 when the routes never cross), and
each step is one lattice-surgery move of ``d`` rounds at the high-level distance ``d``, as the stream's routes
are (:func:`magicpipe.lattice.stream2.step_rounds`; a move of fewer rounds leaves its patch's Z exposed to one
seam measurement error, ``docs/lattice.md``). :func:`recost` re-simulates with ``steps x d`` rounds.

Examples:
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> from magicpipe.compiler.pipeline import Pipeline
    >>> from magicpipe.compiler.options import PAPER
    >>> s = pareto_front(Pipeline.from_distances((5, 17)), PAPER, delay_model="first-stall").points[4].schedule
    >>> r, fp = recost(s)
    >>> (s.move_rounds, s.rounds), (r.move_rounds, r.rounds), fp.move_steps
    ((2, 301), (17, 331), 1)
"""

from __future__ import annotations

import dataclasses

from collections.abc import Sequence

from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.failures import expected_delay, monte_carlo
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.options import DynamicOptions
from magicpipe.compiler.pareto import ParetoPoint, search_policies
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.schedule import Schedule
from magicpipe.compiler.stalls import expected_rounds
from magicpipe.errors import SpecError
from magicpipe.lattice.block import BlockLayout, choose_parking
from magicpipe.lattice.floorplan import FloorPlan, plan_floor
from magicpipe.lattice.geometry import Rect, pack_rects

__all__ = ["recost", "recost_point", "move_rounds", "parking_move_rounds", "block_fill_copies",
           "layout_policies"]


def block_fill_copies(high: Factory, low: Factory, block: BlockLayout | None = None) -> int:
    """Low-level blocks that pack into the idle high-level block on the floor plan (phase 1's fill).

    Examples:
        >>> from magicpipe.compiler import FIFTEEN_TO_ONE, Factory
        >>> high, low = Factory(FIFTEEN_TO_ONE, 11), Factory(FIFTEEN_TO_ONE, 3)
        >>> high.qubits // low.qubits, block_fill_copies(high, low)  # 14 by qubits, 12 on the floor plan
        (14, 12)
    """
    block = block or BlockLayout.for_protocol(high.protocol)
    a, b = block.size(low.distance)
    return len(pack_rects(Rect(0, 0, *block.size(high.distance)), a, b))


def move_rounds(floorplan: FloorPlan) -> int:
    """Rounds to move the data patches aside on ``floorplan`` (and again to move them back): its move steps,
    each a lattice-surgery move of ``d`` rounds at the high-level distance ``d``.

    Examples:
        >>> from magicpipe.compiler.pareto import pareto_front
        >>> from magicpipe.compiler.pipeline import Pipeline
        >>> from magicpipe.compiler.options import PAPER
        >>> fp = plan_floor(pareto_front(Pipeline.from_distances((5, 17)), PAPER).points[4].schedule)
        >>> fp.move_steps, move_rounds(fp)
        (1, 17)
    """
    return floorplan.move_steps * floorplan.high.distance


def parking_move_rounds(high: Factory, low: Factory, block: BlockLayout | None = None) -> int:
    """Rounds to clear the lent region that holds the most low-level blocks (:func:`~.block.choose_parking` with
    no goal): its move steps times ``d``. No stall's parking needs more, since a smaller goal is reached by that
    region too and the parking takes the fewest steps among the regions that reach it.

    Examples:
        >>> from magicpipe.compiler import FIFTEEN_TO_ONE, Factory
        >>> parking_move_rounds(Factory(FIFTEEN_TO_ONE, 17), Factory(FIFTEEN_TO_ONE, 5))  # one step of d = 17
        17
    """
    block = block or BlockLayout.for_protocol(high.protocol)
    return choose_parking(block, high.distance, block.size(low.distance)).steps * high.distance


def layout_policies(pipeline: Pipeline,
                    policies: Sequence[DynamicOptions] | None = None) -> tuple[DynamicOptions, ...]:
    """``policies`` (default: the search's, :func:`~magicpipe.compiler.pareto.search_policies`) with layout-aware
    sizing for a two-level ``pipeline``: the first fill counted by the low-level blocks that pack into the idle
    high-level block (``DynamicOptions.block_fill``), and moves charged at what the floor plan's largest lent
    region needs, one lattice-surgery move of ``d`` rounds a step (:func:`parking_move_rounds`; :func:`recost`
    then charges the steps the chosen point's floor plan needs, never more)."""
    if len(pipeline.levels) != 2:
        raise SpecError(f"layout-aware sizing needs a two-level pipeline, got distances {pipeline.distances}")
    high, low = pipeline.levels[-1].factory, pipeline.levels[0].factory
    n, m = block_fill_copies(high, low), parking_move_rounds(high, low)
    chosen = search_policies(pipeline) if policies is None else policies
    return tuple(dataclasses.replace(p, block_fill=n, move_rounds=m) for p in chosen)


def _resimulate(schedule: Schedule, move_rounds: int) -> Schedule:
    options = dataclasses.replace(schedule.policy, move_rounds=move_rounds)
    return simulate(schedule.high, schedule.producers, schedule.qubit_budget, schedule.buffer_slots,
                    schedule.slot_qubits, options, tops=len(schedule.tops))


def recost(schedule: Schedule) -> tuple[Schedule, FloorPlan]:
    """The schedule re-simulated with the move rounds its floor plan's routes need (:func:`move_rounds`), and
    that floor plan.

    Iterates because the lent region (and so the moves) depends on how many reuse runs a stall hosts, which
    depends on the move rounds; if they alternate, the larger is kept (moves may finish before the rounds the
    schedule gives them). A schedule without a reuse stall needs no move and comes back unchanged, as does one
    with failures (from ``rng``), which cannot be re-simulated.
    """
    floorplan = plan_floor(schedule)
    if any(not r.success for r in schedule.runs):
        return schedule, floorplan
    seen: set[int] = set()
    for _ in range(6):
        rounds = move_rounds(floorplan)
        if not any(s.reuse for s in schedule.stalls) or rounds == schedule.move_rounds:
            return schedule, floorplan
        if rounds in seen:
            rounds = max(seen | {rounds})
        seen.add(rounds)
        schedule = _resimulate(schedule, rounds)
        floorplan = plan_floor(schedule)
        if rounds == max(seen) and move_rounds(floorplan) <= rounds and len(seen) > 1:
            return schedule, floorplan
    return schedule, floorplan


def recost_point(point: ParetoPoint, shots: int = 64, seed: int = 1) -> tuple[ParetoPoint, FloorPlan]:
    """``point`` with its schedule re-costed (:func:`recost`) and its expected delay estimated again the way the
    search estimated it (the same Monte Carlo shots and seed, Appendix A's first stall, or every stall), and the
    floor plan. A point whose schedule needs no re-costing comes back as it is."""
    schedule, floorplan = recost(point.schedule)
    if schedule is point.schedule:
        return point, floorplan
    if point.delay_model == "monte-carlo":
        mc = monte_carlo(schedule, shots, seed)
        delay, model, stderr = mc.mean_delay, "monte-carlo", mc.stderr_delay
    elif point.delay_model == "first-stall":
        delay, model, stderr = expected_delay(schedule), "first-stall", float("nan")
    else:
        delay, model, stderr = expected_rounds(schedule) - schedule.rounds, "all-stalls", float("nan")
    return dataclasses.replace(point, deterministic_rounds=schedule.rounds, expected_delay=delay, schedule=schedule,
                               delay_model=model, mc_stderr=stderr), floorplan
