"""The operator's figures of one :class:`~magicpipe.report.spacetime.SpaceTime`, as frozen data.

:func:`measure` is pure: a space-time in, a :class:`Metrics` out. What each figure means (``docs/report.md`` has
the ``metrics.json`` schema):

* throughput -- top-level states delivered per round and per millisecond of the makespan;
* success rate per level -- runs that succeeded over runs, beside the model's ``p_succ``;
* yield -- top-level states out per raw injected state in (15-to-1 twice: at best 1/225);
* utilisation -- at every round, the qubits doing work over the budget: running factories (a stalled one's
  idle qubits excluded) and buffer slots that hold a state. Empty reserved slots, stalled factories and
  unassigned qubits are not busy. The mean is over the makespan;
* buffer occupancy per level and the :class:`~magicpipe.compiler.schedule.Ledger` (``produced = consumed +
  discarded + left``);
* stalls -- how many, their total rounds, and the qubit-rounds stalled factories held idle; reuse -- the
  windows a stalled factory lent its ancilla region and their rounds;
* lead time -- rounds to the first top-level state; cost per state -- ``Q T / states`` in qubit-rounds and
  qubit-microseconds, beside the cost model's ``T`` (the dynamic point's expected rounds with failures, or a
  baseline's formula) and, for a program, Eq. 14's copies and qubits at its rate.

Examples:
    >>> from magicpipe.compiler import Pipeline
    >>> from magicpipe.compiler.baselines import sequential_schedules
    >>> from magicpipe.report.spacetime import SpaceTime
    >>> m = measure(SpaceTime.from_schedules("sequential", sequential_schedules(Pipeline.from_distances((5, 17)))))
    >>> m.makespan, m.delivered, m.raw_inputs, round(m.mean_utilisation, 4)
    (242, 1, 240, 0.8153)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Sequence

from magicpipe.compiler.copies import eq14_copies
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.errors import SpecError
from magicpipe.compiler.schedule import Ledger
from magicpipe.report.spacetime import BufferTrace, SpaceTime

__all__ = ["Usage", "LevelMetrics", "BufferMetrics", "DecayMetrics", "ProgramRate", "Metrics", "measure", "usage",
           "eq14_copies"]


@dataclass(frozen=True, slots=True)
class Usage:
    """What holds the qubits over the rounds ``[start, end)``.

    Attributes:
        factories: qubits of working factories per level (index 0: level 1), stalled ones' idle qubits excluded.
        reuse: of ``factories[0..]``, the qubits of runs on a lent ancilla region.
        stalled: qubits stalled factories hold idle.
        held: qubits of buffer slots holding a state.
        reserved: qubits of empty reserved slots.
        budget: the pipeline's qubits.
    """

    start: int
    end: int
    factories: tuple[int, ...]
    reuse: int
    stalled: int
    held: int
    reserved: int
    budget: int

    @property
    def busy(self) -> int:
        return sum(self.factories) + self.held

    @property
    def unused(self) -> int:
        return self.budget - self.busy - self.stalled - self.reserved

    @property
    def utilisation(self) -> float:
        return self.busy / self.budget


@dataclass(frozen=True, slots=True)
class LevelMetrics:
    """Runs of one level: how many, how many succeeded, and the model's success probability."""

    level: int
    distance: int
    runs: int
    succeeded: int
    model_success: float | None

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.runs if self.runs else None


@dataclass(frozen=True, slots=True)
class BufferMetrics:
    """Occupancy of the states of ``level`` waiting for the level above."""

    level: int
    capacity: int | None
    reserved_qubits: int
    peak: int
    mean: float
    series: tuple[tuple[int, int], ...]
    ledger: Ledger


@dataclass(frozen=True, slots=True)
class DecayMetrics:
    """Storage decay (``compiler/decay.py``): waits of the consumed states and the output error they add, in
    slots at ``slot_distance`` (above the producer's when the planner grew them; 0: not given)."""

    mean_wait_rounds: float
    max_wait_rounds: int
    mean_added_error: float
    max_added_error: float
    eps_out: float
    eps_out_with_decay: float
    slot_distance: int = 0

    @property
    def relative_increase(self) -> float:
        return self.eps_out_with_decay / self.eps_out - 1 if self.eps_out else 0.0

    @classmethod
    def from_decay(cls, decay) -> DecayMetrics:
        """From a :class:`magicpipe.compiler.decay.StorageDecay`."""
        return cls(decay.mean_wait, max(decay.waits, default=0), decay.mean_added, decay.max_added, decay.eps_out,
                   decay.eps_out_with_decay, decay.slot_distance)


