"""Runs of several outputs (20-to-4) as the lower level of the dynamic scheduler and its allocator."""

import dataclasses
import random

import pytest

from magicpipe.compiler import FIFTEEN_TO_ONE, Factory, Hardware, check
from magicpipe.compiler.allocator import Producer, min_time_allocation
from magicpipe.compiler.blockmodel import NoiseModel
from magicpipe.compiler.catalogue import two_level
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.producers import catalogue_producer
from magicpipe.errors import InfeasibleError, SpecError, VerificationError

HW = Hardware(p=1e-4, eps=1e-4)
HIGH = Factory(FIFTEEN_TO_ONE, 11, HW)  # 3,615 qubits; burst 4, then 11 steps of 11 rounds
FOUR = Producer("20-to-4", qubits=1200, rounds=50, outputs=4, p_succ=0.99, eps_out=1e-7, distance=5)
ONE = Producer("15-to-1@d5", qubits=735, rounds=55, outputs=1, p_succ=0.998, eps_out=2e-7, distance=5)


def test_a_four_output_level_by_hand():
    """6,000 qubits, 8 slots of 51: N_th = 10 (burst 4 + 6). The fill is 3 runs of 4 (12 states, all at
    round 50: 3 x 1,200 qubits); the burst and step 1 take 5 at the launch, 7 wait. Beside the factory
    6,000 - 3,615 - 408 leaves room for one supply lane: 50-100 (+4 at round 100). Steps every 11 rounds from
    50: 4 takes to round 94 leave 3, the deposit makes 7, 6 more takes to round 160 leave 1; the lane does
    not run again (7 held cover the 6 still to take). 16 made = 15 taken + 1 left."""
    s = simulate(HIGH, [FOUR], 6000, 8, 51)
    check(s)
    assert s.launch_threshold == 10
    assert [(r.start, r.end, r.role, r.outputs) for r in s.runs] == [(0, 50, "fill", 4)] * 3 + [(50, 100, "supply", 4)]
    assert [(k.time, k.count) for k in s.takes] == [(50, 4), (50, 1)] + [(50 + 11 * i, 1) for i in range(1, 11)]
    assert s.rounds == 50 + 11 * 11
    led = s.ledger()
    assert (led.produced, led.consumed, led.discarded, led.left) == (16, 15, 0, 1)


def test_a_buffer_that_cannot_take_whole_runs_is_refused():
    # 6 slots: the launch holds 4 + 6 = 10 states, but runs of four reach 10 only as 12
    with pytest.raises(InfeasibleError, match="its runs yield 12 states, more than the 10"):
        simulate(HIGH, [FOUR], 6000, 6, 51)
    # with one-output runs on the menu (N_th = 9) the fill yields 9 exactly: two fours at once would put 8
    # states in 6 slots before the launch, so one copy runs twice (4 at round 50, 4 at 100) beside a 15-to-1
    s = simulate(HIGH, [FOUR, ONE], 9000, 6, 51)
    check(s)
    assert s.launch_threshold == 9 and s.fill.runs == ((0, 1, 2), (1, 1, 1)) and s.fill.produced == 9
    assert s.discarded == 0 and s.tops[0].launch == 100


def test_the_allocator_caps_what_runs_of_several_outputs_yield():
    assert min_time_allocation((FOUR,), 9000, 10).produced == 12
    with pytest.raises(InfeasibleError, match="cannot yield between 10 and 10"):
        min_time_allocation((FOUR,), 9000, 10, at_most=10)
    capped = min_time_allocation((FOUR, ONE), 9000, 10, at_most=11)
    assert 10 <= capped.produced <= 11 and capped.rounds == 55


def test_outputs_are_all_or_none_and_taken_once():
    s = simulate(HIGH, [FOUR], 6000, 8, 51)
    more = dataclasses.replace(s.runs[3], outputs=5)  # the buffer has room for it: only the run is wrong
    with pytest.raises(VerificationError, match="run 3 yields 5 of its 4 outputs"):
        check(dataclasses.replace(s, runs=s.runs[:3] + (more,), buffer_slots=9, qubit_budget=7000))


def test_litinskis_20_to_4_feeds_a_15_to_1_level():
    f = two_level(NoiseModel.litinski(1e-4), (7, 3, 3), 4, "20-to-4", (15, 7, 9))
    p = catalogue_producer(f)
    assert (p.outputs, p.distance, p.qubits) == (4, 15, f.qubits)
    high = Factory(FIFTEEN_TO_ONE, 17, HW)
    budget = high.qubits + 12 * 449 + 2 * p.qubits
    s = simulate(high, [p], budget, 12, 449)
    check(s)
    assert all(r.outputs == 4 for r in s.runs) and s.ledger().balanced and s.ledger().discarded == 0
    for seed in range(3):  # failures drawn per run: four states lost at once
        mc = simulate(high, [dataclasses.replace(p, p_succ=0.8)], budget, 12, 449, tops=2, rng=random.Random(seed))
        check(mc, allow_failures=True)
        assert all(r.outputs in (0, 4) for r in mc.runs) and mc.ledger().balanced


def test_a_ccz_factory_is_not_a_t_producer():
    f = two_level(NoiseModel.litinski(1e-4), (7, 3, 3), 4, "8-to-CCZ", (15, 7, 9))
    with pytest.raises(SpecError, match="makes CCZ states"):
        catalogue_producer(f)
