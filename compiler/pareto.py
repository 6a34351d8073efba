"""Buffer-size search and qubit-budget sweep: the Pareto front of (Q, T) (paper Secs. 5.4-5.5, Fig. 8).

For every policy (:data:`~magicpipe.compiler.options.POLICIES` unless one is given), every buffer size N_buf
from ``inputs_per_step`` to ``N - N_burst`` (the paper's N_burst..N counted with the burst, which in our
convention does not occupy slots) and every qubit budget at which some count changes -- the number of supply
lanes (provisioned for the demand over ``p_succ``), of fill copies, of reuse copies -- the scheduler runs once
without failures. Its time is the expected completion with every stall counted
(:func:`~magicpipe.compiler.stalls.expected_rounds`); with ``delay_model="first-stall"`` it is the paper's
Appendix A estimate instead. Where the level-1 success probability is below ``MC_BELOW`` (0.98), the points of
least volume are evaluated again by a seeded Monte Carlo of the scheduler itself (``shots`` runs) until the
least-volume point is one of them. The front keeps the points no other point beats in both qubits and time;
each carries its schedule and says which estimate its time is.

Two-level cells with many candidate budgets (a large d1 under a small d2) are searched coarse-to-fine: at
most ``_COARSE`` budgets spread evenly, then every budget between the neighbours of the best few.

More levels (Sec. 5.1): the front of levels 1..L-1 becomes the menu of producers of level L (each point a
"factory" of its qubits, its rounds rounded up, one output of the level-(L-1) error and success
probability), thinned to the ``menu_size`` points of least volume plus the smallest one, and the allocator
may mix them.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import math
from dataclasses import dataclass
from collections.abc import Callable, Sequence

from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.bounds import lower_bound
from magicpipe.compiler.decay import grown_schedule, slot_distance_for, slot_distance_of, storage_decay
from magicpipe.compiler.dynamic import DynamicOptions, simulate
from magicpipe.compiler.failures import expected_delay, monte_carlo
from magicpipe.compiler.options import GREEDY_LAUNCH, POLICIES
from magicpipe.compiler.stalls import expected_rounds
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.hardware import Hardware, patch_qubits
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.schedule import Schedule
from magicpipe.errors import InfeasibleError, SpecError

__all__ = ["ParetoPoint", "ParetoFront", "pareto_front", "search_policies", "level_producer", "candidate_budgets",
           "MC_BELOW"]

MC_BELOW = 0.98
"""Level-1 success probability below which the least-volume points are re-evaluated by Monte Carlo."""
_COARSE = 24
DELAY_MODELS = ("all-stalls", "first-stall")


@dataclass(frozen=True, slots=True)
class ParetoPoint:
    """One dynamic pipeline configuration: budget, buffer, expected rounds and the schedule behind them.

    ``output_error`` is the top-level output error with the storage decay of its buffered states charged
    (:mod:`~magicpipe.compiler.decay`). Where the Pareto search grew the slots to meet an output-error target
    (``grow_slots``), the schedule carries the larger slots and budget and ``qubits`` includes them
    (:attr:`slot_distance`, :attr:`grown_qubits`). ``delay_model`` says what ``expected_delay`` is: ``"all-stalls"``
    (:func:`~magicpipe.compiler.stalls.expected_rounds`), ``"first-stall"`` (Appendix A), ``"monte-carlo"``
    (mean of the seeded runs, ``mc_stderr`` its standard error), or ``"dominated"``: not estimated, because
    a point with no more qubits is faster than this one's no-failure schedule (``expected_delay`` is 0, so
    ``rounds`` is a lower bound), or ``"bounded"`` (``least_volume_only``): not estimated, because its
    no-failure volume already exceeds the least expected volume found.
    """

    qubits: int
    buffer_slots: int
    deterministic_rounds: int
    expected_delay: float
    schedule: Schedule
    bound: float
    output_error: float = float("nan")
    delay_model: str = "first-stall"
    mc_stderr: float = float("nan")

    @property
    def policy(self) -> DynamicOptions:
        """The scheduler policy of this point."""
        return self.schedule.policy

    @property
    def slot_distance(self) -> int:
        """Distance of the buffer's slot patches (the producer's unless the search grew them)."""
        return slot_distance_of(self.schedule)

    @property
    def grown_qubits(self) -> int:
        """Qubits the grown slots add to the buffer: ``buffer_slots x (patch(slot distance) - patch(d))``."""
        patch = patch_qubits(self.schedule.producers[0].distance)
        return self.buffer_slots * max(self.schedule.slot_qubits - patch, 0)

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


def candidate_budgets(high: Factory, menu: Sequence[Producer], slot_qubits: int, buffer_slots: int,
                      for_failures: bool = False) -> list[int]:
    """Budgets at which the number of supply lanes, fill copies or reuse copies changes.

    Supply lanes go up to one more than the consumption rate needs; ``for_failures`` counts that rate at the
    producers' success probability (the search passes it; the default keeps the paper's candidate set).
    """
    base = high.qubits + buffer_slots * slot_qubits
    floor_q = max(high.qubits, min(p.qubits for p in menu)) + buffer_slots * slot_qubits
    consume_rate = high.protocol.inputs_per_step / high.step_rounds
    out = set()
    for p in menu:
        n_max = math.ceil(consume_rate / (p.rate * (p.p_succ if for_failures else 1.0))) + 1
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


def search_policies(pipeline: Pipeline) -> tuple[DynamicOptions, ...]:
    """The policies :func:`pareto_front` tries when given none: :data:`~magicpipe.compiler.options.POLICIES`,
    and for a two-level pipeline whose level-1 run is longer than its level-2 factory also
    :data:`~magicpipe.compiler.options.GREEDY_LAUNCH`."""
    if len(pipeline.levels) == 2 and pipeline.levels[0].rounds > pipeline.levels[1].rounds:
        return POLICIES + (GREEDY_LAUNCH,)
    return POLICIES


def pareto_front(
    pipeline: Pipeline,
    options: DynamicOptions | Sequence[DynamicOptions] | None = None,
    *,
    buffer_sizes: Sequence[int] | None = None,
    menu_size: int = 4,
    max_budgets: int = 24,
    max_output_error: float | None = None,
    delay_model: str = "all-stalls",
    shots: int = 64,
    seed: int = 1,
    least_volume_only: bool = False,
    grow_slots: bool = True,
) -> ParetoFront:
    """The dynamic pipeline's Pareto front of qubits against expected rounds for one top-level state.

    Args:
        pipeline: two or more levels (a single level has nothing to schedule: one factory fed raw states).
        options: the scheduler's policy, or several to try per configuration (all are kept: the front and
            the least volume pick the best); None tries :data:`~magicpipe.compiler.options.POLICIES`, and for a
            two-level pipeline whose level-1 run is longer than its level-2 factory also
            :data:`~magicpipe.compiler.options.GREEDY_LAUNCH`. Pass
            :data:`~magicpipe.compiler.options.PAPER` for the paper's scheduler.
        buffer_sizes: slot counts to try (default: every one from 1 to ``N - N_burst``).
        menu_size: for three or more levels, how many points of the lower front the allocator may mix.
        max_budgets: for three or more levels, budgets tried per buffer size (spread evenly over the
            candidates).
        max_output_error: keep only configurations whose output error, with the storage decay of their
            buffered states charged, is at most this (None: no limit, as in the paper).
        grow_slots: with ``max_output_error``, a configuration whose decay misses it at slots of the producer's
            distance is tried with slots 2, 4 or 6 distances larger (the smallest that meets it,
            :func:`~magicpipe.compiler.decay.slot_distance_for`), its qubits charged ``buffer_slots x`` the
            larger patch's extra qubits, its schedule otherwise the same; it then competes with the others.
            False drops such configurations.
        delay_model: ``"all-stalls"`` (every stall) or ``"first-stall"`` (Appendix A, the paper's).
        shots: Monte Carlo runs per re-evaluated point where level-1 success is below :data:`MC_BELOW`
            (0: never).
        seed: the Monte Carlo seed.
        least_volume_only: the caller wants :meth:`ParetoFront.min_volume` only (the benches, the distance
            search): for two-level pipelines a configuration is not simulated when its qubits times a lower
            bound on its rounds (:func:`_rounds_floor`) already exceed the least expected volume found so far
            (by 10% where the Monte Carlo re-evaluates the least-volume points, to allow for the estimate's
            error), so the fast end of the front may be missing; the least-volume point is the same. Only
            the front's points carry their output error (the others NaN).

    Raises:
        SpecError: a one-level pipeline, an empty buffer range or an unknown delay model.
    """
    if len(pipeline.levels) < 2:
        raise SpecError(f"a dynamic pipeline needs at least two levels, got distances {pipeline.distances}")
    if max_output_error is not None and not 0 < max_output_error < 1:
        raise SpecError(f"max_output_error must lie in (0, 1), got {max_output_error!r}")
    if delay_model not in DELAY_MODELS:
        raise SpecError(f"delay_model must be one of {DELAY_MODELS}, got {delay_model!r}")
    policies: tuple[DynamicOptions, ...]
    if options is None:
        policies = search_policies(pipeline)
    elif isinstance(options, DynamicOptions):
        policies = (options,)
    else:
        policies = tuple(options)
        if not policies:
            raise SpecError("pass at least one policy (or None for POLICIES)")
    return _pareto(pipeline, policies, tuple(buffer_sizes) if buffer_sizes else None, menu_size, max_budgets,
                   max_output_error, delay_model, shots, seed, least_volume_only, grow_slots)


def _thin(values: list[int], k: int) -> list[int]:
    if len(values) <= k:
        return values
    idx = {round(i * (len(values) - 1) / (k - 1)) for i in range(k)}
    return [values[i] for i in sorted(idx)]


@functools.lru_cache(maxsize=4096)
def _pareto(pipeline: Pipeline, policies: tuple[DynamicOptions, ...], buffer_sizes: tuple[int, ...] | None,
            menu_size: int,
            max_budgets: int, max_output_error: float | None = None, delay_model: str = "all-stalls",
            shots: int = 64, seed: int = 1, least_volume_only: bool = False, grow_slots: bool = True
            ) -> ParetoFront:
    top = pipeline.levels[-1]
    high = top.factory
    below = pipeline.levels[-2]
    menu: tuple[Producer, ...]
    if len(pipeline.levels) == 2:
        menu = (level_producer(pipeline, 1),)
    else:
        lower = Pipeline(pipeline.levels[:-1], pipeline.hardware)
        menu = _menu_from_front(_pareto(lower, policies, None, menu_size, max_budgets, None, delay_model, shots,
                                        seed), menu_size)
    slot = patch_qubits(below.factory.distance)
    proto = high.protocol
    sizes = buffer_sizes or tuple(range(proto.inputs_per_step, proto.inputs - proto.burst + 1))
    if not sizes:
        raise SpecError("no buffer size to try")
    bound = lower_bound(pipeline)

    def evaluate(options: DynamicOptions, b: int, q: int) -> ParetoPoint | None:
        """The no-failure schedule; its expected time is added later (``_time``)."""
        s = _no_failure_schedule(high, menu, q, b, slot, options)
        if s is None:
            return None
        error = math.nan  # least_volume_only: computed for the front's points at the end
        if not (least_volume_only and max_output_error is None):
            error = _decayed_error(s, pipeline.hardware)
        if max_output_error is not None and error > max_output_error:
            grown = slot_distance_for(s, pipeline.hardware, max_output_error) if grow_slots else None
            if grown is None:
                return None
            s, error = grown_schedule(s, grown.slot_distance), grown.eps_out_with_decay
        return ParetoPoint(s.qubit_budget, b, s.rounds, 0.0, s, bound, error, "pending")

    def timed(p: ParetoPoint) -> ParetoPoint:
        s = p.schedule
        if delay_model == "first-stall":
            return dataclasses.replace(p, expected_delay=_first_stall_delay(s), delay_model="first-stall")
        return dataclasses.replace(p, expected_delay=_expected_rounds(s) - s.rounds, delay_model="all-stalls")

    evaluated: list[ParetoPoint] = []
    # least_volume_only: the least expected volume found so far, and the margin a floor must clear it by
    prune = least_volume_only and len(menu) == 1
    margin = 1.1 if shots and menu[0].p_succ < MC_BELOW else 1.0
    incumbent = [math.inf]
    seen: dict[tuple[DynamicOptions, int, int], ParetoPoint | None] = {}
    pruned: dict[tuple[DynamicOptions, int, int], float] = {}  # configuration -> the volume floor it failed

    def bounded(options: DynamicOptions, b: int, q: int, force: bool = False) -> ParetoPoint | None:
        """``evaluate`` unless the configuration cannot beat the incumbent (or ``force``); points that may
        improve it are timed at once (so the incumbent tightens)."""
        if not prune:
            return evaluate(options, b, q)
        if (options, b, q) in seen:
            return seen[options, b, q]
        if not force and (floor := q * _rounds_floor(high, menu[0], q - b * slot, b)) > margin * incumbent[0]:
            pruned[options, b, q] = floor
            return None
        p = evaluate(options, b, q)
        if p is not None and q * p.deterministic_rounds < incumbent[0]:
            p = timed(p)
            if options.resume == "greedy" or margin == 1.0:  # the all-stall chain models greedy resumption only
                incumbent[0] = min(incumbent[0], p.volume)
        seen[options, b, q] = p
        return p

    if prune and len(pipeline.levels) == 2 and buffer_sizes is None:
        for options in policies:  # a first incumbent: the sequential order (kept in ``seen``, listed below)
            for b, q in _sequential_configurations(pipeline, slot):
                bounded(options, b, q)
    per_size: dict[tuple[DynamicOptions, int], list[ParetoPoint]] = {}
    # with pruning the last policy (the failure-aware one in POLICIES, usually the best) and the largest buffers
    # (where the least volume usually is) go first, so the incumbent is tight sooner; the points are listed in
    # the policies' and sizes' order either way
    unique = tuple(dict.fromkeys(policies))
    for options in (unique[::-1] if prune else unique):
        for b in (sizes[::-1] if prune else sizes):
            budgets = candidate_budgets(high, menu, slot, b, for_failures=True)
            if len(menu) > 1:
                budgets = _thin(budgets, max_budgets)
                per_size[options, b] = [p for p in (evaluate(options, b, q) for q in budgets) if p is not None]
            else:
                (producer,) = menu
                fastest = producer.rounds + high.rounds  # one fill batch, then no stall
                # the lambda is called only inside this iteration, so the loop variables are the current ones
                per_size[options, b] = _coarse_to_fine(
                    budgets, lambda q: bounded(options, b, q), fastest, timed,  # noqa: B023
                    lambda q: pruned.get((options, b, q)), lambda q: bounded(options, b, q, force=True))  # noqa: B023
    per_policy: dict[DynamicOptions, list[ParetoPoint]] = {}
    for options in (unique[::-1] if prune else unique):
        found = per_policy[options] = [p for b in sizes for p in per_size[options, b]]
        if len(pipeline.levels) == 2 and buffer_sizes is None:
            # the sequential baseline's own order (its 16 level-1 copies in one fill batch, no supply lane, a
            # launch with all N inputs, N - N_burst slots) is a configuration of this architecture: try it, so
            # the search never returns worse than a schedule it could have run (docs/model.md)
            tried = {(p.buffer_slots, p.qubits - p.grown_qubits) for p in found}
            found += [p for p in (bounded(options, b, q) for b, q in _sequential_configurations(pipeline, slot)
                                  if (b, q) not in tried) if p is not None]
    for options in unique:
        evaluated += per_policy[options]
    if prune:  # a no-failure volume above the least expected one (with the margin) is not estimated
        evaluated = [dataclasses.replace(p, delay_model="bounded") if p.delay_model == "pending"
                     and p.qubits * p.deterministic_rounds > margin * incumbent[0] else p for p in evaluated]
    evaluated = _time(evaluated, timed)
    if not evaluated:
        within = "" if max_output_error is None else f" within output error {max_output_error:.3g} (storage decay)"
        raise InfeasibleError(f"no feasible dynamic schedule for distances {pipeline.distances}{within}")
    if shots and min(p.p_succ for p in menu) < MC_BELOW:
        evaluated = _monte_carlo_refine(evaluated, shots, seed, timed)
    if least_volume_only and max_output_error is None:  # the output error of the front's points only
        on_front = {id(p) for p in _front(evaluated)}
        hw = pipeline.hardware
        evaluated = [dataclasses.replace(p, output_error=_decayed_error(p.schedule, hw))
                     if id(p) in on_front else p for p in evaluated]
    return ParetoFront(pipeline, _front(evaluated), tuple(evaluated))


# The fronts of one pipeline are asked for again and again with another error limit, policy list or search mode (a
# plan's targets, its re-plans and sensitivity edges, the benches, the distance search): each configuration's
# no-failure schedule and its expected times are pure functions of frozen inputs, so they are memoised here.
@functools.lru_cache(maxsize=1 << 14)
def _no_failure_schedule(high: Factory, menu: tuple[Producer, ...], q: int, b: int, slot: int,
                         options: DynamicOptions) -> Schedule | None:
    """:func:`~magicpipe.compiler.dynamic.simulate` without failures, or None where it is infeasible."""
    try:
        return simulate(high, menu, q, b, slot, options)
    except InfeasibleError:
        return None


@functools.lru_cache(maxsize=1 << 14)
def _decayed_error(schedule: Schedule, hardware: Hardware) -> float:
    return storage_decay(schedule, hardware).eps_out_with_decay


@functools.lru_cache(maxsize=1 << 14)
def _expected_rounds(schedule: Schedule) -> float:
    return expected_rounds(schedule)


@functools.lru_cache(maxsize=1 << 14)
def _first_stall_delay(schedule: Schedule) -> float:
    return expected_delay(schedule)


def _rounds_floor(high: Factory, producer: Producer, pool: int, slots: int) -> float:
    """A lower bound on the no-failure rounds of one execution when at most ``pool`` qubits (every qubit but the
    ``slots`` of the buffer) run ``producer`` copies. The fill makes the burst and the first step's input with at
    most ``pool // Q`` copies at once, and the high factory's steps follow. At the launch at most the burst and
    the buffer are held (lanes do not run during the fill), so the other states are made after it by at most
    ``(pool - data patches) // Q`` copies (lanes and the lent region together), the last one step before the end;
    and all the states are made by at most ``pool // Q`` copies. Failures only add rounds; infinite when the
    states cannot be made at all."""
    copies = pool // producer.qubits
    if copies < 1:
        return _NO_COPY
    proto = high.protocol
    fill = math.ceil(math.ceil((proto.burst + proto.inputs_per_step) / producer.outputs) / copies) * producer.rounds
    every = math.ceil(math.ceil(proto.inputs / producer.outputs) / copies) * producer.rounds  # all of them
    floor = max(fill + high.rounds, every + high.step_rounds)
    later = math.ceil(max(proto.inputs - proto.burst - slots, 0) / producer.outputs)
    if later:
        after = (pool - high.data_qubits) // producer.qubits
        if after < 1:
            return _NO_COPY
        floor = max(floor, fill + math.ceil(later / after) * producer.rounds + high.step_rounds)
    return floor


_NO_COPY = math.inf


def _sequential_configurations(pipeline: Pipeline, slot_qubits: int, fan_out: int = 16) -> list[tuple[int, int]]:
    """(slots, budget) pairs at which the dynamic scheduler runs the sequential baseline's order of a two-level
    pipeline: ``N - N_burst`` slots; the budget of the accounted sequential baseline
    (:func:`~magicpipe.compiler.accounted.sequential_accounted`) and, since the scheduler keeps its slots aside
    during the fill, that of ``fan_out`` level-1 copies beside them."""
    low, high = pipeline.levels
    slots = high.factory.protocol.inputs - high.factory.protocol.burst
    accounted = max(fan_out * low.qubits, high.qubits + slots * slot_qubits)
    beside = max(fan_out * low.qubits, high.qubits) + slots * slot_qubits
    return sorted({(slots, accounted), (slots, beside)})


def _time(points: list[ParetoPoint], timed: Callable[[ParetoPoint], ParetoPoint]) -> list[ParetoPoint]:
    """Expected times for the pending points, in ascending qubits; a point whose no-failure time is already no
    better than a point with no more qubits is dominated whatever its delay, and keeps ``delay_model =
    "dominated"`` (its rounds, the no-failure ones, are a lower bound) instead of paying for the estimate."""
    order = sorted(range(len(points)), key=lambda i: (points[i].qubits, points[i].deterministic_rounds))
    out = list(points)
    best = math.inf
    for i in order:
        p = out[i]
        if p.delay_model == "pending":
            p = timed(p) if p.deterministic_rounds < best else dataclasses.replace(p, delay_model="dominated")
            out[i] = p
        best = min(best, p.rounds)
    return out


def _coarse_to_fine(budgets: list[int], evaluate: Callable[[int], ParetoPoint | None], fastest: int,
                    timed: Callable[[ParetoPoint], ParetoPoint],
                    floor: Callable[[int], float | None] | None = None,
                    evaluate_anyway: Callable[[int], ParetoPoint | None] | None = None) -> list[ParetoPoint]:
    """Every budget when there are few; else ``_COARSE`` spread evenly, then all between the best few's neighbours.

    ``floor(q)``: for a budget the (pruning) ``evaluate`` skipped, the volume floor it ranks by among the
    evenly spread budgets (None: not skipped); ``evaluate_anyway`` evaluates such a budget when its floor ranks
    among the best three.

    Budgets are tried in ascending order and stop two after the first whose schedule is as fast as any can
    be (``fastest``: one fill batch and no stall); more qubits then only shorten the failure delay a little.
    """
    if len(budgets) <= 2 * _COARSE:
        out: list[ParetoPoint] = []
        left = None
        for q in budgets:
            p = evaluate(q)
            if p is not None:
                out.append(p)
                if left is None and p.deterministic_rounds <= fastest and not p.schedule.stalls:
                    left = 2
            if left is not None:
                left -= 1
                if left < 0:
                    break
        return out
    index = {q: i for i, q in enumerate(budgets)}
    coarse = _thin(budgets, _COARSE)
    done = {q: evaluate(q) for q in coarse}
    done = {q: (timed(p) if p is not None else None) for q, p in done.items()}  # rank by expected volume
    # the three best by expected volume; a skipped budget enters at its floor and, if it comes up, is evaluated
    # after all (its volume is at least the floor), so the three are those a search without skipping ranks first
    rank = [(p.volume, q, True) for q, p in done.items() if p is not None]
    if floor is not None:
        rank += [(v, q, False) for q in coarse if done[q] is None and (v := floor(q)) is not None]
    heapq.heapify(rank)
    best: list[int] = []
    while rank and len(best) < 3:
        _, q, real = heapq.heappop(rank)
        if real:
            best.append(q)
            continue
        p = evaluate_anyway(q) if evaluate_anyway is not None else None
        if p is not None:
            done[q] = p = timed(p) if p.delay_model == "pending" else p
            heapq.heappush(rank, (p.volume, q, True))
    for q_best in best:
        k = coarse.index(q_best)
        lo = index[coarse[max(k - 1, 0)]]
        hi = index[coarse[min(k + 1, len(coarse) - 1)]]
        for q in budgets[lo:hi + 1]:
            if q not in done:
                done[q] = evaluate(q)
    # the fast end of the front: the largest budgets
    for q in budgets[-3:]:
        if q not in done:
            done[q] = evaluate(q)
    return [p for p in done.values() if p is not None]


def _monte_carlo_refine(points: list[ParetoPoint], shots: int, seed: int,
                        timed: Callable[[ParetoPoint], ParetoPoint] | None = None,
                        limit: int = 16) -> list[ParetoPoint]:
    """Re-evaluate the least-volume points by Monte Carlo until the least volume is a Monte Carlo figure.

    A point that comes up without an expected time (``"dominated"`` or ``"bounded"``: its rounds are the
    no-failure ones, a lower bound, and a Monte Carlo figure above it can leave it the least) is given its
    all-stall estimate first (``timed``), which does not count towards ``limit``."""
    points = list(points)
    runs = 0
    while True:
        best = min(range(len(points)), key=lambda i: (points[i].volume, points[i].qubits))
        if points[best].delay_model == "monte-carlo":
            break
        if timed is not None and points[best].delay_model in ("dominated", "bounded"):
            points[best] = timed(points[best])
            continue
        if runs == limit:
            break
        runs += 1
        p = points[best]
        mc = monte_carlo(p.schedule, shots, seed)
        points[best] = dataclasses.replace(p, expected_delay=mc.mean_delay, delay_model="monte-carlo",
                                           mc_stderr=mc.stderr_delay)
    return points


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
