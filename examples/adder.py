"""Ripple-carry adder of two n-bit registers (Cuccaro et al., Qiskit's adder_ripple_c04): its magic states and plan.

    python examples/adder.py --bits 8
"""

from qiskit import QuantumCircuit
from qiskit.synthesis import adder_ripple_c04

from common import parser, plan


def adder(n: int) -> QuantumCircuit:
    qc = adder_ripple_c04(n, kind="half")  # a + b -> b with carry out: 2n + 2 qubits, 2n Toffolis
    qc.name = f"cdkm_adder{n}"
    return qc


if __name__ == "__main__":
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--bits", type=int, default=8, help="bits per register (default: %(default)s)")
    args = p.parse_args()
    plan(adder(args.bits), args, f"CDKM ripple-carry adder, {args.bits} + {args.bits} bits")
