"""Buffer-size search and qubit-budget sweep: the Pareto front of (Q, T) (paper Secs. 5.4-5.5, Fig. 8).

For every buffer size N_buf from ``inputs_per_step`` to ``N - N_burst`` (the paper's N_burst..N counted with
the burst, which in our convention does not occupy slots) and every qubit budget at which some count changes
-- the number of supply lanes, of fill copies, of reuse copies -- the scheduler runs once without failures;
the expected first-stall delay of Appendix A is added to its completion round. The front keeps the points
no other point beats in both qubits and time; each carries its schedule.

More levels (Sec. 5.1): the front of levels 1..L-1 becomes the menu of producers of level L (each point a
"factory" of its qubits, its rounds rounded up, one output of the level-(L-1) error and success
probability), thinned to the ``menu_size`` points of least volume plus the smallest one, and the allocator
may mix them.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Sequence

from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.bounds import lower_bound
from magicpipe.compiler.decay import storage_decay
from magicpipe.compiler.dynamic import DynamicOptions, simulate
from magicpipe.compiler.failures import expected_delay
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.schedule import Schedule
from magicpipe.errors import InfeasibleError, SpecError

__all__ = ["ParetoPoint", "ParetoFront", "pareto_front", "level_producer", "candidate_budgets"]


@dataclass(frozen=True, slots=True)
class ParetoPoint:
    """One dynamic pipeline configuration: budget, buffer, expected rounds and the schedule behind them.

    ``output_error`` is the top-level output error with the storage decay of its buffered states charged
    (:mod:`~magicpipe.compiler.decay`).
    """

    qubits: int
    buffer_slots: int
    deterministic_rounds: int
    expected_delay: float
    schedule: Schedule
    bound: float
    output_error: float = float("nan")

    @property
    def rounds(self) -> float:
        """Rounds for one top-level state: the no-failure schedule plus the expected failure delay."""
        return self.deterministic_rounds + self.expected_delay

    @property
    def volume(self) -> float:
        return self.qubits * self.rounds

    @property
    def efficiency(self) -> float:
        """``Q T / lower bound`` (>= 1)."""
        return self.volume / self.bound


@dataclass(frozen=True, slots=True)
class ParetoFront:
    """The non-dominated points, qubits ascending (so rounds descending), and every point evaluated."""

    pipeline: Pipeline
    points: tuple[ParetoPoint, ...]
    evaluated: tuple[ParetoPoint, ...]

    def __repr__(self) -> str:
        """One line (the points are in :attr:`points` and :attr:`evaluated`)."""
        best = self.min_volume() if self.points else None
        least = f", least volume Q={best.qubits} T={best.rounds:.2f} ({best.buffer_slots} slots)" if best else ""
        return (f"<ParetoFront distances={self.pipeline.distances}: {len(self.points)} points of "
                f"{len(self.evaluated)} evaluated{least}>")

    def min_volume(self) -> ParetoPoint:
        """The point of least ``Q T`` (ties: fewer qubits)."""
        return min(self.points, key=lambda p: (p.volume, p.qubits))

    def fastest(self) -> ParetoPoint:
        return self.points[-1]

    def smallest(self) -> ParetoPoint:
        return self.points[0]

    def within_budget(self, qubits: int) -> ParetoPoint:
        """The fastest point that fits in ``qubits``.

        Raises:
            InfeasibleError: the budget is below the smallest point.
        """
        fitting = [p for p in self.points if p.qubits <= qubits]
        if not fitting:
            raise InfeasibleError(
                f"qubit budget {qubits} is below the smallest dynamic pipeline for distances "
                f"{self.pipeline.distances} ({self.points[0].qubits} qubits); raise it to at least that"
            )
        return fitting[-1]


def level_producer(pipeline: Pipeline, index: int) -> Producer:
    """The factory of level ``index`` (1-based) as a producer for the level above."""
    lv = pipeline.levels[index - 1]
    f = lv.factory
    return Producer(f"{f.protocol.name}@d{f.distance}", f.qubits, f.rounds, f.protocol.outputs, lv.p_succ,
                    lv.eps_out, f.distance, lv.index, source=f)


def candidate_budgets(high: Factory, menu: Sequence[Producer], slot_qubits: int, buffer_slots: int) -> list[int]:
    """Budgets at which the number of supply lanes, fill copies or reuse copies changes."""
    base = high.qubits + buffer_slots * slot_qubits
    floor_q = max(high.qubits, min(p.qubits for p in menu)) + buffer_slots * slot_qubits
    consume_rate = high.protocol.inputs_per_step / high.step_rounds
    out = set()
    for p in menu:
        n_max = math.ceil(consume_rate / p.rate) + 1
        top = base + n_max * p.qubits
        for n in range(n_max + 1):
            lanes = base + n * p.qubits
            out.add(lanes)
            spare = (-high.lendable_qubits) % p.qubits  # idle qubits that let one more copy into the reuse region
            if spare:
                out.add(lanes + spare)
        m = math.ceil((base - buffer_slots * slot_qubits) / p.qubits)
        while buffer_slots * slot_qubits + m * p.qubits <= top:
            out.add(buffer_slots * slot_qubits + m * p.qubits)
            m += 1
    return sorted(q for q in out if q >= floor_q)


def _front(points: list[ParetoPoint]) -> tuple[ParetoPoint, ...]:
    best: list[ParetoPoint] = []
    for p in sorted(points, key=lambda p: (p.qubits, p.rounds, p.buffer_slots)):
        if not best or p.rounds < best[-1].rounds - 1e-12:
            best.append(p)
    return tuple(best)


def pareto_front(
    pipeline: Pipeline,
    options: DynamicOptions = DynamicOptions(),
    *,
    buffer_sizes: Sequence[int] | None = None,
    menu_size: int = 4,
    max_budgets: int = 24,
    max_output_error: float | None = None,
) -> ParetoFront:
    """The dynamic pipeline's Pareto front of qubits against rounds for one top-level state.

    Args:
        pipeline: two or more levels (a single level has nothing to schedule: one factory fed raw states).
        options: the scheduler's modelling choices.
        buffer_sizes: slot counts to try (default: every one from 1 to ``N - N_burst``).
        menu_size: for three or more levels, how many points of the lower front the allocator may mix.
        max_budgets: for three or more levels, budgets tried per buffer size (spread evenly over the
            candidates; every candidate is tried for two levels).
        max_output_error: keep only configurations whose output error, with the storage decay of their
            buffered states charged, is at most this (None: no limit, as in the paper).

    Raises:
        SpecError: a one-level pipeline or an empty buffer range.
    """
    if len(pipeline.levels) < 2:
        raise SpecError(f"a dynamic pipeline needs at least two levels, got distances {pipeline.distances}")
    if max_output_error is not None and not 0 < max_output_error < 1:
        raise SpecError(f"max_output_error must lie in (0, 1), got {max_output_error!r}")
    return _pareto(pipeline, options, tuple(buffer_sizes) if buffer_sizes else None, menu_size, max_budgets,
                   max_output_error)


def _thin(values: list[int], k: int) -> list[int]:
    if len(values) <= k:
        return values
    idx = {round(i * (len(values) - 1) / (k - 1)) for i in range(k)}
    return [values[i] for i in sorted(idx)]


@functools.lru_cache(maxsize=4096)
def _pareto(pipeline: Pipeline, options: DynamicOptions, buffer_sizes, menu_size: int, max_budgets: int,
            max_output_error: float | None = None) -> ParetoFront:
    top = pipeline.levels[-1]
    high = top.factory
    below = pipeline.levels[-2]
    if len(pipeline.levels) == 2:
        menu = (level_producer(pipeline, 1),)
    else:
        lower = Pipeline(pipeline.levels[:-1], pipeline.hardware)
        menu = _menu_from_front(_pareto(lower, options, None, menu_size, max_budgets), menu_size)
    slot = patch_qubits(below.factory.distance)
    proto = high.protocol
    sizes = buffer_sizes or tuple(range(proto.inputs_per_step, proto.inputs - proto.burst + 1))
    if not sizes:
        raise SpecError("no buffer size to try")
    bound = lower_bound(pipeline)
    evaluated = []
    for b in sizes:
        budgets = candidate_budgets(high, menu, slot, b)
        if len(menu) > 1:
            budgets = _thin(budgets, max_budgets)
        for q in budgets:
            try:
                s = simulate(high, menu, q, b, slot, options)
            except InfeasibleError:
                continue
            error = storage_decay(s, pipeline.hardware).eps_out_with_decay
            if max_output_error is not None and error > max_output_error:
                continue
            evaluated.append(ParetoPoint(q, b, s.rounds, expected_delay(s), s, bound, error))
    if not evaluated:
        within = "" if max_output_error is None else f" within output error {max_output_error:.3g} (storage decay)"
        raise InfeasibleError(f"no feasible dynamic schedule for distances {pipeline.distances}{within}")
    return ParetoFront(pipeline, _front(evaluated), tuple(evaluated))


def _menu_from_front(front: ParetoFront, size: int) -> tuple[Producer, ...]:
    pts = sorted(front.points, key=lambda p: (p.volume, p.qubits))[:size]
    if front.smallest() not in pts:
        pts.append(front.smallest())
    pipe = front.pipeline
    lv = pipe.levels[-1]
    out = []
    for p in sorted(pts, key=lambda p: p.qubits):
        rounds = math.ceil(p.rounds - 1e-9)
        out.append(Producer(f"pipeline{pipe.distances}:Q{p.qubits}:B{p.buffer_slots}", p.qubits, rounds,
                            lv.factory.protocol.outputs, lv.p_succ, lv.eps_out, lv.factory.distance, lv.index,
                            source=p))
    return tuple(out)
