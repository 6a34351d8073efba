"""Expected completion with every stall counted: Appendix A's chain, extended past the first stall.

Appendix A (:func:`~magicpipe.compiler.failures.expected_delay`) follows the buffer count of a no-failure
schedule and charges a fixed recovery at the *first* stall; paths that stall leave the chain. Here they stay.
The probability mass is split by the delay ``D`` it has accumulated: a path with delay ``D`` sees the
deposits of the low-level runs at their own rounds but the high-level factory's takes ``D`` rounds late
(while the factory waits, the lanes keep producing). When a take at ``t + D`` finds fewer states than it
needs, the path waits for the next deposits; the part that then has enough continues with delay
``D + wait``, the rest waits for the one after. Lending the ancilla region (when the schedule's stall policy
does, and it is sooner than the lanes' next run) recovers the shortfall ``2 move + T_fill(1)`` rounds later.

Modelled as in the scheduler (:mod:`~magicpipe.compiler.dynamic`):

* deposits come before takes within a round; each run succeeds independently with its producer's
  ``p_succ``; the count is capped at the buffer (the scheduler launches no lane whose output has no slot);
* supply lanes run on after the schedule's last run of each lane, back to back, so a failure is followed
  by more runs (under ``lanes="demand"`` the scheduler relaunches a lane when a failure uncovers demand);
* a launch that finds fewer than N_th states (a fill run failed) waits for a re-fill of the shortfall on the
  fill pool, and every later event moves with it.

Not modelled: the resumption threshold N'_th of ``resume="threshold"`` (a path resumes as soon as the step's
inputs are there, which is ``resume="greedy"``), reuse runs that fail, and the steady state's relaunch fills.
``docs/model.md`` compares the estimate with the Monte Carlo of the scheduler itself.
"""

from __future__ import annotations

import functools
import heapq
import math

from magicpipe.compiler.allocator import min_time_allocation
from magicpipe.compiler.schedule import Schedule

__all__ = ["expected_rounds"]

_PRUNE = 1e-7  # probability mass below which a delayed path is dropped (the result is renormalised)
_MAX_LAYERS = 200


@functools.lru_cache(maxsize=4096)
def _binomial(n: int, p: float) -> list[float]:
    return [math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(n + 1)]


def _deposit(vec: list[float], weights: list[float], outputs: int, cap: int) -> list[float]:
    """Add ``outputs * Binomial`` states (``weights`` its law) to the count distribution, capped at ``cap``."""
    out = [0.0] * (cap + 1)
    for i, m in enumerate(vec):
        if m == 0.0:
            continue
        k = i  # i + j * outputs for the j-th weight
        for w in weights:
            out[k if k < cap else cap] += m * w
            k += outputs
    return out


def _deposits(
    schedule: Schedule, launch: int, horizon: int
) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
    """``(round, producer, runs)`` ending after ``launch``: the supply runs, each lane run on to ``horizon``;
    and the reuse runs (these move with the factory's delay: they start when it stalls)."""
    menu = schedule.producers
    ends: dict[tuple[int, int], int] = {}
    reuse: dict[tuple[int, int], int] = {}
    last: dict[int, tuple[int, int]] = {}
    for r in schedule.runs:
        if r.end > launch:
            into = reuse if r.role == "reuse" else ends
            into[r.end, r.producer] = into.get((r.end, r.producer), 0) + 1
        if r.role == "supply" and (r.lane not in last or r.end >= last[r.lane][0]):
            last[r.lane] = (r.end, r.producer)
    for end, producer in last.values():
        t = end + menu[producer].rounds
        while t <= horizon:
            ends[t, producer] = ends.get((t, producer), 0) + 1
            t += menu[producer].rounds
    return sorted((t, i, n) for (t, i), n in ends.items()), sorted((t, i, n) for (t, i), n in reuse.items())


def _reuse_rounds(schedule: Schedule) -> float:
    """Rounds to recover one state on the lent ancilla region (inf when the policy or the space forbids it)."""
    high, menu = schedule.high, schedule.producers
    if schedule.policy.stall_policy == "never":
        return math.inf
    idle = schedule.qubit_budget - high.qubits - schedule.buffer_qubits - schedule.supply.qubits
    lend = high.lendable_qubits + max(idle, 0)
    if all(p.qubits > lend for p in menu):
        return math.inf
    return 2 * schedule.move_rounds + min_time_allocation(menu, lend, 1).rounds


