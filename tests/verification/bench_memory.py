"""Shots per second per core of the memory circuits: our sampler against plain ``sinter.collect`` with
PyMatching (the yardstick). Not part of the default test run:

    python -m pytest tests/verification/bench_memory.py --benchmark-only -s

Each round is one ``sinter.collect`` with one worker. pytest-benchmark's own table times the whole call
(worker start-up included); the per-core rates, from sinter's CPU-core ``seconds``, are printed and stored in
each benchmark's ``extra_info`` (``--benchmark-json FILE`` keeps them).
"""

import statistics

import pytest

from magicpipe.verification import memory_task
from magicpipe.verification.bench import measure_throughput

P = 1e-3
CYCLES = 3
SHOTS = {3: 2_000_000, 5: 400_000, 7: 150_000}


@pytest.mark.benchmark(group="memory shots/s per core")
@pytest.mark.parametrize("sampler", ["magicpipe", "sinter"])
@pytest.mark.parametrize("d", [3, 5, 7])
def test_memory_throughput(benchmark, d, sampler):
    task = memory_task(d, P, cycles=CYCLES, basis="x")
    runs = []

    def run():
        runs.append(measure_throughput(task, sampler=sampler, shots=SHOTS[d]))

    benchmark.pedantic(run, rounds=5, iterations=1)
    rates = [r.shots_per_core_second for r in runs]
    median = statistics.median(rates)
    benchmark.extra_info.update(d=d, p=P, cycles=CYCLES, shots=SHOTS[d], shots_per_core_second_median=median,
                                shots_per_core_second_all=rates)
    print(f"\nd={d} {sampler:9s} median {median:12.0f} shots/s/core  all {[round(r) for r in rates]}")
