"""From a program's demand to the factories that feed it: :func:`plan_distillation` and :class:`Plan`.

Steps (each a documented modelling choice):

1. Budget. The error budget is split (:mod:`magicpipe.passes.budget`); each of the ``t_count`` states may
   fail with ``target = budget_distill / t_count``.
2. Distances. :func:`magicpipe.compiler.search.best_pipeline` picks the levels and distances of least
   dynamic qubit-round volume whose output error is at most ``target`` (up to ``max_levels`` levels). The two
   baselines are evaluated on the same distances, as in the paper's Table 3.
3. Pareto point. On the dynamic front of those distances: ``volume`` takes the point of least ``Q T``,
   ``time`` the fastest, ``qubits`` the fastest that fits ``qubit_budget`` (the smallest without one). A
   qubit budget (physical qubits of one pipeline copy) also restricts ``volume`` and ``time``.
4. Program. The program runs one timeline layer per ``layer_time_us`` (default: one logical cycle, ``d``
   rounds, at the program's distance -- Litinski's Pauli-based computation, where Cliffords cost no time).
   Its data patches are ``2n + ceil(sqrt(8n)) + 1`` for ``n`` logical qubits (Litinski's fast block, Eq. D1
   of Beverland et al. 2022) at the least odd distance ``d`` with ``patches x cycles x p_L(d)`` within the
   logical share of the budget.
5. Copies. Each architecture is sized by Eq. 14 and by the timeline (:mod:`magicpipe.passes.supply`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from magicpipe.compiler import FIFTEEN_TO_ONE, Hardware, Pipeline, parallel, patch_qubits, sequential
from magicpipe.errors import InfeasibleError, SpecError
from magicpipe.passes.demand import Demand
from magicpipe.passes.supply import Supply, eq14_copies, size_for_timeline, start_delay_needed

__all__ = ["OBJECTIVES", "MethodPlan", "Plan", "ProgramCost", "plan_distillation", "program_cost"]

OBJECTIVES = ("volume", "qubits", "time")
_MAX_PROGRAM_DISTANCE = 201


@dataclass(frozen=True, slots=True)
class ProgramCost:
    """The program's own data qubits and running time.

    Attributes:
        distance: code distance of its data patches.
        patches: logical patches, routing space included.
        data_qubits: physical qubits of those patches.
        layers: timeline layers (the T-depth).
        layer_rounds: stabilizer rounds per layer.
        runtime_rounds: ``layers * layer_rounds``.
        logical_error: ``patches x cycles x p_L(distance)``.
    """

    distance: int
    patches: int
    data_qubits: int
    layers: int
    layer_rounds: float
    runtime_rounds: float
    logical_error: float


def program_cost(logical_qubits: int, layers: int, budget: float, hardware: Hardware,
                 layer_time_us: float | None = None) -> ProgramCost:
    """Distance, qubits and runtime of the program's data (step 4 of the module docstring).

    Examples:
        >>> pc = program_cost(10, 100, 1e-3 / 3, Hardware())
        >>> pc.distance, pc.patches, pc.data_qubits, pc.runtime_rounds
        (5, 30, 1470, 500.0)
    """
    n = max(logical_qubits, 1)
    patches = 2 * n + math.ceil(math.sqrt(8 * n)) + 1
    for d in range(3, _MAX_PROGRAM_DISTANCE + 1, 2):
        tau = float(d) if layer_time_us is None else layer_time_us * 1000.0 / hardware.t_stab_ns
        cycles = max(layers, 1) * tau / d
        err = patches * cycles * hardware.logical_error(d)
        if err <= budget:
            return ProgramCost(d, patches, patches * patch_qubits(d), layers, tau, layers * tau, err)
    raise InfeasibleError(
        f"no code distance up to {_MAX_PROGRAM_DISTANCE} keeps the program's {patches} patches over "
        f"{layers} layers within the logical error budget {budget:.3g}; raise the budget or lower p"
    )


@dataclass(frozen=True, slots=True)
class MethodPlan:
    """One architecture's figures for the program (a row of the paper's Table 3, and more).

    Attributes:
        method: ``"dynamic"``, ``"sequential"`` or ``"parallel"``.
        qubits: physical qubits of one pipeline copy.
        rounds: rounds per top-level state of one copy.
        detail: ``buffer_slots`` of the dynamic point, or the baseline's copies per level.
        eq14: copies by Eq. 14 (the paper's Table 3 sizing).
        timeline: copies and output buffer sized for the timeline.
        eq14_delay_rounds: rounds the program would wait, beyond the first run, with Eq. 14's copies.
        within_budget: whether one copy fits the qubit budget (always True without one).
    """

    method: str
    qubits: int
    rounds: float
    detail: tuple[int, ...]
    eq14: Supply
    timeline: Supply
    eq14_delay_rounds: float
    within_budget: bool = True

    @property
    def saved_qubits(self) -> int:
        """Qubits the timeline sizing saves against Eq. 14 (negative when the timeline needs more)."""
        return self.eq14.qubits - self.timeline.qubits


@dataclass(frozen=True, slots=True)
class Plan:
    """The distillation plan of one program; ``methods`` is empty when it needs no magic state."""

    t_count: int
    budgets: tuple[float, float, float]
    target_error: float
    hardware: Hardware
    distances: tuple[int, ...]
    output_error: float
    objective: str
    qubit_budget: int | None
    program: ProgramCost
    methods: tuple[MethodPlan, ...]
    max_wait_rounds: float = 0.0

    def method(self, name: str) -> MethodPlan:
        """The figures of one architecture."""
        for m in self.methods:
            if m.method == name:
                return m
        raise SpecError(f"no plan for method {name!r}; planned: {[m.method for m in self.methods]}")

    @property
    def needs_factories(self) -> bool:
        return bool(self.methods)

    def us(self, rounds: float) -> float:
        """Rounds to microseconds on this plan's hardware."""
        return self.hardware.rounds_to_us(rounds)


def _check(objective: str, qubit_budget: int | None, layer_time_us: float | None, hardware: Hardware) -> None:
    if objective not in OBJECTIVES:
        raise SpecError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if qubit_budget is not None and (isinstance(qubit_budget, bool) or not isinstance(qubit_budget, int)
                                     or qubit_budget <= 0):
        raise SpecError(f"qubit budget must be a positive integer (physical qubits), got {qubit_budget!r}")
    if layer_time_us is not None and not layer_time_us > 0:
        raise SpecError(f"layer time must be positive (us), got {layer_time_us!r}")
    threshold = FIFTEEN_TO_ONE.threshold()
    if hardware.eps >= threshold:
        raise SpecError(
            f"raw magic-state error eps={hardware.eps:.3g} is at or above the 15-to-1 distillation threshold "
            f"{threshold:.4g}: no number of levels improves it; lower eps"
        )


def _choose(front, objective: str, qubit_budget: int | None):
    points = list(front.points)
    if qubit_budget is not None:
        points = [p for p in points if p.qubits <= qubit_budget]
        if not points:
            front.within_budget(qubit_budget)  # raises InfeasibleError naming the smallest budget
    if objective == "volume":
        return min(points, key=lambda p: (p.volume, p.qubits))
    if objective == "time" or qubit_budget is not None:
        return min(points, key=lambda p: (p.rounds, p.qubits))
    return min(points, key=lambda p: (p.qubits, p.rounds))


def _dynamic(pipeline: Pipeline, objective: str, qubit_budget: int | None, target: float) -> tuple[int, float, tuple[int, ...]]:
    if len(pipeline.levels) == 1:  # one factory fed raw states: nothing to schedule, every architecture agrees
        lv = pipeline.levels[0]
        if qubit_budget is not None and lv.qubits > qubit_budget:
            raise InfeasibleError(
                f"qubit budget {qubit_budget} is below one level-1 factory at d={lv.factory.distance} "
                f"({lv.qubits} qubits); raise it to at least that"
            )
        return lv.qubits, float(lv.rounds), (0,)
    from magicpipe.compiler.pareto import pareto_front

    # only configurations whose output error still meets the target once their buffered states' storage
    # decay is charged (magicpipe.compiler.decay): long waits in large buffers are ruled out
    point = _choose(pareto_front(pipeline, max_output_error=target), objective, qubit_budget)
    return point.qubits, float(point.rounds), (point.buffer_slots,)


def _sized(method: str, qubits: int, rounds: float, detail, demand: Demand, program: ProgramCost,
           slot: int, qubit_budget: int | None, max_wait: float) -> MethodPlan:
    tl = demand.timeline
    c14 = eq14_copies(demand.t_count, program.runtime_rounds, rounds)
    head = max(rounds, start_delay_needed(tl, c14, program.layer_rounds, rounds))  # when its copies let it start
    eq14 = Supply("eq14", c14, 0, c14 * qubits, head)
    timed = size_for_timeline(tl, program.layer_rounds, rounds, qubits, slot, max_wait)
    delay = head - rounds
    fits = qubit_budget is None or qubits <= qubit_budget
    return MethodPlan(method, qubits, rounds, tuple(detail), eq14, timed, delay, fits)


def plan_distillation(
    demand: Demand,
    hardware: Hardware = Hardware(),
    objective: str = "volume",
    qubit_budget: int | None = None,
    layer_time_us: float | None = None,
    max_levels: int = 3,
    max_wait_us: float = 0.0,
) -> Plan:
    """Plan the distillation pipelines that feed ``demand`` (module docstring, steps 1-5).

    Args:
        demand: the program's demand (its ``budget`` is the error budget).
        hardware: physical error rates and gate times.
        objective: ``"volume"``, ``"qubits"`` or ``"time"``.
        qubit_budget: physical qubits one dynamic pipeline copy may use.
        layer_time_us: time of one timeline layer in microseconds (default one logical cycle).
        max_levels: most distillation levels to consider.
        max_wait_us: how much later than one pipeline run the program may start, in microseconds, so that
            fewer copies fill a buffer first (timeline sizing only; default 0, no slowdown).

    Returns:
        The :class:`Plan`.

    Raises:
        SpecError: a bad objective, budget, layer time, or a raw error above the distillation threshold.
        InfeasibleError: no pipeline of up to ``max_levels`` levels reaches the per-state target; a qubit
            budget below the smallest pipeline.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from magicpipe.passes import count_demand
        >>> qc = QuantumCircuit(2); _ = qc.t(0); _ = qc.cx(0, 1); _ = qc.t(1)
        >>> plan = plan_distillation(count_demand(qc), Hardware(p=1e-3, eps=1e-3), max_levels=2)
        >>> plan.t_count, plan.target_error, plan.distances
        (2, 0.00025, (5,))
        >>> [(m.method, m.eq14.copies, m.timeline.copies) for m in plan.methods]
        [('dynamic', 2, 2), ('sequential', 2, 2), ('parallel', 2, 2)]
    """
    _check(objective, qubit_budget, layer_time_us, hardware)
    if not max_wait_us >= 0:
        raise SpecError(f"the longest wait must be >= 0 us, got {max_wait_us!r}")
    wait = max_wait_us * 1000.0 / hardware.t_stab_ns
    b_log, b_dist, b_syn = demand.budget.split(demand.rotations > 0 or demand.presynthesized)
    program = program_cost(demand.logical_qubits, demand.t_depth, b_log, hardware, layer_time_us)
    if demand.t_count == 0:
        return Plan(0, (b_log, b_dist, b_syn), 1.0, hardware, (), 0.0, objective, qubit_budget, program, (), wait)
    target = b_dist / demand.t_count
    from magicpipe.compiler.search import best_pipeline

    if isinstance(max_levels, bool) or not isinstance(max_levels, int) or max_levels < 1:
        raise SpecError(f"max_levels must be a positive integer, got {max_levels!r}")
    pipeline = best_pipeline(target, hardware, method="dynamic", levels=tuple(range(1, max_levels + 1)),
                             storage_decay=True).pipeline
    slot = patch_qubits(pipeline.levels[-1].factory.distance)
    q, t, detail = _dynamic(pipeline, objective, qubit_budget, target)
    rows = [_sized("dynamic", q, t, detail, demand, program, slot, qubit_budget, wait)]
    for name, base in (("sequential", sequential), ("parallel", parallel)):
        cost = base(pipeline)
        rows.append(_sized(name, cost.qubits, float(cost.rounds), cost.copies, demand, program, slot, qubit_budget,
                           wait))
    return Plan(demand.t_count, (b_log, b_dist, b_syn), target, hardware, pipeline.distances,
                pipeline.output_error, objective, qubit_budget, program, tuple(rows), wait)