def expected_rounds(schedule: Schedule) -> float:
    """Expected completion round of ``schedule``'s first execution with random low-level failures.

    Args:
        schedule: a no-failure schedule (from :func:`~magicpipe.compiler.dynamic.simulate` without ``rng``).

    Returns:
        The expected round of the first top-level output, every stall counted (module docstring).
    """
    menu, proto = schedule.producers, schedule.high.protocol
    top = schedule.tops[0]
    cap = schedule.buffer_slots
    takes: dict[int, int] = {}
    for k in schedule.takes:
        if k.top == 0:
            takes[k.time] = takes.get(k.time, 0) + k.count
    launch = top.launch
    # the fill: every run that ends by the launch, capped at what the burst and the buffer hold
    vec = [1.0]
    for r in schedule.runs:
        if r.end <= launch:
            vec = _deposit(vec, [1 - menu[r.producer].p_succ, menu[r.producer].p_succ], menu[r.producer].outputs,
                           cap + proto.burst)
    n_th = schedule.launch_threshold
    need0 = takes.pop(launch)
    if schedule.policy.short_launch and schedule.supply.copies:  # a short fill launches anyway (lanes follow)
        n_th = need0
    short = sum(vec[:n_th])
    fill_wait = 0.0  # the expected wait for a re-fill of a short fill
    if short > 0:
        fill_wait = short * min_time_allocation(menu, schedule.qubit_budget - schedule.buffer_qubits, 1).rounds
    start = [0.0] * (cap + 1)
    for i, m in enumerate(vec):
        start[max(i, n_th) - need0 if i < n_th else min(i - need0, cap)] += m
    run_delay = _run_phase(schedule, start, sorted(takes.items()), top.end - max(takes, default=launch))
    return top.end + fill_wait + run_delay


def _run_phase(schedule: Schedule, start: list[float], takes: list[tuple[int, int]], tail: int) -> float:
    """Expected delay of the last take (launch-relative shifts are the caller's), every stall counted."""
    menu, cap = schedule.producers, schedule.buffer_slots
    launch = schedule.tops[0].launch
    last_take = takes[-1][0] if takes else launch
    lane_rounds = min((menu[i].rounds for i, c, _ in schedule.supply.runs if c), default=math.inf)
    reuse = _reuse_rounds(schedule)
    recovery = min(lane_rounds, reuse)
    horizon = last_take + tail + 40 * (int(recovery) if math.isfinite(recovery) else 1)
    fixed, moving = _deposits(schedule, launch, horizon)
    weights = {(i, n): _binomial(n, menu[i].p_succ) for _, i, n in fixed + moving}
    # layers: delay -> {take index: injected vector}; layer 0 starts after the launch with ``start``
    layers: dict[int, dict[int, list[float]]] = {0: {}}
    heap = [0]
    total, weighted = 0.0, 0.0
    processed = 0
    while heap and processed < _MAX_LAYERS:
        delay = heapq.heappop(heap)
        injections = layers.pop(delay)
        processed += 1
        j0 = min(injections, default=0)
        vec = list(start) if delay == 0 else [0.0] * (cap + 1)
        deposits = sorted(fixed + [(t + delay, i, n) for t, i, n in moving]) if moving else fixed
        # a delayed layer starts empty: the deposits up to its first injection's take (already seen by the
        # injected paths) land on no mass, as they should
        d = 0
        for j in range(j0, len(takes)):
            t_act = takes[j][0] + delay
            while d < len(deposits) and deposits[d][0] <= t_act:
                _, i, n = deposits[d]
                vec = _deposit(vec, weights[i, n], menu[i].outputs, cap)
                d += 1
            if j in injections:
                vec = [a + b for a, b in zip(vec, injections[j])]
            need = takes[j][1]
            stalled = vec[:need]
            after = vec[need:] + [0.0] * need
            vec = after
            if sum(stalled) > _PRUNE:
                _wait(schedule, stalled, j, t_act, deposits, d, weights, reuse, layers, heap, delay)
        mass = sum(vec)
        total += mass
        weighted += mass * delay
    return weighted / total if total > 0 else math.inf


def _wait(
    schedule: Schedule,
    stalled: list[float],
    j: int,
    t_act: int,
    deposits: list[tuple[int, int, int]],
    d: int,
    weights: dict[tuple[int, int], list[float]],
    reuse: float,
    layers: dict[int, dict[int, list[float]]],
    heap: list[int],
    delay: int,
) -> None:
    """Move a stalled path forward: to each later deposit round until it has enough, or to the reuse."""
    menu, cap = schedule.producers, schedule.buffer_slots
    need = len(stalled)
    vec = stalled + [0.0] * (cap + 1 - need)

    def inject(wait: int, v: list[float]) -> None:
        key = delay + wait
        if key not in layers:
            layers[key] = {}
            heapq.heappush(heap, key)
        old = layers[key].get(j)
        layers[key][j] = v if old is None else [a + b for a, b in zip(old, v)]

    while d < len(deposits):
        t = deposits[d][0]
        if t - t_act >= reuse:
            break
        while d < len(deposits) and deposits[d][0] == t:
            _, i, n = deposits[d]
            vec = _deposit(vec, weights[i, n], menu[i].outputs, cap)
            d += 1
        ready = vec[need:]
        if sum(ready) > 0:
            inject(t - t_act, [0.0] * need + ready)
            vec = vec[:need] + [0.0] * (cap + 1 - need)
        if sum(vec) < _PRUNE:
            return
    if math.isfinite(reuse):  # the lent region makes the shortfall (deposits meanwhile are a bonus)
        wait = int(reuse)
        while d < len(deposits) and deposits[d][0] <= t_act + wait:
            _, i, n = deposits[d]
            vec = _deposit(vec, weights[i, n], menu[i].outputs, cap)
            d += 1
        lifted = [0.0] * (cap + 1)
        for c, m in enumerate(vec):
            lifted[max(c, need)] += m
        inject(wait, lifted)
