"""The dynamic pipeline: invariants at every event of every schedule, Table 3, failures, bad input."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magicpipe.compiler import Hardware, Pipeline, check, parallel, patch_qubits, sequential
from magicpipe.compiler.dynamic import PAPER, DynamicOptions, simulate
from magicpipe.compiler.failures import expected_delay, monte_carlo
from magicpipe.compiler.options import FAILURE_AWARE
from magicpipe.compiler.pareto import level_producer, pareto_front
from magicpipe.errors import InfeasibleError, SpecError


def two_level(d1, d2, hw=None):
    pipe = Pipeline.from_distances((d1, d2), hw)
    return pipe, pipe.levels[1].factory, (level_producer(pipe, 1),), patch_qubits(d1)


def test_hand_schedule_5_17():
    """(5, 17) with one supply lane and 8 slots: 12 fill runs, launch at 55, no stall, done at 242."""
    _, high, menu, slot = two_level(5, 17)
    s = simulate(high, menu, 9782, 8, slot)
    check(s)
    assert s.launch_threshold == 12
    assert s.fill.runs == ((0, 12, 1),)
    assert s.tops[0].launch == 55 and s.rounds == 242
    assert not s.stalls
    assert [r.end for r in s.runs if r.role == "supply"] == [110, 165, 220]
    assert s.peak_qubits() == 9782


def test_reuse_stall_schedule():
    """(5, 17) with a 4-slot buffer: the factory stalls and lends its ancilla region."""
    _, high, menu, slot = two_level(5, 17)
    s = simulate(high, menu, 9000, 4, slot)
    check(s)
    assert s.stalls and all(x.reuse for x in s.stalls)
    first = s.stalls[0]
    assert first.moved_out == first.start + 2 and first.end == first.reclaimed + 2
    reuse_runs = [r for r in s.runs if r.role == "reuse" and first.moved_out <= r.start < first.reclaimed]
    # 10 ancilla patches at d=17 (5770 qubits) plus idle qubits host 7 d=5 factories at most
    assert 1 <= len(reuse_runs) <= (high.lendable_qubits + 9000 - high.qubits - 4 * slot - 735) // 735


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    d=st.sampled_from([(3, 5), (3, 9), (5, 9), (5, 15), (7, 11), (9, 7)]),
    slots=st.integers(1, 11),
    extra=st.integers(0, 6000),
    rule=st.sampled_from(["exact", "eq5", "greedy"]),
    policy=st.sampled_from(["shortest", "always", "never"]),
    aware=st.tuples(st.sampled_from(["demand", "free"]), st.sampled_from(["threshold", "greedy"]),
                    st.sampled_from(["exact", "expected"]), st.integers(0, 2), st.booleans(), st.booleans()),
    hw=st.sampled_from([None, Hardware(p=1e-3, eps=1e-3)]),
)
def test_invariants_random_configurations(d, slots, extra, rule, policy, aware, hw):
    _, high, menu, slot = two_level(*d, hw)
    floor_q = max(high.qubits, menu[0].qubits) + slots * slot
    lanes, resume, fill, margin, spare, short = aware
    options = DynamicOptions(rule, policy, lanes=lanes, resume=resume, fill=fill, fill_margin=margin, spare_fill=spare,
                             short_launch=short)
    try:
        s = simulate(high, menu, floor_q + extra, slots, slot, options)
    except InfeasibleError:
        return  # e.g. no supply lane and an ancilla region too small for a low-level factory
    check(s)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("options", [PAPER, FAILURE_AWARE], ids=["paper", "failure-aware"])
def test_invariants_with_random_failures(seed, options):
    _, high, menu, slot = two_level(3, 9, Hardware(p=1e-3, eps=0.01))  # p_succ = 0.74
    s = simulate(high, menu, high.qubits + (1 + seed) * slot + 255 * (seed % 3), 1 + seed, slot, options,
                 rng=random.Random(seed))
    check(s, allow_failures=True)
    assert any(not r.success for r in s.runs)


# Paper Table 3, superconducting rows: dynamic cost below sequential / parallel, in percent.
TABLE3 = {(3, 9): (24.8, 27.5), (5, 15): (27.0, 28.1), (5, 17): (16.5, 29.1)}


@pytest.mark.parametrize("distances", sorted(TABLE3))
def test_table3_within_a_point(distances):
    pipe = Pipeline.from_distances(distances)
    front = pareto_front(pipe, PAPER, delay_model="first-stall")
    best = front.min_volume()
    vs_seq = 100 * (1 - best.volume / sequential(pipe).volume)
    vs_par = 100 * (1 - best.volume / parallel(pipe).volume)
    paper_seq, paper_par = TABLE3[distances]
    assert abs(vs_seq - paper_seq) <= 1.0, (vs_seq, paper_seq)
    assert abs(vs_par - paper_par) <= 1.0, (vs_par, paper_par)
    assert best.efficiency >= 1.0
    for point in front.points:
        check(point.schedule)
    # the front is non-dominated and sorted
    qs = [p.qubits for p in front.points]
    ts = [p.rounds for p in front.points]
    assert qs == sorted(qs) and ts == sorted(ts, reverse=True)


def test_table3_min_volume_configurations():
    """The configurations behind the Table 3 figures: supply lanes and slots at the minimum volume."""
    got = {}
    for d in TABLE3:
        best = pareto_front(Pipeline.from_distances(d), PAPER, delay_model="first-stall").min_volume()
        got[d] = (best.qubits, best.buffer_slots, best.deterministic_rounds)
    assert got == {(3, 9): (3044, 7, 132), (5, 15): (8548, 7, 220), (5, 17): (9782, 8, 242)}


def test_analytic_delay_against_monte_carlo():
    """p_succ = 0.958 (eps = 1e-3, p = 5e-4, d1 = 3): the first-stall estimate is within 25% of Monte Carlo."""
    pipe = Pipeline.from_distances((3, 9), Hardware(p=5e-4, eps=1e-3))
    point = pareto_front(pipe, PAPER, delay_model="first-stall", shots=0).min_volume()
    mc = monte_carlo(point.schedule, 300, seed=1)
    assert mc.stall_fraction > 0.3
    assert point.expected_delay == pytest.approx(mc.mean_delay, rel=0.25)
    assert point.expected_delay == pytest.approx(expected_delay(point.schedule))


def test_analytic_delay_underestimates_at_very_high_failure_rate():
    """p_succ = 0.74: Appendix A counts only the first stall, so Monte Carlo's delay is several times larger."""
    pipe = Pipeline.from_distances((3, 9), Hardware(p=1e-3, eps=0.01))
    point = pareto_front(pipe, PAPER, delay_model="first-stall", shots=0).min_volume()
    mc = monte_carlo(point.schedule, 200, seed=2)
    assert mc.mean_delay > 2.5 * point.expected_delay


