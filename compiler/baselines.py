"""The static baselines of the paper's Sec. 6, exactly as defined there.

Sequential (Beverland et al. 2022, ref. [7])
    Level l runs ``n_l = 16^(L-l)`` factory copies; levels run one after the other on the same qubits.
    ``Q = max_l n_l Q_l``, ``T = sum_l T_l``. No buffer; residual failures are ignored, as in the paper.

Parallel (ref. [78])
    One top-level factory (``n_L = 1``); lower levels are rate-matched,
    ``n_(l-1) M_(l-1) P_(l-1) / T_(l-1) = n_l N_l / T_l``, and the count is rounded *up* to an integer at each
    level (production must not be slower than consumption), with the success probability P of the producing
    level in the rate. Every factory has its own buffer: 4 patches for a level-1 factory and 8 for a higher
    one, each patch at the distance of the factory it belongs to. ``Q = sum_l n_l (Q_l + B_l)``, ``T = T_L``.

These three choices -- P in the rate, ceil at each level, buffer patches at their factory's distance --
reproduce the ratios sequential/parallel of the paper's Table 3 (superconducting rows) to five digits:
0.96437 for (3, 9), 0.98536 for (5, 15), 0.84898 for (5, 17) (``tests/compiler/test_baselines.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from magicpipe.compiler.allocator import Allocation, Producer
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.schedule import Run, Schedule, Stall, Take, TopRun
from magicpipe.errors import InfeasibleError, SpecError

__all__ = ["BaselineCost", "sequential", "parallel", "sequential_schedules", "parallel_schedules"]

# Rate matching divides floats; a count this close above an integer is that integer.
_CEIL_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class BaselineCost:
    """Qubits and rounds one static pipeline needs for one top-level state.

    Attributes:
        method: ``"sequential"`` or ``"parallel"``.
        qubits: physical qubits.
        rounds: stabilizer rounds.
        copies: factory copies per level, lowest level first.
        buffer_qubits: qubits of buffer patches (0 for sequential).
        slots: buffer patches per level, lowest first (parallel: 4 per level-1 copy, 8 per higher one;
            empty for sequential, which has none).
    """

    method: str
    qubits: int
    rounds: float
    copies: tuple[int, ...]
    buffer_qubits: int = 0
    slots: tuple[int, ...] = ()

    @property
    def volume(self) -> float:
        """Qubit-round volume ``Q * T``."""
        return self.qubits * self.rounds


def sequential(pipeline: Pipeline, fan_out: int = 16) -> BaselineCost:
    """The sequential baseline: ``n_l = fan_out^(L-l)``, ``Q = max n_l Q_l``, ``T = sum T_l``.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> c = sequential(Pipeline.from_distances((3, 9)))
        >>> c.qubits, c.rounds, c.copies
        (4080, 132, (16, 1))
    """
    L = len(pipeline.levels)
    copies = tuple(fan_out ** (L - lv.index) for lv in pipeline.levels)
    qubits = max(n * lv.qubits for n, lv in zip(copies, pipeline.levels))
    rounds = sum(lv.rounds for lv in pipeline.levels)
    return BaselineCost("sequential", qubits, rounds, copies)


def parallel(pipeline: Pipeline, buffer_patches: tuple[int, int] = (4, 8)) -> BaselineCost:
    """The parallel baseline: one top factory, rate-matched lower levels, fixed buffers.

    Args:
        pipeline: the levels.
        buffer_patches: buffer patches per level-1 factory and per higher-level factory.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> c = parallel(Pipeline.from_distances((3, 9)))
        >>> c.qubits, c.rounds, c.copies
        (5641, 99, (6, 1))
    """
    levels = pipeline.levels
    copies = [1]  # from the top level down: copies[0] is the level above the one matched next
    for i in range(len(levels) - 1, 0, -1):
        hi, lo = levels[i], levels[i - 1]
        demand_rate = copies[0] * hi.factory.protocol.inputs / hi.rounds
        supply_rate = lo.factory.protocol.outputs * lo.p_succ / lo.rounds
        copies.insert(0, math.ceil(demand_rate / supply_rate - _CEIL_TOLERANCE))
    buffer_qubits = 0
    qubits = 0
    slots = []
    for n, lv in zip(copies, levels):
        patches = buffer_patches[0] if lv.index == 1 else buffer_patches[1]
        buf = patches * lv.factory.patch_qubits
        buffer_qubits += n * buf
        qubits += n * (lv.qubits + buf)
        slots.append(n * patches)
    return BaselineCost("parallel", qubits, levels[-1].rounds, tuple(copies), buffer_qubits, tuple(slots))


# -- the baselines as schedules: one top-level state from an empty pipeline ----------------------------------
#
# The cost models above give (Q, T). The report shows what each baseline does round by round, on the same record
# as the dynamic scheduler's, a Schedule per pair of adjacent levels (runs: the lower level's, executions: the
# upper level's). Production never waits for consumption in either baseline (no failures, slots never full), so
# the levels are worked out bottom up: level 1's run k starts at ``earliest + (k // copies) T_1``; a level above
# takes burst and first step at a launch, one step every ``step_rounds`` after, and stalls until a state arrives.

_NO_ALLOCATION = Allocation(0, (), 0, 0)


def sequential_schedules(pipeline: Pipeline, fan_out: int = 16) -> tuple[Schedule, ...]:
    """The sequential baseline (ref. [7]) running one top-level state, one schedule per pair of levels.

    Level l runs its ``n_l = fan_out^(L-l)`` copies once, all at round ``T_1 + ... + T_(l-1)``, so the makespan
    is the cost model's ``T``; each copy of the level above takes 15 of every 16 states, one is left per copy.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> (s,) = sequential_schedules(Pipeline.from_distances((5, 17)))
        >>> s.rounds, len(s.runs), s.qubit_budget, s.ledger().left
        (242, 16, 11760, 1)
    """
    cost = sequential(pipeline, fan_out)
    starts = tuple(sum(lv.rounds for lv in pipeline.levels[:i]) for i in range(len(pipeline.levels)))
    return _cold_start(pipeline, cost, cost.copies, starts)


def parallel_schedules(pipeline: Pipeline, buffer_patches: tuple[int, int] = (4, 8)) -> tuple[Schedule, ...]:
    """The parallel baseline (ref. [78]) running one top-level state from an empty pipeline.

    Every level keeps its rate-matched copies (``parallel(pipeline).copies``) and starts a run while the level
    above still needs states, so level l runs ``ceil(runs_(l+1) inputs_(l+1) / outputs_l)`` times. The cost
    model's ``T = T_L`` is a steady-state period; from empty the first state takes longer, and the top-level
    factory stalls when the rate-matched supply falls behind its burst-then-one-per-step demand.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> (s,) = parallel_schedules(Pipeline.from_distances((5, 17)))
        >>> s.rounds, len(s.runs), [(x.start, x.end) for x in s.stalls]
        (280, 15, [(72, 110)])
    """
    cost = parallel(pipeline, buffer_patches)
    levels = pipeline.levels
    runs = [1] * len(levels)
    for i in range(len(levels) - 2, -1, -1):
        runs[i] = math.ceil(runs[i + 1] * levels[i + 1].factory.protocol.inputs / levels[i].factory.protocol.outputs)
    return _cold_start(pipeline, cost, tuple(runs), (0,) * len(levels))


def _cold_start(pipeline: Pipeline, cost: BaselineCost, runs: tuple[int, ...],
                earliest: tuple[int, ...]) -> tuple[Schedule, ...]:
    levels = pipeline.levels
    if len(levels) < 2:
        raise SpecError(f"a baseline schedule needs two levels or more, the pipeline has {len(levels)}; "
                        f"one level is one factory fed raw states")
    f1 = levels[0].factory
    starts = [earliest[0] + (k // cost.copies[0]) * f1.rounds for k in range(runs[0])]
    below = [(start, start + f1.rounds) for start in starts]  # (start, end) of every run of the level below
    slots = cost.slots or (0,) * len(levels)
    out = []
    for i in range(1, len(levels)):
        low, high = levels[i - 1], levels[i]
        deposits: dict[int, int] = {}
        for _, end in below:
            deposits[end] = deposits.get(end, 0) + low.factory.protocol.outputs
        tops, takes, stalls = _consume(high.factory, deposits, cost.copies[i], runs[i], earliest[i])
        producer = Producer(f"{low.factory.protocol.name}@d{low.factory.distance}", low.factory.qubits,
                            low.factory.rounds, low.factory.protocol.outputs, low.p_succ, low.eps_out,
                            low.factory.distance, low.index, source=low.factory)
        lanes = cost.copies[i - 1]
        run_records = tuple(Run(k, 0, start, end, low.factory.qubits, "supply", k % lanes,
                                outputs=low.factory.protocol.outputs) for k, (start, end) in enumerate(below))
        burst = high.factory.protocol.burst + high.factory.protocol.inputs_per_step
        out.append(Schedule(high.factory, (producer,), cost.qubits, slots[i - 1], low.factory.patch_qubits, burst,
                            _NO_ALLOCATION, _NO_ALLOCATION, run_records, tops, takes, stalls, 0))
        below = [(t.launch, t.end) for t in tops]
    return tuple(out)


def _consume(factory: Factory, deposits: dict[int, int], copies: int, runs: int,
             earliest: int) -> tuple[tuple[TopRun, ...], tuple[Take, ...], tuple[Stall, ...]]:
    """``runs`` executions of ``factory`` on ``copies`` copies fed by ``deposits`` (round -> states).

    In a round: the deposits arrive, the running executions take their steps (in launch order; one short of
    a state stalls until a round in which one arrives), then free copies launch while the burst and first step
    are held.
    """
    proto = factory.protocol
    per_step, first = proto.inputs_per_step, proto.burst + proto.inputs_per_step
    held = busy = 0
    launch: list[int] = []
    step: list[int] = []
    due: list[int] = []
    stalled: list[int | None] = []  # the round a running execution's step began to wait, None if it does not
    end: dict[int, int] = {}
    running: list[int] = []
    takes: list[Take] = []
    stalls: list[Stall] = []
    freed: dict[int, int] = {}
    times = set(deposits) | {earliest}
    while times:
        t = min(times)
        times.discard(t)
        busy -= freed.pop(t, 0)
        held += deposits.get(t, 0)
        for k in list(running):
            since = stalled[k]
            if not (due[k] == t or (since is not None and due[k] < t)):
                continue
            if held < per_step:
                stalled[k] = t if since is None else since
                continue
            if since is not None:
                stalls.append(Stall(k, step[k] + 1, since, t, False, per_step, proto.steps - step[k]))
                stalled[k] = None
            held -= per_step
            step[k] += 1
            takes.append(Take(t, k, step[k], per_step))
            if step[k] == proto.steps:
                running.remove(k)
                end[k] = t + factory.step_rounds
                freed[end[k]] = freed.get(end[k], 0) + 1
                times.add(end[k])
            else:
                due[k] = t + factory.step_rounds
                times.add(due[k])
        while t >= earliest and busy < copies and len(launch) < runs and held >= first:
            k = len(launch)
            held -= first
            takes += [Take(t, k, 0, proto.burst), Take(t, k, 1, per_step)]
            launch.append(t)
            step.append(1)
            due.append(t + factory.step_rounds)
            stalled.append(None)
            running.append(k)
            busy += 1
            times.add(t + factory.step_rounds)
    if len(end) < runs:
        raise InfeasibleError(f"the baseline stopped after {len(end)} of {runs} runs of {factory.protocol.name} at "
                              f"d = {factory.distance}: the level below delivers too few states")
    return tuple(TopRun(k, launch[k], end[k]) for k in range(runs)), tuple(takes), tuple(stalls)
