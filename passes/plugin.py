"""The magicpipe passes as one pass manager, and as Qiskit's ``scheduling`` stage plugin ``"magicpipe"``.

``transpile(circuit, basis_gates=[...Clifford+T...], scheduling_method="magicpipe")`` runs Qiskit's own
Clifford+T stages (which synthesise every rotation into T gates at Qiskit's precision), then this plugin:
:class:`MagicStateDemand`, :class:`DistillationPlanner`, :class:`WriteMetadata`. The result is in the output
circuit's ``metadata["magicpipe_demand"]`` and ``metadata["magicpipe_plan"]``.

Stage plugins receive no free-form options, so the plugin always uses the defaults of
:func:`pass_manager`: error budget 1e-3, the paper's hardware (p = eps = 1e-4, T_2q = 50 ns, T_meas = 100
ns) with the project's default error model (``measured``, as on the command line), objective ``"volume"``, no
qubit budget, one logical cycle per layer, up to 3 levels, and no optimisation of its own (Qiskit's
``optimization_level`` already chose how much to optimise). For other settings build the stage yourself and
put it in place of the plugin's::

    pm = generate_preset_pass_manager(basis_gates=basis, optimization_level=2)
    pm.scheduling = magicpipe.passes.pass_manager(error_budget=1e-2, physical_error=1e-3)
"""

from __future__ import annotations

import dataclasses
from typing import Any

from qiskit.transpiler import PassManager
from qiskit.transpiler.preset_passmanagers.plugin import PassManagerStagePlugin

from magicpipe.compiler import ErrorModel, Hardware
from magicpipe.errors import SpecError
from magicpipe.passes.budget import ErrorBudget
from magicpipe.passes.demand import MagicStateDemand
from magicpipe.passes.planner import DistillationPlanner, WriteMetadata
from magicpipe.passes.rotations import resolve_method

__all__ = ["MagicpipeSchedulingPlugin", "pass_manager", "qiskit_synthesis"]


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
    synthesis: str = "auto",
    toffoli_t_cost: int = 4,
    optimization_level: int | None = None,
    presynthesized: bool = False,
    qiskit_synthesis_error: float | None = None,
    optimize_t: bool = False,
    **options: Any,
) -> PassManager:
    """Demand, plan and metadata passes with every option.

    Args:
        error_budget: total failure probability of the program, in (0, 1), or an :class:`ErrorBudget`.
        hardware: base hardware (default :class:`~magicpipe.compiler.Hardware`'s, the paper's Sec. 6); one
            that names no model (nor ``logical_model``) plans with the project's default, ``measured``.
        physical_error: overrides ``hardware.p`` (physical error per operation).
        magic_error: overrides ``hardware.eps`` (error of a raw injected magic state).
        logical_model: overrides ``hardware.model`` (an :class:`~magicpipe.compiler.ErrorModel`: p_L and the
            protocols' p_L coefficients; e.g. ``magicpipe.error_models.resolve_error_model('measured')``).
        synthesis: rotation cost: ``"auto"`` (the default model, ``"mixed-fallback"``), ``"azure"``,
            ``"gridsynth"``, ``"formula"``, ``"gridsynth-auto"`` or ``"a,b"`` (:mod:`magicpipe.passes.rotations`).
        toffoli_t_cost: T states per Toffoli-class gate: 4 (one ancilla and a measurement) or 7.
        optimization_level: when set (0-3), first rewrite the circuit with Qiskit's Clifford+RZ translation
            and optimisation stages at that level (at 2 and 3, ``T T T`` becomes ``S T``); the output circuit
            is the rewritten one.
        presynthesized: Qiskit synthesised the rotations before these passes (the plugin sets it).
        qiskit_synthesis_error: the per-rotation error Qiskit's synthesis used, when known.
        optimize_t: first reduce the T-count with pyzx (:mod:`magicpipe.passes.zx`; needs ``magicpipe[zx]``),
            keeping the rewrite only when it consumes fewer states under these settings.
        **options: the planner's options (:func:`~magicpipe.compiler.compilation.plan_counts`: ``objective``,
            ``max_physical_qubits``, ``max_runtime_us``, ``max_levels``, ``layout``, ...).

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
    changes = {
        k: v for k, v in (("p", physical_error), ("eps", magic_error), ("model", logical_model)) if v is not None
    }
    if changes:
        hw = dataclasses.replace(hw, **changes)
    budget = error_budget if isinstance(error_budget, ErrorBudget) else ErrorBudget(error_budget)
    resolve_method(synthesis, 0)  # an unknown model is reported here, when building
    if toffoli_t_cost not in (4, 7) or isinstance(toffoli_t_cost, bool):
        raise SpecError(f"toffoli_t_cost must be 4 (one ancilla and a measurement) or 7, got {toffoli_t_cost!r}")
    pm = PassManager()
    if optimization_level is not None:
        pm += _optimisation(optimization_level)
    if optimize_t:
        from magicpipe.passes.demand import count_demand
        from magicpipe.passes.zx import OptimizeT

        def states(circuit):
            return count_demand(circuit, budget, synthesis, toffoli_t_cost).t_count

        pm.append(OptimizeT(states=states))
    pm.append([
        MagicStateDemand(budget, synthesis, toffoli_t_cost, presynthesized, qiskit_synthesis_error),
        DistillationPlanner(hw, **{"toffoli_t": toffoli_t_cost, **options}),
        WriteMetadata(),
    ])
    return pm


class MagicpipeSchedulingPlugin(PassManagerStagePlugin):
    """``scheduling_method="magicpipe"``: :func:`pass_manager` with its defaults (module docstring)."""

    def pass_manager(self, pass_manager_config, optimization_level=None) -> PassManager:
        presynthesized, eps = qiskit_synthesis(pass_manager_config)
        return pass_manager(presynthesized=presynthesized, qiskit_synthesis_error=eps)


_ROTATION_GATES = ("rz", "rx", "ry", "p", "u", "u1", "u2", "u3", "r", "crz", "cp", "rzz", "rxx", "ryy")


def qiskit_synthesis(config) -> tuple[bool, float | None]:
    """Whether Qiskit's stages synthesised rotations before the plugin, and the per-rotation error it used.

    Rotations survive to the scheduling stage only when the basis has a rotation gate; a basis without one
    (the Clifford+T path) means Qiskit's ``SynthesizeRZRotations`` turned every arbitrary rotation into T
    gates. The error it used is known when the caller gave it: ``rz_synthesis_config["rz_synthesis_error"]``,
    else ``1 - approximation_degree`` when that is below 1 (Qiskit's per-rotation allowance); otherwise Qiskit's
    own default applies, which its Python API does not state (None).

    Examples:
        >>> from types import SimpleNamespace as C
        >>> qiskit_synthesis(C(basis_gates=["h", "s", "cx", "t", "tdg"], approximation_degree=None))
        (True, None)
        >>> qiskit_synthesis(C(basis_gates=["h", "cx", "t", "rz"], approximation_degree=0.999))
        (False, None)
    """
    basis = getattr(config, "basis_gates", None)
    if basis is None and getattr(config, "target", None) is not None:
        basis = list(config.target.operation_names)
    if basis is None or any(g in _ROTATION_GATES for g in basis):
        return False, None
    rz_config = getattr(config, "rz_synthesis_config", None) or {}
    eps = rz_config.get("rz_synthesis_error")
    degree = getattr(config, "approximation_degree", None)
    if eps is None and degree is not None and degree < 1:
        eps = 1.0 - degree
    return True, eps
