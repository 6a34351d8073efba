"""Validator details the corpus does not reach: the header, replaying a generator, cascades kept short."""

import dataclasses

from magicpipe.lattice import Stream, audit, build_stream, check, emit, header, plan_floor
from magicpipe.lattice.geometry import Rect
from magicpipe.lattice.samples import sample_schedule


def test_header_slots_must_be_on_the_plan_and_distinct():
    stream = build_stream(sample_schedule(3))
    h = stream.header
    first_slot = 6 + len(h.regions)
    doubled = dataclasses.replace(h, slots=(h.slots[0], h.slots[0]) + h.slots[2:])
    v = check(Stream(doubled, stream.instructions))[0]
    assert (v.line, v.rule, v.instruction) == (first_slot + 1, "tile-free", f"SLOT 1 {h.slots[0]}")
    off = dataclasses.replace(h, slots=(Rect(h.width, 0, 5, 5),) + h.slots[1:])
    v = check(Stream(off, stream.instructions))[0]
    assert (v.line, v.rule) == (first_slot, "on-floorplan")


def test_audit_replays_a_generator_and_reports_figures():
    s = sample_schedule(11)
    fp = plan_floor(s)
    found = audit(Stream(header(s, fp), ()), emit(s, fp))
    assert found.violations == ()
    assert found.instructions == len(build_stream(s, fp).instructions)
    assert found.peak_qubits == s.peak_qubits() and found.factories == len(s.runs) + len(s.tops)
