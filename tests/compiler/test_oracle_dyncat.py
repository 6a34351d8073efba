"""The dynamic catalogue's search decisions, with its measurement replaced by a stand-in whose periods are given
(so what is measured, skipped and kept follows from the module's rules by hand), its lock-step baseline timing
against the catalogue's closed form, and which lower levels it plans."""

from __future__ import annotations

import pytest

from magicpipe.compiler import dyncat
from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.blockmodel import NoiseModel
from magicpipe.compiler.cultivation import CultivationPoint, cultivation_points
from magicpipe.compiler.hardware import Hardware, patch_qubits

HW = Hardware(p=1e-3, eps=1e-3)
TARGET = 1e-9


@pytest.mark.parametrize("holds", [False, True])
@pytest.mark.parametrize(("copies", "expected"), [(4, 70.0), (2, 100.0), (8, 70.0)])
def test_lockstep_of_an_even_input_count_is_the_catalogues_timing(holds, copies, expected):
    """Without failures the lock-step timing is the catalogue's ``I/2 max(2 T / n, t)``: the 20 inputs of a
    20-to-4 are 10 steps of two; lower runs of T = 10 rounds on n copies and a step of t = 7 rounds give
    10 x max(5, 7) = 70 with 4 (or 8) copies and 10 x max(10, 7) = 100 with 2, whether a copy holds its state or
    restarts at once."""
    p = Producer("x", qubits=100, rounds=10, outputs=1, p_succ=1.0, eps_out=1e-6, distance=7)
    assert dyncat.lockstep(p, copies, 7.0, 20, holds=holds) == (expected, 0.0)


def _plans(blocks, lowers, target=TARGET):
    return dyncat._plans(NoiseModel.from_hardware(HW), HW.p, target, blocks, lowers)


def test_the_benchmark_plans_two_lower_levels_of_each_kind_under_the_15_to_1_and_one_under_the_20_to_4():
    """Module docstring: benchmarks (``lowers=2``) try two cultivation points and two first-level blocks under the
    15-to-1 and one first-level block under the 20-to-4; the planner (``lowers=1``) one of each under the 15-to-1.
    The cultivation points are the cheapest that the 15-to-1 can distil to the target (35 e^3 <= target / 2) but
    that miss it alone (e > target)."""
    plans = _plans(("15-to-1", "20-to-4"), 2)
    kinds = [(b, isinstance(lower, CultivationPoint)) for b, lower, _, _ in plans]
    assert kinds == [("15-to-1", True)] * 2 + [("15-to-1", False)] * 2 + [("20-to-4", False)]
    usable = sorted((c for c in cultivation_points(HW.p) if 35 * c.error**3 <= TARGET / 2 and c.error > TARGET),
                    key=lambda c: (c.volume, c.name))
    assert [lower for _, lower, _, _ in plans[:2]] == usable[:2]
    firsts = sorted((dyncat._one(NoiseModel.from_hardware(HW), ds) for ds in dyncat.first_level_grid()),
                    key=lambda f: (f.volume_per_state, f.name))
    fit = [f.distances for f in firsts if 35 * f.output_error**3 <= TARGET / 2]
    assert [lower for _, lower, _, _ in plans[2:4]] == fit[:2]  # the blocks' own (d_X, d_Z, d_m)
    planner = _plans(("15-to-1",), 1)
    assert [(b, isinstance(lower, CultivationPoint)) for b, lower, _, _ in planner] == [
        ("15-to-1", True), ("15-to-1", False)]


def test_a_cultivation_point_exactly_at_the_target_is_not_fed_to_a_15_to_1():
    """A point whose error equals the target meets it alone, so it is not a lower level to distil (the tie made on
    purpose: the target is the cheapest point's own error)."""
    cheapest = min(cultivation_points(HW.p), key=lambda c: (c.volume, c.name))
    for _, lower, _, _ in _plans(("15-to-1",), 2, target=cheapest.error):
        if isinstance(lower, CultivationPoint):
            assert lower.error > cheapest.error
    # and one the 15-to-1 cannot distil far enough: 35 e^3 = target / 1.5 > target / 2
    for _, lower, _, _ in _plans(("15-to-1",), 2, target=52.5 * cheapest.error**3):
        assert lower != cheapest


def _stand_in(calls, period):
    def measure(hardware, block, ds, lower, n, b, shots, executions, seed):
        calls.setdefault((lower.text, lower.distances, ds), []).append((n, b))
        return dyncat.Measured(10_000, 60.0, period, 0.0, 1.0, TARGET / 10, 1.0, shots)
    return measure


