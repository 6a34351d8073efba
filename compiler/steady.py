"""Steady state, beyond the paper: a dynamic pipeline that yields top-level states continuously.

The paper charges one top-level state from an empty pipeline. A program consumes states all along, so here
the high-level factory runs ``executions`` times back to back on the same budget: after each output it
relaunches as soon as the burst and the pre-buffer are there, while the supply lanes keep running. The
period is the mean spacing of the outputs after the first (the start-up is the paper's figure), and the
volume per state is ``Q * period / P_top`` -- a failed top-level run costs a period and yields nothing.
Low-level failures are counted by default: the first output and the period are means over seeded runs of
the scheduler with random failures (``shots``), so a :class:`~magicpipe.compiler.source.Source` built from
them (``startup_rounds = first_output``, ``period_rounds = period / p_top``) is honest under the point's
policy.
"""

from __future__ import annotations

import functools
import random
import statistics
from dataclasses import dataclass

from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.dynamic import DynamicOptions, simulate
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.pareto import ParetoPoint
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.schedule import Schedule
from magicpipe.errors import SpecError

__all__ = ["SteadyState", "steady_state"]


@dataclass(frozen=True, slots=True)
class SteadyState:
    """Period (rounds between outputs), qubits and volume per top-level state of a continuous pipeline.

    With ``shots > 0`` the first output and the period are means over seeded runs with random low-level
    failures (``deterministic_period`` is the no-failure figure); with ``shots == 0`` both are the no-failure
    schedule's. ``schedule`` is the no-failure schedule either way.
    """

    qubits: int
    first_output: float
    period: float
    p_top: float
    schedule: Schedule
    deterministic_period: float = float("nan")
    shots: int = 0

    @property
    def volume_per_state(self) -> float:
        return self.qubits * self.period / self.p_top


def _ends(s: Schedule) -> tuple[int, float]:
    ends = sorted(t.end for t in s.tops)
    return ends[0], (ends[-1] - ends[0]) / (len(ends) - 1)


@functools.lru_cache(maxsize=2048)  # the planner asks again for the same front points (several targets, re-plans)
def _no_failure_run(high: Factory, producers: tuple[Producer, ...], qubits: int, slots: int, slot_qubits: int,
                    options: DynamicOptions, executions: int) -> Schedule:
    return simulate(high, producers, qubits, slots, slot_qubits, options, tops=executions)


def steady_state(pipeline: Pipeline, point: ParetoPoint, executions: int = 8, options: DynamicOptions | None = None,
                 *, shots: int | None = None, seed: int = 1) -> SteadyState:
    """Run ``point``'s configuration for ``executions`` top-level executions and measure its period.

    Args:
        pipeline: the pipeline ``point`` belongs to.
        point: a configuration of its Pareto front.
        executions: top-level executions back to back.
        options: the policy (default: the point's own).
        shots: seeded runs with random low-level failures to average over (default: 16 when some producer
            can fail, else 0: the no-failure schedule).
        seed: seed of those runs.

    Raises:
        SpecError: fewer than 2 executions or negative shots.
    """
    if executions < 2:
        raise SpecError(f"executions={executions}: the period needs at least 2")
    s0 = point.schedule
    opts = options or s0.policy
    if shots is None:
        shots = 16 if any(p.p_succ < 1 for p in s0.producers) else 0
    if shots < 0:
        raise SpecError(f"shots={shots} must be >= 0")
    args = (s0.high, s0.producers, s0.qubit_budget, s0.buffer_slots, s0.slot_qubits, opts)
    s = _no_failure_run(*args, executions)
    first_end, period = _ends(s)
    first = float(first_end)
    det_period = period
    if shots:
        rng = random.Random(seed)
        runs = [_ends(simulate(*args, tops=executions, rng=rng)) for _ in range(shots)]
        first = statistics.fmean(r[0] for r in runs)
        period = statistics.fmean(r[1] for r in runs)
    return SteadyState(s0.qubit_budget, first, period, pipeline.levels[-1].p_succ, s, det_period, shots)
