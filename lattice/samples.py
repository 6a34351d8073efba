"""Seeded two-level schedules for tests and benchmarks: named, parameterised generators of standard inputs.

Examples:
    >>> s = sample_schedule(7)
    >>> s == sample_schedule(7), len(s.tops)
    (True, 1)
"""

from __future__ import annotations

import random

from magicpipe.compiler.dynamic import DynamicOptions, simulate
from magicpipe.compiler.hardware import Hardware, patch_qubits
from magicpipe.compiler.pareto import candidate_budgets, level_producer
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.schedule import Schedule
from magicpipe.errors import InfeasibleError

__all__ = ["sample_schedule"]


def sample_schedule(seed: int, *, tops: int = 1, max_distance: int = 21) -> Schedule:
    """A feasible schedule drawn from ``seed``.

    Distances ``3 <= d1 < d2 <= max_distance``, hardware p = 1e-3 with raw error 1e-3 or 3e-3 (so runs fail),
    a buffer of 1-11 slots, a budget among the core's candidate budgets, any stall policy, and, for 70% of
    seeds, seeded failures.
    """
    rnd = random.Random(seed)
    while True:
        d2 = rnd.choice(range(5, max_distance + 1, 2))
        d1 = rnd.choice(range(3, d2, 2))
        pipe = Pipeline.from_distances((d1, d2), Hardware(p=1e-3, eps=rnd.choice((1e-3, 3e-3))))
        high, menu, slot = pipe.levels[1].factory, (level_producer(pipe, 1),), patch_qubits(d1)
        buffer = rnd.randint(1, 11)
        budget = rnd.choice(candidate_budgets(high, menu, slot, buffer))
        options = DynamicOptions(stall_policy=rnd.choice(("shortest", "always", "never")))
        failures = random.Random(seed) if rnd.random() < 0.7 else None
        try:
            return simulate(high, menu, budget, buffer, slot, options, tops=tops, rng=failures)
        except InfeasibleError:
            continue
