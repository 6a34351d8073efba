"""A plan as JSON-able data (``plan.json``, circuit metadata) and as a short human summary."""

from __future__ import annotations

from magicpipe.passes.demand import Demand
from magicpipe.passes.plan import MethodPlan, Plan

__all__ = ["plan_to_dict", "summary"]


def _hardware(plan: Plan) -> dict:
    hw = plan.hardware
    return {"p": hw.p, "eps": hw.eps, "t_2q_ns": hw.t_2q_ns, "t_meas_ns": hw.t_meas_ns,
            "t_stab_ns": hw.t_stab_ns,
            "logical_error_model": {"A": hw.model.A, "p_th": hw.model.p_th, "source": hw.model.source},
            "error_model": hw.model.info()}


def _method(plan: Plan, m: MethodPlan) -> dict:
    data = plan.program.data_qubits
    runtime = plan.program.runtime_rounds

    def totals(qubits: int) -> dict:
        total = qubits + data
        return {"distillation_qubits": qubits, "total_qubits": total,
                "factory_ratio": qubits / total if total else 0.0}

    detail = {"buffer_slots": m.detail[0]} if m.method == "dynamic" else {"copies_per_level": list(m.detail)}
    return {
        "method": m.method,
        "qubits_per_copy": m.qubits,
        "rounds_per_state": m.rounds,
        "us_per_state": plan.us(m.rounds),
        "volume_per_state": m.qubits * m.rounds,
        **detail,
        "within_qubit_budget": m.within_budget,
        "eq14": {**m.eq14.to_dict(), **totals(m.eq14.qubits), "program_wait_rounds": m.eq14_delay_rounds,
                 "wall_clock_us": plan.us(m.eq14.head_start_rounds + runtime)},
        "timeline": {**m.timeline.to_dict(), **totals(m.timeline.qubits),
                     "wall_clock_us": plan.us(m.timeline.head_start_rounds + runtime)},
        "saved_qubits_vs_eq14": m.saved_qubits,
    }


def plan_to_dict(plan: Plan) -> dict:
    """Every figure of ``plan``, JSON-able (numbers, strings, lists, dicts).

    Keys: ``needs_factories``, ``message``, ``t_count``, ``error_budget`` (absolute shares),
    ``target_error_per_state``, ``hardware``, ``distances``, ``output_error``, ``objective``,
    ``qubit_budget``, ``max_wait_us``, ``program`` and ``methods`` (one dict per architecture with its Eq. 14
    and timeline sizings; ``head_start_rounds`` is when the program starts after the pipelines do, and
    ``wall_clock_us`` runs from the pipelines' start to the program's end).
    """
    pc = plan.program
    log, dist, syn = plan.budgets
    return {
        "needs_factories": plan.needs_factories,
        "message": message(plan),
        "t_count": plan.t_count,
        "error_budget": {"logical": log, "distillation": dist, "synthesis": syn},
        "target_error_per_state": plan.target_error if plan.needs_factories else None,
        "hardware": _hardware(plan),
        "distances": list(plan.distances),
        "output_error": plan.output_error if plan.needs_factories else None,
        "objective": plan.objective,
        "qubit_budget": plan.qubit_budget,
        "max_wait_us": plan.us(plan.max_wait_rounds),
        "program": {"distance": pc.distance, "patches": pc.patches, "data_qubits": pc.data_qubits,
                    "layers": pc.layers, "layer_rounds": pc.layer_rounds, "layer_us": plan.us(pc.layer_rounds),
                    "runtime_rounds": pc.runtime_rounds, "runtime_us": plan.us(pc.runtime_rounds),
                    "logical_error": pc.logical_error},
        "methods": [_method(plan, m) for m in plan.methods],
    }


def message(plan: Plan) -> str:
    """One sentence: what the program needs."""
    if not plan.needs_factories:
        return "the program consumes no magic states: no distillation factory is needed"
    dyn = plan.methods[0]
    return (f"{plan.t_count} magic states at error <= {plan.target_error:.2g} each: distances "
            f"{plan.distances}, {dyn.timeline.copies} dynamic pipeline copies")


def summary(plan: Plan, demand: Demand | None = None) -> str:
    """A few lines for a terminal."""
    lines = []
    if demand is not None:
        lines.append(
            f"demand: {demand.t_count} T states ({demand.t_gates} T gates, {demand.rotations} rotations "
            f"costing {demand.rotation_t_count}), T-depth {demand.t_depth}, {demand.logical_qubits} qubits"
        )
    pc = plan.program
    lines.append(f"program: distance {pc.distance}, {pc.data_qubits} data qubits, "
                 f"runtime {plan.us(pc.runtime_rounds):.4g} us")
    if not plan.needs_factories:
        lines.append(message(plan))
        return "\n".join(lines)
    lines.append(f"per-state target {plan.target_error:.3g}: distances {plan.distances}, "
                 f"output error {plan.output_error:.3g}")
    lines.append(f"{'method':<11}{'Q/copy':>8}{'us/state':>9} | {'Eq.14 copies':>12}{'qubits':>10}{'wait us':>9}"
                 f" | {'timeline copies':>15}{'buffer':>7}{'qubits':>10}{'start us':>9} | {'saved':>8}")
    for m in plan.methods:
        lines.append(f"{m.method:<11}{m.qubits:>8}{plan.us(m.rounds):>9.4g} | {m.eq14.copies:>12}{m.eq14.qubits:>10}"
                     f"{plan.us(m.eq14_delay_rounds):>9.4g} | {m.timeline.copies:>15}{m.timeline.buffer_states:>7}"
                     f"{m.timeline.qubits:>10}{plan.us(m.timeline.head_start_rounds):>9.4g} | {m.saved_qubits:>8}")
    return "\n".join(lines)