def _configs(block, lower_ds, baseline, copies):
    """The configurations the search walks for a plan at its baseline's upper distances, as the module makes them."""
    noise = NoiseModel.from_hardware(HW)
    ds = tuple(baseline.distances[-3:])
    lower = (dyncat._lower_point(lower_ds, ds[2]) if isinstance(lower_ds, CultivationPoint)
             else dyncat._lower_block(noise, lower_ds, ds[2]))
    high = dyncat.block_factory(HW, block, ds, lower.producer.eps_out, 10 * ds[2])
    configs = dyncat._configs(high, lower.producer, patch_qubits(lower.producer.distance), copies)
    return (lower.text, lower.distances, ds), configs, high


def test_with_a_period_that_more_lanes_never_shorten_each_buffer_size_is_measured_at_two_lane_counts(monkeypatch):
    """``prune=False``: nothing is skipped by the baseline and there is no cap, but at one buffer size, once more
    lanes do not shorten the measured period by half a round, larger lane counts are skipped. With every period
    100 rounds, each buffer size is measured at its two smallest lane counts (in the walk's order of qubits) and
    no more; every entry kept is the least-qubit measured point of its plan (all periods equal)."""
    calls: dict = {}
    monkeypatch.setattr(dyncat, "_measure", _stand_in(calls, 100.0))
    entries = dyncat._dynamic_catalogue.__wrapped__(HW, TARGET, ("15-to-1",), False)
    plans = _plans(("15-to-1",), 2)
    assert len(calls) == len(plans) == len(entries)
    for plan, entry in zip(plans, entries):
        key, configs, _ = _configs(*plan)
        expected = []
        for _, n, b, _ in configs:
            if sum(1 for x in expected if x[1] == b) < 2:
                expected.append((n, b))
        assert calls[key] == expected
        assert (entry.source.qubits, entry.source.period_rounds) == (10_000, 100.0)
        assert dict(entry.source.detail)["lanes"] == configs[0][1]


def test_the_planner_measures_at_most_four_configurations_and_skips_what_its_baseline_dominates(monkeypatch):
    """``prune=True``: the baseline is kept first, and a configuration with at least its qubits that could not
    beat its rounds per state (the period's lower bound, per state, over the block's success, is no better) is
    skipped unmeasured; of the rest at most ``PLANNER_MEASURES`` = 4 are measured, fewest qubits first. With
    every period 100 rounds (worse than every bound, so no measured point skips another) those are the
    configurations measured, each buffer size at two lane counts at most (the previous test)."""
    calls: dict = {}
    monkeypatch.setattr(dyncat, "_measure", _stand_in(calls, 100.0))
    dyncat._dynamic_catalogue.__wrapped__(HW, TARGET, ("15-to-1",), True)
    plans = _plans(("15-to-1",), 1)
    assert len(calls) == len(plans) == 2
    capped = False
    for plan in plans:
        key, configs, high = _configs(*plan)
        baseline = plan[2]
        per = baseline.cycles / baseline.outputs
        walk = []  # not dominated by the baseline, and (as above) at most two lane counts per buffer size
        for q, n, b, bound in configs:
            if q >= baseline.qubits and per <= bound / high.p_succ / high.protocol.outputs:
                continue
            if sum(1 for x in walk if x[1] == b) < 2:
                walk.append((n, b))
        assert calls[key] == walk[:dyncat.PLANNER_MEASURES]
        capped |= len(walk) > dyncat.PLANNER_MEASURES
    assert capped  # the cap is stood on: some plan has more than four to measure


