"""Compilation records read field by field: a T-free program's Eq. 14 and the baselines looked up by name."""

from __future__ import annotations

import pytest

from magicpipe.compiler import Hardware, LogicalCounts
from magicpipe.compiler.compilation import plan_counts
from magicpipe.errors import SpecError

HW = Hardware(p=1e-3, eps=1e-3)


def test_a_t_free_program_needs_no_factory_copies():
    c = plan_counts(LogicalCounts(10, measurement_count=100), HW, 1e-3, catalogue=False, budget_search=False)
    assert c.eq14() == {"copies": 0}


def test_each_baseline_is_found_by_its_name():
    c = plan_counts(LogicalCounts(10, t_count=1000), HW, 1e-3, catalogue=False, budget_search=False)
    points = {name: point for name, _, point in c.baselines}
    assert sorted(points) == ["parallel", "sequential"] and points["parallel"] is not points["sequential"]
    for name, point in points.items():
        assert c.baseline(name) is point
    with pytest.raises(SpecError, match="no baseline 'nowhere'"):
        c.baseline("nowhere")
