"""The magic states a circuit consumes: :func:`count_demand` and the :class:`MagicStateDemand` pass.

What costs what (one T-type magic state = one state of error ``eps`` delivered by the factories):

* ``t``, ``tdg``: one state each.
* ``rz``, ``p``, ``u1``, ``rx``, ``ry``: by angle (:func:`~magicpipe.passes.rotations.classify_angle`):
  multiples of pi/2 are Clifford (free), odd multiples of pi/4 one state, other angles an arbitrary
  rotation costing its synthesis T-count at the per-rotation error of the budget, by the synthesis model
  (default ``"mixed-fallback"``, :mod:`magicpipe.passes.rotations`).
* ``ccx``, ``ccz``, ``cswap``: one Toffoli; ``mcx`` with ``k`` controls: ``k - 1`` Toffolis (temporary ANDs
  into clean ancillas). A Toffoli costs ``toffoli_t_cost`` T states: 4 by default (Jones 2013: the AND of the
  two controls into a fresh ancilla with 4 T gates, a CNOT onto the target, the ancilla measured in the X
  basis and a CZ on the controls when the outcome is 1; the ancilla counts as a program qubit), or 7 (the
  unitary decomposition, no ancilla). ``Demand.toffolis`` keeps them apart, so a plan with a CCZ factory can
  spend one CCZ state per Toffoli instead.
* ``u``/``u3`` (and ``u2 = u(pi/2, .)``): ``RZ(phi) RY(theta) RZ(lam)``, each factor by its angle (exact when
  at most one factor is non-Clifford, an upper bound otherwise).
* Clifford gates, measurements, resets, barriers, delays: free.
* Anything else (``cp``, ``unitary``, library gates, custom gates with a definition): the passes of Qiskit's
  Clifford+T stage ``TranslateToCliffordRZ`` (high-level synthesis with the T-count metric, then the basis
  translator), with the Toffoli class kept, rewrite the circuit into Clifford + T + RZ + Toffolis first,
  and the result is counted as above. Gates Qiskit cannot decompose (opaque gates) are
  refused with their name and position.

Counting happens on the circuit as given. To count after Qiskit's own Clifford+T optimisation (which turns
``T T T`` into ``S T``), run :func:`magicpipe.passes.pass_manager` with ``optimization_level`` >= 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from qiskit.circuit import QuantumCircuit
from qiskit.converters import dag_to_circuit
from qiskit.transpiler import TranspilerError
from qiskit.transpiler.basepasses import AnalysisPass

from magicpipe.errors import MagicpipeError, SpecError
from magicpipe.passes._walk import UnsupportedInstruction, Walker, describe_location, unknown_operations
from magicpipe.passes.budget import ErrorBudget
from magicpipe.compiler.counts import LogicalCounts
from magicpipe.compiler.synthesis import get_synthesis_model
from magicpipe.passes._walk import TOFFOLI_CLASS, used_qubits
from magicpipe.passes.rotations import DEFAULT_SYNTHESIS, resolve_method, rotation_t_counts
from magicpipe.passes.timeline import Timeline

__all__ = ["Demand", "MagicStateDemand", "count_demand", "translate_to_clifford_rz"]


@dataclass(frozen=True, slots=True)
class Demand:
    """A program's magic-state demand.

    Attributes:
        t_count: T-type magic states consumed in all (``t_gates + rotation_t_count + toffolis x
            toffoli_t_cost``).
        t_gates: states consumed directly: T, Tdg and odd multiples of pi/4.
        rotations: arbitrary rotations executed.
        rotation_t_count: states their synthesis consumes.
        distinct_angles: distinct arbitrary angles (modulo 2 pi).
        synthesis_error: operator-norm error each rotation is synthesised to (0 without rotations).
        synthesis_method: the rotation cost model (:mod:`magicpipe.passes.rotations`), ``"none"`` without
            rotations, ``"qiskit"`` when Qiskit synthesised them before counting.
        logical_qubits: qubits the program uses (idle wires of a device excluded) plus Toffoli ancillas.
        timeline: states per layer (its ``layers`` is the T-depth).
        branches: ``if_else``/``switch_case`` operations counted by their costlier branch.
        decomposed: names of gates Qiskit decomposed before counting.
        budget: the error budget the synthesis error came from.
        toffolis: Toffoli-class gates (each ``toffoli_t_cost`` T states, or one CCZ state).
        toffoli_t_cost: T states per Toffoli, 4 or 7.
        ancillas: most Toffoli ancillas held at once (included in ``logical_qubits``).
        rotation_depth: depth of the circuit counting each arbitrary rotation as one step, everything else none.
        measurements: single-qubit measurements.
        presynthesized: Qiskit's Clifford+T stages ran before counting, so any arbitrary rotation (and Toffoli)
            had already become T gates at Qiskit's precision; the synthesis share of the budget stays reserved.
        qiskit_synthesis_error: the per-rotation error Qiskit's synthesis was given, when known.
    """

    t_count: int
    t_gates: int
    rotations: int
    rotation_t_count: int
    distinct_angles: int
    synthesis_error: float
    synthesis_method: str
    logical_qubits: int
    timeline: Timeline
    branches: int = 0
    decomposed: tuple[str, ...] = ()
    budget: ErrorBudget = field(default_factory=ErrorBudget)
    toffolis: int = 0
    toffoli_t_cost: int = 4
    ancillas: int = 0
    rotation_depth: int = 0
    measurements: int = 0
    presynthesized: bool = False
    qiskit_synthesis_error: float | None = None
    toffoli_timeline: Timeline = field(default_factory=Timeline)
    optimize_t: dict | None = None

    def synthesis_model(self) -> dict:
        """The rotation cost model as data: name, and ``a``, ``b``, reference for formula models."""
        if self.synthesis_method in ("none", "qiskit", "gridsynth"):
            ref = {"gridsynth": "qiskit.synthesis.gridsynth_rz, Ross & Selinger arXiv:1403.2975, exact per angle",
                   "qiskit": "rotations synthesised by Qiskit's Clifford+T stages before counting",
                   "none": "no arbitrary rotation"}[self.synthesis_method]
            return {"name": self.synthesis_method, "reference": ref}
        if self.synthesis_method == "formula":
            from magicpipe.passes.rotations import FORMULA

            return {"name": "formula", "a": FORMULA[0], "b": FORMULA[1], "rounding": "round",
                    "reference": "least-squares fit to gridsynth (docs/frontend.md)"}
        return get_synthesis_model(self.synthesis_method).info()

    def to_counts(self) -> LogicalCounts:
        """The Azure-style logical counts, with the real per-layer timeline (in T states) attached.

        ``t_count`` is T gates only (rotations and Toffolis are their own fields, as the estimator keeps them);
        ``ccz_count`` the Toffolis (``ccz_timeline`` their layers, each paid ``toffoli_t_cost`` T states in the
        timeline); ``num_qubits`` the qubits the program uses, Toffoli ancillas included.
        """
        return LogicalCounts(
            num_qubits=max(1, self.logical_qubits), t_count=self.t_gates, rotation_count=self.rotations,
            rotation_depth=self.rotation_depth if self.rotations else 0, ccz_count=self.toffolis,
            measurement_count=self.measurements, timeline=self.timeline,
            ccz_timeline=self.toffoli_timeline if self.toffolis else None,
        )

    @property
    def t_depth(self) -> int:
        """Layers of the timeline."""
        return self.timeline.layers

    def to_dict(self) -> dict:
        """JSON-able summary, with the timeline's runs."""
        return {
            "t_count": self.t_count, "t_gates": self.t_gates, "rotations": self.rotations,
            "rotation_t_count": self.rotation_t_count, "distinct_angles": self.distinct_angles,
            "synthesis_error": self.synthesis_error, "synthesis_method": self.synthesis_method,
            "logical_qubits": self.logical_qubits, "t_depth": self.t_depth, "branches": self.branches,
            "decomposed": list(self.decomposed), "error_budget": self.budget.to_dict(),
            "toffolis": self.toffolis, "toffoli_t_cost": self.toffoli_t_cost, "ancillas": self.ancillas,
            "rotation_depth": self.rotation_depth, "measurements": self.measurements,
            "synthesis_model": self.synthesis_model(), "presynthesized": self.presynthesized,
            "qiskit_synthesis_error": self.qiskit_synthesis_error,
            **({"optimize_t": self.optimize_t} if self.optimize_t else {}),
            "timeline": self.timeline.to_dict(), "toffoli_timeline": self.toffoli_timeline.to_dict(),
        }


