"""Schedules to lay out: the core's Pareto points and seeded random ones (failures, discards, several tops)."""

import random

import pytest

from magicpipe.compiler.dynamic import DynamicOptions, simulate
from magicpipe.compiler.hardware import Hardware, patch_qubits
from magicpipe.compiler.pareto import candidate_budgets, level_producer, pareto_front
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.errors import InfeasibleError


def random_schedule(seed: int):
    """A feasible two-level schedule drawn from ``seed``: distances, buffer, budget, policy, tops, failures."""
    rnd = random.Random(seed)
    while True:
        d2 = rnd.choice(range(5, 22, 2))
        d1 = rnd.choice(range(3, d2, 2))
        pipe = Pipeline.from_distances((d1, d2), Hardware(p=1e-3, eps=rnd.choice((1e-3, 3e-3))))
        high, menu, slot = pipe.levels[1].factory, (level_producer(pipe, 1),), patch_qubits(d1)
        buffer = rnd.randint(1, 11)
        budget = rnd.choice(candidate_budgets(high, menu, slot, buffer))
        options = DynamicOptions(stall_policy=rnd.choice(("shortest", "always", "never")))
        failures = random.Random(seed) if rnd.random() < 0.7 else None
        try:
            return simulate(high, menu, budget, buffer, slot, options, tops=1, rng=failures)
        except InfeasibleError:
            continue


@pytest.fixture(scope="session")
def make_schedule():
    """:func:`random_schedule`, for tests that draw seeds with hypothesis."""
    return random_schedule


@pytest.fixture(scope="session")
def schedules():
    """A fixed sample: every point of two fronts plus 30 random schedules."""
    out = [p.schedule for d in ((5, 17), (3, 9)) for p in pareto_front(Pipeline.from_distances(d)).points]
    return out + [random_schedule(seed) for seed in range(30)]
