"""The allocator against independent oracles: plain enumeration of every allocation of small cases.

``min_time_allocation`` (Eqs. 7-10) is checked against an enumeration of every multiset of copies (producer
``i`` run ``k`` times back to back) that fits the budget, ranked by the documented objective: least makespan
``T``, then least qubit-rounds, then fewest qubits. ``max_rate_allocation`` (Eqs. 11-13) against every vector
of copy counts, ranked by exact rate (fractions), then fewest qubits, then the documented last tie-break
(the lexicographically first counts, producers listed densest first). Every field of the returned record is
read. Neither oracle shares code with the allocator: they only enumerate and rank.
"""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

import pytest

from magicpipe.compiler.allocator import Allocation, Producer, max_rate_allocation, min_time_allocation
from magicpipe.errors import InfeasibleError, SpecError


def _copy_kinds(menu, q, target):
    """(producer, runs per copy) kinds worth enumerating: a copy that alone yields more than ``target`` can drop
    a run, keeping the yield at least ``target`` and lowering T and the qubit-rounds, so k <= ceil(target/out)."""
    return [(i, k) for i, p in enumerate(menu) if p.qubits <= q
            for k in range(1, math.ceil(target / p.outputs) + 1)]


def _all_allocations(menu, q, target, at_most):
    """Every multiset of copies on ``q`` qubits yielding between ``target`` and ``at_most`` (None: no cap)."""
    kinds = _copy_kinds(menu, q, target)
    most = q // min(p.qubits for p in menu)
    for size in range(1, most + 1):
        for combo in itertools.combinations_with_replacement(kinds, size):
            qubits = sum(menu[i].qubits for i, _ in combo)
            made = sum(k * menu[i].outputs for i, k in combo)
            if qubits <= q and made >= target and (at_most is None or made <= at_most):
                counts: dict[tuple[int, int], int] = {}
                for ik in combo:
                    counts[ik] = counts.get(ik, 0) + 1
                runs = tuple(sorted((i, c, k) for (i, k), c in counts.items()))
                rounds = max(k * menu[i].rounds for i, k in combo)
                cost = sum(k * menu[i].rounds * menu[i].qubits for i, k in combo)
                yield (rounds, cost, qubits), runs, made


def _oracle_min_time(menu, q, target, at_most=None):
    """(objective, the runs that reach it, the states each yields); None when nothing fits."""
    best, ties = None, {}
    for key, runs, made in _all_allocations(menu, q, target, at_most):
        if best is None or key < best:
            best, ties = key, {runs: made}
        elif key == best:
            ties[runs] = made
    return None if best is None else (best, ties)


def _check_min_time(menu, q, target, at_most=None):
    want = _oracle_min_time(menu, q, target, at_most)
    if want is None:
        with pytest.raises(InfeasibleError):
            min_time_allocation(menu, q, target, at_most=at_most)
        return
    (rounds, cost, qubits), ties = want
    got = min_time_allocation(menu, q, target, at_most=at_most)
    assert (got.rounds, got.qubits) == (rounds, qubits), (menu, q, target, at_most)
    assert sum(c * k * menu[i].rounds * menu[i].qubits for i, c, k in got.runs) == cost
    runs = tuple(sorted(got.runs))  # the closed form lists its k-run copies first, the programme sorts
    assert runs in ties and got.produced == ties[runs]
    assert got.rate == 0.0  # the min-time record carries no rate


# small menus: a few copies fit, so every allocation can be listed
P1 = Producer("p1", 100, 7, 1, 0.99, 1e-7, 3)
P2 = Producer("p2", 150, 5, 2, 0.99, 1e-7, 3)
P4 = Producer("p4", 230, 11, 4, 0.98, 1e-7, 5)
PS = Producer("ps", 120, 4, 1, 0.97, 1e-6, 3)
Q7 = Producer("q7", 170, 7, 1, 0.99, 1e-7, 3)  # P1's rate (1/7) on more qubits: rates tie, qubits do not
PB = Producer("pb", 150, 7, 1, 0.99, 1e-7, 3)  # less dense than P1 but a faster copy: P1 + PB beats 2 x P1


@pytest.mark.parametrize("menu", [(P1,), (P2,), (P4,), (P1, P2), (P4, P1), (P1, P2, P4), (PS, P4, P2)],
                         ids=lambda m: "+".join(p.name for p in m))