def test_three_levels_compose_fronts():
    pipe = Pipeline.from_distances((3, 7, 15))
    front = pareto_front(pipe, PAPER)  # composition, not the policy search (which doubles the CBC solves)
    best = front.min_volume()
    assert best.volume < sequential(pipe).volume and best.volume < parallel(pipe).volume
    assert len(best.schedule.producers) > 1  # the allocator may mix lower-front points
    check(best.schedule)


def test_budget_below_one_factory():
    _, high, menu, slot = two_level(5, 17)
    with pytest.raises(InfeasibleError, match="raise the budget to at least 9047"):
        simulate(high, menu, 9000, 8, slot)


def test_bad_buffer_and_options():
    _, high, menu, slot = two_level(5, 17)
    with pytest.raises(SpecError, match="buffer_slots=0"):
        simulate(high, menu, 20000, 0, slot)
    with pytest.raises(SpecError, match="launch_rule"):
        DynamicOptions(launch_rule="eager")
    with pytest.raises(SpecError, match="at least two levels"):
        pareto_front(Pipeline.from_distances((5,)))


def test_within_budget():
    front = pareto_front(Pipeline.from_distances((5, 17)))
    with pytest.raises(InfeasibleError, match="below the smallest dynamic pipeline"):
        front.within_budget(front.smallest().qubits - 1)
    assert front.within_budget(10**9) == front.fastest()
    mid = front.within_budget(front.points[len(front.points) // 2].qubits)
    assert mid.qubits <= front.points[len(front.points) // 2].qubits


def test_coarse_to_fine_finds_the_least_volume_between_coarse_neighbours():
    """pareto._coarse_to_fine with more than 2 x 24 budgets: 24 spread evenly (``_thin``), then every budget
    between the neighbours of the best three. Budgets 0..99 with a volume (q - 37)^2: the coarse budgets near 37
    are 34 (index 8, 8 x 99 / 23 = 34.4) and 39 (index 9, 38.7), so the fine pass covers 34..43 around the best
    coarse point 39 and finds 37; 30..39 around 34 and 39..47 around 43; plus the largest three budgets."""
    from types import SimpleNamespace

    from magicpipe.compiler.pareto import _coarse_to_fine, _thin

    budgets = list(range(100))
    coarse = _thin(budgets, 24)
    assert len(coarse) == 24 and coarse[8:11] == [34, 39, 43]
    calls = []

    def evaluate(q):
        calls.append(q)
        return SimpleNamespace(qubits=q, volume=(q - 37) ** 2)

    points = _coarse_to_fine(budgets, evaluate, 0, lambda p: p)
    assert min(points, key=lambda p: p.volume).qubits == 37
    fine = set(range(34, 44)) | set(range(30, 40)) | set(range(39, 48))  # 34..43, 30..39, 39..47
    assert sorted({p.qubits for p in points}) == sorted(set(coarse) | fine | {97, 98, 99})
    assert len(calls) == len(set(calls))  # each budget evaluated once


def test_free_lanes_stop_once_the_last_input_is_taken():
    """launch_lanes returns when no demand is left (``demand <= 0``): even under ``lanes="free"`` (relaunch into
    any free slot) no supply run starts at or after the factory's last take. At 9586 qubits and 4 slots a lane
    run ends at the very round of the last take (309, after a stall), the boundary case."""
    _, high, menu, slot = two_level(5, 17)
    for q, slots in ((9586, 4), (9782, 8), (12000, 8)):
        s = simulate(high, menu, q, slots, slot, DynamicOptions(lanes="free"))
        check(s)
        last_take = max(k.time for k in s.takes)
        assert [r for r in s.runs if r.role == "supply"]
        assert all(r.start < last_take for r in s.runs if r.role == "supply"), (q, slots)


def test_steady_state_relaunch_fills_the_free_region_and_the_idle_qubits():
    """Two executions at (5, 17) on 9100 qubits with 4 slots: no supply lane fits beside the factory (9100 - 8655
    - 4 x 49 = 249 idle qubits < 735), so the second launch needs the burst and a full buffer, 4 + 4 = 8 states,
    from a fill on the ancilla region the first execution frees plus the idle qubits: (5770 + 249) // 735 = 8
    copies, one batch started when the first execution ends."""
    _, high, menu, slot = two_level(5, 17)
    s = simulate(high, menu, 9100, 4, slot, tops=2)
    check(s)
    assert (high.qubits, high.lendable_qubits, s.supply.qubits) == (8655, 5770, 0)
    assert s.launch_threshold == 8
    end = s.tops[0].end
    refill = [r for r in s.runs if r.role == "fill" and r.start >= end]
    assert len(refill) == 8 and {r.start for r in refill} == {end}
    assert s.tops[1].launch == end + menu[0].rounds


def test_monte_carlo_needs_two_shots():
    """failures.monte_carlo: two shots are the fewest (a spread needs two); one is refused."""
    _, high, menu, slot = two_level(3, 9, Hardware(p=1e-3, eps=0.01))
    s = simulate(high, menu, 3044, 7, slot)
    mc = monte_carlo(s, 2, seed=3)
    assert mc.shots == 2
    with pytest.raises(SpecError, match="shots=1 must be at least 2"):
        monte_carlo(s, 1, seed=3)
