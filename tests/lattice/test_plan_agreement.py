"""The plan and its stream describe the same machine (docs/program.md, "The stream of the chosen point").

For small programs -- logical counts and small circuits, one- and two-level chosen points of the 15-to-1
pipelines, steady and bursty demand -- the stream's runtime is within 5% of the plan's (measured: at most 1.0%),
and its qubits are the plan's plus a counted overhead: the stream has the plan's factory copies, but data
patches, a bus per zone and port patches where the plan has Litinski's data block and its buffer.
"""

from __future__ import annotations

import pytest

import magicpipe
from magicpipe.compiler import Hardware, LogicalCounts
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.lattice.whole import program_qubits, qubit_parts, stream_for_point

RUNTIME_TOLERANCE = 0.05

CASES = {
    # counts, one-level chosen point (d=9, 9 copies)
    "counts-one-level": (LogicalCounts(num_qubits=4, t_count=200), Hardware(p=1e-3, eps=1e-3), 1e-3, 1),
    # a circuit, two-level chosen point ((5, 13), 13 copies)
    "adder8-two-level": ("examples/adder8.qasm", Hardware(p=1e-4, eps=1e-4), 1e-12, 2),
    # a circuit whose demand comes in bursts (stretches of few states per layer, then more than the copies
    # make): the stream's copies keep their pace and drop a state whose port is full, as the plan's buffer does
    # (d=13, 27 copies)
    "ising4x4-one-level": ("examples/ising4x4.qasm", Hardware(p=1e-3, eps=1e-3), 1e-3, 1),
}


def last_round(ops):
    last = 0
    for op in ops:
        last = max(last, op.time + (op.period * (op.count - 1) if op.action == "REPEAT" else 0))
    return last


@pytest.mark.parametrize("name", sorted(CASES))
def test_stream_runs_the_plan(name):
    program, hw, budget, levels = CASES[name]
    pt = magicpipe.compile(program, hardware=hw, error_budget=budget, catalogue=False).chosen
    assert len(pt.distances) == levels
    head, ops = stream_for_point(pt, hardware=hw)
    rounds = last_round(ops)
    # the stream's runtime (its last operation) against the plan's simulated runtime
    assert abs(rounds - pt.runtime_rounds) <= RUNTIME_TOLERANCE * pt.runtime_rounds, (rounds, pt.runtime_rounds)
    # the same factory copies; the program side differs by the counted overhead
    parts = qubit_parts(head)
    assert len(head.copies) == pt.copies
    assert parts["units"] == pt.factory_qubits
    D = pt.data.distance
    assert {p.d for p in head.data} == {D}
    assert parts["data"] == pt.data.logical_qubits * patch_qubits(D)
    assert parts["ports"] == pt.copies * head.ports[0].capacity * patch_qubits(D)
    assert parts["bus"] == 2 * D * sum(b.rect.w for b in head.buses)
    overhead = parts["data"] + parts["bus"] + parts["ports"] - pt.data_qubits - pt.buffer_qubits
    assert program_qubits(head) == pt.physical_qubits + overhead
