"""Magic-state cultivation feeding a 15-to-1 level of the dynamic scheduler: seeded restarts."""

import math
import random

import pytest

from magicpipe.compiler import FIFTEEN_TO_ONE, Factory, Hardware, check
from magicpipe.compiler.cultivation import cultivation_point
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.compiler.options import FAILURE_AWARE
from magicpipe.compiler.producers import cultivation_producer

HW = Hardware(p=1e-3, eps=1e-3)
POINT = cultivation_point(1e-3, 3, 0.0)  # 2.65e-6 per kept state, 454 qubits, 17.8 rounds per kept state
HIGH = Factory(FIFTEEN_TO_ONE, 17, HW)
SLOT = patch_qubits(15)


def _schedule(seed, patches=4, tops=2):
    prod = cultivation_producer(POINT)
    budget = HIGH.qubits + 8 * SLOT + patches * prod.qubits
    return simulate(HIGH, [prod], budget, 8, SLOT, FAILURE_AWARE, tops=tops, rng=random.Random(seed))


def test_an_attempt_keeps_the_published_mean_time_per_state():
    p = cultivation_producer(POINT)
    assert (p.rounds, p.outputs, p.distance, p.qubits) == (4, 1, 15, 454)
    assert p.rounds / p.p_succ == pytest.approx(POINT.volume / POINT.qubits, rel=1e-12)
    assert p.p_succ == pytest.approx(POINT.acceptance, rel=0.01)


def test_restarts_are_seeded_and_keep_every_invariant():
    a, b = _schedule(7), _schedule(7)
    assert a.runs == b.runs and a.takes == b.takes
    assert _schedule(8).runs != a.runs
    kept = attempts = 0
    for seed in range(12):
        s = _schedule(seed)
        check(s, allow_failures=True)  # every kept state taken once or left; failed attempts yield nothing
        led = s.ledger()
        assert led.balanced and led.consumed == 2 * FIFTEEN_TO_ONE.inputs
        assert all(r.outputs == (1 if r.success else 0) for r in s.runs)
        kept += sum(r.success for r in s.runs)
        attempts += len(s.runs)
    # attempts are kept with probability p_succ: the fraction within four binomial standard deviations
    p = cultivation_producer(POINT).p_succ
    assert abs(kept / attempts - p) <= 4 * math.sqrt(p * (1 - p) / attempts)


def test_too_few_patches_make_the_15_to_1_wait():
    # one patch keeps a state every 17.8 rounds on average, the 15-to-1 takes one every 17: it stalls; four
    # patches keep up. Mean over the same seeds, rounds of two executions.
    few = [_schedule(seed, patches=1) for seed in range(6)]
    many = [_schedule(seed, patches=4) for seed in range(6)]
    assert sum(len(s.stalls) for s in few) > sum(len(s.stalls) for s in many)
    assert sum(s.rounds for s in few) > sum(s.rounds for s in many)