def test_min_time_is_the_enumerated_optimum(menu):
    """Every budget from one to four copies of the smallest producer and every target up to 6: least T, then
    least qubit-rounds, then fewest qubits, as the plain enumeration ranks them (ties on all three may pick
    any of the tied runs). One-producer menus go through the closed form, mixed ones through the dynamic
    programme."""
    smallest = min(p.qubits for p in menu)
    for q in sorted({smallest, smallest + 49, 2 * smallest + 10, 3 * smallest, 4 * smallest + 99}):
        for target in range(1, 7):
            _check_min_time(menu, q, target)


def test_min_time_with_a_cap_is_the_enumerated_optimum():
    """With runs of 2 and 4 states ``at_most`` caps what the runs yield in all: seeded random cases, each
    against the enumeration (infeasible caps included: 3 states from runs of 4 and 2 with at most 3)."""
    rng = random.Random(1000)
    menus = [(P4,), (P2,), (P4, P2), (P4, P1), (P2, P4, PS)]
    for _ in range(60):
        menu = rng.choice(menus)
        q = rng.randint(min(p.qubits for p in menu), 520)
        target = rng.randint(1, 6)
        _check_min_time(menu, q, target, at_most=target + rng.randint(0, 3))
    _check_min_time((P4, P2), 600, 3, at_most=3)


def test_the_closed_form_spreads_runs_over_the_fewest_copies():
    """One producer (100 qubits, 7 rounds), 7 states on 300 qubits: three copies fit, so k = ceil(7/3) = 3 runs
    and T = 21; ceil(7/3) = 3 copies are needed, and the fewest qubit-rounds (every split of 7 runs costs 7 runs)
    with 3 copies is one copy of 3 runs and two of 2 (runs = 3 + 2 + 2). 6 states on 300 qubits: 3 copies of 2."""
    a = min_time_allocation((P1,), 300, 7)
    assert a == Allocation(21, ((0, 1, 3), (0, 2, 2)), 300, 7)
    assert min_time_allocation((P1,), 300, 6) == Allocation(14, ((0, 3, 2),), 300, 6)
    assert min_time_allocation((P1,), 399, 3) == Allocation(7, ((0, 3, 1),), 300, 3)


