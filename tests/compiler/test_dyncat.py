"""Dynamic pipelines of catalogue levels (compiler/dyncat.py): the block as a scheduler factory, the seeded
Monte Carlo period, the planner's hook and the error shares."""

import math

import pytest

from magicpipe.compiler import Hardware, LogicalCounts, check
from magicpipe.compiler import compilation, dyncat
from magicpipe.compiler.blockmodel import NoiseModel
from magicpipe.compiler.catalogue import cultivation_fed, two_level
from magicpipe.compiler.cultivation import cultivation_point
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.errors import SpecError

HW = Hardware(p=1e-3, eps=1e-3)
NOISE = NoiseModel.from_hardware(HW)
POINT = cultivation_point(1e-3, 3, 1.0)  # 6.4e-4 per kept state, 454 qubits, 7.6 rounds per kept state
UPPER = (17, 7, 7)


def test_the_block_is_the_catalogues_upper_block_by_hand():
    # 8 patches of the loosest point: the catalogue's step is max(2 T / 8, d_m) = d_m, so block and composite
    # see the same idle step and travel; the composite is the block plus 8 patches with their strips
    fed = cultivation_fed(NOISE, POINT, 8, "15-to-1", UPPER)
    block = dyncat.block_factory(HW, "15-to-1", UPPER, POINT.error, 10 * 7 + 8 * 15 / 4)
    assert block.error == pytest.approx(fed.output_error, rel=1e-12)
    assert block.p_succ == pytest.approx(1 - fed.p_fail, rel=1e-12)
    assert fed.qubits == block.qubits + 8 * (454 + 15 * 7)
    # a run is Litinski's 15 / 2 steps of d_m = 52.5 cycles: 7 steps of 7.5 rounds, in half rounds
    assert (block.protocol.burst, block.protocol.steps, block.protocol.inputs_per_step) == (1, 7, 2)
    assert block.rounds / block.scale == 7.5 * 7 and fed.cycles == pytest.approx(52.5 / (1 - fed.p_fail))
    # 20-to-4: 10 steps of d_m, four states a run
    four = dyncat.block_factory(HW, "20-to-4", (19, 9, 9), 1e-6, 100.0)
    pattern = four.protocol
    assert (pattern.burst, pattern.steps, four.scale, four.rounds, pattern.outputs) == (0, 10, 1, 90, 4)


def _lower():
    return dyncat._lower_point(POINT, UPPER[2])


def test_seeded_schedules_keep_every_invariant():
    low = _lower()
    for seed in range(4):
        s = dyncat.schedule(HW, "15-to-1", UPPER, low, 3, 4, seed=seed)
        check(s, allow_failures=True)  # budget, buffer, the block's input pattern, outputs taken once
        led = s.ledger()
        assert led.balanced and led.consumed == dyncat.EXECUTIONS * 15
        assert all(r.outputs == (1 if r.success else 0) for r in s.runs)
    assert dyncat.schedule(HW, "15-to-1", UPPER, low, 3, 4, seed=7).runs == \
        dyncat.schedule(HW, "15-to-1", UPPER, low, 3, 4, seed=7).runs


def test_the_period_respects_its_lower_bound_and_the_monte_carlo():
    low = _lower()
    high = dyncat.block_factory(HW, "15-to-1", UPPER, low.producer.eps_out, 10 * 7)
    slot = patch_qubits(low.producer.distance)
    configs = dyncat._configs(high, low.producer, slot, 4)
    assert {n for _, n, _, _ in configs} >= {2, 4}
    for q, n, b, bound in configs[:6]:
        m = dyncat.measure(HW, "15-to-1", UPPER, low, n, b)
        assert m.qubits == q == high.qubits + b * slot + n * (454 + 15 * 7)
        # the pruning's bound holds for the measured mean (4 standard errors of slack for the sampling)
        assert m.period >= bound - 4 * m.period_stderr - 1e-9
    # the planner's 6 seeds against 24 others: the same mean within 4 standard errors
    few = dyncat.measure(HW, "15-to-1", UPPER, low, 2, 4, shots=6, seed=1)
    many = dyncat.measure(HW, "15-to-1", UPPER, low, 2, 4, shots=24, seed=2)
    assert abs(few.period - many.period) <= 4 * math.hypot(few.period_stderr, many.period_stderr)
    assert many.period_stderr > 0  # cultivation's restarts make the period random


