"""The stream of the chosen point against its plan, with the ports' capacity varied (not part of the test run).

    python tests/lattice/bench_plan_agreement.py [CSV]

For each program (``--factories pipeline``, then the default factories: the catalogue's blocks and cultivation
included; the CLI's default error model, p = eps = 1e-3) and each port capacity, one row: the source, the
plan's runtime and qubits, the stream's last round and qubits by part (``lattice.whole.qubit_parts``).
Then points that meet Toffolis with 8-to-CCZ factories (``mixed`` rows): adder8's fastest point
(``--objective runtime``, CCZ copies only) and a counted program of T gates and Toffolis with both kinds of
copy; ``plan_rounds`` is then the plan's round at the end of its last layer that consumes a state (the stream
leaves out the timeline's trailing empty layers). Last, a three-level chosen point (a composed unit).
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
        if pt.ccz_source is not None:   # the mixed rows below
            continue
        for cap in CAPACITIES:
            head, ops = stream_for_point(pt, hardware=hw, capacity=cap)
            rounds = last_round(ops)
            parts = qubit_parts(head)
            yield {"program": prog, "source": pt.source.name, "distances": "/".join(map(str, pt.distances)),
                   "copies": pt.copies, "capacity": head.ports[0].capacity, "plan_rounds": round(pt.runtime_rounds),
                   "stream_rounds": rounds, "ratio": round(rounds / pt.runtime_rounds, 3),
                   "plan_qubits": pt.physical_qubits, "stream_qubits": sum(parts.values()), **parts,
                   "plan_data": pt.data_qubits, "plan_buffer": pt.buffer_qubits}


def last_state_round(pt):
    """The plan's round at the end of its last run of layers that consumes a state."""
    end = 0.0
    for start, n, states, tau, _, wait in pt.simulation.runs:
        if states:
            end = start + wait + n * tau
    return end


def mixed_rows():
    from magicpipe.compiler import LogicalCounts
    from magicpipe.compiler.catalogue_search import catalogue_sources
    from magicpipe.compiler.mixed import evaluate_mixed

    hw = Hardware(p=1e-3, eps=1e-3, model=parse_model("measured"))
    comp = magicpipe.compile("examples/adder8.qasm", hardware=hw, objective="runtime")
    cases = [("examples/adder8.qasm --objective runtime", comp.chosen, comp.demand)]
    comp = magicpipe.compile(LogicalCounts(num_qubits=12, t_count=600, ccz_count=300), hardware=hw)
    d = comp.demand
    ccz = min((s for s in catalogue_sources(hw, d.target, ("CCZ",)) if s.kind == "CCZ"),
              key=lambda s: (s.qubits * s.period_rounds, s.name))
    cases.append(("counts 600 T + 300 CCZ, 12 qubits", evaluate_mixed(d, comp.chosen.source, 4, ccz, 3, "fast", hw),
                  d))
    for prog, pt, demand in cases:
        assert pt.ccz_source is not None, prog
        head, ops = stream_for_point(pt, hardware=hw, kinds=demand.kinds)
        rounds = last_round(ops)
        plan = last_state_round(pt)
        parts = qubit_parts(head)
        yield {"program": prog, "source": pt.name, "distances": "/".join(map(str, pt.distances)),
               "copies": f"{pt.copies}+{pt.ccz_copies}", "capacity": "/".join(str(p.capacity) for p in head.ports[-1:]),
               "plan_rounds": round(plan), "stream_rounds": rounds, "ratio": round(rounds / plan, 3),
               "plan_qubits": pt.physical_qubits, "stream_qubits": sum(parts.values()), **parts,
               "plan_data": pt.data_qubits, "plan_buffer": pt.buffer_qubits}


def three_level_rows():
    """A three-level chosen point (composed unit): 10^4 T on 10 qubits, p = eps = 1e-4, budget 1e-26."""
    from magicpipe.compiler import LogicalCounts

    hw = Hardware(p=1e-4, eps=1e-4, model=parse_model("measured"))
    pt = magicpipe.compile(LogicalCounts(num_qubits=10, t_count=10**4), hardware=hw, error_budget=1e-26,
                           catalogue=False).chosen
    head, ops = stream_for_point(pt, hardware=hw)
    rounds = last_round(ops)
    parts = qubit_parts(head)
    yield {"program": "counts 10^4 T, 10 qubits, p 1e-4, budget 1e-26", "source": pt.source.name,
           "distances": "/".join(map(str, pt.distances)), "copies": pt.copies, "capacity": head.ports[0].capacity,
           "plan_rounds": round(pt.runtime_rounds), "stream_rounds": rounds,
           "ratio": round(rounds / pt.runtime_rounds, 4),
           "plan_qubits": pt.physical_qubits, "stream_qubits": sum(parts.values()), **parts,
           "plan_data": pt.data_qubits, "plan_buffer": pt.buffer_qubits}


def write(out):
    w = None
    for r in itertools.chain(rows(), mixed_rows(), three_level_rows()):
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
