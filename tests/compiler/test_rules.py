"""Small hand-computed schedules that pin each rule of the scheduler (issue 14, item 5).

Each test's docstring names the mutation it was checked against: the rule was changed by hand, the test run
and seen to fail, and the change reverted.
"""

import pytest

from magicpipe.compiler import Hardware, Pipeline, patch_qubits
from magicpipe.compiler.allocator import Producer, min_time_allocation
from magicpipe.compiler.dynamic import PAPER, DynamicOptions, simulate
from magicpipe.compiler.failures import monte_carlo
from magicpipe.compiler.options import FAILURE_AWARE
from magicpipe.compiler.pareto import level_producer
from magicpipe.compiler.stalls import expected_rounds


def _five_seventeen(hw=None):
    pipe = Pipeline.from_distances((5, 17), hw)
    return pipe.levels[1].factory, (level_producer(pipe, 1),), patch_qubits(5)


def test_partial_input_launch():
    """(5, 17), 11 slots, 9929 qubits: N_th = 12 < N_burst + N_buf = 15, so the launch comes after one batch.

    The fill pool (9929 - 11 x 49 = 9390 qubits) holds 12 d=5 factories: 12 states at round 55, launch at 55,
    output at 55 + 11 x 17 = 242. Mutation checked: ``launch_threshold`` returning ``burst + buffer_slots``
    ("launch when the buffer is full") needs 15 states, two fill batches, and launches at 110.
    """
    high, menu, slot = _five_seventeen()
    s = simulate(high, menu, 9782 + 3 * slot, 11, slot, PAPER)
    assert s.launch_threshold == 12
    assert s.fill.runs == ((0, 12, 1),)
    assert (s.tops[0].launch, s.rounds) == (55, 242)


def test_rotations_left_recorded_at_each_stall():
    """(5, 17), 4 slots, 9000 qubits: stalls at steps 5 and 9 record 11 - 5 + 1 = 7 and 11 - 9 + 1 = 3
    rotations left (the stalled step included), with N'_th = 4 and 3.

    Mutation checked: recording ``steps - next_step`` (6 and 2) fails.
    """
    high, menu, slot = _five_seventeen()
    s = simulate(high, menu, 9000, 4, slot, PAPER)
    assert [(x.step, x.remaining, x.threshold) for x in s.stalls] == [(5, 7, 4), (9, 3, 3)]
    assert all(x.remaining == high.protocol.steps - x.step + 1 for x in s.stalls)


def test_allocator_second_stage_takes_fewest_qubit_rounds():
    """Two producers of equal time (10 rounds), 300 and 100 qubits, 4 states on 3000 qubits: T = 10 either
    way, and the second stage keeps 4 x 100-qubit copies (4000 qubit-rounds, not 12000).

    Mutation checked: removing the second CBC stage returns CBC's first optimum, 4 x 300-qubit copies.
    """
    a = Producer("a", 100, 10, 1, 0.99, 1e-7, 3)
    b = Producer("b", 300, 10, 1, 0.99, 1e-7, 3)
    alloc = min_time_allocation((b, a), 3000, 4, solver="cbc")
    assert (alloc.rounds, alloc.runs, alloc.qubits) == (10, ((1, 4, 1),), 400)


def test_free_lanes_cover_a_failure_with_surplus():
    """At p = eps = 1e-3 (level-1 success 0.974 at d1 = 5) the failure-aware policy's expected time at a
    configuration with spare lane capacity is within a few rounds of no failure, the paper's is not: a
    failed run is covered by states the lanes made into free slots, not one run later.
    """
    high, menu, slot = _five_seventeen(Hardware(p=1e-3, eps=1e-3))
    q = 9782 + 2 * 735 + 2 * slot
    paper = simulate(high, menu, q, 10, slot, PAPER)
    aware = simulate(high, menu, q, 10, slot, FAILURE_AWARE)
    assert paper.rounds == aware.rounds == 242
    assert expected_rounds(aware) - aware.rounds < 3.0
    assert monte_carlo(aware, 60, seed=3).mean_delay < monte_carlo(paper, 60, seed=3).mean_delay


