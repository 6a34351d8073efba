"""The catalogue's rotation lists: state vector, exact enumeration, block model at p_L = 0, Stim sampling."""

from __future__ import annotations

import math

import pytest
from magicpipe.compiler.blocks import FIRST_LEVEL, LAYOUTS
from magicpipe.verification.catalogue import (
    check_layout,
    enumerate_layout,
    model_gap,
    sample_layout,
)

ALL = [FIRST_LEVEL, *LAYOUTS.values()]
IDS = [f"{lay.protocol}-{lay.level}" for lay in ALL]


@pytest.mark.parametrize("layout", ALL, ids=IDS)
def test_rotation_list_makes_the_intended_state(layout):
    result = check_layout(layout)
    assert result.ok, result


@pytest.mark.parametrize("layout, leading", [
    (FIRST_LEVEL, (3, 35)),          # 35 undetected weight-3 patterns: 35 eps^3
    (LAYOUTS["15-to-1"], (3, 35)),
    (LAYOUTS["20-to-4"], (2, 22)),   # Bravyi-Haah: 22 eps^2 for the four outputs together
    (LAYOUTS["8-to-CCZ"], (2, 28)),  # 28 eps^2 per CCZ state
], ids=["15-to-1-first", "15-to-1-upper", "20-to-4", "8-to-CCZ"])
def test_full_enumeration_gives_the_closed_forms_and_the_block_model(layout, leading):
    enum = enumerate_layout(layout)  # all 2^m patterns (2^20 for 20-to-4)
    weight, count = leading
    assert enum.flipped[:weight] == (0,) * weight and enum.flipped[weight] == count
    assert sum(enum.accepted) + sum(enum.flipped) > 0 and enum.accepted[1] == 0  # every single fault detected
    eps = 1e-3
    assert enum.output_error(eps) == pytest.approx(count * eps**weight, rel=0.05)
    assert abs(enum.acceptance(eps) - (1 - layout.inputs * eps)) < (layout.inputs * eps) ** 2  # first order
    gap = model_gap(layout, eps, enum)
    assert abs(gap.output_error_gap) < 1e-9 and abs(gap.acceptance_gap) < 1e-12


def test_low_weight_enumeration_matches_full_at_low_weights():
    layout = LAYOUTS["20-to-4"]
    full, low = enumerate_layout(layout), enumerate_layout(layout, max_weight=3)
    assert low.accepted[:4] == full.accepted[:4] and low.flipped[:4] == full.flipped[:4]
    assert sum(low.accepted[4:]) == 0


@pytest.mark.parametrize("layout", [LAYOUTS["20-to-4"], LAYOUTS["8-to-CCZ"]], ids=["20-to-4", "8-to-CCZ"])
def test_stim_sampling_agrees_with_enumeration(layout):
    eps, shots = 0.03, 40_000
    accepted, flipped = sample_layout(layout, eps, shots, seed=11)
    enum = enumerate_layout(layout)
    p_acc = enum.acceptance(eps)
    assert abs(accepted / shots - p_acc) < 5 * math.sqrt(p_acc * (1 - p_acc) / shots)
    p_err = enum.output_error(eps)
    assert abs(flipped / accepted - p_err) < 5 * math.sqrt(p_err * (1 - p_err) / accepted)
