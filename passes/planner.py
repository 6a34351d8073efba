"""The planning passes: :class:`DistillationPlanner` and :class:`WriteMetadata`, and
:func:`circuit_compilation`, the circuit route of :func:`magicpipe.compile`."""

from __future__ import annotations

import pathlib
from typing import Any

from qiskit.circuit import QuantumCircuit
from qiskit.transpiler import TranspilerError
from qiskit.transpiler.basepasses import AnalysisPass, TransformationPass

from magicpipe.compiler import Hardware
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.compilation import Compilation, plan_counts
from magicpipe.error_models import with_default_model
from magicpipe.errors import MagicpipeError, SpecError
from magicpipe.passes.demand import Demand

__all__ = ["DistillationPlanner", "WriteMetadata", "circuit_compilation", "plan_demand"]


def plan_demand(demand: Demand, hardware: Hardware, **options: Any) -> Compilation:
    """The whole-program plan of a counted circuit (:func:`magicpipe.compiler.compilation.plan_counts`)."""
    options.setdefault("toffoli_t", demand.toffoli_t_cost)  # the timeline pays each Toffoli this many T states
    return plan_counts(demand.to_counts(), hardware, demand.budget,
                       synthesis_error=demand.synthesis_error * demand.rotations, circuit=demand.to_dict(),
                       reserve_synthesis=demand.presynthesized, **options)


class DistillationPlanner(AnalysisPass):
    """Plan the whole program for the demand counted by :class:`~magicpipe.passes.MagicStateDemand`.

    Reads ``property_set["magicpipe_demand"]`` (a :class:`~magicpipe.passes.Demand`). Writes
    ``property_set["magicpipe_plan"]``, a :class:`~magicpipe.compiler.compilation.Compilation` (see
    :func:`~magicpipe.compiler.compilation.plan_counts` for every step and option).

    Args:
        hardware: physical error rates, gate times and error model (one that names no model plans with the
            project's default, ``measured``, as :func:`magicpipe.compile` and the command line do).
        **options: the keyword options of :func:`~magicpipe.compiler.compilation.plan_counts` (``objective``,
            ``max_physical_qubits``, ``max_runtime_us``, ``max_levels``, ``layout``, ...).

    Raises:
        TranspilerError: no demand in the property set, or from a :class:`~magicpipe.errors.SpecError` /
            :class:`~magicpipe.errors.InfeasibleError` of the planner.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.transpiler import PassManager
        >>> from magicpipe.passes import MagicStateDemand
        >>> qc = QuantumCircuit(1); _ = qc.t(0)
        >>> pm = PassManager([MagicStateDemand(), DistillationPlanner(max_levels=2)])
        >>> _ = pm.run(qc)
        >>> plan = pm.property_set["magicpipe_plan"]
        >>> plan.hardware.model.name, plan.pipeline_distances
        ('measured', (5,))
    """

    def __init__(self, hardware: Hardware = Hardware(), **options: Any) -> None:
        super().__init__()
        self.hardware = with_default_model(hardware)
        self.options = options

    def run(self, dag):
        demand = self.property_set["magicpipe_demand"]
        if demand is None:
            raise TranspilerError(
                "DistillationPlanner needs property_set['magicpipe_demand']: run MagicStateDemand first"
            )
        try:
            self.property_set["magicpipe_plan"] = plan_demand(demand, self.hardware, **self.options)
        except MagicpipeError as e:
            raise TranspilerError(f"DistillationPlanner: {e}") from e


class WriteMetadata(TransformationPass):
    """Copy the demand and the plan into the circuit's metadata, which outlives the pass manager.

    Reads ``property_set["magicpipe_demand"]``, ``property_set["magicpipe_plan"]`` and
    ``property_set["magicpipe_optimize_t"]`` (any may be missing). Writes ``dag.metadata["magicpipe_demand"]``
    (:meth:`~magicpipe.passes.Demand.to_dict`), ``dag.metadata["magicpipe_plan"]`` (the plan.json dict,
    :meth:`Compilation.to_dict`) and ``dag.metadata["magicpipe_optimize_t"]``; other metadata keys are kept.
    """

    def run(self, dag):
        meta = dict(dag.metadata or {})
        demand = self.property_set["magicpipe_demand"]
        plan = self.property_set["magicpipe_plan"]
        if demand is not None:
            meta["magicpipe_demand"] = demand.to_dict()
        if plan is not None:
            meta["magicpipe_plan"] = plan.to_dict()
        if self.property_set["magicpipe_optimize_t"] is not None:
            meta["magicpipe_optimize_t"] = self.property_set["magicpipe_optimize_t"]
        dag.metadata = meta
        return dag


def circuit_compilation(program: QuantumCircuit | str | pathlib.Path, hardware: Hardware, budget: ErrorBudget,
                        *, synthesis: str = "auto", optimization_level: int | None = None,
                        **options: Any) -> Compilation:
    """Count a circuit (or an OpenQASM file) and plan it: the circuit route of :func:`magicpipe.compile`."""
    from magicpipe.passes.plugin import pass_manager
    from magicpipe.passes.program import load_program, line_of

    path = None
    if isinstance(program, (str, pathlib.Path)):
        path = pathlib.Path(program)
        program = load_program(path)
    if not isinstance(program, QuantumCircuit):
        raise SpecError(f"a program is a QuantumCircuit, an OpenQASM or counts JSON path, or LogicalCounts; "
                        f"got {type(program).__name__}")
    pm = pass_manager(error_budget=budget, hardware=hardware, synthesis=synthesis,
                      optimization_level=optimization_level, **options)
    try:
        pm.run(program)
    except TranspilerError as e:  # the passes wrap magicpipe errors
        cause = e.__cause__
        if isinstance(cause, MagicpipeError):
            name = getattr(cause, "instruction", None)
            if name and path is not None:
                line = line_of(path.read_text(), name)
                if line:
                    raise SpecError(f"{cause} (first use at line {line} of {path})") from e
            raise cause from e
        raise
    return pm.property_set["magicpipe_plan"]