@dataclass(frozen=True, slots=True)
class ProgramRate:
    """A program's demand: ``states`` top-level states over ``rounds`` stabilizer rounds (from a plan)."""

    states: int
    rounds: float

    def __post_init__(self) -> None:
        if self.states < 0 or not self.rounds > 0:
            raise SpecError(f"a program needs states >= 0 and rounds > 0, got states={self.states}, "
                            f"rounds={self.rounds}")


@dataclass(frozen=True, slots=True)
class Metrics:
    """Every figure of one pipeline's space-time (see the module docstring)."""

    name: str
    distances: tuple[int, ...]
    qubit_budget: int
    round_us: float
    makespan: int
    delivered: int
    raw_inputs: int
    levels: tuple[LevelMetrics, ...]
    buffers: tuple[BufferMetrics, ...]
    usage: tuple[Usage, ...]
    stalls: int
    stall_rounds: int
    stall_idle_qubit_rounds: int
    reuse_windows: int
    reuse_rounds: int
    lead_time: int
    model_rounds: float | None = None
    program: ProgramRate | None = None
    decay: DecayMetrics | None = None

    @property
    def throughput_per_round(self) -> float:
        return self.delivered / self.makespan

    @property
    def throughput_per_ms(self) -> float:
        return self.delivered / (self.makespan * self.round_us / 1000.0)

    @property
    def state_yield(self) -> float:
        return self.delivered / self.raw_inputs if self.raw_inputs else 0.0

    @property
    def mean_utilisation(self) -> float:
        return sum(u.busy * (u.end - u.start) for u in self.usage) / (self.qubit_budget * self.makespan)

    @property
    def qubit_rounds_per_state(self) -> float:
        return self.qubit_budget * self.makespan / self.delivered if self.delivered else math.inf

    @property
    def qubit_us_per_state(self) -> float:
        return self.qubit_rounds_per_state * self.round_us

    @property
    def program_copies(self) -> int | None:
        """Eq. 14's pipeline copies for the program, on the cost model's ``T`` (the makespan without one)."""
        if self.program is None:
            return None
        return eq14_copies(self.program.states, self.program.rounds, self.model_rounds or self.makespan)

    @property
    def program_qubits(self) -> int | None:
        copies = self.program_copies
        return None if copies is None else copies * self.qubit_budget

    def to_dict(self) -> dict:
        """The JSON form of ``docs/report.md`` (``architectures.<name>`` of ``metrics.json``)."""
        us = self.round_us
        return {
            "name": self.name, "distances": list(self.distances), "qubit_budget": self.qubit_budget,
            "makespan": {"rounds": self.makespan, "us": self.makespan * us}, "delivered": self.delivered,
            "throughput": {"per_round": self.throughput_per_round, "per_ms": self.throughput_per_ms},
            "levels": [{"level": v.level, "distance": v.distance, "runs": v.runs, "succeeded": v.succeeded,
                        "success_rate": v.success_rate, "model_success_rate": v.model_success} for v in self.levels],
            "yield": {"raw_inputs": self.raw_inputs, "delivered": self.delivered, "per_raw_state": self.state_yield},
            "utilisation": {"mean": self.mean_utilisation,
                            "series": [[u.start, u.utilisation] for u in self.usage]},
            "buffers": [_buffer_dict(b) for b in self.buffers],
            "stalls": {"count": self.stalls, "rounds": self.stall_rounds,
                       "idle_qubit_rounds": self.stall_idle_qubit_rounds},
            "reuse": {"windows": self.reuse_windows, "rounds": self.reuse_rounds},
            "lead_time": {"rounds": self.lead_time, "us": self.lead_time * us},
            "cost_per_state": {"qubit_rounds": self.qubit_rounds_per_state, "qubit_us": self.qubit_us_per_state,
                               "model_rounds": self.model_rounds,
                               "model_qubit_us": None if self.model_rounds is None
                               else self.qubit_budget * self.model_rounds * us,
                               "program_copies": self.program_copies, "program_qubits": self.program_qubits},
            "decay": None if self.decay is None else {
                "mean_wait_rounds": self.decay.mean_wait_rounds, "max_wait_rounds": self.decay.max_wait_rounds,
                "mean_added_error": self.decay.mean_added_error, "max_added_error": self.decay.max_added_error,
                "eps_out": self.decay.eps_out, "eps_out_with_decay": self.decay.eps_out_with_decay,
                "relative_increase": self.decay.relative_increase, "slot_distance": self.decay.slot_distance},
        }


