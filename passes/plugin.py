"""The magicpipe passes as one pass manager, and as Qiskit's ``scheduling`` stage plugin ``"magicpipe"``.

``transpile(circuit, basis_gates=[...Clifford+T...], scheduling_method="magicpipe")`` runs Qiskit's own
Clifford+T stages (which synthesise every rotation into T gates at Qiskit's precision), then this plugin:
:class:`MagicStateDemand`, :class:`DistillationPlanner`, :class:`WriteMetadata`. The result is in the output
circuit's ``metadata["magicpipe_demand"]`` and ``metadata["magicpipe_plan"]``.

Stage plugins receive no free-form options, so the plugin always uses the defaults of
:func:`pass_manager`: error budget 1e-3, the paper's hardware (p = eps = 1e-4, T_2q = 50 ns, T_meas = 100
ns), objective ``"volume"``, no qubit budget, one logical cycle per layer, up to 3 levels, and no
optimisation of its own (Qiskit's ``optimization_level`` already chose how much to optimise). For other
settings build the stage yourself and put it in place of the plugin's::

    pm = generate_preset_pass_manager(basis_gates=basis, optimization_level=2)
    pm.scheduling = magicpipe.passes.pass_manager(error_budget=1e-2, physical_error=1e-3)
"""

from __future__ import annotations

import dataclasses

from qiskit.transpiler import PassManager
from qiskit.transpiler.preset_passmanagers.plugin import PassManagerStagePlugin

from magicpipe.compiler import ErrorModel, Hardware
from magicpipe.passes.budget import ErrorBudget
from magicpipe.passes.demand import MagicStateDemand
from magicpipe.passes.planner import DistillationPlanner, WriteMetadata

__all__ = ["MagicpipeSchedulingPlugin", "pass_manager"]


def _optimisation(level: int) -> PassManager:
    from qiskit.transpiler.passmanager_config import PassManagerCliffordTConfig
    from qiskit.transpiler.preset_passmanagers.builtin_plugins import (
        OptimizeCliffordRZPassManager,
        TranslateToCliffordRZPassManager,
    )

    config = PassManagerCliffordTConfig()
    return (TranslateToCliffordRZPassManager().pass_manager(config, level)
            + OptimizeCliffordRZPassManager().pass_manager(config, level))


def pass_manager(
    *,
    error_budget: float | ErrorBudget = 1e-3,
    hardware: Hardware | None = None,
    physical_error: float | None = None,
    magic_error: float | None = None,
    logical_model: ErrorModel | None = None,
    objective: str = "volume",
    qubit_budget: int | None = None,
    layer_time_us: float | None = None,
    synthesis: str = "auto",
    optimization_level: int | None = None,
    max_levels: int = 3,
    max_wait_us: float = 0.0,
) -> PassManager:
    """Demand, plan and metadata passes with every option.

    Args:
        error_budget: total failure probability of the program, in (0, 1), or an :class:`ErrorBudget`.
        hardware: base hardware (default :class:`~magicpipe.compiler.Hardware`'s, the paper's Sec. 6).
        physical_error: overrides ``hardware.p`` (physical error per operation).
        magic_error: overrides ``hardware.eps`` (error of a raw injected magic state).
        logical_model: overrides ``hardware.model`` (an :class:`~magicpipe.compiler.ErrorModel`: p_L and the
            protocols' p_L coefficients; e.g. ``magicpipe.error_models.resolve_error_model('measured')``).
        objective: ``"volume"``, ``"qubits"`` or ``"time"`` (:func:`~magicpipe.passes.plan_distillation`).
        qubit_budget: physical qubits of one dynamic pipeline copy.
        layer_time_us: microseconds per timeline layer (default one logical cycle of the program).
        synthesis: rotation cost, ``"auto"``, ``"gridsynth"`` or ``"formula"``.
        optimization_level: when set (0-3), first rewrite the circuit with Qiskit's Clifford+RZ translation
            and optimisation stages at that level (at 2 and 3, ``T T T`` becomes ``S T``); the output circuit
            is the rewritten one.
        max_levels: most distillation levels.
        max_wait_us: how much later than one pipeline run the program may start so that fewer copies fill
            a buffer first (timeline sizing only), in microseconds.

    Returns:
        A :class:`~qiskit.transpiler.PassManager`.

    Raises:
        SpecError: a budget outside (0, 1), a physical error at or above threshold, a bad option.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(1); _ = qc.t(0); _ = qc.t(0); _ = qc.t(0)
        >>> out = pass_manager(optimization_level=2).run(qc)
        >>> out.metadata["magicpipe_demand"]["t_count"]
        1
    """
    hw = hardware or Hardware()
    changes = {k: v for k, v in (("p", physical_error), ("eps", magic_error), ("model", logical_model)) if v is not None}
    if changes:
        hw = dataclasses.replace(hw, **changes)
    budget = error_budget if isinstance(error_budget, ErrorBudget) else ErrorBudget(error_budget)
    pm = PassManager()
    if optimization_level is not None:
        pm += _optimisation(optimization_level)
    pm.append([
        MagicStateDemand(budget, synthesis),
        DistillationPlanner(hw, objective, qubit_budget, layer_time_us, max_levels, max_wait_us),
        WriteMetadata(),
    ])
    return pm


class MagicpipeSchedulingPlugin(PassManagerStagePlugin):
    """``scheduling_method="magicpipe"``: :func:`pass_manager` with its defaults (module docstring)."""

    def pass_manager(self, pass_manager_config, optimization_level=None) -> PassManager:
        return pass_manager()
