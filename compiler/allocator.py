"""The resource allocator of the paper's Sec. 5.4: which low-level factories to run on a qubit budget.

Two problems, both over a *menu* of :class:`Producer` s (the low-level factory types one may launch):

* :func:`min_time_allocation` -- Eqs. 7-10: reach ``target`` output states in the least time ``T`` on at most
  ``q_max`` qubits, running ``n_i`` copies of producer i, each ``k_i`` times back to back. Eq. 8 multiplies
  two unknowns (``n_i k_i``); we linearise it by splitting the copies of each producer by how many runs they
  make: integer ``y_ik`` copies of producer i run exactly k times, with a binary ``z_ik`` that is 1 when any
  do, and ``T >= k T_i z_ik``. The objective is lexicographic: least ``T``, then least qubit-rounds used (no
  factory is launched that does not shorten the time). Solved with PuLP's bundled CBC.
* :func:`max_rate_allocation` -- Eqs. 11-13: the copies that maximise ``sum n_i M_i / T_i`` on ``q_max``
  qubits (ties: fewest qubits), also solved with CBC.

When the menu holds a single producer both problems have closed forms; for mixed menus (three or more levels)
``solver="auto"`` solves them exactly without a solver (dynamic programming over the states made for Eqs. 7-10,
branch and bound on integer-scaled rates for Eqs. 11-13), about 500x faster than a CBC subprocess. The
test-suite checks both against CBC on grids of cases; ``solver="cbc"`` forces CBC. Where optima tie, the
exact solvers break ties deterministically (fewer qubits, then the first runs) and CBC returns whichever it
finds. Results are memoised: the same (menu, budget, target) is solved once per process.
"""

from __future__ import annotations

from typing import Any

import functools
import math
import time
import warnings
from dataclasses import dataclass, field
from collections.abc import Sequence

from magicpipe.compiler.hardware import check_finite

from magicpipe.errors import InfeasibleError, SpecError

__all__ = ["Producer", "Allocation", "min_time_allocation", "max_rate_allocation", "solver_stats"]


