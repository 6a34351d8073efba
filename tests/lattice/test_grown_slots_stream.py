"""A schedule whose buffer slots were grown to a higher distance (compiler/decay.py) as a stream."""

import dataclasses

from magicpipe.compiler import Pipeline
from magicpipe.compiler.decay import grown_schedule, slot_distance_of
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.compiler.pareto import pareto_front
from magicpipe.lattice import audit, build_stream, schedule_from_stream


def test_grown_slots_are_laid_out_validated_and_read_back():
    """The BUDGET line carries the grown slot size and budget, the floor plan lays each slot as a d_s x d_s tile,
    the stream validates and reads back to the same slots; the old d x d tiles under grown slots do not."""
    plain = pareto_front(Pipeline.from_distances((5, 17))).min_volume().schedule
    s = grown_schedule(plain, 7)
    stream = build_stream(s)
    assert (stream.header.slot_qubits, stream.header.qubit_budget) == (patch_qubits(7), s.qubit_budget)
    assert len(stream.header.slots) == 8 and {(r.w, r.h) for r in stream.header.slots} == {(7, 7)}
    assert audit(stream).violations == ()
    back = schedule_from_stream(stream)
    assert (back.slot_qubits, back.qubit_budget, slot_distance_of(back)) == (97, 9782 + 384, 7)
    small = build_stream(plain).header.slots
    assert {(r.w, r.h) for r in small} == {(5, 5)}
    bad = dataclasses.replace(stream, header=dataclasses.replace(stream.header, slots=small))
    found = [v.message for v in audit(bad).violations if "smaller than" in v.message]
    assert len(found) == 8 and found[0].endswith("is smaller than a d=7 patch")