def _buffer_dict(b: BufferMetrics) -> dict:
    led = b.ledger
    return {"level": b.level, "capacity": b.capacity, "reserved_qubits": b.reserved_qubits, "peak": b.peak,
            "mean": b.mean, "series": [list(p) for p in b.series],
            "ledger": {"produced": led.produced, "consumed": led.consumed, "discarded": led.discarded,
                       "failed": led.failed, "left": led.left, "balanced": led.balanced}}


def usage(spacetime: SpaceTime) -> tuple[Usage, ...]:
    """The qubits by holder over every interval between two event rounds of ``spacetime``."""
    times = spacetime.event_times()
    out = []
    for start, end in zip(times, times[1:]):
        out.append(_usage_at(spacetime, start, end))
    return tuple(out)


def _usage_at(tl: SpaceTime, t: int, end: int) -> Usage:
    factories = [0] * tl.levels
    reuse = stalled = 0
    for b in tl.running(t):
        idle = lent = 0
        for g in tl.gaps:
            if g.name == b.name and g.start <= t < g.end:
                idle = g.idle_qubits(t)
                lent = g.qubits - idle if g.lent_start <= t < g.lent_end else 0
        factories[b.level - 1] += b.qubits - idle - lent
        stalled += idle
        reuse += b.qubits if b.role == "reuse" else 0
    held = sum(buf.held(t) * buf.slot_qubits for buf in tl.buffers)
    reserved = sum(max(buf.reserved_qubits - buf.held(t) * buf.slot_qubits, 0) for buf in tl.buffers)
    return Usage(t, end, tuple(factories), reuse, stalled, held, reserved, tl.qubit_budget)


def _buffer(buf: BufferTrace, makespan: int) -> BufferMetrics:
    series = tuple((t, after) for t, _, after in buf.points)
    area = 0
    for (t0, v), (t1, _) in zip(series, series[1:] + ((makespan, 0),)):
        area += v * (max(min(t1, makespan), t0) - t0)
    return BufferMetrics(buf.level, buf.capacity, buf.reserved_qubits, buf.peak, area / makespan, series, buf.ledger)


def _levels(tl: SpaceTime, pipeline: Pipeline | None) -> tuple[LevelMetrics, ...]:
    out = []
    for level, d in enumerate(tl.distances, start=1):
        boxes = [b for b in tl.boxes if b.level == level]
        model = pipeline.levels[level - 1].p_succ if pipeline is not None else None
        out.append(LevelMetrics(level, d, len(boxes), sum(b.success for b in boxes), model))
    return tuple(out)


def measure(spacetime: SpaceTime, *, pipeline: Pipeline | None = None, model_rounds: float | None = None,
            program: ProgramRate | None = None, decay=None) -> Metrics:
    """Every figure of ``spacetime``.

    Args:
        spacetime: what the pipeline did.
        pipeline: gives the model's success probability per level (None: left out).
        model_rounds: the cost model's rounds per state (None: the makespan stands in for Eq. 14).
        program: a program's demand, for Eq. 14's copies and qubits.
        decay: a :class:`magicpipe.compiler.decay.StorageDecay` of the space-time's schedule, or None.

    Returns:
        The metrics.

    Raises:
        SpecError: the space-time delivers nothing (its throughput and lead time are undefined).
    """
    tops = [b for b in spacetime.top_boxes() if b.success]
    if not tops:
        raise SpecError(f"the {spacetime.name} pipeline delivers no top-level state (every execution failed); "
                        f"the report measures pipelines that deliver at least one")
    gaps: Sequence = spacetime.gaps
    return Metrics(
        spacetime.name, spacetime.distances, spacetime.qubit_budget, spacetime.round_us, spacetime.makespan,
        spacetime.delivered, sum(b.raw_inputs for b in spacetime.boxes), _levels(spacetime, pipeline),
        tuple(_buffer(b, spacetime.makespan) for b in spacetime.buffers), usage(spacetime), len(gaps),
        sum(g.rounds for g in gaps), sum(_idle_area(g) for g in gaps), sum(g.lent_start >= 0 for g in gaps),
        sum(g.lent_rounds for g in gaps), min(b.end for b in tops), model_rounds, program,
        None if decay is None else DecayMetrics.from_decay(decay),
    )


def _idle_area(g) -> int:
    return g.qubits * g.rounds - g.lent_qubits * g.lent_rounds
