"""Trotterised 2D transverse-field Ising model, H = -J sum_<ij> Z_i Z_j - h sum_i X_i on an L x L grid.

Qiskit's PauliEvolutionGate with first-order Lie-Trotter steps; every step is a layer of ZZ rotations on the
grid's edges and X rotations on its sites, all at arbitrary angles, so the demand is synthesis-dominated.

    python examples/ising.py --side 4 --steps 4
"""

from qiskit import QuantumCircuit
from qiskit.circuit.library import PauliEvolutionGate
from qiskit.quantum_info import SparsePauliOp
from qiskit.synthesis import LieTrotter

from common import QASM_BASIS, parser, plan


def ising(side: int, steps: int, time: float = 1.0, j: float = 1.0, h: float = 3.0) -> QuantumCircuit:
    n = side * side
    terms = []
    for r in range(side):
        for c in range(side):
            q = r * side + c
            terms.append(("X", [q], -h))
            if c + 1 < side:
                terms.append(("ZZ", [q, q + 1], -j))
            if r + 1 < side:
                terms.append(("ZZ", [q, q + side], -j))
    hamiltonian = SparsePauliOp.from_sparse_list(terms, num_qubits=n)
    qc = QuantumCircuit(n, name=f"tfim{side}x{side}")
    qc.append(PauliEvolutionGate(hamiltonian, time=time, synthesis=LieTrotter(reps=steps)), range(n))
    return qc


if __name__ == "__main__":
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--side", type=int, default=4, help="grid side L (L*L qubits; default: %(default)s)")
    p.add_argument("--steps", type=int, default=4, help="Trotter steps (default: %(default)s)")
    args = p.parse_args()
    basis = [g for g in QASM_BASIS if g not in ("cp", "p")]  # ZZ rotations as CX RZ CX: one rotation each
    plan(ising(args.side, args.steps), args, f"2D TFIM {args.side}x{args.side}, {args.steps} Trotter steps", basis)
