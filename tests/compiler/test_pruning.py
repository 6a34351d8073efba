"""pareto_front(least_volume_only=True): the rounds floor by hand, never above a schedule, same least volume."""

from __future__ import annotations

import pytest

from magicpipe.compiler import Hardware, Pipeline
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.errormodel import PAPER as PAPER_MODEL
from magicpipe.errors import InfeasibleError
from magicpipe.compiler.options import FAILURE_AWARE, PAPER
from magicpipe.compiler.pareto import _rounds_floor, level_producer, pareto_front


def _five_seventeen():
    pipe = Pipeline.from_distances((5, 17))
    return pipe.levels[1].factory, level_producer(pipe, 1)


def test_rounds_floor_by_hand():
    high, low = _five_seventeen()  # level 1: 735 qubits, 55 rounds; level 2: 187 rounds, steps of 17
    assert (low.qubits, low.rounds, high.rounds, high.step_rounds, high.data_qubits) == (735, 55, 187, 17, 2885)
    # 9390 qubits beside 8 slots: 12 copies make the 5 launch states in one run; 3 more after, 8 copies
    assert _rounds_floor(high, low, 9390, 8) == 55 + 187
    # 3620 qubits, 1 slot: 4 copies, 2 runs for 5 states (110); 10 states after the launch on one copy
    assert _rounds_floor(high, low, 3620, 1) == 110 + 10 * 55 + 17
    # no copy fits beside the data patches, yet states are needed after the launch
    assert _rounds_floor(high, low, 2885, 2) > 10**9


@pytest.mark.parametrize("options", [PAPER, FAILURE_AWARE])
def test_rounds_floor_is_never_above_a_schedule(options):
    high, low = _five_seventeen()
    slot = 49
    checked = 0
    for b in (1, 3, 6, 8, 11):
        for q in range(high.qubits + b * slot + 735, high.qubits + b * slot + 9 * 735, 2 * 735 + 101):
            try:
                s = simulate(high, (low,), q, b, slot, options)
            except InfeasibleError:
                continue
            assert s.rounds >= _rounds_floor(high, low, q - b * slot, b)
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("distances,p", [((3, 9), 1e-3), ((7, 5), 1e-4)])
def test_least_volume_only_finds_the_same_point(distances, p):
    pipe = Pipeline.from_distances(distances, Hardware(p=p, eps=p, model=PAPER_MODEL))
    kw = {"options": FAILURE_AWARE, "buffer_sizes": (5, 7, 9)}  # a part of the search, to stay fast
    full = pareto_front(pipe, **kw).min_volume()
    pruned_front = pareto_front(pipe, least_volume_only=True, **kw)
    best = pruned_front.min_volume()
    assert (best.qubits, best.buffer_slots, best.policy, best.rounds) == (full.qubits, full.buffer_slots,
                                                                         full.policy, full.rounds)
    # where no Monte Carlo revises the estimates (level-1 success 0.9995 at d1 = 7) fewer are simulated
    if pipe.levels[0].p_succ >= 0.98:
        assert len(pruned_front.evaluated) < len(pareto_front(pipe, **kw).evaluated)


def test_monte_carlo_refine_never_leaves_an_unestimated_point_least():
    """A point without an expected time ("dominated": its rounds are the no-failure ones, a lower bound) must not
    end up the least volume because the Monte Carlo budget ran out: it is given its all-stall estimate first."""
    import dataclasses
    import math

    from magicpipe.compiler.pareto import ParetoPoint, _monte_carlo_refine
    from magicpipe.compiler.stalls import expected_rounds

    pipe = Pipeline.from_distances((3, 9), Hardware(p=1e-3, eps=1e-3, model=PAPER_MODEL))
    high, low = pipe.levels[1].factory, level_producer(pipe, 1)
    s = simulate(high, (low,), 3095, 10, 17, PAPER)  # 132 rounds without failures, 27 more on 8 Monte Carlo runs
    estimated = ParetoPoint(3095, 10, s.rounds, 0.0, s, 1.0, math.nan, "all-stalls")  # optimistic: no delay
    dominated = ParetoPoint(3096, 10, s.rounds, 0.0, s, 1.0, math.nan, "dominated")

    def timed(p):
        return dataclasses.replace(p, expected_delay=expected_rounds(p.schedule) - p.schedule.rounds,
                                   delay_model="all-stalls")

    out = _monte_carlo_refine([estimated, dominated], 8, 1, timed, limit=1)
    best = min(out, key=lambda p: (p.volume, p.qubits))
    assert out[0].delay_model == "monte-carlo" and out[1].delay_model == "all-stalls"
    assert best.delay_model != "dominated"
    # without timing, the dominated point is left the least once the one Monte Carlo run is spent
    old = _monte_carlo_refine([estimated, dominated], 8, 1, None, limit=1)
    assert min(old, key=lambda p: (p.volume, p.qubits)).delay_model == "dominated"
