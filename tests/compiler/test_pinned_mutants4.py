"""Pins for two survivors of the fresh samples 45-48 (docs/testing.md), each written after the sample was measured
and not counted in it. Checked with ``python tests/mutate.py --tests tests/compiler/test_pinned_mutants4.py
--mutant ID``."""

from __future__ import annotations

import dataclasses

from test_oracle_dynamic import HIGH

from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.cultivation import cultivation_point, sample_rounds
from magicpipe.compiler.thresholds import supply_lanes


def test_a_patch_that_keeps_every_attempt_takes_one_attempt_per_state():
    """Seed 47's ``cultivation.py:297``: with acceptance 1 no attempt is discarded, so ``kept`` states take exactly
    ``kept`` attempts whatever the seed (the mutant counts none)."""
    point = dataclasses.replace(cultivation_point(1e-3, 5, 0.0), acceptance=1.0)
    for kept, seed in ((1, 0), (3, 7), (10, 123)):
        assert sample_rounds(point, kept, seed) == kept * point.attempt_rounds


def test_no_supply_lane_beside_a_factory_that_fills_the_budget():
    """Seed 45's ``thresholds.py:25``: a budget the factory and its buffer already exceed leaves no pool, so even a
    one-qubit producer gets no lane (the mutant lends it one qubit)."""
    high = HIGH  # test_oracle_dynamic's tiny factory (51 qubits)
    one = Producer("one-qubit", 1, 5, 1, 1.0, 1e-6, 3)
    for over in (0, 1, 7):  # budget = factory + buffer - over: a pool of -over qubits
        lanes = supply_lanes(high, (one,), high.qubits + 2 * 5 - over, 5, 2)
        assert (lanes.runs, lanes.qubits) == ((), 0)
    lanes = supply_lanes(high, (one,), high.qubits + 2 * 5 + 2, 5, 2)  # two qubits to spare: two copies
    assert (lanes.runs, lanes.qubits) == (((0, 2, 1),), 2)


def test_a_layout_names_its_bad_step_counting_from_one():
    """Seed 49 (after the measurement): a layout's steps are numbered from 1 in its errors; the first step of
    15-to-1 given one storage character too few is "step 1", the third "step 3"."""
    import pytest

    from magicpipe.compiler.blocks import FIRST_LEVEL
    from magicpipe.errors import SpecError

    for k in (1, 3):
        steps = list(FIRST_LEVEL.steps)
        steps[k - 1] = dataclasses.replace(steps[k - 1], storage=steps[k - 1].storage[:-1])
        with pytest.raises(SpecError, match=rf"\(first level\): step {k} storage "):
            dataclasses.replace(FIRST_LEVEL, steps=tuple(steps))