def test_larger_upper_distances_are_tried_only_when_no_configuration_meets_the_target(monkeypatch):
    """When every configuration at the baseline's upper distances ``(d_X, d_Z, d_m)`` misses the target, the
    search tries ``(d_X + 2, d_Z + 2, d_m + 2)`` (with the lower copies' routing strips at the new d_m), and keeps
    what meets it there; when those miss too, the plan gives nothing (``prune=False``, so nothing is skipped for
    the baseline, whose period the larger block cannot beat)."""
    calls: dict = {}

    def measure(hardware, block, ds, lower, n, b, shots, executions, seed):
        calls.setdefault(ds, []).append((n, b))
        error = TARGET / 10 if ds[0] > 17 else TARGET * 10  # only the larger distances meet the target
        return dyncat.Measured(10_000, 60.0, 100.0, 0.0, 1.0, error, 1.0, shots)

    monkeypatch.setattr(dyncat, "_measure", measure)
    entries = dyncat._dynamic_catalogue.__wrapped__(HW, TARGET, ("15-to-1",), False)
    uppers = {tuple(plan[2].distances[-3:]) for plan in _plans(("15-to-1",), 2)}
    assert uppers == {(17, 7, 7), (17, 5, 7)}  # the plans' baselines (for the second d_Z + 2 and d_m + 2 differ)
    assert set(calls) == uppers | {(19, 9, 9), (19, 7, 9)}
    assert {e.source.distances[-3:] for e in entries} == {(19, 7, 9), (19, 9, 9)}
    monkeypatch.setattr(dyncat, "_measure", lambda *a: dyncat.Measured(1, 1.0, 100.0, 0.0, 1.0, 1.0, 1.0, 1))
    assert dyncat._dynamic_catalogue.__wrapped__(HW, TARGET, ("15-to-1",), False) == ()


def test_a_schedules_block_travels_as_the_catalogues_composite_of_as_many_copies():
    """``schedule`` runs the block with ``10 d_m + n w / 4`` patch widths of travel for ``n`` lanes of width ``w``
    (module docstring), as the catalogue's cultivation-fed composite of ``n`` patches does; at 8 patches the
    composite's step is d_m (max(2 T / 8, d_m)), so the two blocks' errors agree. Distances (17, 5, 7): d_Z and
    d_m differ, so the travel is told apart from one counted in d_Z."""
    from magicpipe.compiler.catalogue import cultivation_fed
    from magicpipe.compiler.cultivation import cultivation_point

    point = cultivation_point(1e-3, 3, 1.0)
    upper = (17, 5, 7)
    s = dyncat.schedule(HW, "15-to-1", upper, dyncat._lower_point(point, 7), 8, 4, executions=2, seed=None)
    fed = cultivation_fed(NoiseModel.from_hardware(HW), point, 8, "15-to-1", upper)
    assert s.high.error == pytest.approx(fed.output_error, rel=1e-12)
    assert s.high.p_succ == pytest.approx(1 - fed.p_fail, rel=1e-12)


def test_the_configurations_by_hand():
    """``_configs``: lane counts ``{busy - 1, busy, busy + 1, copies // 2, copies}``, none below 1, where ``busy =
    ceil(I T_state / T_run)`` lanes keep the block busy; each at every buffer size, in ascending qubits, with the
    period bound ``max(T_run, I T_state / (n + lent))``. The 15-to-1 block at (17, 7, 7): I = 15, T_run = 52.5.
    A 1000-qubit producer of 5 rounds that never fails: busy = ceil(75 / 52.5) = 2; of 3 rounds: busy = 1; of
    10 rounds: busy = 3."""
    high = dyncat.block_factory(HW, "15-to-1", (17, 7, 7), 1e-6, 100.0)
    lent = high.lendable_qubits // 1000
    assert lent >= 1
    for rounds, copies, lanes in ((5, 6, [1, 2, 3, 6]), (5, 1, [1, 2, 3]), (3, 1, [1, 2]), (3, 4, [1, 2, 4]),
                                  (10, 4, [2, 3, 4])):  # 10 rounds: busy = ceil(150 / 52.5) = 3
        p = Producer("x", qubits=1000, rounds=rounds, outputs=1, p_succ=1.0, eps_out=1e-6, distance=3)
        configs = dyncat._configs(high, p, 17, copies)
        expected = sorted((high.qubits + b * 17 + n * 1000, n, b, max(52.5, 15 * rounds / (n + lent)))
                          for b in dyncat.BUFFERS for n in lanes)
        assert configs == expected
    # a slow producer (60 rounds at success 1/2: T_state = 120) makes the bound the supply's, not the run's
    slow = Producer("s", qubits=1000, rounds=60, outputs=1, p_succ=0.5, eps_out=1e-6, distance=3)
    assert dyncat._configs(high, slow, 17, 1)[0][3] == pytest.approx(15 * 120 / (1 + lent))


def test_a_block_fed_states_of_no_error_scales_nothing():
    """``output_error(e)`` scales the block's error by ``(e / eps_in)^power`` only for ``eps_in > 0``: a block
    evaluated at input error 0 returns its own error for any input."""
    block = dyncat.block_factory(HW, "15-to-1", (17, 7, 7), 0.0, 100.0)
    assert block.output_error(1e-5) == block.output_error(0.0) == block.error
    scaled = dyncat.block_factory(HW, "15-to-1", (17, 7, 7), 1e-6, 100.0)
    assert scaled.output_error(2e-6) == pytest.approx(scaled.error * 8, rel=1e-12)


