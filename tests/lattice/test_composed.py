"""Three-level (composed) pipelines in the whole-program stream (lattice/composed.py): a block unit whose
lower pipelines, buffer and top factory are regions, run by the copies of a planned point, checked against the
plan and round-tripped."""

from __future__ import annotations

import dataclasses

import pytest

from magicpipe.compiler import Hardware, LogicalCounts, Pipeline
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.feeds import pipeline_sources
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.compiler.program import plan_program, program_demand
from magicpipe.compiler.synthesis import SYNTHESIS_MODELS
from magicpipe.errors import SpecError
from magicpipe.grammar.jsonl import from_jsonl, to_jsonl
from magicpipe.grammar.parser2 import parse_program
from magicpipe.lattice.block import BlockLayout
from magicpipe.lattice.check2 import audit2
from magicpipe.lattice.composed import composed_unit
from magicpipe.lattice.geometry import SITES_PER_UNIT
from magicpipe.lattice.stream2 import ProgramStream
from magicpipe.lattice.units2 import block_checks, parse_block
from magicpipe.lattice.whole import qubit_parts, stream_for_point

HW = Hardware(p=1e-4, eps=1e-4)


@pytest.fixture(scope="module")
def front():
    sources, schedules = pipeline_sources(Pipeline.from_distances((3, 7, 15), HW), 1e-3, ("dynamic",))
    demand = program_demand(LogicalCounts(4, t_count=300), ErrorBudget(1e-3), SYNTHESIS_MODELS["azure"])
    return plan_program(demand, sources, HW, "fast", schedules).points


def test_a_three_level_point_streams_as_its_plan_runs(front):
    pt = next(p for p in front if p.schedule.supply.runs and p.copies > 1)
    head, ops = stream_for_point(pt, hardware=HW)
    s = ProgramStream(head, tuple(ops))
    a = audit2(s)
    assert a.violations == () and a.delivered == 300
    last = max(op.time + (op.period * (op.count - 1) if op.action == "REPEAT" else 0) for op in s.ops)
    assert abs(last - pt.runtime_rounds) <= 0.05 * pt.runtime_rounds, (last, pt.runtime_rounds)
    unit = head.units[0]
    assert unit.qubits == pt.schedule.qubit_budget and qubit_parts(head)["units"] == pt.factory_qubits
    assert list(block_checks(unit)) == []
    body = parse_block(unit.text)
    sch = pt.schedule
    lanes = [sch.producers[k] for k, n, *_ in sch.supply.runs for _ in range(n)]
    regions = [r for r in body.regions if r.kind == "level2"]
    assert len(regions) == len(lanes) == body.int("level2")
    for r, p in zip(regions, lanes):   # each lower pipeline's rectangle holds its qubits
        assert SITES_PER_UNIT * r.rect.w * r.rect.h >= p.qubits and r.d == p.distance
    upper = next(r for r in body.regions if r.kind == "upper")
    assert (upper.rect.w, upper.rect.h) == BlockLayout.for_protocol(sch.high.protocol).size(15)
    buffer = next(r for r in body.regions if r.kind == "buffer")
    assert SITES_PER_UNIT * buffer.rect.w * buffer.rect.h >= sch.buffer_slots * patch_qubits(7)
    assert parse_program(str(s)) == s
    h, read = from_jsonl(list(to_jsonl(s.header, s.ops)))
    assert ProgramStream(h, tuple(read)) == s
    h, ops = stream_for_point(pt, hardware=HW, seed=2)
    assert audit2(ProgramStream(h, tuple(ops))).violations == ()


def test_a_wrong_level2_count_is_reported(front):
    pt = next(p for p in front if p.schedule.supply.runs)
    unit, _ = composed_unit(pt.source, pt.schedule, 0.99)
    n = parse_block(unit.text).int("level2")
    bad = dataclasses.replace(unit, text=unit.text.replace(f"level2={n}", f"level2={n + 1}"))
    assert any("level2" in m for m in block_checks(bad))


def test_a_schedule_without_a_steady_supply_is_refused(front):
    pt = next(p for p in front if not p.schedule.supply.runs)
    with pytest.raises(SpecError, match="no lower pipeline beside its top factory"):
        stream_for_point(pt, hardware=HW)
