"""compiler/pareto.py against independent oracles: the front against a plain dominance filter, every evaluated
point's fields against the functions they are documented to come from, the coarse-to-fine budget search against
the set of budgets its docstring names, and the record's accessors against their definitions."""

from __future__ import annotations

import dataclasses
import random
from types import SimpleNamespace

import pytest

from magicpipe.compiler import Pipeline
from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.accounted import sequential_accounted
from magicpipe.compiler.bounds import lower_bound
from magicpipe.compiler.decay import storage_decay
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.compiler.options import GREEDY_LAUNCH, POLICIES
from magicpipe.compiler.pareto import (
    ParetoFront,
    ParetoPoint,
    _coarse_to_fine,
    _front,
    _menu_from_front,
    _sequential_configurations,
    _time,
    candidate_budgets,
    level_producer,
    pareto_front,
    search_policies,
)
from magicpipe.compiler.stalls import expected_rounds
from magicpipe.errors import InfeasibleError, SpecError


def _point(q, rounds, slots=1, delay=0.0, model="all-stalls"):
    """A point without a schedule (the functions under test read only qubits, rounds, slots and the model)."""
    return ParetoPoint(q, slots, rounds, delay, None, 1.0, delay_model=model)  # type: ignore[arg-type]


def _dominance_filter(points):
    """The points no other point beats: none has no more qubits and no more rounds with one of them fewer; of
    points equal in both, the one of fewest slots (then the first listed). Qubits ascending."""
    keep = []
    for k, p in enumerate(points):
        beaten = any((o.qubits <= p.qubits and o.rounds <= p.rounds and (o.qubits, o.rounds) != (p.qubits, p.rounds))
                     or ((o.qubits, o.rounds) == (p.qubits, p.rounds) and (o.buffer_slots, j) < (p.buffer_slots, k))
                     for j, o in enumerate(points) if j != k)
        if not beaten:
            keep.append(p)
    return sorted(keep, key=lambda p: p.qubits)


def test_the_front_is_the_dominance_filter_of_random_points():
    """Integer qubits and rounds from small ranges, so equal qubits, equal rounds and exact duplicates (which
    the front keeps once, with fewer slots) happen on purpose."""
    rng = random.Random(1003)
    for _ in range(300):
        pts = [_point(rng.randint(1, 8) * 100, rng.randint(1, 8), rng.randint(1, 3)) for _ in range(rng.randint(1, 9))]
        assert list(_front(pts)) == _dominance_filter(pts)


@pytest.fixture(scope="module")
def front37():
    return pareto_front(Pipeline.from_distances((3, 7)))


def test_a_real_front_is_the_dominance_filter_of_its_evaluated_points(front37):
    f = front37
    assert list(f.points) == _dominance_filter(list(f.evaluated))
    assert [p.qubits for p in f.points] == sorted(p.qubits for p in f.points)
    assert all(a.rounds > b.rounds for a, b in zip(f.points, f.points[1:]))


def test_every_evaluated_point_reads_its_schedule(front37):
    """Each point's fields against what they are documented to be: the budget and slots the schedule ran with,
    its no-failure rounds, the pipeline's lower bound, the storage-decayed output error; a point timed by the
    all-stall chain carries ``expected_rounds(schedule) - rounds``; a point left "dominated" carries no delay
    and is beaten by a point of no more qubits whose rounds are at most its no-failure rounds."""
    pipe = Pipeline.from_distances((3, 7))
    bound = lower_bound(pipe)
    models = set()
    for p in front37.evaluated:
        s = p.schedule
        models.add(p.delay_model)
        assert (p.qubits, p.buffer_slots, p.deterministic_rounds, p.bound) == (s.qubit_budget, s.buffer_slots,
                                                                                s.rounds, bound)
        assert p.output_error == storage_decay(s, pipe.hardware).eps_out_with_decay
        assert p.policy == s.policy and p.slot_distance == 3 and p.grown_qubits == 0
        assert p.rounds == p.deterministic_rounds + p.expected_delay and p.volume == p.qubits * p.rounds
        assert p.efficiency == p.volume / bound and p.efficiency >= 1
        if p.delay_model == "all-stalls":
            assert p.expected_delay == expected_rounds(s) - s.rounds
        else:
            assert p.delay_model == "dominated" and p.expected_delay == 0.0
            assert any(o.qubits <= p.qubits and o.rounds <= p.deterministic_rounds and o is not p
                       for o in front37.evaluated)
    assert models == {"all-stalls", "dominated"}
    assert {p.policy for p in front37.evaluated} == set(search_policies(pipe)) == set(POLICIES)