def test_lockstep_defaults_to_twelve_runs_and_sixteen_shots():
    """The benchmark's lock-step baseline relies on the defaults (``gain_summary`` passes neither)."""
    p = Producer("x", qubits=100, rounds=10, outputs=1, p_succ=0.6, eps_out=1e-6, distance=7)
    assert dyncat.lockstep(p, 4, 7.0, 15, holds=True) == dyncat.lockstep(p, 4, 7.0, 15, holds=True, runs=12, shots=16)
    assert dyncat.lockstep(p, 4, 7.0, 15, holds=True) != dyncat.lockstep(p, 4, 7.0, 15, holds=True, runs=13)
    assert dyncat.lockstep(p, 4, 7.0, 15, holds=True) != dyncat.lockstep(p, 4, 7.0, 15, holds=True, shots=17)
    assert dyncat.lockstep(p, 4, 7.0, 15, holds=True) != dyncat.lockstep(p, 4, 7.0, 15, holds=True, shots=15)


def test_a_slow_configurations_block_success_is_taken_at_its_measured_step():
    """The measured point's block success is the block's at the measured mean step, the period over I/2 = 7.5
    steps: with one lane of the loosest cultivation point (a state every ~12 rounds, 15 a run) the period is far
    above 7.5 d_m = 52.5, so the step is longer than d_m and the success lower than at d_m."""
    from magicpipe.compiler.cultivation import cultivation_point

    low = dyncat._lower_point(cultivation_point(1e-3, 3, 1.0), 7)
    m = dyncat.measure(HW, "15-to-1", (17, 7, 7), low, 1, 2, shots=2, executions=2)
    assert m.period > 2 * 52.5
    travel = 10 * 7 + 1 * low.width / 4
    at_step = dyncat.block_factory(HW, "15-to-1", (17, 7, 7), low.producer.eps_out, travel, m.period / 7.5)
    assert m.p_top == at_step.p_succ < dyncat.block_factory(HW, "15-to-1", (17, 7, 7), low.producer.eps_out,
                                                            travel).p_succ
    # the output error is charged the first shot's storage decay: above the block's own at the lower's error
    one = dyncat.measure(HW, "15-to-1", (17, 7, 7), low, 1, 2, shots=1, executions=2)
    own = dyncat.block_factory(HW, "15-to-1", (17, 7, 7), low.producer.eps_out, travel, one.period / 7.5)
    assert one.output_error > own.output_error(low.producer.eps_out)


def test_a_period_that_more_lanes_shorten_by_a_round_keeps_every_configuration_measured(monkeypatch):
    """The saturation rule skips larger lane counts once more lanes shorten the period by less than half a round;
    a period of ``100 - n`` rounds for ``n`` lanes shortens it by a round or more, so (``prune=False``) every
    configuration of every plan is measured."""
    calls: dict = {}

    def measure(hardware, block, ds, lower, n, b, shots, executions, seed):
        calls.setdefault((lower.text, lower.distances, ds), []).append((n, b))
        return dyncat.Measured(10_000, 60.0, 100.0 - n, 0.0, 1.0, TARGET / 10, 1.0, shots)

    monkeypatch.setattr(dyncat, "_measure", measure)
    dyncat._dynamic_catalogue.__wrapped__(HW, TARGET, ("15-to-1",), False)
    for plan in _plans(("15-to-1",), 2):
        key, configs, _ = _configs(*plan)
        assert calls[key] == [(n, b) for _, n, b, _ in configs]


def test_a_first_level_lower_block_carries_its_routing_strip():
    """Module docstring: each first-level lower copy carries ``(d_X + 4 d_Z) d_m2`` qubits of routing beside the
    catalogue's block: (9, 5, 3) under an upper d_m of 7 is 29 x 7 = 203 qubits more, its width 29."""
    from magicpipe.compiler.producers import catalogue_producer

    noise = NoiseModel.from_hardware(HW)
    low = dyncat._lower_block(noise, (9, 5, 3), 7)
    assert (low.width, low.distances) == (29, (9, 5, 3))
    assert low.producer.qubits == catalogue_producer(dyncat._one(noise, (9, 5, 3))).qubits + 29 * 7