@pytest.mark.parametrize("seed", range(3))
def test_all_stall_estimate_near_monte_carlo(seed):
    """The all-stall chain is within 35% (+2 rounds) of 120 seeded runs of the failure-aware scheduler."""
    high, menu, slot = _five_seventeen(Hardware(p=1e-3, eps=1e-3))
    s = simulate(high, menu, 9782 + 735 + (seed + 7) * slot, 7 + seed, slot, FAILURE_AWARE)
    mc = monte_carlo(s, 120, seed=seed)
    assert expected_rounds(s) == pytest.approx(mc.mean_rounds, abs=2 + 0.35 * mc.mean_delay + 3 * mc.stderr_delay)


def test_greedy_resume_never_later_than_threshold():
    """With no failures greedy resumption ends in the same round as N'_th (the threshold is exact)."""
    high, menu, slot = _five_seventeen()
    b = simulate(high, menu, 9800, 2, slot, DynamicOptions(resume="greedy", stall_policy="never"))
    c = simulate(high, menu, 9800, 2, slot, DynamicOptions(stall_policy="never"))
    assert c.stalls and b.rounds == c.rounds
    assert len(b.stalls) >= len(c.stalls)


def test_stall_tie_waits_for_the_lanes():
    """(5, 17), 3 slots, 10272 qubits: at step 4 (round 106) waiting for the lanes and lending the ancilla
    region both resume at round 165; on a tie the factory waits (no move, no reuse runs).

    Mutation checked: ``reuse_plan[0] <= wait_until`` in ``stall_decision`` lends the region at step 4
    (``reuse=True``, same end round).
    """
    high, menu, slot = _five_seventeen()
    s = simulate(high, menu, 10272, 3, slot, PAPER)
    assert [(x.step, x.start, x.end, x.reuse) for x in s.stalls] == [
        (4, 106, 165, False), (7, 216, 275, False), (10, 326, 330, False)]
    assert not any(r.role == "reuse" for r in s.runs)
    assert s.rounds == 364


def test_layout_aware_fill_counts_copies_on_the_block():
    """(3, 11), 8 slots, 4006 qubits: the fill pool (3870 qubits) holds 15 d=3 factories by qubits, so 12
    states come in one batch (launch at 33). With ``block_fill=10`` (10 blocks pack into the idle d=11 block)
    plus one on the 255 qubits beside it, 11 copies fit: the least-time fill is 6 copies run twice, launch 66.

    Mutation checked: ignoring ``block_fill`` in ``block_fill_pool`` gives the one-batch fill.
    """
    pipe = Pipeline.from_distances((3, 11))
    high, menu, slot = pipe.levels[1].factory, (level_producer(pipe, 1),), patch_qubits(3)
    plain = simulate(high, menu, 4006, 8, slot, PAPER)
    aware = simulate(high, menu, 4006, 8, slot, DynamicOptions(block_fill=10))
    assert (plain.fill.runs, plain.tops[0].launch) == (((0, 12, 1),), 33)
    assert (aware.fill.runs, aware.tops[0].launch, aware.rounds) == (((0, 6, 2),), 66, 187)


def test_short_launch_starts_without_the_refill():
    """(5, 17) at p = eps = 1e-3, 9782 qubits, 8 slots, failures seeded with 3: fill run 10 of the 12 fails.
    With ``short_launch`` the factory launches at 55 on 11 states and its step 10 waits for the lane
    (208 -> 275 under the paper's resumption); without it the shortfall is re-filled and the launch is at 110.

    Mutation checked: ``short_launch_ready`` returning False launches at 110.
    """
    import random

    high, menu, slot = _five_seventeen(Hardware(p=1e-3, eps=1e-3))
    short = simulate(high, menu, 9782, 8, slot, DynamicOptions(short_launch=True), rng=random.Random(3))
    refill = simulate(high, menu, 9782, 8, slot, PAPER, rng=random.Random(3))
    assert [r.id for r in short.runs if r.role == "fill" and not r.success] == [10]
    assert (short.tops[0].launch, short.rounds) == (55, 309)
    assert [(x.step, x.start, x.end) for x in short.stalls] == [(10, 208, 275)]
    assert (refill.tops[0].launch, refill.rounds) == (110, 297)