def test_the_front_accessors_by_definition(front37):
    pts = front37.points
    assert front37.min_volume() == min(pts, key=lambda p: (p.volume, p.qubits))
    assert front37.smallest() is pts[0] and front37.fastest() is pts[-1]
    for p in pts:  # at exactly a point's qubits it fits; one qubit fewer, the point before it is the fastest
        assert front37.within_budget(p.qubits) is p
        below = [o for o in pts if o.qubits < p.qubits]
        if below:
            assert front37.within_budget(p.qubits - 1) is below[-1]
    with pytest.raises(InfeasibleError, match=rf"below the smallest dynamic pipeline .*\({pts[0].qubits} qubits\)"):
        front37.within_budget(pts[0].qubits - 1)


def test_min_volume_ties_go_to_fewer_qubits():
    """200 x 6 = 300 x 4 = 1200: equal volumes, the point of 200 qubits is the least volume."""
    pipe = Pipeline.from_distances((3, 7))
    pts = (_point(100, 20), _point(200, 6), _point(300, 4))
    assert ParetoFront(pipe, pts, pts).min_volume() is pts[1]


def test_time_estimates_only_points_that_could_be_on_the_front():
    """``_time``: pending points in ascending qubits; one whose no-failure rounds are no better than the best
    rounds of a point with no more qubits (ties included, made on purpose) stays "dominated", the others are
    timed (here: +1 round each)."""
    timed = []

    def time_it(p):
        timed.append(p.qubits)
        return dataclasses.replace(p, expected_delay=1.0, delay_model="all-stalls")

    pts = [_point(300, 9, model="pending"), _point(100, 10, model="pending"), _point(200, 11, model="pending"),
           _point(200, 10, model="pending"), _point(400, 11, model="pending"), _point(500, 9, model="pending")]
    out = _time(pts, time_it)
    # 100: 10 -> 11; 200 (10 rounds, listed before 200/11): 10 < 11 -> 11; 200/11: 11 >= 11 dominated;
    # 300: 9 < 11 -> 10; 400: 11 >= 10 dominated; 500: 9 < 10 -> 10
    assert [(p.qubits, p.delay_model, p.rounds) for p in out] == [
        (300, "all-stalls", 10.0), (100, "all-stalls", 11.0), (200, "dominated", 11.0),
        (200, "all-stalls", 11.0), (400, "dominated", 11.0), (500, "all-stalls", 10.0)]
    assert timed == [100, 200, 300, 500]
    # an already timed point counts too: a pending point above it with as many rounds is dominated
    assert [p.delay_model for p in _time([_point(150, 5), _point(200, 5, model="pending")], time_it)] == \
        ["all-stalls", "dominated"]


def _thin_positions(n, k):
    """``k`` positions spread evenly over ``n`` (first and last included), as the docstring says."""
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def test_coarse_to_fine_evaluates_the_documented_budgets():
    """More than 2 x 24 budgets: 24 spread evenly, then every budget between the neighbours of the three best
    coarse ones (by expected volume, after ``timed``), then the three largest. The best three are put at the
    first coarse budget, the last and one in the middle, so both clamps of the neighbourhood are stood on."""
    budgets = [1000 + 7 * i for i in range(100)]
    coarse = [budgets[i] for i in _thin_positions(100, 24)]
    best = {coarse[0]: 1.0, coarse[23]: 2.0, coarse[11]: 3.0}
    calls, timed = [], []

    def evaluate(q):
        calls.append(q)
        return SimpleNamespace(qubits=q, volume=best.get(q, 100.0 + q), delay_model="pending")

    def time_it(p):
        timed.append(p.qubits)
        return p

    out = _coarse_to_fine(budgets, evaluate, 0, time_it)
    pos = {q: i for i, q in enumerate(budgets)}
    want = set(coarse) | set(budgets[-3:])
    for k in (0, 23, 11):
        lo, hi = pos[coarse[max(k - 1, 0)]], pos[coarse[min(k + 1, 23)]]
        want |= set(budgets[lo:hi + 1])
    assert sorted(calls) == sorted(want) and len(calls) == len(set(calls))
    assert sorted(timed) == coarse
    assert sorted(p.qubits for p in out) == sorted(want)


