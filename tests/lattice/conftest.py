"""Schedules to lay out: the core's Pareto points and seeded random ones (failures, discards)."""

import pytest

from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.lattice.samples import sample_schedule


@pytest.fixture(scope="session")
def make_schedule():
    """:func:`sample_schedule`, for tests that draw seeds with hypothesis."""
    return sample_schedule


@pytest.fixture(scope="session")
def schedules():
    """A fixed sample: every point of two fronts plus 30 random schedules."""
    out = [p.schedule for d in ((5, 17), (3, 9)) for p in pareto_front(Pipeline.from_distances(d)).points]
    return out + [sample_schedule(seed) for seed in range(30)]