def _oracle_max_rate(menu, q):
    fitting = [i for i, p in enumerate(menu) if p.qubits <= q]
    if not fitting:
        return None
    # the documented tie-break lists the producers densest first (rate per qubit, then index)
    order = sorted(fitting, key=lambda i: (-Fraction(menu[i].outputs, menu[i].rounds * menu[i].qubits), i))
    best = None
    for counts in itertools.product(*(range(q // menu[i].qubits + 1) for i in order)):
        qubits = sum(c * menu[i].qubits for c, i in zip(counts, order))
        if qubits > q:
            continue
        rate = sum(Fraction(c * menu[i].outputs, menu[i].rounds) for c, i in zip(counts, order))
        key = (-rate, qubits, counts)
        if best is None or key < best:
            best = key
    return dict(zip(order, best[2]))


@pytest.mark.parametrize("menu", [(P1,), (P2, P1), (P1, P2, P4), (PS, P4, P2), (P4, P4), (P1, PS), (Q7, P1),
                                  (P1, PB)],
                         ids=lambda m: "+".join(p.name for p in m))
def test_max_rate_is_the_enumerated_optimum(menu):
    """Every budget from below the smallest producer to six of them, each against the enumeration; every field
    of the record: the runs (one run per copy), the qubits and states of the copies, the longest copy's rounds
    and the rate in states per round."""
    for q in sorted(set(range(0, 6 * min(p.qubits for p in menu) + 1, 37)) | {150, 170, 250}):
        got = max_rate_allocation(menu, q)
        counts = _oracle_max_rate(menu, q)
        if counts is None or not any(counts.values()):
            assert got == Allocation(0, (), 0, 0, 0.0)
            continue
        runs = tuple((i, counts[i], 1) for i in sorted(counts) if counts[i])
        assert got.runs == runs, (menu, q)
        assert got.qubits == sum(c * menu[i].qubits for i, c, _ in runs)
        assert got.produced == sum(c * menu[i].outputs for i, c, _ in runs)
        assert got.rounds == max(menu[i].rounds for i, _, _ in runs)
        assert got.rate == pytest.approx(float(sum(Fraction(c * menu[i].outputs, menu[i].rounds)
                                                   for i, c, _ in runs)), rel=1e-12)
        assert got.copies == sum(counts.values())


def test_max_rate_ties_between_equal_producers_follow_the_documented_rule():
    """Two producers of equal size and rate (names differ): on room for one copy the rates and qubits tie, and
    the lexicographically first counts in density order (ties by index: (0, 1) < (1, 0)) take the second."""
    twin = Producer("p1-twin", 100, 7, 1, 0.99, 1e-7, 3)
    assert max_rate_allocation((P1, twin), 150).runs == ((1, 1, 1),)
    assert max_rate_allocation((P1, twin), 200).runs == ((1, 2, 1),)


_FIELDS = {"name": "z", "qubits": 1, "rounds": 1, "outputs": 1, "p_succ": 1.0, "eps_out": 1e-7, "distance": 3}


@pytest.mark.parametrize("name", ["qubits", "rounds", "outputs"])
def test_a_producer_needs_positive_sizes(name):
    """Zero qubits, rounds or outputs are refused (the boundary itself); one is accepted."""
    assert Producer(**_FIELDS).rate == 1.0
    with pytest.raises(SpecError, match="must be positive"):
        Producer(**{**_FIELDS, name: 0})


def test_a_producers_success_probability_lies_in_0_1():
    """(0, 1]: a run that always succeeds is a producer, one that never does is not, nor one above 1."""
    assert Producer(**{**_FIELDS, "p_succ": 1.0}).p_succ == 1.0
    for p in (0.0, 1.0 + 1e-12, -0.5):
        with pytest.raises(SpecError, match="must lie in"):
            Producer(**{**_FIELDS, "p_succ": p})


def test_the_solver_counters_start_at_zero_and_a_lone_producer_is_no_exact_solve():
    """``solver_stats`` counts what this process solved: a fresh copy of the module starts every counter at zero
    (run apart, so the process's own counts are not touched); a one-producer max-rate allocation is the closed
    form, not an exact mixed-menu solve."""
    import runpy

    import magicpipe.compiler.allocator as allocator
    from magicpipe.compiler.allocator import solver_stats

    fresh = runpy.run_path(allocator.__file__)["solver_stats"]()
    assert fresh == {"cbc_solves": 0, "cbc_seconds": [], "closed_form": 0, "exact": 0}
    before = solver_stats()
    lone = Producer("lone-max-rate", 123, 9, 2, 0.99, 1e-7, 3)
    assert max_rate_allocation((lone,), 500).runs == ((0, 4, 1),)
    assert solver_stats() == before


def test_cbc_max_rate_never_runs_a_negative_copy():
    """A (100 qubits, 1 state a round) fills 1000 qubits alone: 10 copies, rate 10. C (150 qubits) and B (300)
    also make a state a round; a negative B would free room for two more C (rate 11): CBC must not find it.
    Both solvers and the enumeration agree on 10 copies of A."""
    a, b, c = (Producer(n, q, 1, 1, 1.0, 1e-7, 3) for n, q in (("cbc-a", 100), ("cbc-b", 300), ("cbc-c", 150)))
    for solver in ("auto", "cbc"):
        got = max_rate_allocation((a, b, c), 1000, solver=solver)
        assert (got.runs, got.qubits, got.rate) == (((0, 10, 1),), 1000, 10.0), solver
    assert _oracle_max_rate((a, b, c), 1000) == {0: 10, 2: 0, 1: 0}


def test_infeasible_budget_names_the_smallest_factory():
    with pytest.raises(InfeasibleError, match="give the allocator at least 100 qubits"):
        min_time_allocation((P4, P1, P2), 99, 2)


def test_cbc_solves_quietly_and_its_times_are_recorded(capfd):
    """The core does no I/O: CBC is asked for no log (its output would reach the process's stdout). Its two
    solves (least T, then least qubit-rounds) are counted with their wall times, each within the call's."""
    import time

    from magicpipe.compiler.allocator import solver_stats

    menu = (Producer("quiet-1", 100, 7, 1, 0.99, 1e-7, 3), Producer("quiet-2", 150, 5, 2, 0.99, 1e-7, 3))
    before = solver_stats()  # a menu of its own: no memoised answer from another test
    start = time.perf_counter()
    min_time_allocation(menu, 400, 3, solver="cbc")
    elapsed = time.perf_counter() - start
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    after = solver_stats()
    assert after["cbc_solves"] == before["cbc_solves"] + 2
    new = after["cbc_seconds"][len(before["cbc_seconds"]):]
    assert len(new) == 2 and all(0 < s <= elapsed for s in new)
