"""A schedule whose buffer slots were grown to a higher distance (compiler/decay.py) as a stream."""

from magicpipe.compiler import Pipeline
from magicpipe.compiler.decay import grown_schedule, slot_distance_of
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.compiler.pareto import pareto_front
from magicpipe.lattice import audit, build_stream, schedule_from_stream


def test_grown_slots_are_written_validated_and_read_back():
    """The BUDGET line carries the grown slot size and budget; the stream validates and reads back to the same
    slots (the floor plan's SLOT tiles stay at the producer's distance: docs/model.md, "Slots at a higher
    distance")."""
    s = grown_schedule(pareto_front(Pipeline.from_distances((5, 17))).min_volume().schedule, 7)
    stream = build_stream(s)
    assert (stream.header.slot_qubits, stream.header.qubit_budget) == (patch_qubits(7), s.qubit_budget)
    assert audit(stream).violations == ()
    back = schedule_from_stream(stream)
    assert (back.slot_qubits, back.qubit_budget, slot_distance_of(back)) == (97, 9782 + 384, 7)
