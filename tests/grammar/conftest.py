"""Seeded schedules whose streams the grammar tests write and read back."""

import pytest

from magicpipe.lattice.samples import sample_schedule


@pytest.fixture(scope="session")
def make_schedule():
    return sample_schedule