def translate_to_clifford_rz(circuit: QuantumCircuit, optimization_level: int = 1) -> QuantumCircuit:
    """Qiskit's own rewrite of ``circuit`` into Clifford + T + RZ, keeping Toffoli-class gates.

    The passes of Qiskit's ``TranslateToCliffordRZPassManager`` (unitary synthesis, high-level synthesis with
    the T-count metric, basis translation) with ``ccx``, ``ccz``, ``cswap`` and ``mcx`` added to the basis, so
    that they reach the count as Toffolis.

    Raises:
        SpecError: an operation Qiskit cannot decompose, with its name and position.
    """
    from qiskit.circuit.controlflow import CONTROL_FLOW_OP_NAMES
    from qiskit.circuit.equivalence_library import SessionEquivalenceLibrary as sel
    from qiskit.quantum_info import get_clifford_gate_names
    from qiskit.transpiler import PassManager
    from qiskit.transpiler.passes import BasisTranslator, HighLevelSynthesis, UnitarySynthesis
    from qiskit.transpiler.passes.synthesis.high_level_synthesis import OptimizationMetric

    basis = [*get_clifford_gate_names(), "t", "tdg", "rz", *TOFFOLI_CLASS[:4], *CONTROL_FLOW_OP_NAMES]
    pm = PassManager([
        UnitarySynthesis(basis, target=None),
        HighLevelSynthesis(basis_gates=basis, target=None, use_qubit_indices=True, equivalence_library=sel,
                           optimization_metric=OptimizationMetric.COUNT_T, optimization_level=optimization_level),
        BasisTranslator(sel, basis, None),
    ])
    try:
        return pm.run(circuit)
    except TranspilerError as e:
        names = sorted(unknown_operations(circuit))
        culprit = next((n for n in names if n in str(e)), names[0] if names else "?")
        where = describe_location(circuit, culprit)
        raise UnsupportedInstruction(
            f"unsupported instruction {culprit!r} at {where or 'an unknown position'}: Qiskit cannot decompose it "
            f"into Clifford+T gates ({str(e).strip()}); give it a definition in standard gates", culprit
        ) from e


