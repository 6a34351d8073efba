"""Low-level factory failures: the expected first-stall delay of the paper's Appendix A, and Monte Carlo.

:func:`expected_delay` follows Eqs. 15-21. From a no-failure schedule it takes, at every event round t, the
runs that end (``n_prod(t)``, each succeeding with its producer's ``p_succ``) and the states the high-level
factory takes (``n_cons(t)``). A probability vector over the buffer count plus an absorbing "stalled" state
evolves through production (Eq. 19, a binomial per producer type) and consumption (Eqs. 17-18). The first
stall at t costs a recovery time ``dt(t)``; the expected delay is ``sum_t p_stall(t) dt(t)`` (Eq. 21).

Two adaptations, both written down in ``docs/model.md``:

* Order within a round. Eq. 16 applies consumption before production; our scheduler deposits a round's
  outputs before the factory takes from the buffer (a state finished in round t can feed a step starting at
  t), so the chain does production first. Applying Eq. 16's order to our schedules would count every
  just-in-time hand-over as a stall.
* Recovery time. A lost state has to be made again -- every later state is already promised to a later
  step -- so ``dt(t)`` is the sooner of one more run of a supply lane and lending the ancilla region (two
  moves plus the least-time allocation of Eqs. 7-10 for one state). A stall at the launch (a fill run
  failed) is recovered by the fill pool. The paper says only that it uses "the integer programming
  algorithm".

:func:`monte_carlo` runs the real scheduler (:func:`~magicpipe.compiler.dynamic.simulate`) with seeded random
failures and reports the mean and spread of the completion round, so the analytic estimate can be checked.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass

import numpy as np

from magicpipe.compiler.allocator import min_time_allocation
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.schedule import Schedule
from magicpipe.errors import InfeasibleError, SpecError

__all__ = ["expected_delay", "monte_carlo", "MonteCarloResult"]


def _binomial_step(vec: np.ndarray, n: int, outputs: int, p: float) -> np.ndarray:
    """Convolve the buffer-count distribution with ``outputs * Binomial(n, p)``."""
    out = np.zeros(len(vec) + n * outputs)
    for j in range(n + 1):
        w = math.comb(n, j) * p**j * (1 - p) ** (n - j)
        out[j * outputs : j * outputs + len(vec)] += w * vec
    return out


def expected_delay(schedule: Schedule) -> float:
    """Expected delay, in rounds, of the first stall caused by low-level failures (Appendix A).

    Args:
        schedule: a no-failure schedule (from :func:`simulate` without ``rng``).

    Returns:
        ``E[T_delay]`` of Eq. 21.
    """
    menu = schedule.producers
    ending: dict[int, dict[int, int]] = {}
    for r in schedule.runs:
        ending.setdefault(r.end, {}).setdefault(r.producer, 0)
        ending[r.end][r.producer] += 1
    taking: dict[int, int] = {}
    for k in schedule.takes:
        taking[k.time] = taking.get(k.time, 0) + k.count
    launch_times = {top.launch for top in schedule.tops}
    vec = np.ones(1)  # P(buffer count = i), starting empty
    delay = 0.0
    for t in sorted(set(ending) | set(taking)):
        for producer, n in sorted(ending.get(t, {}).items()):
            vec = _binomial_step(vec, n, menu[producer].outputs, menu[producer].p_succ)
        need = taking.get(t, 0)
        if need:
            p_stall = float(vec[:need].sum())  # Eq. 18: not enough states for this take
            if p_stall > 0:
                delay += p_stall * _recovery(schedule, t, t in launch_times)
            vec = vec[need:].copy() if len(vec) > need else np.zeros(1)  # Eq. 17 on the surviving mass
            # renormalisation is not applied: the stalled mass leaves the chain (Eq. 20's increments)
    return delay


def _recovery(schedule: Schedule, t: int, at_launch: bool) -> float:
    high, menu = schedule.high, schedule.producers
    if at_launch:
        pool = schedule.qubit_budget - schedule.buffer_qubits
        return float(min_time_allocation(menu, pool, 1).rounds)
    # a lost state is made again: by one more run of a supply lane, or on the lent ancilla region
    lanes = [menu[i].rounds for i, c, _ in schedule.supply.runs if c > 0]
    wait = float(min(lanes)) if lanes else math.inf
    idle = schedule.qubit_budget - high.qubits - schedule.buffer_qubits - schedule.supply.qubits
    lend = high.lendable_qubits + max(idle, 0)
    reuse = math.inf
    if any(p.qubits <= lend for p in menu):
        reuse = 2 * schedule.move_rounds + min_time_allocation(menu, lend, 1).rounds
    best = min(wait, reuse)
    if math.isinf(best):
        raise InfeasibleError(f"no way to recover from a stall at round {t}")
    return float(best)


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """Completion rounds of ``shots`` seeded runs of the scheduler with random failures."""

    shots: int
    seed: int
    mean_rounds: float
    stdev_rounds: float
    deterministic_rounds: int
    stall_fraction: float

    @property
    def mean_delay(self) -> float:
        return self.mean_rounds - self.deterministic_rounds

    @property
    def stderr_delay(self) -> float:
        return self.stdev_rounds / math.sqrt(self.shots)


def monte_carlo(schedule: Schedule, shots: int, seed: int) -> MonteCarloResult:
    """Re-run the scheduler behind ``schedule`` ``shots`` times with random low-level failures.

    Raises:
        SpecError: ``shots < 2``.
    """
    if shots < 2:
        raise SpecError(f"shots={shots} must be at least 2")
    rng = random.Random(seed)
    options = schedule.policy
    rounds = []
    stalled = 0
    for _ in range(shots):
        s = simulate(schedule.high, schedule.producers, schedule.qubit_budget, schedule.buffer_slots,
                     schedule.slot_qubits, options, tops=len(schedule.tops), rng=rng)
        rounds.append(s.rounds)
        stalled += s.rounds > schedule.rounds
    return MonteCarloResult(shots, seed, statistics.fmean(rounds), statistics.stdev(rounds), schedule.rounds,
                            stalled / shots)
