"""The allocator's closed forms against CBC, and CBC against brute force on small mixed menus."""

import itertools
import math

import pytest

from magicpipe.compiler.allocator import Producer, max_rate_allocation, min_time_allocation
from magicpipe.errors import InfeasibleError

A = Producer("a", 735, 55, 1, 0.998, 1e-7, 5)
B = Producer("b", 1200, 40, 1, 0.99, 1e-7, 5)
C = Producer("c", 300, 100, 2, 0.99, 1e-7, 5)


@pytest.mark.parametrize("q", [735, 800, 1500, 3000, 9390])
@pytest.mark.parametrize("target", [1, 3, 7, 12, 15])
def test_single_producer_closed_form_equals_cbc(q, target):
    fast = min_time_allocation((A,), q, target)
    cbc = min_time_allocation((A,), q, target, solver="cbc")
    assert (fast.rounds, fast.qubits, fast.produced) == (cbc.rounds, cbc.qubits, cbc.produced)
    assert fast.produced >= target and fast.qubits <= q


def brute_force_min_time(menu, q, target):
    best = math.inf
    ranges = [range(q // p.qubits + 1) for p in menu]
    for counts in itertools.product(*ranges):
        if sum(c * p.qubits for c, p in zip(counts, menu)) > q or not any(counts):
            continue
        # with n copies of each, the least T: smallest candidate k*T_i reaching the target
        for T in sorted({k * p.rounds for p in menu for k in range(1, 20)}):
            if sum(c * (T // p.rounds) * p.outputs for c, p in zip(counts, menu)) >= target:
                best = min(best, T)
                break
    return best


@pytest.mark.parametrize("q,target", [(3000, 12), (2000, 9), (4100, 20), (1300, 5)])
def test_cbc_mixed_menu_against_brute_force(q, target):
    a = min_time_allocation((A, B, C), q, target)
    assert a.rounds == brute_force_min_time((A, B, C), q, target)
    assert a.produced >= target and a.qubits <= q


def test_max_rate():
    a = max_rate_allocation((A, B, C), 3000)
    # rates per qubit: a 1/55/735, b 1/40/1200, c 2/100/300 -> c is best; 10 copies of c fill 3000
    assert a.runs == ((2, 10, 1),) and a.rate == pytest.approx(0.2)
    assert max_rate_allocation((A,), 700).runs == ()


def test_infeasible_budget():
    with pytest.raises(InfeasibleError, match="below the smallest low-level factory"):
        min_time_allocation((A, B), 700, 3)


def _qubit_rounds(menu, alloc):
    return sum(c * k * menu[i].rounds * menu[i].qubits for i, c, k in alloc.runs)


@pytest.mark.parametrize("q,target", [(3000, 12), (2000, 9), (4100, 20), (1300, 5), (9000, 15)])
def test_exact_mixed_menu_equals_cbc_on_both_objectives(q, target):
    """The dynamic-programming solver of a mixed menu (``solver="auto"``) reaches CBC's least T and, at that T,
    CBC's least qubit-rounds (the two lexicographic stages)."""
    menu = (A, B, C)
    exact = min_time_allocation(menu, q, target)
    cbc = min_time_allocation(menu, q, target, solver="cbc")
    assert (exact.rounds, _qubit_rounds(menu, exact)) == (cbc.rounds, _qubit_rounds(menu, cbc))
    assert exact.produced >= target and exact.qubits <= q


def test_exact_second_stage_by_hand():
    """Two producers of 10 rounds (300 and 100 qubits), 4 states on 3000 qubits: the exact solver keeps
    4 x 100-qubit copies (4000 qubit-rounds), as CBC's second stage does (test_rules.py)."""
    a = Producer("a", 100, 10, 1, 0.99, 1e-7, 3)
    b = Producer("b", 300, 10, 1, 0.99, 1e-7, 3)
    alloc = min_time_allocation((b, a), 3000, 4)
    assert (alloc.rounds, alloc.runs, alloc.qubits) == (10, ((1, 4, 1),), 400)
    # on 250 qubits only two a-copies fit: 4 states need two runs each, T = 20
    assert min_time_allocation((b, a), 250, 4).runs == ((1, 2, 2),)


@pytest.mark.parametrize("q", [735, 1500, 3000, 4321, 9000])
def test_exact_max_rate_equals_cbc(q):
    exact = max_rate_allocation((A, B, C), q)
    cbc = max_rate_allocation((A, B, C), q, solver="cbc")
    assert exact.rate == pytest.approx(cbc.rate, rel=1e-12) and exact.qubits == cbc.qubits
    assert (exact.runs, exact.produced, exact.rounds) == (cbc.runs, cbc.produced, cbc.rounds)


def test_max_rate_of_two_kinds_records_the_longest_run():
    """Seed 49 (after the measurement): on 703 qubits one copy of C (300 qubits, 2 states per 100 rounds) and one of
    a 400-qubit producer of 1 state per 30 rounds give 2/100 + 1/30 per round (two of the second need 800 qubits);
    the allocation's rounds are its longest run's, 100, by either solver."""
    d = Producer("d", 400, 30, 1, 0.99, 1e-7, 5)
    for solver in ("auto", "cbc"):
        alloc = max_rate_allocation((C, d), 703, solver=solver)
        assert (alloc.runs, alloc.qubits, alloc.produced, alloc.rounds) == (((0, 1, 1), (1, 1, 1)), 700, 3, 100)
        assert alloc.rate == pytest.approx(2 / 100 + 1 / 30, rel=1e-12)


@pytest.mark.parametrize("q,target,at_most", [(9000, 10, 10), (9000, 10, 11), (4000, 7, 8), (2500, 5, 5)])
def test_exact_mixed_menu_with_a_cap_equals_cbc(q, target, at_most):
    """With runs of four outputs (20-to-4) the cap ``at_most`` can force fewer runs than fit; the exact solver
    and CBC agree on both objectives and the output lies between target and cap."""
    four = Producer("20-to-4@d9", qubits=1200, rounds=50, outputs=4, p_succ=0.99, eps_out=1e-7, distance=9)
    menu = (four, A)
    exact = min_time_allocation(menu, q, target, at_most=at_most)
    cbc = min_time_allocation(menu, q, target, solver="cbc", at_most=at_most)
    assert (exact.rounds, _qubit_rounds(menu, exact)) == (cbc.rounds, _qubit_rounds(menu, cbc))
    assert target <= exact.produced <= at_most and exact.qubits <= q


def test_max_rate_solver_choice():
    """``solver="auto"`` takes the closed form for a one-producer menu (no CBC solve: floor(q / qubits) copies);
    ``solver="cbc"`` solves it (two solves: the rate, then the fewest qubits at that rate) to the same answer."""
    from magicpipe.compiler.allocator import solver_stats

    f = Producer("max-rate-solver-only", qubits=301, rounds=11, outputs=2, p_succ=1.0, eps_out=1e-6, distance=3)
    before = solver_stats()["cbc_solves"]
    auto = max_rate_allocation((f,), 1000)
    assert solver_stats()["cbc_solves"] == before
    cbc = max_rate_allocation((f,), 1000, solver="cbc")
    assert solver_stats()["cbc_solves"] == before + 2
    assert auto.runs == cbc.runs == ((0, 3, 1),) and auto.qubits == cbc.qubits == 903
    assert auto.rate == pytest.approx(cbc.rate) and auto.rate == pytest.approx(6 / 11)


def test_max_rate_mixed_menu_lasts_as_long_as_its_slowest_copy():
    """A max-rate allocation mixing producers: P (300 qubits, 10 rounds) and R (200 qubits, 20 rounds), one output
    each, on 500 qubits. P + R gives 1/10 + 1/20 = 0.15 per round, more than P alone (0.1) or 2 R (0.1); the
    allocation's rounds are its slowest copy's, 20."""
    p = Producer("mix-p", 300, 10, 1, 1.0, 1e-6, 3)
    r = Producer("mix-r", 200, 20, 1, 1.0, 1e-6, 3)
    a = max_rate_allocation((p, r), 500)
    assert a.runs == ((0, 1, 1), (1, 1, 1)) and a.qubits == 500 and a.produced == 2
    assert a.rate == pytest.approx(0.15) and a.rounds == 20


def test_exact_second_stage_least_qubit_rounds_not_fewest_qubits():
    """x: 100 qubits, 6 rounds (600 qubit-rounds a state); y: 80 qubits, 10 rounds (800). Two states on 190
    qubits: T = 6 needs two x copies (200 qubits), so T = 10, where x runs once (12 > 10). At T = 10, y + y has the
    fewest qubits (160, 1600 qubit-rounds) but x + y the fewest qubit-rounds (180, 1400): the second stage keeps
    x + y, in the exact solver as in CBC.

    Mutation checked: ranking the exact solver's candidates by qubits before qubit-rounds returns y + y."""
    x = Producer("x", 100, 6, 1, 0.99, 1e-7, 3)
    y = Producer("y", 80, 10, 1, 0.99, 1e-7, 3)
    for solver in ("auto", "cbc"):
        alloc = min_time_allocation((x, y), 190, 2, solver=solver)
        assert (alloc.rounds, alloc.runs, alloc.qubits) == (10, ((0, 1, 1), (1, 1, 1)), 180)
