"""Whole-program planning cost against the number of T states (pytest-benchmark; not in the default run):

    python -m pytest tests/compiler/bench_program.py --benchmark-only

Counts without a timeline become two runs of layers whatever the T count, so 10^12 states plan in the time
10^6 do; the peak memory of a whole `magicpipe compile --counts` is in docs/program.md.
"""

import pytest

from magicpipe.compiler import Hardware, LogicalCounts
from magicpipe.compiler.compilation import plan_counts
from magicpipe.compiler.pareto import _pareto
from magicpipe.compiler.search import best_pipeline


@pytest.mark.parametrize("t_count", [10**6, 10**9, 10**12])
def test_plan_counts(benchmark, t_count):
    def run():
        _pareto.cache_clear()
        best_pipeline.cache_clear() if hasattr(best_pipeline, "cache_clear") else None
        return plan_counts(LogicalCounts(100, t_count=t_count), Hardware(p=1e-3, eps=1e-3), 1e-3)

    comp = benchmark.pedantic(run, rounds=3, iterations=1)
    assert comp.demand.t_states == t_count