def test_coarse_to_fine_evaluates_a_skipped_budget_whose_floor_ranks_first():
    """A coarse budget the pruning ``evaluate`` skipped (None) enters the ranking at its volume floor; when the
    floor ranks among the best three it is evaluated after all (``evaluate_anyway``), timed, and competes with its
    real volume; its neighbours are refined when it stays among the best."""
    budgets = list(range(100))
    coarse = [budgets[i] for i in _thin_positions(100, 24)]
    skipped = coarse[5]
    anyway, timed = [], []

    def evaluate(q):
        return None if q == skipped else SimpleNamespace(qubits=q, volume=1000.0 - q, delay_model="pending")

    def evaluate_anyway(q):
        anyway.append(q)
        return SimpleNamespace(qubits=q, volume=0.5, delay_model="pending")

    def time_it(p):
        timed.append(p.qubits)
        return p

    out = _coarse_to_fine(budgets, evaluate, 0, time_it, floor=lambda q: 0.25 if q == skipped else None,
                          evaluate_anyway=evaluate_anyway)
    assert anyway == [skipped] and timed.count(skipped) == 1
    got = {p.qubits for p in out}
    assert skipped in got and set(range(coarse[4], coarse[6] + 1)) <= got


def test_few_budgets_stop_two_after_the_first_fastest_one():
    """At most 2 x 24 budgets are tried in ascending order and stop two after the first whose schedule is as
    fast as any can be (rounds at most ``fastest`` and no stall): here budget 7 is the first such, so 0..9; a
    budget whose schedule stalls or is infeasible (None) does not start the count."""
    calls = []

    def evaluate(q):
        calls.append(q)
        if q == 3:
            return None
        stalls = ("stall",) if q in (5, 6) else ()
        return SimpleNamespace(qubits=q, deterministic_rounds=50 if q >= 5 else 80,
                               schedule=SimpleNamespace(stalls=stalls))

    out = _coarse_to_fine(list(range(40)), evaluate, 60, lambda p: p)
    assert calls == list(range(7 + 3)) and [p.qubits for p in out] == [0, 1, 2, 4, 5, 6, 7, 8, 9]


def test_the_sequential_order_is_tried_at_the_accounted_baselines_budget():
    """At (5, 7) the sixteen level-1 copies (16 x 735 = 11,760 qubits) outgrow the level-2 factory and its
    slots, so the accounted sequential baseline's budget is theirs, and the second configuration puts the
    N - N_burst slots beside them."""
    pipe = Pipeline.from_distances((5, 7))
    low, high = pipe.levels
    slot = patch_qubits(5)
    slots = high.factory.protocol.inputs - high.factory.protocol.burst
    assert 16 * low.qubits == 11760 > high.qubits + slots * slot
    assert _sequential_configurations(pipe, slot) == [(slots, sequential_accounted(pipe).qubits),
                                                      (slots, 11760 + slots * slot)]
    assert sequential_accounted(pipe).qubits == 11760


def test_search_policies_add_greedy_launch_only_for_a_longer_level_one_run():
    """(9, 7): level 1 runs 99 rounds, level 2 77: greedy launch is tried; (7, 7): 77 and 77, not longer (the
    tie), and (3, 7) shorter: the default policies only."""
    longer, tie, shorter = (Pipeline.from_distances(d) for d in ((9, 7), (7, 7), (3, 7)))
    assert [lv.rounds for lv in tie.levels] == [77, 77] and [lv.rounds for lv in longer.levels] == [99, 77]
    assert search_policies(longer) == POLICIES + (GREEDY_LAUNCH,)
    assert search_policies(tie) == POLICIES == search_policies(shorter)


def test_a_level_producer_is_its_level():
    pipe = Pipeline.from_distances((3, 7, 15))
    for index, lv in enumerate(pipe.levels, start=1):
        p = level_producer(pipe, index)
        f = lv.factory
        assert (p.name, p.qubits, p.rounds, p.outputs, p.p_succ, p.eps_out, p.distance, p.level, p.source) == (
            f"{f.protocol.name}@d{f.distance}", f.qubits, f.rounds, f.protocol.outputs, lv.p_succ, lv.eps_out,
            f.distance, index, f)


