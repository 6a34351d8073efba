"""The stream of the chosen point against its plan, with the ports' capacity varied (not part of the test run).

    python tests/lattice/bench_plan_agreement.py [CSV]

For each program (``--factories pipeline``, then the default factories: the catalogue's blocks and cultivation
included; the CLI's default error model, p = eps = 1e-3) and each port capacity, one row: the source, the
plan's runtime and qubits, the stream's last round and qubits by part (``lattice.whole.qubit_parts``).
docs/program.md ("The stream of the chosen point") and docs/lattice.md quote the numbers.
"""

import csv
import itertools
import sys

import magicpipe
from magicpipe.cli.compile import parse_model
from magicpipe.compiler import Hardware
from magicpipe.lattice.whole import qubit_parts, stream_for_point

PROGRAMS = ("examples/qft16.qasm", "examples/ising4x4.qasm", "examples/adder8.qasm")
CAPACITIES = (None, 2, 4)


def last_round(ops):
    last = 0
    for op in ops:
        last = max(last, op.time + (op.period * (op.count - 1) if op.action == "REPEAT" else 0))
    return last


def rows():
    hw = Hardware(p=1e-3, eps=1e-3, model=parse_model("measured"))
    for prog, catalogue in itertools.product(PROGRAMS, (False, True)):
        pt = magicpipe.compile(prog, hardware=hw, catalogue=catalogue).chosen
        for cap in CAPACITIES:
            head, ops = stream_for_point(pt, hardware=hw, capacity=cap)
            rounds = last_round(ops)
            parts = qubit_parts(head)
            yield {"program": prog, "source": pt.source.name, "distances": "/".join(map(str, pt.distances)),
                   "copies": pt.copies, "capacity": head.ports[0].capacity, "plan_rounds": round(pt.runtime_rounds),
                   "stream_rounds": rounds, "ratio": round(rounds / pt.runtime_rounds, 3),
                   "plan_qubits": pt.physical_qubits, "stream_qubits": sum(parts.values()), **parts,
                   "plan_data": pt.data_qubits, "plan_buffer": pt.buffer_qubits}


def write(out):
    w = None
    for r in rows():
        if w is None:
            w = csv.DictWriter(out, fieldnames=list(r))
            w.writeheader()
        w.writerow(r)
        out.flush()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", newline="") as f:
            write(f)
    else:
        write(sys.stdout)