@dataclass(frozen=True, slots=True)
class Producer:
    """A low-level factory type: what one run costs and yields.

    Attributes:
        name: a label, e.g. ``"15-to-1@d5"``.
        qubits: qubits one copy occupies while it runs.
        rounds: rounds of one run.
        outputs: states a successful run yields.
        p_succ: probability a run succeeds.
        eps_out: error of each output state.
        distance: code distance of the output patches (a buffer slot holding one is a patch of this distance).
        level: the pipeline level the outputs belong to (1 for a first-level factory).
        source: what the producer is (a protocol at a distance, or a point of a lower pipeline's front);
            not part of equality.
    """

    name: str
    qubits: int
    rounds: int
    outputs: int
    p_succ: float
    eps_out: float
    distance: int
    level: int = 1
    source: object = field(default=None, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        for field_name in ("qubits", "rounds", "outputs", "p_succ"):
            check_finite(f"producer {self.name}: {field_name}", getattr(self, field_name))
        if self.qubits <= 0 or self.rounds <= 0 or self.outputs <= 0:
            raise SpecError(f"producer {self.name}: qubits, rounds and outputs must be positive")
        if not 0 < self.p_succ <= 1:
            raise SpecError(f"producer {self.name}: success probability {self.p_succ} must lie in (0, 1]")

    @property
    def rate(self) -> float:
        """Outputs per round of one copy, ignoring failures."""
        return self.outputs / self.rounds


@dataclass(frozen=True, slots=True)
class Allocation:
    """Copies to launch: ``runs`` holds ``(producer index, copies, runs per copy)``.

    ``rounds`` is the makespan ``T`` (0 when nothing is launched), ``qubits`` the qubits the copies occupy,
    ``produced`` the states they yield when every run succeeds.
    """

    rounds: int
    runs: tuple[tuple[int, int, int], ...]
    qubits: int
    produced: int
    rate: float = 0.0

    @property
    def copies(self) -> int:
        return sum(c for _, c, _ in self.runs)


_STATS: dict[str, Any] = {"cbc_solves": 0, "cbc_seconds": [], "closed_form": 0, "exact": 0}


def solver_stats() -> dict[str, Any]:
    """Counts of CBC solves, their wall times in seconds, closed-form shortcuts and exact mixed-menu solves
    (dynamic programming instead of CBC) taken in this process."""
    return {k: (list(v) if isinstance(v, list) else v) for k, v in _STATS.items()}


def _check(menu: Sequence[Producer], q_max: int) -> None:
    if len(menu) == 0:
        raise SpecError("the allocator needs at least one producer in its menu")
    if q_max < 0:
        raise SpecError(f"qubit budget {q_max} must not be negative")


def min_time_allocation(menu: Sequence[Producer], q_max: int, target: int, solver: str = "auto",
                        at_most: int | None = None) -> Allocation:
    """Least time to produce ``target`` states on ``q_max`` qubits (Eqs. 7-10).

    Producers of several outputs per run (20-to-4) may overshoot ``target``; ``at_most`` caps what the runs
    yield in all (the room a buffer has for them), so that every output finds a slot.

    Args:
        menu: the producer types that may be launched.
        q_max: qubits available to them.
        target: states needed (<= 0 means nothing to do).
        solver: ``"auto"`` (closed form for a one-producer menu, the exact dynamic programme otherwise) or
            ``"cbc"`` (PuLP's bundled CBC, the two lexicographic stages).

    Returns:
        The allocation; every copy starts at once and runs its runs back to back.

    Raises:
        InfeasibleError: no producer fits in ``q_max`` qubits, or no whole number of runs yields between
            ``target`` and ``at_most`` states.

    Examples:
        >>> f = Producer("15-to-1@d5", qubits=735, rounds=55, outputs=1, p_succ=0.998, eps_out=2e-7, distance=5)
        >>> four = Producer("20-to-4@d9", qubits=1200, rounds=50, outputs=4, p_succ=0.99, eps_out=1e-7, distance=9)
        >>> min_time_allocation((four,), q_max=9000, target=10).produced   # three runs of four
        12
        >>> min_time_allocation((four, f), q_max=9000, target=10, at_most=10).runs  # two of four, two of one
        ((0, 2, 1), (1, 2, 1))
        >>> a = min_time_allocation((f,), q_max=9390, target=12)
        >>> a.rounds, a.runs
        (55, ((0, 12, 1),))
        >>> min_time_allocation((f,), q_max=3000, target=12).rounds  # 4 copies, 3 runs each
        165
    """
    _check(menu, q_max)
    if solver not in ("auto", "cbc"):
        raise SpecError(f"solver must be 'auto' or 'cbc', got {solver!r}")
    if target <= 0:
        return Allocation(0, (), 0, 0)
    if all(p.qubits > q_max for p in menu):
        smallest = min(p.qubits for p in menu)
        raise InfeasibleError(
            f"qubit budget {q_max} is below the smallest low-level factory ({smallest} qubits); "
            f"give the allocator at least {smallest} qubits"
        )
    cap = None if at_most is None else int(at_most)
    if cap is not None and cap < target:
        raise InfeasibleError(f"cannot produce {target} states yielding at most {cap}; raise at_most")
    if cap is not None and all(p.outputs == 1 for p in menu):
        cap = None  # one output per run never overshoots: the unconstrained problem, memoised once
    return _min_time(tuple(menu), int(q_max), int(target), solver, cap)


@functools.lru_cache(maxsize=200_000)
def _min_time(menu: tuple[Producer, ...], q_max: int, target: int, solver: str,
              at_most: int | None = None) -> Allocation:
    if len(menu) == 1 and solver == "auto":
        _STATS["closed_form"] += 1
        p = menu[0]
        if at_most is not None and math.ceil(target / p.outputs) * p.outputs > at_most:
            raise InfeasibleError(f"runs of {p.outputs} states cannot yield between {target} and {at_most} states")
        return _min_time_single(p, q_max, target)
    if solver == "auto":
        _STATS["exact"] += 1
        return _min_time_exact(menu, q_max, target, at_most)
    return _min_time_cbc(menu, q_max, target, at_most)


def _min_time_exact(menu: tuple[Producer, ...], q_max: int, target: int, at_most: int | None = None) -> Allocation:
    """Eqs. 7-10 for a mixed menu by dynamic programming over the states made (no solver).

    The least ``T`` is the first candidate ``k T_i`` at which copies running as often as fit in ``T`` reach
    ``target`` on ``q_max`` qubits (fewest qubits per number of states, an unbounded knapsack over at most
    ``target`` states). At that ``T`` the copies (producer ``i`` run ``k`` times, ``k T_i <= T``) of least
    qubit-rounds are found by the same recursion keeping, per number of states, every (qubits, qubit-rounds)
    pair no other beats in both. With ``at_most`` the states are counted exactly up to it (a copy may then run
    fewer times than fit) and the answer lies between ``target`` and ``at_most``. Ties: fewer qubits, then the
    lexicographically first ``runs``. Same optimum as the two CBC stages (``tests/compiler/test_allocator.py``
    checks both objectives against CBC).
    """
    fitting = [i for i, p in enumerate(menu) if p.qubits <= q_max]
    alone = [math.ceil(math.ceil(target / menu[i].outputs) / (q_max // menu[i].qubits)) * menu[i].rounds
             for i in fitting if at_most is None or math.ceil(target / menu[i].outputs) * menu[i].outputs <= at_most]
    t_ub = min(alone) if alone else sum(math.ceil(target / menu[i].outputs) * menu[i].rounds for i in fitting)
    top = target if at_most is None else at_most  # states are counted up to this (capped at it without at_most)

    def made(t: int) -> list[tuple[int, int]]:  # (producer, runs) a copy may make within t rounds
        if at_most is None:
            return [(i, t // menu[i].rounds) for i in fitting if t >= menu[i].rounds]
        return [(i, k) for i in fitting for k in range(1, t // menu[i].rounds + 1)]

    def reachable(o: int, out: int) -> int:
        return o - out if at_most is not None else max(o - out, 0)

    candidates = sorted({k * menu[i].rounds for i in fitting for k in range(1, t_ub // menu[i].rounds + 1)})
    for best_t in candidates:
        items = made(best_t)
        least = [0] + [q_max + 1] * top  # fewest qubits for (at least, without at_most) o states
        for o in range(1, top + 1):
            for i, k in items:
                prev = reachable(o, k * menu[i].outputs)
                if prev >= 0:
                    least[o] = min(least[o], menu[i].qubits + least[prev])
        if min(least[target:]) <= q_max:
            break
    else:
        raise InfeasibleError(f"no whole number of runs yields between {target} and {at_most} states on {q_max} "
                              f"qubits; raise at_most or the budget")
    items = [(i, k) for i in fitting for k in range(1, best_t // menu[i].rounds + 1)]
    # per number of states: {qubits: (qubit-rounds, runs as a sorted (i, k) multiset)}
    Entry = tuple[int, tuple[tuple[int, int], ...]]
    frontier: list[dict[int, Entry]] = [{0: (0, ())}]
    for o in range(1, top + 1):
        options: dict[int, Entry] = {}
        for i, k in items:
            p = menu[i]
            prev = reachable(o, k * p.outputs)
            if prev < 0:
                continue
            for q, (cost, picked) in frontier[prev].items():
                q2 = q + p.qubits
                if q2 > q_max:
                    continue
                entry = (cost + k * p.rounds * p.qubits, tuple(sorted(picked + ((i, k),))))
                if q2 not in options or entry < options[q2]:
                    options[q2] = entry
        kept: dict[int, Entry] = {}
        least_cost = None
        for q in sorted(options):  # drop pairs beaten in both qubits and qubit-rounds
            if least_cost is None or options[q][0] < least_cost:
                kept[q] = options[q]
                least_cost = options[q][0]
        frontier.append(kept)
    q, (_, picked) = min(((q, e) for o in range(target, top + 1) for q, e in frontier[o].items()),
                         key=lambda x: (x[1][0], x[0], x[1][1]))
    counts: dict[tuple[int, int], int] = {}
    for ik in picked:
        counts[ik] = counts.get(ik, 0) + 1
    runs = tuple(sorted((i, c, k) for (i, k), c in counts.items()))
    produced = sum(c * k * menu[i].outputs for i, c, k in runs)
    return Allocation(max(k * menu[i].rounds for i, _, k in runs), runs, q, produced)


def _min_time_single(p: Producer, q_max: int, target: int) -> Allocation:
    runs_needed = math.ceil(target / p.outputs)
    n_max = q_max // p.qubits
    k = math.ceil(runs_needed / n_max)
    copies = math.ceil(runs_needed / k)
    # fewest qubit-rounds: `full` copies run k times, the rest k - 1 times. k is the least with k n_max >= runs,
    # so (k - 1) copies <= (k - 1) n_max < runs: full >= 1; with k = 1, copies = runs = full (no second group)
    full = runs_needed - (k - 1) * copies
    runs = ((0, full, k),) if copies == full else ((0, full, k), (0, copies - full, k - 1))
    return Allocation(k * p.rounds, runs, copies * p.qubits, runs_needed * p.outputs)


def _min_time_cbc(menu: tuple[Producer, ...], q_max: int, target: int, at_most: int | None = None) -> Allocation:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return _min_time_cbc_model(menu, q_max, target, at_most)


def _min_time_cbc_model(menu: tuple[Producer, ...], q_max: int, target: int, at_most: int | None = None
                        ) -> Allocation:
    import pulp

    # an upper bound on T: the best single producer alone (with a cap: one copy of each, one after another)
    alone = [math.ceil(math.ceil(target / p.outputs) / (q_max // p.qubits)) * p.rounds for p in menu
             if p.qubits <= q_max and (at_most is None or math.ceil(target / p.outputs) * p.outputs <= at_most)]
    t_ub = min(alone) if alone else sum(math.ceil(target / p.outputs) * p.rounds for p in menu if p.qubits <= q_max)
    prob = pulp.LpProblem("min_time", pulp.LpMinimize)
    T = pulp.LpVariable("T", lowBound=0, upBound=t_ub, cat="Integer")
    y, z = {}, {}
    for i, p in enumerate(menu):
        if p.qubits > q_max:
            continue
        for k in range(1, t_ub // p.rounds + 1):
            y[i, k] = pulp.LpVariable(f"y_{i}_{k}", lowBound=0, upBound=q_max // p.qubits, cat="Integer")
            z[i, k] = pulp.LpVariable(f"z_{i}_{k}", cat="Binary")
            prob += y[i, k] <= (q_max // p.qubits) * z[i, k]
            prob += k * p.rounds * z[i, k] <= T
    prob += pulp.lpSum(y[i, k] * menu[i].qubits for i, k in y) <= q_max  # Eq. 7
    prob += pulp.lpSum(y[i, k] * k * menu[i].outputs for i, k in y) >= target  # Eq. 8
    if at_most is not None:  # every output must find a slot
        prob += pulp.lpSum(y[i, k] * k * menu[i].outputs for i, k in y) <= at_most
    prob += T  # Eq. 10's objective
    _solve(prob)
    best_t = int(round(T.value()))
    # second stage: at that T, the fewest qubit-rounds
    prob += best_t >= T
    prob.setObjective(pulp.lpSum(y[i, k] * k * menu[i].rounds * menu[i].qubits for i, k in y))
    _solve(prob)
    runs = tuple(sorted((i, int(round(v.value())), k) for (i, k), v in y.items() if round(v.value()) > 0))
    qubits = sum(c * menu[i].qubits for i, c, _ in runs)
    produced = sum(c * k * menu[i].outputs for i, c, k in runs)
    return Allocation(max(k * menu[i].rounds for i, _, k in runs), runs, qubits, produced)


def _solve(prob: Any) -> None:
    import pulp

    start = time.perf_counter()
    with warnings.catch_warnings():
        # PuLP 3.x announces its 4.0 API; the bundled CBC of the pinned 3.x is what we use
        warnings.simplefilter("ignore", DeprecationWarning)
        status = prob.solve(pulp.PULP_CBC_CMD(msg=False))
    _STATS["cbc_solves"] += 1
    _STATS["cbc_seconds"].append(time.perf_counter() - start)
    if pulp.LpStatus[status] != "Optimal":
        raise InfeasibleError(f"CBC found no optimal allocation (status {pulp.LpStatus[status]})")


def max_rate_allocation(menu: Sequence[Producer], q_max: int, solver: str = "auto") -> Allocation:
    """Copies maximising the production rate on ``q_max`` qubits (Eqs. 11-13); ties go to fewer qubits.

    An empty allocation (rate 0) is returned when no producer fits.

    Examples:
        >>> f = Producer("15-to-1@d3", qubits=255, rounds=33, outputs=1, p_succ=0.997, eps_out=2e-5, distance=3)
        >>> a = max_rate_allocation((f,), q_max=629)
        >>> a.runs, a.qubits, round(a.rate, 4)
        (((0, 2, 1),), 510, 0.0606)
    """
    _check(menu, q_max)
    return _max_rate(tuple(menu), int(q_max), solver)


@functools.lru_cache(maxsize=100_000)
def _max_rate(menu: tuple[Producer, ...], q_max: int, solver: str) -> Allocation:
    if len(menu) == 1 and solver == "auto":
        p = menu[0]
        n = q_max // p.qubits
        runs = ((0, n, 1),) if n else ()
        return Allocation(p.rounds if n else 0, runs, n * p.qubits, n * p.outputs, n * p.rate)
    fitting = [i for i, p in enumerate(menu) if p.qubits <= q_max]
    if not fitting:
        return Allocation(0, (), 0, 0, 0.0)
    if solver == "auto":
        _STATS["exact"] += 1
        return _max_rate_exact(menu, q_max, fitting)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return _max_rate_cbc(menu, q_max, fitting)


def _max_rate_exact(menu: tuple[Producer, ...], q_max: int, fitting: list[int]) -> Allocation:
    """Eqs. 11-13 for a mixed menu by branch and bound on integer rates (no solver).

    Rates ``M_i / T_i`` are scaled by the least common multiple of the ``T_i`` to integers, so the maximum is
    exact; producers are tried densest first, each count from the most that fit down, and a branch is cut when
    even filling its remaining qubits at the best remaining density cannot beat the best found. Ties: fewer
    qubits, then the lexicographically first counts.
    """
    scale = math.lcm(*(menu[i].rounds for i in fitting))
    value = {i: menu[i].outputs * (scale // menu[i].rounds) for i in fitting}
    order = sorted(fitting, key=lambda i: (-value[i] / menu[i].qubits, i))
    best: tuple[int, int, tuple[int, ...]] | None = None  # (value, -qubits, counts); the first leaf is greedy

    def search(pos: int, left: int, val: int, counts: tuple[int, ...]) -> None:
        nonlocal best
        if pos == len(order):
            cand = (val, left - q_max, counts)
            if best is None or (cand[0], cand[1]) > (best[0], best[1]) or ((cand[0], cand[1]) == (best[0], best[1])
                                                                          and counts < best[2]):
                best = cand
            return
        i = order[pos]
        density = value[i] / menu[i].qubits
        if best is not None and val + left * density + 1e-9 < best[0]:
            return
        for n in range(left // menu[i].qubits, -1, -1):
            search(pos + 1, left - n * menu[i].qubits, val + n * value[i], counts + (n,))

    search(0, q_max, 0, ())
    assert best is not None  # the search reaches a leaf: nothing is cut before a first one is found
    chosen = {i: n for i, n in zip(order, best[2]) if n}
    runs = tuple((i, chosen[i], 1) for i in sorted(chosen))
    qubits = sum(c * menu[i].qubits for i, c, _ in runs)
    produced = sum(c * menu[i].outputs for i, c, _ in runs)
    rounds = max((menu[i].rounds for i, _, _ in runs), default=0)
    return Allocation(rounds, runs, qubits, produced, sum(c * menu[i].rate for i, c, _ in runs))


def _max_rate_cbc(menu: tuple[Producer, ...], q_max: int, fitting: list[int]) -> Allocation:
    import pulp

    prob = pulp.LpProblem("max_rate", pulp.LpMaximize)
    n = {i: pulp.LpVariable(f"n_{i}", lowBound=0, upBound=q_max // menu[i].qubits, cat="Integer") for i in fitting}
    prob += pulp.lpSum(n[i] * menu[i].qubits for i in fitting) <= q_max  # Eq. 11
    rate = pulp.lpSum(n[i] * menu[i].rate for i in fitting)  # Eq. 12
    prob += rate
    _solve(prob)
    best = sum(round(n[i].value()) * menu[i].rate for i in fitting)
    prob += rate >= best * (1 - 1e-9)
    prob.setObjective(pulp.lpSum(n[i] * menu[i].qubits for i in fitting))
    prob.sense = pulp.LpMinimize
    _solve(prob)
    runs = tuple((i, int(round(n[i].value())), 1) for i in fitting if round(n[i].value()) > 0)
    qubits = sum(c * menu[i].qubits for i, c, _ in runs)
    produced = sum(c * menu[i].outputs for i, c, _ in runs)
    rounds = max((menu[i].rounds for i, _, _ in runs), default=0)
    return Allocation(rounds, runs, qubits, produced, sum(c * menu[i].rate for i, c, _ in runs))
