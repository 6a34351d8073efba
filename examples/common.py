"""Shared by the example scripts: the planning options, and running the magicpipe passes on a circuit."""

from __future__ import annotations

import argparse
import pathlib
import time

from qiskit import QuantumCircuit, qasm2, qasm3, transpile

import magicpipe
from magicpipe.compiler import Hardware
from magicpipe.compiler.program import OBJECTIVES

# Gates the QASM files keep: Clifford+T, rotations and Toffolis, so that `magicpipe compile` sees the
# program's own arithmetic (CCX through Qiskit's Clifford+T synthesis) rather than a pre-decomposed circuit.
QASM_BASIS = ["h", "s", "sdg", "x", "y", "z", "cx", "cz", "swap", "t", "tdg", "rz", "rx", "ry", "p", "cp", "ccx"]


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--error-budget", type=float, default=1e-3, help="total failure probability (default: %(default)s)")
    p.add_argument(
        "--physical-error", type=float, default=1e-4, help="physical error per operation (default: %(default)s)"
    )
    p.add_argument("--magic-error", type=float, default=1e-4, help="raw magic-state error (default: %(default)s)")
    p.add_argument(
        "--objective", choices=OBJECTIVES, default="volume", help="point of the front (default: %(default)s)"
    )
    p.add_argument("--max-physical-qubits", type=int, default=None, help="most physical qubits (default: no limit)")
    p.add_argument("--write-qasm", metavar="PATH", help="also write the program as OpenQASM 2 to PATH")
    p.add_argument("--qasm3", action="store_true", help="write OpenQASM 3 instead of 2")
    return p


def plan(circuit: QuantumCircuit, args: argparse.Namespace, title: str, basis: list[str] = QASM_BASIS) -> dict:
    """Plan the circuit with :func:`magicpipe.compile`, print the summary, return the plan.json dict.

    With ``--write-qasm`` the circuit is first written out in the gates ``basis``.
    """
    if args.write_qasm:
        path = pathlib.Path(args.write_qasm)
        flat = transpile(circuit, basis_gates=basis, optimization_level=0)
        path.write_text((qasm3.dumps(flat) if args.qasm3 else qasm2.dumps(flat)) + "\n")
    t0 = time.perf_counter()
    comp = magicpipe.compile(circuit, hardware=Hardware(p=args.physical_error, eps=args.magic_error),
                             error_budget=args.error_budget, objective=args.objective,
                             max_physical_qubits=args.max_physical_qubits)
    print(f"== {title}")
    print(magicpipe.describe(comp))
    print(f"(planned in {time.perf_counter() - t0:.2f} s)")
    return comp.to_dict()
