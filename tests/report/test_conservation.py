"""The conservation law in the metrics: produced = consumed + discarded + left, on every kind of timeline."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magicpipe.compiler import Pipeline
from magicpipe.grammar import parse
from magicpipe.lattice import build_stream, schedule_from_stream
from magicpipe.lattice.samples import sample_schedule
from magicpipe.report import SpaceTime, measure
from magicpipe.report.spacetime import baseline


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_sampled_schedules_balance_and_match_their_stream_tally(seed):
    """Seeded schedules with failed runs and buffer-full discards: the ledger balances, and the ledger read
    back from the stream equals the stream's TALLY (the lattice's own count)."""
    schedule = sample_schedule(seed)
    ledger = SpaceTime.from_schedule(schedule).buffers[0].ledger
    assert ledger.balanced, ledger
    assert ledger.produced == sum(schedule.producers[r.producer].outputs for r in schedule.runs)
    assert ledger.consumed == sum(k.count for k in schedule.takes)
    assert ledger.failed == sum(schedule.producers[r.producer].outputs for r in schedule.runs if not r.success)
    stream = parse(str(build_stream(schedule)))
    tally = stream.instructions[-1].tally
    back = SpaceTime.from_schedule(schedule_from_stream(stream)).buffers[0].ledger
    assert back == ledger
    assert (back.produced, back.consumed, back.discarded, back.left) == (
        tally.produced, tally.consumed, tally.discarded, len(tally.left))


@pytest.mark.parametrize("distances", [(3, 5), (5, 17), (3, 9, 15), (5, 9, 23)])
def test_baselines_balance_at_every_level(distances):
    pipe = Pipeline.from_distances(distances)
    for tl in (baseline(pipe, "sequential"), baseline(pipe, "parallel")):
        m = measure(tl, pipeline=pipe)
        for b in m.buffers:
            assert b.ledger.balanced, (tl.name, b)
            assert b.ledger.consumed == (15 * sum(x.level == b.level + 1 for x in tl.boxes) if b.level < tl.levels
                                         else 0)
        assert m.delivered == 1


def test_the_occupancy_ends_at_what_is_left():
    pipe = Pipeline.from_distances((5, 17))
    tl = baseline(pipe, "sequential")
    buf = tl.buffers[0]
    assert buf.held(tl.makespan) == buf.ledger.left == 1