def count_demand(
    circuit: QuantumCircuit,
    budget: ErrorBudget | float = ErrorBudget(),
    synthesis: str = DEFAULT_SYNTHESIS,
    toffoli_t_cost: int = 4,
    presynthesized: bool = False,
    qiskit_synthesis_error: float | None = None,
) -> Demand:
    """Count the magic states ``circuit`` consumes and when (see the module docstring).

    Args:
        circuit: the program.
        budget: the error budget (or its total); its synthesis share fixes the per-rotation error.
        synthesis: rotation cost, ``"mixed-fallback"`` (default; ``"auto"`` means it too), ``"azure"``,
            ``"azure-2022"``, ``"gridsynth"``, ``"formula"``, ``"gridsynth-auto"`` or ``"a,b"``
            (:mod:`magicpipe.passes.rotations`).
        toffoli_t_cost: T states per Toffoli, 4 (one ancilla and a measurement) or 7.
        presynthesized: Qiskit already synthesised the rotations (the transpiler plugin sets it).
        qiskit_synthesis_error: the per-rotation error Qiskit used, when known.

    Returns:
        The :class:`Demand`.

    Raises:
        SpecError: an unsupported instruction, a ``while_loop``, an unbound parameter, a bad budget, an unknown
            synthesis model, a Toffoli cost other than 4 or 7.

    Examples:
        >>> import math
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(3)
        >>> _ = qc.t(0); _ = qc.tdg(1); _ = qc.rz(math.pi / 2, 2); _ = qc.p(3 * math.pi / 4, 2)
        >>> _ = qc.ccx(0, 1, 2)
        >>> d = count_demand(qc)
        >>> d.t_count, d.toffolis, d.rotations, d.t_depth, d.logical_qubits
        (7, 1, 0, 2, 4)
    """
    if not isinstance(budget, ErrorBudget):
        budget = ErrorBudget(budget)
    if toffoli_t_cost not in (4, 7) or isinstance(toffoli_t_cost, bool):
        raise SpecError(f"toffoli_t_cost must be 4 (one ancilla and a measurement) or 7, got {toffoli_t_cost!r}")
    resolve_method(synthesis, 0)  # an unknown model fails here, before any work
    decomposed = tuple(sorted(unknown_operations(circuit)))
    if decomposed:
        circuit = translate_to_clifford_rz(circuit)
    first = Walker(circuit).run()
    n_rot = sum(first.angles.values())
    eps = budget.split(n_rot > 0 or presynthesized)[2] / n_rot if n_rot else 0.0
    method = resolve_method(synthesis, len(first.angles))
    costs = rotation_t_counts(first.angles, eps, method) if n_rot else {}
    second = Walker(circuit, costs, toffoli_t_cost).run()
    timeline = Timeline.from_intervals(second.starts, second.ends)
    t_count = second.t_gates + second.rotation_states + second.toffolis * toffoli_t_cost
    assert timeline.total == t_count, (timeline.total, t_count)
    ancillas = Timeline.from_intervals(second.anc_starts, second.anc_ends).peak
    return Demand(
        t_count=t_count,
        t_gates=second.t_gates,
        rotations=sum(second.angles.values()),
        rotation_t_count=second.rotation_states,
        distinct_angles=len(second.angles),
        synthesis_error=eps,
        synthesis_method=method if n_rot else ("qiskit" if presynthesized else "none"),
        logical_qubits=used_qubits(circuit) + ancillas,
        timeline=timeline,
        branches=second.branches,
        decomposed=decomposed,
        budget=budget,
        toffolis=second.toffolis,
        toffoli_t_cost=toffoli_t_cost,
        ancillas=ancillas,
        rotation_depth=max(second.rlevel, default=0) if n_rot else 0,
        measurements=second.measurements,
        presynthesized=presynthesized,
        qiskit_synthesis_error=qiskit_synthesis_error,
        toffoli_timeline=Timeline.from_intervals(second.tof_starts, second.tof_ends),
    )


