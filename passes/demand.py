"""The magic states a circuit consumes: :func:`count_demand` and the :class:`MagicStateDemand` pass.

What costs what (one T-type magic state = one state of error ``eps`` delivered by the factories):

* ``t``, ``tdg``: one state each.
* ``rz``, ``p``, ``u1``, ``rx``, ``ry``: by angle (:func:`~magicpipe.passes.rotations.classify_angle`):
  multiples of pi/2 are Clifford (free), odd multiples of pi/4 one state, other angles an arbitrary
  rotation costing its synthesis T-count at the per-rotation error of the budget.
* ``u``/``u3`` (and ``u2 = u(pi/2, .)``): ``RZ(phi) RY(theta) RZ(lam)``, each factor by its angle (exact when
  at most one factor is non-Clifford, an upper bound otherwise).
* Clifford gates, measurements, resets, barriers, delays: free.
* Anything else (``ccx``, ``ccz``, ``mcx``, ``cp``, ``unitary``, library gates, custom gates with a
  definition): Qiskit's Clifford+T transpiler stage ``TranslateToCliffordRZ`` (high-level synthesis with the
  T-count metric, then the basis translator) rewrites the circuit into Clifford + T + RZ first -- CCX
  becomes 7 T gates -- and the result is counted as above. Gates Qiskit cannot decompose (opaque gates) are
  refused with their name and position.

Counting happens on the circuit as given. To count after Qiskit's own Clifford+T optimisation (which turns
``T T T`` into ``S T``), run :func:`magicpipe.passes.pass_manager` with ``optimization_level`` >= 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qiskit.circuit import QuantumCircuit
from qiskit.converters import dag_to_circuit
from qiskit.transpiler import TranspilerError
from qiskit.transpiler.basepasses import AnalysisPass

from magicpipe.errors import MagicpipeError, SpecError
from magicpipe.passes._walk import UnsupportedInstruction, Walker, describe_location, unknown_operations
from magicpipe.passes.budget import ErrorBudget
from magicpipe.passes.rotations import resolve_method, rotation_t_count
from magicpipe.passes.timeline import Timeline

__all__ = ["Demand", "MagicStateDemand", "count_demand", "translate_to_clifford_rz"]


@dataclass(frozen=True, slots=True)
class Demand:
    """A program's magic-state demand.

    Attributes:
        t_count: T-type magic states consumed in all (``t_gates + rotation_t_count``).
        t_gates: states consumed directly: T, Tdg and odd multiples of pi/4.
        rotations: arbitrary rotations executed.
        rotation_t_count: states their synthesis consumes.
        distinct_angles: distinct arbitrary angles (modulo 2 pi).
        synthesis_error: operator-norm error each rotation is synthesised to (0 without rotations).
        synthesis_method: ``"gridsynth"`` or ``"formula"`` (see :mod:`magicpipe.passes.rotations`).
        logical_qubits: qubits of the circuit.
        timeline: states per layer (its ``layers`` is the T-depth).
        branches: ``if_else``/``switch_case`` operations counted by their costlier branch.
        decomposed: names of gates Qiskit decomposed before counting.
        budget: the error budget the synthesis error came from.
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
            "timeline": self.timeline.to_dict(),
        }


def translate_to_clifford_rz(circuit: QuantumCircuit, optimization_level: int = 1) -> QuantumCircuit:
    """Qiskit's own rewrite of ``circuit`` into Clifford + T + RZ (its Clifford+T preset's first stage).

    Raises:
        SpecError: an operation Qiskit cannot decompose, with its name and position.
    """
    from qiskit.transpiler.passmanager_config import PassManagerCliffordTConfig
    from qiskit.transpiler.preset_passmanagers.builtin_plugins import TranslateToCliffordRZPassManager

    pm = TranslateToCliffordRZPassManager().pass_manager(PassManagerCliffordTConfig(), optimization_level)
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
    synthesis: str = "auto",
) -> Demand:
    """Count the magic states ``circuit`` consumes and when (see the module docstring).

    Args:
        circuit: the program.
        budget: the error budget (or its total); its synthesis share fixes the per-rotation error.
        synthesis: ``"auto"``, ``"gridsynth"`` or ``"formula"`` (:mod:`magicpipe.passes.rotations`).

    Returns:
        The :class:`Demand`.

    Raises:
        SpecError: an unsupported instruction, a ``while_loop``, an unbound parameter, a bad budget.

    Examples:
        >>> import math
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(3)
        >>> _ = qc.t(0); _ = qc.tdg(1); _ = qc.rz(math.pi / 2, 2); _ = qc.p(3 * math.pi / 4, 2)
        >>> _ = qc.ccx(0, 1, 2)
        >>> d = count_demand(qc)
        >>> d.t_count, d.rotations, d.t_depth, d.decomposed
        (10, 0, 5, ('ccx',))
    """
    if not isinstance(budget, ErrorBudget):
        budget = ErrorBudget(budget)
    if synthesis not in ("auto", "gridsynth", "formula"):
        raise SpecError(f"synthesis must be 'auto', 'gridsynth' or 'formula', got {synthesis!r}")
    decomposed = tuple(sorted(unknown_operations(circuit)))
    if decomposed:
        circuit = translate_to_clifford_rz(circuit)
    first = Walker(circuit).run()
    n_rot = sum(first.angles.values())
    eps = budget.split(n_rot > 0)[2] / n_rot if n_rot else 0.0
    method = resolve_method(synthesis, len(first.angles))
    costs = {key: rotation_t_count(key, eps, method) for key in first.angles}
    second = Walker(circuit, costs).run()
    timeline = Timeline.from_intervals(second.starts, second.ends)
    t_count = second.t_gates + second.rotation_states
    assert timeline.total == t_count, (timeline.total, t_count)
    return Demand(
        t_count=t_count,
        t_gates=second.t_gates,
        rotations=sum(second.angles.values()),
        rotation_t_count=second.rotation_states,
        distinct_angles=len(second.angles),
        synthesis_error=eps,
        synthesis_method=method if n_rot else "none",
        logical_qubits=circuit.num_qubits,
        timeline=timeline,
        branches=second.branches,
        decomposed=decomposed,
        budget=budget,
    )


class MagicStateDemand(AnalysisPass):
    """Count the circuit's magic-state demand (:func:`count_demand`).

    Reads nothing from the property set. Writes ``property_set["magicpipe_demand"]``, a :class:`Demand`.

    Args:
        budget: the error budget or its total (default 1e-3, split as in :mod:`magicpipe.passes.budget`).
        synthesis: how arbitrary rotations are costed: ``"auto"``, ``"gridsynth"`` or ``"formula"``.

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

    def __init__(self, budget: ErrorBudget | float = ErrorBudget(), synthesis: str = "auto") -> None:
        super().__init__()
        self.budget = budget if isinstance(budget, ErrorBudget) else ErrorBudget(budget)
        self.synthesis = synthesis

    def run(self, dag):
        try:
            circuit = dag_to_circuit(dag, copy_operations=False)
            self.property_set["magicpipe_demand"] = count_demand(circuit, self.budget, self.synthesis)
        except MagicpipeError as e:
            raise TranspilerError(f"MagicStateDemand: {e}") from e
