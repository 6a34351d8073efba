"""``magicpipe counts PROGRAM.qasm [--out FILE.json]``: a program's logical counts in the Azure estimator's keys.

Counts the program as ``magicpipe compile`` does (:func:`magicpipe.passes.count_demand`) and writes
:meth:`magicpipe.compiler.LogicalCounts.to_json` (``numQubits``, ``tCount``, ``rotationCount``,
``rotationDepth``, ``cczCount``, ``ccixCount``, ``measurementCount``) to ``--out``, or to stdout without it,
so the file can be given to the Azure Resource Estimator (``qsharp.estimate`` with ``LogicalCounts``) or read
back with ``LogicalCounts.from_json``. The conventions are the estimator's: ``tCount`` is T gates, rotations
and Toffolis (``cczCount``) are counted apart; ``numQubits`` is the qubits the program uses plus the
Toffoli ancillas.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``counts`` command."""
    p = subparsers.add_parser(
        "counts",
        help="an OpenQASM program's logical counts as the Azure Resource Estimator's logicalCounts JSON",
        description="Count an OpenQASM 2 or 3 program (T gates, arbitrary rotations and their depth, "
                    "Toffolis, measurements, qubits used) and write the Azure estimator's logicalCounts JSON.",
    )
    p.add_argument("program", metavar="PROGRAM", help="OpenQASM 2 or 3 file")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="JSON file to write (default: print to stdout)")
    p.add_argument("--toffoli-t-cost", type=int, choices=(4, 7), default=4, metavar="T",
                   help="Toffoli convention: 4 T with a measured ancilla (the ancillas count in numQubits) or 7 T "
                        "without; Toffolis are written apart as cczCount either way (default: %(default)s)")
    p.add_argument("--optimize-t", action="store_true",
                   help="first reduce the T-count with pyzx (magicpipe[zx]); see magicpipe compile --help")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from magicpipe.passes import count_demand, load_program

    circuit = load_program(args.program)
    if args.optimize_t:
        from magicpipe.passes.zx import optimize_t

        circuit = optimize_t(circuit).circuit
    demand = count_demand(circuit, toffoli_t_cost=args.toffoli_t_cost)
    text = demand.to_counts().to_json() + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        path = pathlib.Path(args.out)
        if path.parent != pathlib.Path(""):
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}", file=sys.stderr)
    return 0
