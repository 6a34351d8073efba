"""The run-length timeline and the two ways of sizing pipeline copies (Eq. 14 and the timeline)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magicpipe.errors import SpecError
from magicpipe.passes import Timeline
from magicpipe.passes.supply import eq14_copies, size_for_timeline, slot_demand, start_delay_needed


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(1, 6)), max_size=12))
def test_intervals_match_brute_force(chains):
    starts = [s for s, _ in chains]
    ends = [s + n for s, n in chains]
    counts = [0] * max(ends, default=0)
    for s, e in zip(starts, ends):
        for i in range(s, e):
            counts[i] += 1
    tl = Timeline.from_intervals(starts, ends)
    assert tl.counts() == counts
    assert tl.total == sum(n for _, n in chains)
    assert Timeline.from_dict(tl.to_dict()) == tl


def test_bad_timeline():
    with pytest.raises(SpecError):
        Timeline((1, 2), (3,))


def test_eq14():
    assert eq14_copies(1000, 10_000, 100) == 10  # 100 runs each
    assert eq14_copies(1001, 10_000, 100) == 11
    assert eq14_copies(7, 50, 100) == 7  # shorter than one run: one state per copy
    assert eq14_copies(0, 50, 100) == 0


def _simulate(counts, tau, period, head, copies, buffer):
    """Deliver late (only what the buffer will need), consume layer by layer; True if no layer waits."""
    times = [head + i * tau for i in range(len(counts))]
    slots = math.floor((times[-1]) / period + 1e-9) + 1 if counts else 1
    demand = [0] * (slots + 1)
    for t, c in zip(times, counts):
        demand[math.floor(t / period + 1e-9)] += c
    if demand[0]:
        return False
    need = [0] * (slots + 2)
    for k in range(slots, 0, -1):
        need[k] = demand[k] + max(0, need[k + 1] - copies)
    stock = 0
    for k in range(1, slots + 1):
        stock += max(0, min(copies, need[k] - stock))
        if stock > buffer or stock < demand[k]:
            return False
        stock -= demand[k]
    return True


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=30), st.sampled_from([1.0, 3.0, 7.0]),
       st.sampled_from([5.0, 11.0, 33.0]))
def test_timeline_sizing_runs_without_waiting_and_is_least(counts, tau, period):
    tl = Timeline.from_counts(counts)
    s = size_for_timeline(tl, tau, period, 100, 10)
    if tl.total == 0:
        assert s.copies == 0
        return
    assert _simulate(counts, tau, period, period, s.copies, s.buffer_states)
    # the fewest copies that can run it at all is never above the chosen count
    least = min(c for c in range(1, s.copies + 1) if _simulate(counts, tau, period, period, c, 10**9))
    assert least <= s.copies
    if s.buffer_states > 0:
        assert not _simulate(counts, tau, period, period, s.copies, s.buffer_states - 1)


def test_timeline_against_eq14():
    # 15 layers of 1 round, runs of 10 rounds: Eq. 14 sees floor(15 / 10) = 1 run per copy
    late = Timeline.from_counts([0] * 10 + [10] * 5)
    assert eq14_copies(50, 15, 10) == 50
    assert size_for_timeline(late, 1.0, 10.0, 1000, 1).copies == 25  # two runs before the last layer
    # 100 layers: Eq. 14 sees 10 runs per copy, but a front-loaded program needs its states at once
    front = Timeline.from_counts([10] * 10 + [0] * 90)
    assert eq14_copies(100, 100, 10) == 10
    assert size_for_timeline(front, 1.0, 10.0, 1000, 1).copies == 100
    # with Eq. 14's ten copies it starts at round 91 instead of 10: layer i needs 10 (i + 1) states by h + i
    assert start_delay_needed(front, 10, 1.0, 10.0) == pytest.approx(91.0, abs=1e-2)
    assert start_delay_needed(late, 25, 1.0, 10.0) <= 10.0


def test_waiting_longer_trades_copies_for_buffer():
    front = Timeline.from_counts([10] * 10 + [0] * 90)
    now = size_for_timeline(front, 1.0, 10.0, 1000, 1)
    later = size_for_timeline(front, 1.0, 10.0, 1000, 1, max_wait=100.0)
    assert later.copies < now.copies and later.qubits < now.qubits
    assert later.head_start_rounds > 10.0


def test_slot_demand_sums_to_the_total():
    tl = Timeline.from_counts([2, 0, 5, 5, 1, 0, 3])
    assert slot_demand(tl, 3.0, 7.0, 7.0).sum() == tl.total