def test_sources_meet_the_target_and_carry_their_baseline():
    target = 5e-10
    entries = dyncat.dynamic_catalogue(HW, target)  # the planner's pruned search
    assert entries
    for e in entries:
        s, b = e.source, e.baseline
        assert s.method == "dynamic-catalogue" and s.output_error <= target and s.name.startswith("dynamic (")
        assert s.name.endswith(f"B={s.detail_dict()['buffer_slots']}") and "_{" in s.name
        assert s.distances[-3:] in (b.distances[-3:], tuple(d + 2 for d in b.distances[-3:]))
        assert b.output_error <= target
        assert e.gain == pytest.approx(b.volume_per_state / (s.qubits * s.period_rounds / s.outputs))
        assert s.detail_dict()["dynamic_gain"] == pytest.approx(e.gain)
        assert s.qubits < b.qubits or s.period_rounds < b.cycles  # what its baseline dominates is not offered


def test_the_planner_offers_them_within_the_error_shares(monkeypatch):
    returned, offered = [], []
    search, plan_program = dyncat.dynamic_catalogue_sources, compilation.plan_program

    def searched(hardware, target):
        out = search(hardware, target)
        returned.append((target, out))
        return out

    def spy(demand, sources, *args, **kwargs):
        offered.extend(s for s in sources if s.method == "dynamic-catalogue")
        return plan_program(demand, sources, *args, **kwargs)

    monkeypatch.setattr(dyncat, "dynamic_catalogue_sources", searched)
    monkeypatch.setattr(compilation, "plan_program", spy)
    counts = LogicalCounts(20, t_count=10**5)
    comp = compilation.plan_counts(counts, HW, 1e-3, budget_search=False, baselines=(), catalogue=True)
    assert [t for t, _ in returned] == [comp.demand.target]  # searched at the plan's per-state target ...
    assert offered == returned[0][1]  # ... and every source it found offered to the program planner
    # offered without the catalogue (every configuration measured), they make the front's small end; every
    # point within its shares
    monkeypatch.setattr(compilation, "plan_program", plan_program)
    mine = compilation.plan_counts(counts, HW, 1e-3, budget_search=False, baselines=(), catalogue=False,
                                   extra_sources=tuple(e.source for e in
                                                       dyncat.dynamic_catalogue(HW, comp.demand.target, prune=False)))
    assert any(p.method == "dynamic-catalogue" for p in mine.front.points)
    for p in mine.front.points + comp.front.points:
        errors = dict(p.errors)
        assert errors["logical"] <= p.budgets[0] and errors["distillation"] <= p.budgets[1] * (1 + 1e-9)
        assert p.source.output_error <= comp.demand.target


def test_bad_input():
    with pytest.raises(SpecError, match="target error"):
        dyncat.dynamic_catalogue(HW, 0.0)
    with pytest.raises(SpecError, match="upper blocks"):
        dyncat.dynamic_catalogue(HW, 1e-9, ("8-to-CCZ",))
    with pytest.raises(SpecError, match="executions"):
        dyncat.measure(HW, "15-to-1", UPPER, _lower(), 2, 4, executions=1)


def test_first_level_blocks_feed_a_dynamic_20_to_4():
    base = two_level(NOISE, (9, 3, 3), 4, "20-to-4", (19, 9, 9))
    low = dyncat._lower_block(NOISE, (9, 3, 3), 9)
    m = dyncat.measure(HW, "20-to-4", (19, 9, 9), low, 4, 4, shots=3)
    # four states a run, a run no shorter than 10 steps of d_m
    assert m.period >= 90 and m.output_error == pytest.approx(base.output_error, rel=0.5)


def test_the_lockstep_baseline_is_the_catalogues_timing_without_randomness():
    from magicpipe.compiler.allocator import Producer

    sure = Producer("x", qubits=100, rounds=18, outputs=1, p_succ=1.0, eps_out=1e-6, distance=7)
    for copies, t in ((4, 7.0), (6, 3.0), (8, 9.0)):
        # Litinski's step max(6 d_m / (n / 2), t) for a block of 18 rounds, 15 / 2 steps a run; the start-up's
        # stock (one state a copy at most) spread over 40 runs
        mean, se = dyncat.lockstep(sure, copies, t, 15, holds=False, runs=41, shots=1)
        assert se == 0.0 and mean == pytest.approx(7.5 * max(36 / copies, t), abs=copies * 18 / 15 / 40)
    # cultivation's restarts: 4 patches of the tightest d1 = 3 point fall behind the mean-rate timing
    tight = cultivation_point(1e-3, 3, 0.0)
    fed = cultivation_fed(NOISE, tight, 4, "15-to-1", UPPER)
    mean, se = dyncat.lockstep(dyncat._lower_point(tight, 7).producer, 4, 7.0, 15, holds=True)
    assert mean > fed.cycles * (1 - fed.p_fail) + 4 * se
