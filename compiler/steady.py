"""Steady state, beyond the paper: a dynamic pipeline that yields top-level states continuously.

The paper charges one top-level state from an empty pipeline. A program consumes states all along, so here
the high-level factory runs ``executions`` times back to back on the same budget: after each output it
relaunches as soon as the burst and the pre-buffer are there, while the supply lanes keep running. The
period is the mean spacing of the outputs after the first (the start-up is the paper's figure), and the
volume per state is ``Q * period / P_top`` -- a failed top-level run costs a period and yields nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from magicpipe.compiler.dynamic import DynamicOptions, simulate
from magicpipe.compiler.pareto import ParetoPoint
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.schedule import Schedule
from magicpipe.errors import SpecError

__all__ = ["SteadyState", "steady_state"]


@dataclass(frozen=True, slots=True)
class SteadyState:
    """Period (rounds between outputs), qubits and volume per top-level state of a continuous pipeline."""

    qubits: int
    first_output: int
    period: float
    p_top: float
    schedule: Schedule

    @property
    def volume_per_state(self) -> float:
        return self.qubits * self.period / self.p_top


def steady_state(pipeline: Pipeline, point: ParetoPoint, executions: int = 8, options: DynamicOptions | None = None) -> SteadyState:
    """Run ``point``'s configuration for ``executions`` top-level executions and measure its period.

    Raises:
        SpecError: fewer than 2 executions.
    """
    if executions < 2:
        raise SpecError(f"executions={executions}: the period needs at least 2")
    s0 = point.schedule
    opts = options or s0.policy
    s = simulate(s0.high, s0.producers, s0.qubit_budget, s0.buffer_slots, s0.slot_qubits, opts, tops=executions)
    ends = sorted(t.end for t in s.tops)
    period = (ends[-1] - ends[0]) / (len(ends) - 1)
    return SteadyState(s0.qubit_budget, ends[0], period, pipeline.levels[-1].p_succ, s)
