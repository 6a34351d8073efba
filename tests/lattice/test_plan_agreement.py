"""The plan and its stream describe the same machine (docs/program.md, "The stream of the chosen point").

For small programs -- logical counts and small circuits, one- and two-level chosen points of the 15-to-1
pipelines, steady and bursty demand -- the stream's runtime is within 5% of the plan's, and its qubits are the
plan's plus a counted overhead: the stream has the plan's factory copies, but data patches, a bus per zone and
port patches where the plan has Litinski's data block and its buffer.

The hand-off: the stream's copy moves each state into its port (one lattice-surgery move, ``d`` rounds:
``stream2.step_rounds``) before its next run, and the plan charges the same move to each copy's period
(``compiler.program.cycle_rounds``). Without that charge the stream was +6.5% (adder8), +7.5% (counts), +7.0%
(ising4x4) slower than the plan (docs/lattice.md, "Routes are moves of d rounds").
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
    # the stream's runtime (its last operation) against the plan's simulated runtime, hand-offs in both
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


def test_a_dropped_state_needs_a_full_port():
    """A copy that keeps its pace drops a state (IF a=0 DISCARD reason=full) only when its port has no room; the
    validator catches a drop at a port with room, and the stream of a bursty demand drops and still checks."""
    from magicpipe.lattice.check2 import audit2
    from magicpipe.lattice.stream2 import ProgramStream
    from magicpipe.lattice.whole import ProgramLayout, program_stream2, unit_one_level

    u = unit_one_level("15-to-1", 5)
    # 40 states at once, then 80 layers of one state: 20 copies make more than that, fill their ports and drop
    timeline = [(0, 1, 40, 9), (9, 80, 1, 9)]
    s = program_stream2(ProgramLayout(4, 9), u, 20, timeline)
    full = str(s).count("reason=full")
    assert full and audit2(s).violations == ()
    runs, accepted, rejected = s.ops[-1].tally[:3]
    assert runs == accepted + rejected + full and accepted == 120
    # the first state sent to a port turned into a drop: the port had room
    k = next(i for i, op in enumerate(s.ops) if op.action == "OUTPUT")
    bad = s.ops[k]
    ops = list(s.ops)
    ops[k] = type(bad)(bad.time, "DISCARD", copy=bad.copy, count=1, reason="full", cond=bad.cond)
    v = audit2(ProgramStream(s.header, tuple(ops))).violations
    assert any(x.rule == "control" and "reason=full" in x.message for x in v), v[:2]