class MagicStateDemand(AnalysisPass):
    """Count the circuit's magic-state demand (:func:`count_demand`).

    Reads nothing from the property set. Writes ``property_set["magicpipe_demand"]``, a :class:`Demand`.

    Args:
        budget: the error budget or its total (default 1e-3, split as in :mod:`magicpipe.passes.budget`).
        synthesis: how arbitrary rotations are costed (:func:`count_demand`).
        toffoli_t_cost: T states per Toffoli, 4 or 7.
        presynthesized: Qiskit synthesised the rotations before this pass (set by the transpiler plugin).
        qiskit_synthesis_error: the per-rotation error Qiskit's synthesis used, when known.

    Raises:
        TranspilerError: from :class:`~magicpipe.errors.SpecError` (an unsupported instruction, a while
            loop, an unbound parameter).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.transpiler import PassManager
        >>> qc = QuantumCircuit(2); _ = qc.t(0); _ = qc.cx(0, 1); _ = qc.t(1)
        >>> pm = PassManager([MagicStateDemand()])
        >>> _ = pm.run(qc)
        >>> pm.property_set["magicpipe_demand"].timeline.counts()
        [1, 1]
    """

    def __init__(self, budget: ErrorBudget | float = ErrorBudget(), synthesis: str = DEFAULT_SYNTHESIS,
                 toffoli_t_cost: int = 4, presynthesized: bool = False,
                 qiskit_synthesis_error: float | None = None) -> None:
        super().__init__()
        self.budget = budget if isinstance(budget, ErrorBudget) else ErrorBudget(budget)
        self.synthesis = synthesis
        self.toffoli_t_cost = toffoli_t_cost
        self.presynthesized = presynthesized
        self.qiskit_synthesis_error = qiskit_synthesis_error

    def run(self, dag):
        try:
            circuit = dag_to_circuit(dag, copy_operations=False)
            demand = count_demand(
                circuit, self.budget, self.synthesis, self.toffoli_t_cost, self.presynthesized,
                self.qiskit_synthesis_error)
            zx = self.property_set["magicpipe_optimize_t"]
            self.property_set["magicpipe_demand"] = replace(demand, optimize_t=zx) if zx else demand
        except MagicpipeError as e:
            raise TranspilerError(f"MagicStateDemand: {e}") from e
