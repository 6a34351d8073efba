"""From logical counts to the whole-program plan: :func:`plan_counts` and :class:`Compilation`.

Steps:

1. Demand. The counts' layers (their own timeline, or the estimator's conventions) and the per-state target,
   ``distillation share / states`` (:func:`~magicpipe.compiler.program.program_demand`).
2. Sources. The factory catalogue's entries that meet the target (unless ``catalogue=False``), and the
   least-volume distillation pipeline that meets the target (storage decay charged) and the
   next few distance sequences by the dynamic volume bound, each offered as every point of its dynamic front
   run continuously, and as the sequential and parallel baselines (:mod:`~magicpipe.compiler.feeds`); plus any
   extra sources the caller offers (a factory catalogue).
3. Fronts. The program's (physical qubits, runtime) front over the dynamic sources (and the extra ones), and
   one front per baseline on the same program (:func:`~magicpipe.compiler.program.plan_program`).
4. Choice. ``objective`` (``volume``, ``qubits`` or ``runtime``) within ``max_physical_qubits`` and
   ``max_runtime_us``; each baseline's point is chosen by the same rule, so the three answer the same question.

Eq. 14 (the paper's copy count, ``ceil(M / floor(T_prog / T))``) is reported for the chosen source as the
textbook sizing; it is not a plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from contextlib import suppress
from dataclasses import dataclass, field, replace
from collections.abc import Sequence

from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.copies import eq14_copies
from magicpipe.compiler.counts import LogicalCounts
from magicpipe.compiler.feeds import METHODS, candidate_sources
from magicpipe.compiler.hardware import Hardware
from magicpipe.compiler.program import (
    OBJECTIVES,
    ProgramDemand,
    ProgramFront,
    ProgramPoint,
    non_dominated,
    plan_program,
    program_demand,
)
from magicpipe.compiler.protocols import FIFTEEN_TO_ONE
from magicpipe.compiler.shares import search_target, share_front, synthesis_choices
from magicpipe.compiler.source import Source
from magicpipe.compiler.synthesis import SYNTHESIS_MODELS, SynthesisModel
from magicpipe.errors import InfeasibleError, MagicpipeError, SpecError

if TYPE_CHECKING:
    from magicpipe.compiler.pipeline import Pipeline
    from magicpipe.compiler.sensitivity import Sensitivity

__all__ = ["Compilation", "plan_counts", "replan", "plan_sensitivity", "PLAN_SCHEMA"]

PLAN_SCHEMA = "magicpipe.plan/2"


@dataclass(frozen=True, slots=True)
class Compilation:
    """A whole-program plan: the demand, the front, the chosen point with its schedule, and the baselines.

    Attributes:
        counts: the program's logical counts.
        demand: layers, states and error shares.
        hardware: physical parameters and error model.
        budget: the error budget.
        front: the (physical qubits, runtime) front of the dynamic pipeline (and any extra sources).
        chosen: the chosen point of ``front``.
        baselines: ``(method, front, chosen point or None)`` for the sequential and parallel pipelines.
        objective: how the point was chosen; ``constraints`` the bounds it was chosen within.
        pipeline_distances: the distillation pipeline's distances per level (empty without states).
        circuit: the circuit's own demand record when the program was a circuit.
    """

    counts: LogicalCounts
    demand: ProgramDemand
    hardware: Hardware
    budget: ErrorBudget
    front: ProgramFront
    chosen: ProgramPoint
    baselines: tuple[tuple[str, ProgramFront | None, ProgramPoint | None], ...]
    objective: str
    constraints: tuple[int | None, float | None]
    pipeline_distances: tuple[int, ...] = ()
    circuit: dict[str, Any] = field(default_factory=dict)
    options: tuple[tuple[str, object], ...] = ()

    def __repr__(self) -> str:
        c = self.chosen
        return (f"Compilation(t_count={self.demand.t_states}, chosen={c.source.name!r}, copies={c.copies}, "
                f"physical_qubits={c.physical_qubits}, runtime_us={c.runtime_us:g}, front={len(self.front.points)})")

    @property
    def chosen_index(self) -> int:
        return self.front.points.index(self.chosen)

    def baseline(self, method: str) -> ProgramPoint | None:
        for name, _, pt in self.baselines:
            if name == method:
                return pt
        raise SpecError(f"no baseline {method!r}; planned: {[n for n, _, _ in self.baselines]}")

    def eq14(self) -> dict[str, Any]:
        """The paper's Eq. 14 copies for the chosen source, at the program's no-wait runtime."""
        c = self.chosen
        if not self.demand.t_states:
            return {"copies": 0}
        floor_rounds = self.demand.timeline.layers * c.data.layer_rounds
        if c.ccz_source is not None:  # Eq. 14 sizes one source; a mixed point has two (compiler/mixed.py)
            return {"copies": c.copies, "ccz_copies": c.ccz_copies, "note": "mixed T + CCZ supply: the planned copies"}
        return {"copies": eq14_copies(self.demand.t_states, floor_rounds, c.source.period_rounds),
                "program_rounds": floor_rounds, "period_rounds": c.source.period_rounds}

    def to_dict(self) -> dict[str, Any]:
        """plan.json (schema ``magicpipe.plan/2``)."""
        hw = self.hardware

        def front(f: ProgramFront | None) -> list[dict[str, Any]]:
            return [] if f is None else [p.info(hw) for p in f.points]

        baselines = {}
        for name, f, pt in self.baselines:
            baselines[name] = {"front": front(f), "chosen": None if (f is None or pt is None) else f.points.index(pt)}
        model = hw.model
        return {
            "schema": PLAN_SCHEMA,
            "counts": self.counts.to_dict(),
            "demand": {**self.demand.info(), "timeline": self.demand.timeline.to_dict(),
                       **({"circuit": self.circuit} if self.circuit else {})},
            "error_budget": self.budget.to_dict(),
            "error_budget_asked": dict(self.options).get("budget_asked", self.budget.to_dict()),
            "error_model": model.info(),
            "hardware": {"p": hw.p, "eps": hw.eps, "t_2q_ns": hw.t_2q_ns, "t_meas_ns": hw.t_meas_ns,
                         "t_stab_ns": hw.t_stab_ns},
            "objective": self.objective,
            "options": dict(self.options),
            "constraints": {"max_physical_qubits": self.constraints[0], "max_runtime_us": self.constraints[1]},
            "pipeline_distances": list(self.pipeline_distances),
            "front": front(self.front),
            "chosen": self.chosen_index,
            "baselines": baselines,
            "eq14": self.eq14(),
        }


def _choose(front: ProgramFront, objective: str, bounds: tuple[int | None, float | None]) -> ProgramPoint | None:
    try:
        return front.choose(objective, *bounds)
    except InfeasibleError:
        return None


def plan_counts(
    counts: LogicalCounts,
    hardware: Hardware = Hardware(),
    budget: ErrorBudget | float = 1e-3,
    *,
    objective: str = "volume",
    max_physical_qubits: int | None = None,
    max_runtime_us: float | None = None,
    max_levels: int = 3,
    pipelines: int = 3,
    storage_decay: bool = True,
    grow_slots: bool = True,
    catalogue: bool = True,
    budget_search: bool = True,
    reserve_synthesis: bool = False,
    layout: str = "fast",
    synthesis: SynthesisModel | str = "azure",
    synthesis_error: float | None = None,
    toffoli_t: int = 4,
    extra_sources: Sequence[Source] = (),
    baselines: Sequence[str] = ("sequential", "parallel"),
    circuit: dict[str, Any] | None = None,
    handoff: bool = True,
) -> Compilation:
    """Plan the whole program of ``counts`` (module docstring, steps 1-4).

    Args:
        counts: the program's logical counts (with a timeline when counted from a circuit).
        hardware: physical error rates, gate times and error model.
        budget: the error budget (a total, or an :class:`~magicpipe.compiler.budget.ErrorBudget` with shares).
        objective: ``"volume"`` (least qubits x runtime), ``"qubits"`` or ``"runtime"``.
        max_physical_qubits: the most physical qubits the whole program may use.
        max_runtime_us: the longest runtime allowed, in microseconds.
        max_levels: most distillation levels.
        pipelines: distance sequences offered per method: the least-volume dynamic one and the next ones by
            the dynamic volume bound.
        storage_decay: charge the storage decay of buffered states to dynamic points (off: the nominal
            output error, as the baselines and the resource estimators assume).
        grow_slots: with ``storage_decay``, a dynamic configuration whose decay misses the per-state target may
            hold its states in buffer slots at a higher distance, its qubits charged
            (:func:`~magicpipe.compiler.pareto.pareto_front`); off: such configurations are dropped.
        catalogue: offer the factory catalogue (Litinski's asymmetric blocks, 20-to-4, magic-state cultivation;
            :mod:`~magicpipe.compiler.catalogue_search`) beside the dynamic pipeline in the main front.
        budget_search: when the budget has the default thirds, share it per point instead
            (:mod:`~magicpipe.compiler.shares`: each factory takes the distillation share it uses, the data block
            the rest, over the T counts per rotation worth trying); each point records its shares.
        reserve_synthesis: keep (and charge) the synthesis share although the counts have no rotation left:
            the circuit's rotations were synthesised before it was counted.
        layout: the data block's layout (``fast``, ``intermediate``, ``compact``).
        synthesis: T states per rotation for counts without a timeline.
        synthesis_error: the synthesis error a counted circuit already used (charged to the plan).
        toffoli_t: T states per Toffoli-class gate for counts without a timeline.
        extra_sources: more sources to offer the planner (e.g. a factory catalogue).
        baselines: the baseline methods to plan on the same program.
        circuit: the circuit's own demand record, kept in the plan.
        handoff: charge each factory copy the move of each state into its port (``d`` rounds at the output
            patch's distance, as the stream moves it); off: the estimators' convention.

    Raises:
        SpecError: a bad objective, bound or option.
        InfeasibleError: no factory reaches the per-state target, or no point meets the bounds.

    Examples:
        >>> c = plan_counts(LogicalCounts(10, t_count=1000), Hardware(p=1e-3, eps=1e-3), 1e-3)
        >>> c.demand.t_states, c.pipeline_distances, c.chosen.physical_qubits > c.chosen.data_qubits
        (1000, (11,), True)
    """
    if objective == "time":
        objective = "runtime"
    if objective not in OBJECTIVES:
        raise SpecError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if max_physical_qubits is not None and (isinstance(max_physical_qubits, bool)
                                            or not isinstance(max_physical_qubits, int) or max_physical_qubits <= 0):
        raise SpecError(f"max_physical_qubits must be a positive integer, got {max_physical_qubits!r}")
    if max_runtime_us is not None and not (
        isinstance(max_runtime_us, (int, float)) and 0 < max_runtime_us < float("inf")
    ):
        raise SpecError(f"max_runtime_us must be a positive finite number of microseconds, got {max_runtime_us!r}")
    if not isinstance(budget, ErrorBudget):
        budget = ErrorBudget(budget)
    if isinstance(synthesis, str):
        synthesis = SYNTHESIS_MODELS[synthesis] if synthesis in SYNTHESIS_MODELS else _model(synthesis)
    threshold = FIFTEEN_TO_ONE.threshold()
    if hardware.eps >= threshold:
        raise SpecError(f"raw magic-state error eps={hardware.eps:.3g} is at or above the 15-to-1 distillation "
                        f"threshold {threshold:.4g}: no number of levels improves it; lower eps")
    bounds = (max_physical_qubits, max_runtime_us)
    options = (("max_levels", max_levels), ("pipelines", pipelines), ("storage_decay", storage_decay),
               ("grow_slots", grow_slots), ("catalogue", catalogue), ("budget_search", budget_search),
               ("reserve_synthesis", reserve_synthesis), ("layout", layout), ("synthesis", synthesis.name),
               ("synthesis_a", synthesis.a), ("synthesis_b", synthesis.b), ("toffoli_t", toffoli_t),
               ("synthesis_error", synthesis_error), ("baselines", list(baselines)),
               ("budget_asked", budget.to_dict()), ("handoff", handoff))
    plans = []
    demands = []
    for b in _budgets(budget, counts, synthesis, budget_search):
        demand = replace(program_demand(counts, b, synthesis, toffoli_t, reserve_synthesis), handoff=handoff)
        if synthesis_error is not None:  # what the circuit's synthesis used (a reserved share stays charged)
            demand = replace(demand, synthesis_error=max(synthesis_error, demand.synthesis_error))
        demands.append((b, demand))
    # the caller's split alone plans at its own target; when the shares are searched (compiler/shares.py), every
    # searched demand shares the sources of two targets: the caller's and the one that lets the data block run
    # at its least distance, so factories are searched twice however many demands are tried
    searched = len(demands) > 1 and demands[0][1].t_states > 0
    fast = (search_target([d for _, d in demands[1:]], budget.total, hardware, layout, demands[0][1].target / 10)
            if searched else None)
    targets = tuple(dict.fromkeys(t for t in (demands[0][1].target, fast) if t is not None))
    for b, demand in demands[1:] if searched else demands[:1]:
        try:
            plans.append((b, demand) + _plan_one(demand, hardware, max_levels, pipelines, storage_decay, catalogue,
                                                 layout, extra_sources, baselines,
                                                 targets if searched else (demand.target,),
                                                 budget.total if searched else None, grow_slots))
        except InfeasibleError:
            continue
    if not plans:  # the caller's own split must plan, or say why it cannot
        searched = False
        b, demand = demands[0]
        plans.append((b, demand) + _plan_one(demand, hardware, max_levels, pipelines, storage_decay, catalogue,
                                             layout, extra_sources, baselines, (demand.target,),
                                             grow_slots=grow_slots))
    first_budget, first_demand, pipe, front0, _ = plans[0]
    evaluated = sum(p[3].evaluated for p in plans)
    front = ProgramFront(first_demand, hardware, non_dominated([pt for p in plans for pt in p[3].points]), evaluated)
    chosen = front.choose(objective, *bounds)
    own = next(p for p in plans if chosen in p[3].points)
    base: list[tuple[str, ProgramFront | None, ProgramPoint | None]] = []
    for i, m in enumerate(baselines):
        fronts = cast("list[ProgramFront]", [p[4][i] for p in plans if p[4][i] is not None])
        if not fronts:
            base.append((m, None, None))
            continue
        bf = ProgramFront(first_demand, hardware, non_dominated([pt for f in fronts for pt in f.points]),
                          sum(f.evaluated for f in fronts))
        base.append((m, bf, _choose(bf, objective, bounds)))
    distances = own[2].distances if own[2] is not None else ()
    own_budget, own_demand = own[0], own[1]
    if searched and chosen.budgets[1] > 0:  # the chosen point's own shares (compiler/shares.py)
        per_state = (chosen.source.output_error if chosen.ccz_source is None
                     else chosen.budgets[1] / max(own_demand.t_states, 1))
        own_demand = replace(own_demand, budgets=chosen.budgets, target=per_state)
        own_budget = ErrorBudget(budget.total, *(x / sum(chosen.budgets) for x in chosen.budgets))
    front = replace(front, demand=own_demand)
    return Compilation(counts, own_demand, hardware, own_budget, front, chosen, tuple(base), objective, bounds,
                       distances, circuit or {}, options)


def _budgets(budget: ErrorBudget, counts: LogicalCounts, synthesis: SynthesisModel, search: bool
             ) -> list[ErrorBudget]:
    """The caller's budget, and when it has the default thirds the budgets whose shares are searched point by
    point (:mod:`~magicpipe.compiler.shares`): one per T count per rotation worth trying when the counts'
    rotations are still to be synthesised (its synthesis share that count's error; the other two shares are
    placeholders, each point takes its own), else the caller's budget again (the program is fixed; its
    synthesis error, if any, stays charged)."""
    if not search or budget != ErrorBudget(budget.total):
        return [budget]
    rotations = counts.rotation_count if counts.timeline is None else 0
    if not rotations:
        return [budget, budget]
    keep = synthesis.rotation_t_count(budget.total * budget.synthesis / rotations)
    return [budget] + [ErrorBudget(budget.total, (1 - s) / 2, (1 - s) / 2, s)
                       for _, err in synthesis_choices(rotations, budget.total, synthesis, keep)
                       for s in (err / budget.total,)]


def _plan_one(demand: ProgramDemand, hardware: Hardware, max_levels: int, pipelines: int, storage_decay: bool,
              catalogue: bool, layout: str, extra_sources: Sequence[Source], baselines: Sequence[str],
              targets: Sequence[float] = (), shared: float | None = None, grow_slots: bool = True
              ) -> tuple[Pipeline | None, ProgramFront, tuple[ProgramFront | None, ...]]:
    """The pipeline, the main front and the baselines' fronts for one budget split.

    Sources are searched at ``targets`` (default: the split's own per-state target); a source found for a
    tighter target serves a looser one too (:func:`plan_program` keeps those that meet the split's target).
    With ``shared`` (the total budget) each source is planned with the shares it uses instead
    (:func:`~magicpipe.compiler.shares.share_front`). ``grow_slots``: see :func:`plan_counts`.
    """

    memo: dict[int, tuple[Source, ProgramFront | None]] = {}  # a source's front, once for the main and baseline fronts

    def plan(srcs: Sequence[Source]) -> ProgramFront:
        if shared is not None:
            return share_front(demand, srcs, shared, hardware, layout, schedules, memo)
        return plan_program(demand, srcs, hardware, layout, schedules)

    if demand.t_states == 0:
        return None, plan_program(demand, (), hardware, layout), tuple(None for _ in baselines)
    wanted = ("dynamic",) + tuple(m for m in baselines if m in METHODS and m != "dynamic")
    pipe = None
    sources: list[Source] = []
    schedules: dict[str, object] = {}
    catalogued: list[Source] = []
    for target in targets or (demand.target,):
        try:
            best, found, sch = candidate_sources(target, hardware, max_levels, pipelines, wanted, storage_decay,
                                                 grow_slots)
        except InfeasibleError:
            if target == demand.target:
                raise
            continue
        pipe = pipe or best
        sources += [s for s in found if s.name not in schedules and s not in sources]
        schedules.update(sch)
        if catalogue:
            from magicpipe.compiler.catalogue_search import catalogue_sources

            from magicpipe.compiler.dyncat import dynamic_catalogue_sources

            with suppress(MagicpipeError):  # no catalogue entry meets the target: the pipelines alone
                catalogued += [s for s in catalogue_sources(hardware, target) if s not in catalogued]
            with suppress(MagicpipeError):  # the same catalogue levels, scheduled dynamically (compiler/dyncat.py)
                catalogued += [s for s in dynamic_catalogue_sources(hardware, target) if s not in catalogued]
            if demand.kinds is not None:  # CCZ factories for the Toffolis (compiler/mixed.py)
                from magicpipe.compiler.mixed import ccz_target

                with suppress(MagicpipeError):
                    catalogued += [s for s in catalogue_sources(hardware, ccz_target(demand, target), ("CCZ",))
                                   if s not in catalogued]
    main = [s for s in sources if s.method in ("dynamic", "single")] + list(extra_sources) + catalogued
    front = plan(main)
    base: list[ProgramFront | None] = []
    for m in baselines:
        own = [s for s in sources if s.method in (m, "single")]
        try:
            base.append(plan(own))
        except MagicpipeError:
            base.append(None)
    return pipe, front, tuple(base)


def replan(plan: dict[str, Any], hardware: Hardware) -> Compilation:
    """The :class:`Compilation` a plan.json dict was written from, planned again (the planner is deterministic).

    ``hardware`` is the plan's hardware, error model included (the caller rebuilds it from ``plan``).

    Raises:
        SpecError: a dict that is not a ``magicpipe.plan/2`` plan.
    """
    if not isinstance(plan, dict) or plan.get("schema") != PLAN_SCHEMA:
        raise SpecError(
            f"not a {PLAN_SCHEMA} plan (schema {plan.get('schema') if isinstance(plan, dict) else None!r}); "
            f"write it again with magicpipe compile"
        )
    try:
        from magicpipe.compiler.layers import DemandTimeline

        opts = plan["options"]
        demand = plan["demand"]
        timeline = None if demand["layers_derived_from_counts"] else DemandTimeline.from_dict(demand["timeline"])
        ccz = DemandTimeline.from_dict(demand["ccz_timeline"]) if timeline and "ccz_timeline" in demand else None
        counts = replace(LogicalCounts.from_dict(plan["counts"]), timeline=timeline, ccz_timeline=ccz)
        b = plan["error_budget_asked"]
        budget = ErrorBudget(b["total"], b["logical"], b["distillation"], b["synthesis"])
        model = SynthesisModel(opts["synthesis"], opts["synthesis_a"], opts["synthesis_b"])
        bounds = plan["constraints"]
        return plan_counts(counts, hardware, budget, objective=plan["objective"],
                           max_physical_qubits=bounds["max_physical_qubits"], max_runtime_us=bounds["max_runtime_us"],
                           max_levels=opts["max_levels"], pipelines=opts["pipelines"],
                           storage_decay=opts["storage_decay"], grow_slots=opts.get("grow_slots", False),
                           catalogue=opts["catalogue"],
                           budget_search=opts["budget_search"], reserve_synthesis=opts["reserve_synthesis"],
                           layout=opts["layout"],
                           synthesis=model,
                           synthesis_error=opts["synthesis_error"], toffoli_t=opts["toffoli_t"],
                           baselines=tuple(opts["baselines"]), circuit=demand.get("circuit"),
                           handoff=opts.get("handoff", True))
    except (KeyError, TypeError) as e:
        raise SpecError(f"plan is missing {e}; write it again with magicpipe compile") from None


def _model(spec: str) -> SynthesisModel:
    from magicpipe.compiler.synthesis import get_synthesis_model

    return get_synthesis_model(spec)


def plan_sensitivity(comp: Compilation, plan: dict[str, Any] | None = None) -> Sensitivity:
    """The plan made again at the pessimistic edge of its error model, compared with the plan.

    The choice compared is the chosen point's factory (name, distances), copies and data distance; the nominal
    point's own figures under the edge (its data block's logical error against its share, and for a pipeline its
    output error against the per-state target and each level's success probability) are given beside.
    """
    from magicpipe.compiler.pipeline import Pipeline
    from magicpipe.compiler.sensitivity import sensitivity

    plan = plan if plan is not None else comp.to_dict()  # the caller's plan.json, when it has it

    def pick(c: Compilation) -> dict[str, Any]:
        p = c.chosen
        return {"factory": p.source.name, "distances": p.distances, "copies": p.copies,
                "data_distance": p.data.distance}

    def evaluate(hw: Hardware) -> dict[str, Any]:
        p = comp.chosen
        out: dict[str, Any] = {"data_logical_error": p.data.logical_error(p.runtime_rounds, hw),
                               "logical_budget": p.budgets[0]}
        if p.source.method in ("dynamic", "single", "sequential", "parallel") and p.distances:
            pipe = Pipeline.from_distances(p.distances, hw)
            out |= {"output_error": pipe.output_error, "target_error": comp.demand.target,
                    "success_probabilities": tuple(level.p_succ for level in pipe.levels)}
        return out

    # the baselines' fronts do not enter the chosen point (the main front is planned without them), so the edge
    # re-plan leaves them out: the same choice at about half the cost
    lean = dict(plan, options=dict(plan["options"], baselines=[]))
    return sensitivity(lambda hw: pick(replan(lean, hw)), comp.hardware, evaluate, pick(comp))
