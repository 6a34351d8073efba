"""Re-costing a schedule with the move rounds its floor plan's routes need.

The core charges ``DynamicOptions.move_rounds`` (2 by default, Fig. 4(c)) for moving the data patches aside and
again for moving them back; on the floor plan the moves take the steps their routes need (0 when the lent
region holds no data patch, 1 when the routes never cross). :func:`recost` re-simulates with those rounds.

Examples:
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> from magicpipe.compiler.pipeline import Pipeline
    >>> from magicpipe.compiler.options import PAPER
    >>> s = pareto_front(Pipeline.from_distances((5, 17)), PAPER, delay_model="first-stall").points[4].schedule
    >>> r, fp = recost(s)
    >>> (s.move_rounds, s.rounds), (r.move_rounds, r.rounds), fp.move_steps
    ((2, 301), (1, 299), 1)
"""

from __future__ import annotations

import dataclasses

from collections.abc import Sequence

from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.options import POLICIES, DynamicOptions
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.schedule import Schedule
from magicpipe.errors import SpecError
from magicpipe.lattice.block import BlockLayout
from magicpipe.lattice.floorplan import FloorPlan, plan_floor
from magicpipe.lattice.geometry import Rect, pack_rects

__all__ = ["recost", "block_fill_copies", "layout_policies"]


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


def layout_policies(pipeline: Pipeline, policies: Sequence[DynamicOptions] = POLICIES) -> tuple[DynamicOptions, ...]:
    """``policies`` with layout-aware fill sizing (``DynamicOptions.block_fill``) for a two-level ``pipeline``."""
    high, low = pipeline.levels[-1].factory, pipeline.levels[0].factory
    if len(pipeline.levels) != 2:
        raise SpecError(f"layout-aware sizing needs a two-level pipeline, got distances {pipeline.distances}")
    n = block_fill_copies(high, low)
    return tuple(dataclasses.replace(p, block_fill=n) for p in policies)


def _resimulate(schedule: Schedule, move_rounds: int) -> Schedule:
    options = dataclasses.replace(schedule.policy, move_rounds=move_rounds)
    return simulate(schedule.high, schedule.producers, schedule.qubit_budget, schedule.buffer_slots,
                    schedule.slot_qubits, options, tops=len(schedule.tops))


def recost(schedule: Schedule) -> tuple[Schedule, FloorPlan]:
    """The schedule re-simulated with the move rounds its floor plan's routes need, and that floor plan.

    Iterates because the lent region (and so the moves) depends on how many reuse runs a stall hosts; if the
    move rounds alternate, the larger is kept (moves may finish before the rounds the schedule gives them).
    A schedule with failures (from ``rng``) cannot be re-simulated and comes back unchanged.
    """
    floorplan = plan_floor(schedule)
    if any(not r.success for r in schedule.runs):
        return schedule, floorplan
    seen: set[int] = set()
    for _ in range(6):
        if not any(s.reuse for s in schedule.stalls) or floorplan.move_steps == schedule.move_rounds:
            return schedule, floorplan
        steps = floorplan.move_steps
        if steps in seen:
            steps = max(seen | {steps})
        seen.add(steps)
        schedule = _resimulate(schedule, steps)
        floorplan = plan_floor(schedule)
        if steps == max(seen) and floorplan.move_steps <= steps and len(seen) > 1:
            return schedule, floorplan
    return schedule, floorplan
