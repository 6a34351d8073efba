"""The planning passes: :class:`DistillationPlanner` and :class:`WriteMetadata`."""

from __future__ import annotations

from qiskit.transpiler import TranspilerError
from qiskit.transpiler.basepasses import AnalysisPass, TransformationPass

from magicpipe.compiler import Hardware
from magicpipe.errors import MagicpipeError
from magicpipe.passes.plan import plan_distillation
from magicpipe.passes.report import plan_to_dict

__all__ = ["DistillationPlanner", "WriteMetadata"]


class DistillationPlanner(AnalysisPass):
    """Plan the factories for the demand counted by :class:`~magicpipe.passes.MagicStateDemand`.

    Reads ``property_set["magicpipe_demand"]`` (a :class:`~magicpipe.passes.Demand`). Writes
    ``property_set["magicpipe_plan"]``, a :class:`~magicpipe.passes.Plan` (see
    :func:`~magicpipe.passes.plan_distillation` for every step and option).

    Args:
        hardware: physical error rates and gate times (default: the paper's Sec. 6, p = eps = 1e-4).
        objective: ``"volume"``, ``"qubits"`` or ``"time"``.
        qubit_budget: physical qubits of one dynamic pipeline copy.
        layer_time_us: microseconds per timeline layer (default: one logical cycle at the program's distance).
        max_levels: most distillation levels to consider.
        max_wait_us: how much later than one pipeline run the program may start (timeline sizing), in us.

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
        >>> pm.property_set["magicpipe_plan"].distances
        (3,)
    """

    def __init__(self, hardware: Hardware = Hardware(), objective: str = "volume", qubit_budget: int | None = None,
                 layer_time_us: float | None = None, max_levels: int = 3, max_wait_us: float = 0.0) -> None:
        super().__init__()
        self.hardware = hardware
        self.objective = objective
        self.qubit_budget = qubit_budget
        self.layer_time_us = layer_time_us
        self.max_levels = max_levels
        self.max_wait_us = max_wait_us

    def run(self, dag):
        demand = self.property_set["magicpipe_demand"]
        if demand is None:
            raise TranspilerError("DistillationPlanner needs property_set['magicpipe_demand']: run MagicStateDemand first")
        try:
            self.property_set["magicpipe_plan"] = plan_distillation(
                demand, self.hardware, self.objective, self.qubit_budget, self.layer_time_us, self.max_levels,
                self.max_wait_us,
            )
        except MagicpipeError as e:
            raise TranspilerError(f"DistillationPlanner: {e}") from e


class WriteMetadata(TransformationPass):
    """Copy the demand and the plan into the circuit's metadata, which outlives the pass manager.

    Reads ``property_set["magicpipe_demand"]``, ``property_set["magicpipe_plan"]`` and
    ``property_set["magicpipe_optimize_t"]`` (any may be missing). Writes them to ``dag.metadata`` under the same
    keys as JSON-able dicts (:meth:`~magicpipe.passes.Demand.to_dict`, :func:`~magicpipe.passes.plan_to_dict`);
    other metadata keys are kept.
    """

    def run(self, dag):
        meta = dict(dag.metadata or {})
        demand = self.property_set["magicpipe_demand"]
        plan = self.property_set["magicpipe_plan"]
        if demand is not None:
            meta["magicpipe_demand"] = demand.to_dict()
        if plan is not None:
            meta["magicpipe_plan"] = plan_to_dict(plan)
        if self.property_set["magicpipe_optimize_t"] is not None:
            meta["magicpipe_optimize_t"] = self.property_set["magicpipe_optimize_t"]
        dag.metadata = meta
        return dag
