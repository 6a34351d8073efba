"""compiler/stalls.py's ``expected_rounds`` on schedules small enough to follow by hand, and its invariant on
real schedules: a producer that never fails makes no stall, so the expected completion is the schedule's own.

The hand cases keep the level-2 factory of (5, 17) (its burst of 4 states only widens the fill's cap) and replace
the events with a few: one producer P (100 qubits, 10 rounds, one state, success 1/2), a buffer of 2 slots, one
fill run ending at the launch (round 10), a take of 1 state at the launch and one at round 20, one supply lane
whose run ends at 20 (so it runs on at 30, 40, ...), and the factory's end 5 rounds after the last take (25).
"""

from __future__ import annotations

import dataclasses

import pytest

from magicpipe.compiler import Pipeline
from magicpipe.compiler.allocator import Allocation, Producer
from magicpipe.compiler.dynamic import DynamicOptions, simulate
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.compiler.options import FAILURE_AWARE, PAPER
from magicpipe.compiler.pareto import level_producer
from magicpipe.compiler.schedule import Run, Take, TopRun
from magicpipe.compiler.stalls import _binomial, _deposit, expected_rounds

PIPE = Pipeline.from_distances((5, 17))
HIGH = PIPE.levels[1].factory
P = Producer("p", 100, 10, 1, 0.5, 1e-7, 5)


def _tiny(options, move_rounds=0, threshold=1, takes=(20,)):
    base = simulate(HIGH, (level_producer(PIPE, 1),), 9782, 8, patch_qubits(5))
    return dataclasses.replace(
        base, producers=(P,), buffer_slots=2, launch_threshold=threshold,
        supply=Allocation(10, ((0, 1, 1),), 100, 1), fill=Allocation(10, ((0, 1, 1),), 100, 1),
        runs=(Run(0, 0, 0, 10, 100, "fill", 1), Run(1, 0, 10, 20, 100, "supply", 0)),
        tops=(TopRun(0, 10, takes[-1] + 5),),
        takes=(Take(10, 0, 0, 1),) + tuple(Take(t, 0, k, 1) for k, t in enumerate(takes, start=1)), stalls=(),
        move_rounds=move_rounds, options=options)


def test_a_stall_waits_for_the_lanes_next_runs():
    """No lending (``stall_policy="never"``). The fill run fails with 1/2: then the launch finds 0 < 1 state
    and waits for a re-fill, one run of P: 10 rounds, so 1/2 x 10 on average; either way 0 states are left after
    the launch's take. At round 20 the lane's run deposits (deposits come before takes in a round): with 1/2 the
    take finds its state (delay 0); else it waits for the runs at 30, 40, ...: the k-th next succeeds with
    probability 2^-k, a delay of 10 k. E[delay] = sum_k 10 k 2^-(k+1) = 10 (the chain drops paths below 1e-7 of
    probability, which moves the mean by under 1e-4). Expected completion: 25 + 5 + 10 = 40."""
    assert expected_rounds(_tiny(DynamicOptions(stall_policy="never"))) == pytest.approx(40.0, abs=1e-4)


def test_a_delayed_path_sees_each_deposit_once():
    """Takes of 1 state at 20 and 30 (end 35), no lending. After the launch no state is left. The take at 20
    waits 10 k rounds (k >= 0) for the first of the runs at 20, 30, ... that succeeds, as above (mean 10);
    it then holds the run's state and takes it. Its path is k x 10 rounds late, so the take at 30 + 10 k sees
    only the runs from then on (those before were spent on the first take): again a wait of mean 10. Expected
    completion 35 + 5 + 10 + 10 = 60."""
    assert expected_rounds(_tiny(DynamicOptions(stall_policy="never"), takes=(20, 30))) == \
        pytest.approx(60.0, abs=1e-3)


def test_a_stall_takes_the_lent_region_when_it_is_sooner():
    """As above, but the ancilla region may be lent and moving a state costs 1 round: one state is remade in
    2 x 1 + 10 = 12 rounds. A path stalled at 20 takes the lane's run at 30 (10 rounds, success 1/2) and
    otherwise the lent region's state at 32 (the next lane run, at 40, is later). E[delay] = 1/4 x 10 +
    1/4 x 12 = 5.5; completion 25 + 5 + 5.5 = 35.5."""
    assert expected_rounds(_tiny(DynamicOptions(stall_policy="shortest"), move_rounds=1)) == pytest.approx(35.5)