def test_a_menu_from_a_front_is_its_least_volume_points_and_its_smallest():
    """``menu_size`` points of least volume plus the smallest, qubits ascending; each a producer of the point's
    qubits and its rounds rounded up (an integer number of rounds stays itself), one output of the top level."""
    pipe = Pipeline.from_distances((3, 7))
    lv = pipe.levels[-1]
    pts = (_point(100, 50.0), _point(200, 20.5), _point(300, 10.0), _point(400, 9.0), _point(800, 8.25))
    menu = _menu_from_front(ParetoFront(pipe, pts, pts), 2)  # least volume: 300 (3000), 400 (3600)
    assert [(m.qubits, m.rounds) for m in menu] == [(100, 50), (300, 10), (400, 9)]
    assert all((m.outputs, m.p_succ, m.eps_out, m.distance, m.level) == (
        lv.factory.protocol.outputs, lv.p_succ, lv.eps_out, lv.factory.distance, lv.index) for m in menu)
    assert [m.source for m in menu] == [pts[0], pts[2], pts[3]]
    menu = _menu_from_front(ParetoFront(pipe, pts, pts), 5)
    assert [(m.qubits, m.rounds) for m in menu] == [(100, 50), (200, 21), (300, 10), (400, 9), (800, 9)]


@pytest.mark.parametrize("kwargs,message", [
    ({"max_output_error": 1.0}, "must lie in"), ({"max_output_error": 0.0}, "must lie in"),
    ({"delay_model": "every-stall"}, "delay_model must be one of"), ({"options": ()}, "at least one policy")])
def test_pareto_front_refuses_bad_arguments(kwargs, message):
    with pytest.raises(SpecError, match=message):
        pareto_front(Pipeline.from_distances((3, 7)), **kwargs)


def test_a_pareto_front_needs_two_levels():
    with pytest.raises(SpecError, match="at least two levels"):
        pareto_front(Pipeline.from_distances((7,)))


def test_the_buffer_sizes_tried_run_from_one_step_to_n_minus_burst(front37):
    """15-to-1 takes 1 state a step and 15 in all with a burst of 4: the buffer sizes are 1..11, and the search's
    points stay within them (the largest, 11, is the sequential order's)."""
    proto = Pipeline.from_distances((3, 7)).levels[1].factory.protocol
    assert (proto.inputs_per_step, proto.inputs, proto.burst) == (1, 15, 4)
    assert {p.buffer_slots for p in front37.evaluated} <= set(range(1, 12))
    assert max(p.buffer_slots for p in front37.evaluated) == 11


def test_a_budget_holds_the_larger_of_the_factory_and_a_copy_and_the_slots():
    """A producer larger than the level-2 factory (9,000 qubits against 8,655 at (5, 17)): with 8 slots of 49
    qubits no budget below 9,000 + 392 = 9,392 is a candidate (the factory and its slots alone, 9,047, are not:
    no copy fits beside them), and 9,392 itself is (one copy and the slots)."""
    pipe = Pipeline.from_distances((5, 17))
    high = pipe.levels[1].factory
    big = Producer("big", 9000, 100, 1, 0.99, 1e-7, 5)
    assert high.qubits == 8655 and patch_qubits(5) == 49
    budgets = candidate_budgets(high, (big,), 49, 8)
    assert min(budgets) == 9392 and 9047 not in budgets


def test_least_volume_only_keeps_the_least_volume_and_labels_what_it_skipped(front37):
    """``least_volume_only``: the same least-volume point as the full search; every point left "bounded" carries
    no delay and its no-failure volume exceeds that least volume (no Monte Carlo margin at (3, 7)); every other
    point is timed by the all-stall chain."""
    lean = pareto_front(Pipeline.from_distances((3, 7)), least_volume_only=True)
    best = lean.min_volume()
    assert (best.qubits, best.buffer_slots, best.rounds) == (front37.min_volume().qubits,
                                                             front37.min_volume().buffer_slots,
                                                             front37.min_volume().rounds)
    labels = {p.delay_model for p in lean.evaluated}
    assert labels == {"all-stalls", "bounded"}
    for p in lean.evaluated:
        if p.delay_model == "bounded":
            assert p.expected_delay == 0.0 and p.qubits * p.deterministic_rounds > best.volume
        else:
            assert p.expected_delay == expected_rounds(p.schedule) - p.deterministic_rounds


def test_three_levels_mix_the_four_least_volume_points_of_the_lower_front_and_its_smallest():
    """The default ``menu_size`` is 4: the level-3 allocator's menu is the lower front's four least-volume points
    and its smallest point (five producers at (3, 7, 15))."""
    pipe = Pipeline.from_distances((3, 7, 15))
    top = pareto_front(pipe, shots=0)
    lower = pareto_front(Pipeline(pipe.levels[:-1], pipe.hardware), shots=0)
    menu = _menu_from_front(lower, 4)
    assert top.evaluated[0].schedule.producers == menu and len(menu) == 5
