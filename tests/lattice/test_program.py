"""Long programs: one period and a REPEAT, or every copy lazily; both validate and count the same states."""

import itertools

import pytest

from magicpipe.errors import SpecError
from magicpipe.grammar import parse
from magicpipe.lattice import Stream, check, header, plan_floor
from magicpipe.lattice.program import emit_program, period_body, program_stream
from magicpipe.lattice.samples import sample_schedule


@pytest.mark.parametrize("seed", [3, 8, 11])
def test_repeat_and_expansion_agree(seed):
    s = sample_schedule(seed)
    fp = plan_floor(s)
    compact = program_stream(s, fp, 5)
    expanded = Stream(header(s, fp), tuple(emit_program(s, fp, 5, expand=True)))
    assert check(compact) == [] and check(expanded) == []
    assert compact.instructions[-1] == expanded.instructions[-1]
    body, period, _ = period_body(s, fp)
    assert compact.instructions[0].count == 5 and compact.instructions[0].period == period == s.rounds
    assert len(expanded.instructions) == 5 * len(body) + 1
    assert parse(str(compact)) == compact


def test_a_billion_states_is_one_period():
    s = sample_schedule(3)
    stream = program_stream(s, None, 10**9)
    repeat, tally = stream.instructions
    assert repeat.count == 10**9 and tally.time == 10**9 * repeat.period
    assert tally.tally.delivered == 10**9 and tally.tally.balanced
    assert check(stream) == []


def test_expansion_is_lazy():
    s = sample_schedule(3)
    gen = emit_program(s, plan_floor(s), 10**12, expand=True)
    first = list(itertools.islice(gen, 3))
    assert [i.target for i in first] == ["L0_0", "L1_0", "L2_0"]


def test_a_repeat_must_end_empty():
    s = sample_schedule(3)
    stream = program_stream(s, None, 2)
    repeat = stream.instructions[0]
    late = Stream(stream.header, (repeat.__class__(0, "REPEAT", count=2, period=repeat.period - 1, body=repeat.body),
                                  stream.instructions[1]))
    assert check(late)[0].rule == "timing"
    with pytest.raises(SpecError):
        list(emit_program(s, plan_floor(s), 0))