def test_a_short_fill_launches_anyway_only_with_short_launch():
    """A launch threshold of 2 with one fill run: the fill is always short, a re-fill of 10 rounds brings the
    count to the threshold and the launch takes 1, leaving 1, so the take at 20 never stalls: 25 + 10 = 35.
    With ``short_launch`` (and a supply lane) the launch needs only its own take: the first case again, 40."""
    assert expected_rounds(_tiny(DynamicOptions(stall_policy="never"), threshold=2)) == pytest.approx(35.0)
    short = DynamicOptions(stall_policy="never", short_launch=True)
    assert expected_rounds(_tiny(short, threshold=2)) == pytest.approx(40.0, abs=1e-4)


def test_deposits_by_hand():
    """Half the paths hold 0 states and half 1; a run of 2 outputs succeeds with 3/4; the buffer holds 2:
    0 -> 0 (1/8) or 2 (3/8); 1 -> 1 (1/8) or 3, capped at 2 (3/8)."""
    assert _deposit([0.5, 0.5], [0.25, 0.75], 2, 2) == [0.125, 0.125, 0.75]
    assert _binomial(3, 0.5) == [0.125, 0.375, 0.375, 0.125]


@pytest.mark.parametrize("options", [PAPER, FAILURE_AWARE], ids=["paper", "failure-aware"])
def test_a_producer_that_never_fails_never_stalls(options):
    """Level-1 runs that always succeed: every take finds the states the no-failure schedule gave it (the lanes
    running on only add states), so the expected completion is the schedule's own end, at every budget."""
    sure = dataclasses.replace(level_producer(PIPE, 1), p_succ=1.0)
    for q in (9400, 9782, 10500, 12000):
        for slots in (4, 8, 11):
            s = simulate(HIGH, (sure,), q, slots, patch_qubits(5), options)
            assert expected_rounds(s) == s.tops[0].end


def test_a_lane_run_ending_as_the_lent_state_arrives_is_counted():
    """A lane of runs of 2 states (success 1/2, every 10 rounds from 20), a buffer of 2, a fill made by a sure
    producer (1 state: none left after the launch's take), takes of 1 at 20 and 30 (end 35), the lent region
    2 x 5 + 10 = 20 rounds away.

    Take at 20: with 1/2 the run at 20 brings 2 (one left, and the take at 30 is met whatever the run at 30
    does): delay 0. Else it stalls: the run at 30 brings 2 with 1/4 (delay 10; one left, then the run at 40
    keeps it at least 1: met); otherwise (1/4) the lent state arrives at 40, 20 rounds later, together with the
    run ending at 40 (deposits meanwhile are a bonus): the path holds 2 with 1/8 and the lent 1 with 1/8.
    After its take at 40 it holds 1 (1/8: met at 50) or 0 (1/8): then the run at 50 brings 2 with 1/16 (met,
    delay 20), else the run at 60 (1/32, delay 30) or the lent state at 70 (1/32, delay 40).
    E[delay] = 10/4 + 20 x 3/16 + 30/32 + 40/32 = 8.4375; completion 35 + 8.4375."""
    two = Producer("two", 100, 10, 2, 0.5, 1e-7, 5)
    sure = Producer("sure", 100, 10, 1, 1.0, 1e-7, 5)
    s = dataclasses.replace(_tiny(DynamicOptions(stall_policy="shortest"), move_rounds=5, takes=(20, 30)),
                            producers=(two, sure), runs=(Run(0, 1, 0, 10, 100, "fill", 1),
                                                         Run(1, 0, 10, 20, 100, "supply", 0)))
    assert expected_rounds(s) == pytest.approx(35 + 8.4375)


def test_without_lanes_a_stall_waits_for_the_lent_region():
    """No supply lane: after the launch nothing is deposited, so the take at 20 always stalls and waits for
    the lent region's state, 2 x 1 + 10 = 12 rounds. Completion 25 + 1/2 x 10 (the re-fill) + 12 = 42."""
    s = dataclasses.replace(_tiny(DynamicOptions(stall_policy="shortest"), move_rounds=1),
                            supply=Allocation(0, (), 0, 0), runs=(Run(0, 0, 0, 10, 100, "fill", 1),))
    assert expected_rounds(s) == pytest.approx(42.0)
