"""Speed of the core, measured with pytest-benchmark (not part of the default test run):

    python -m pytest tests/compiler/bench_core.py --benchmark-only
"""

from magicpipe.compiler import Pipeline
from magicpipe.compiler.allocator import Producer, _min_time_cbc
from magicpipe.compiler.pareto import _pareto, pareto_front

A = Producer("a", 735, 55, 1, 0.998, 1e-7, 5)
B = Producer("b", 1200, 40, 1, 0.99, 1e-7, 5)
C = Producer("c", 300, 100, 2, 0.99, 1e-7, 5)


def test_two_level_front(benchmark):
    pipe = Pipeline.from_distances((5, 17))

    def run():
        _pareto.cache_clear()
        return pareto_front(pipe)

    benchmark(run)


def test_cbc_mixed_allocation(benchmark):
    """One uncached CBC solve of Eqs. 7-10 for three producer types (two lexicographic stages)."""
    benchmark(_min_time_cbc, (A, B, C), 9000, 40)
