"""Quantum Fourier transform on n qubits (Qiskit's QFTGate): its magic states and the factories that feed it.

    python examples/qft.py --qubits 16
"""

from qiskit import QuantumCircuit
from qiskit.circuit.library import QFTGate

from common import parser, plan


def qft(n: int) -> QuantumCircuit:
    qc = QuantumCircuit(n, name=f"qft{n}")
    qc.append(QFTGate(n), range(n))
    return qc


if __name__ == "__main__":
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--qubits", type=int, default=16, help="register size (default: %(default)s)")
    args = p.parse_args()
    plan(qft(args.qubits), args, f"QFT on {args.qubits} qubits")
