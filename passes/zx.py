"""Opt-in T-count reduction with the ZX-calculus (pyzx): :func:`optimize_t` and the :class:`OptimizeT` pass.

The circuit is rewritten into Clifford + T + RZ gates (Toffolis as their 7-T decomposition, since pyzx
works on phases), handed to pyzx as OpenQASM 2, simplified with ``full_reduce`` (which merges the phases
of the phase-polynomial parts: T-count reduction by phase teleportation, Kissinger & van de Wetering,
arXiv:1903.10477), extracted back into a circuit and cleaned with ``basic_optimization``. The result is
kept only when it consumes fewer magic states than the circuit as given (under the same conventions: a
Toffoli the rewrite left intact would count 4 T, one it expanded counts its T gates), so the option never
makes the demand worse.

pyzx keeps arbitrary phases as fractions of pi (``limit_denominator``); an angle moves by about 1e-12 rad,
far below any synthesis precision the budget asks for. Measurements, resets and control flow are refused
(pyzx simplifies unitary circuits); circuits above :data:`MAX_GATES` gates are refused with that limit,
since ``full_reduce`` and extraction grow quickly with size.

Needs the optional extra ``magicpipe[zx]`` (``pip install pyzx``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qiskit import QuantumCircuit, qasm2, transpile
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.transpiler.basepasses import TransformationPass

from magicpipe.errors import SpecError

__all__ = ["MAX_GATES", "OptimizeT", "ZXResult", "optimize_t"]

MAX_GATES = 20_000
"""Largest circuit (gates after the rewrite into Clifford + T + RZ) that :func:`optimize_t` accepts."""

_BASIS = ["h", "s", "sdg", "x", "z", "cx", "cz", "t", "tdg", "rz"]  # gates pyzx's OpenQASM reader knows
_NOT_UNITARY = ("measure", "reset", "for_loop", "while_loop", "if_else", "switch_case", "box")


@dataclass(frozen=True, slots=True)
class ZXResult:
    """The circuit after :func:`optimize_t` and the counts before and after.

    Attributes:
        circuit: the circuit to count (the rewrite, or the input when the rewrite did not help).
        kept: whether the rewrite was kept.
        gates_before, gates_after: gates of the Clifford + T + RZ form before and after pyzx.
        t_before, t_after: pyzx's T-count (T gates plus non-Clifford phases) before and after.
        states_before, states_after: magic states (the demand's ``t_count``) of the input and of the rewrite.
    """

    circuit: QuantumCircuit
    kept: bool
    gates_before: int
    gates_after: int
    t_before: int
    t_after: int
    states_before: int = 0
    states_after: int = 0

    def to_dict(self) -> dict:
        return {"tool": "pyzx full_reduce + extract_circuit + basic_optimization", "kept": self.kept,
                "gates_before": self.gates_before, "gates_after": self.gates_after,
                "pyzx_t_before": self.t_before, "pyzx_t_after": self.t_after,
                "states_before": self.states_before, "states_after": self.states_after, "max_gates": MAX_GATES}


def _pyzx():
    try:
        import pyzx
    except ImportError as e:
        raise SpecError("--optimize-t needs pyzx: pip install 'magicpipe[zx]' (or pip install pyzx)") from e
    return pyzx


def optimize_t(circuit: QuantumCircuit, max_gates: int = MAX_GATES, states=None) -> ZXResult:
    """Reduce the T-count of ``circuit`` with pyzx (module docstring).

    Args:
        circuit: a unitary circuit (barriers allowed).
        max_gates: refuse circuits with more gates than this after the rewrite to Clifford + T + RZ.
        states: ``circuit -> magic states`` used to decide whether to keep the rewrite (default:
            :func:`magicpipe.passes.count_demand`'s ``t_count`` with its defaults).

    Raises:
        SpecError: pyzx missing, a non-unitary operation, or a circuit above ``max_gates``.
    """
    pyzx = _pyzx()
    bad = sorted(set(circuit.count_ops()) & set(_NOT_UNITARY))
    if bad:
        raise SpecError(f"--optimize-t simplifies unitary circuits; this one has {bad}: remove them or count "
                        f"without --optimize-t")
    stripped = circuit.copy_empty_like()
    for inst in circuit.data:
        if inst.operation.name != "barrier":
            stripped.append(inst)
    flat = transpile(stripped, basis_gates=_BASIS, optimization_level=0)
    size = sum(flat.count_ops().values())
    if size > max_gates:
        raise SpecError(f"--optimize-t accepts circuits of up to {max_gates} gates in Clifford+T+RZ form; this one "
                        f"has {size}: count it without --optimize-t (pyzx's full_reduce grows quickly with size)")
    zx_in = pyzx.Circuit.from_qasm(_qasm_for_pyzx(flat))
    graph = zx_in.to_graph()
    pyzx.full_reduce(graph)
    zx_out = pyzx.basic_optimization(pyzx.extract_circuit(graph.copy()).to_basic_gates())
    out = qasm2.loads(zx_out.to_qasm(), custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    out = transpile(out, basis_gates=_BASIS, optimization_level=0)
    out.global_phase = 0.0  # pyzx does not track it; magic states do not depend on it
    if states is None:
        from magicpipe.passes.demand import count_demand

        def states(c):
            return count_demand(c).t_count
    before, after = states(circuit), states(out)
    kept = after < before
    return ZXResult(out if kept else circuit, kept, size, sum(out.count_ops().values()), zx_in.tcount(),
                    zx_out.tcount(), before, after)


def _qasm_for_pyzx(circuit: QuantumCircuit) -> str:
    """OpenQASM 2 in ``_BASIS`` with angles as decimal multiples of pi (pyzx reads no exponent notation)."""
    lines = ['OPENQASM 2.0;', 'include "qelib1.inc";', f"qreg q[{circuit.num_qubits}];"]
    for inst in circuit.data:
        qs = ",".join(f"q[{circuit.find_bit(q).index}]" for q in inst.qubits)
        if inst.operation.name == "rz":
            lines.append(f"rz({float(inst.operation.params[0]) / math.pi:.20f}*pi) {qs};")
        else:
            lines.append(f"{inst.operation.name} {qs};")
    return "\n".join(lines) + "\n"


class OptimizeT(TransformationPass):
    """:func:`optimize_t` as a pass; writes ``property_set["magicpipe_optimize_t"]`` (:meth:`ZXResult.to_dict`)."""

    def __init__(self, max_gates: int = MAX_GATES, states=None) -> None:
        super().__init__()
        self.max_gates = max_gates
        self.states = states

    def run(self, dag):
        from qiskit.transpiler import TranspilerError

        try:
            result = optimize_t(dag_to_circuit(dag), self.max_gates, self.states)
        except SpecError as e:
            raise TranspilerError(f"OptimizeT: {e}") from e
        self.property_set["magicpipe_optimize_t"] = result.to_dict()
        return circuit_to_dag(result.circuit)
