"""Emission time and peak memory against program size (not part of the default test run).

    python -m pytest tests/lattice/bench_emission.py --benchmark-only     # pytest-benchmark timings
    python tests/lattice/bench_emission.py [CSV]                           # the size sweep, as CSV

The sweep streams a program of n top-level states of the (5, 17) minimum-volume pipeline to a null sink, in two
forms: one ``REPEAT`` (time and memory flat in n) and every copy expanded lazily (time linear in n, memory one
period); also the expanded stream validated on the fly (``audit`` over the generator). Peak memory is
tracemalloc's peak during the call.
"""

import csv
import io
import sys
import time
import tracemalloc

from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.grammar import write_lines
from magicpipe.lattice import Stream, audit, header, plan_floor
from magicpipe.lattice.program import emit_program


class _Null(io.TextIOBase):
    def write(self, s):
        return len(s)


def _setup():
    s = pareto_front(Pipeline.from_distances((5, 17))).min_volume().schedule
    return s, plan_floor(s)


def write_program(schedule, floorplan, states, expand):
    return write_lines(header(schedule, floorplan), emit_program(schedule, floorplan, states, expand=expand), _Null())


def validate_program(schedule, floorplan, states):
    head = header(schedule, floorplan)
    return audit(Stream(head, ()), emit_program(schedule, floorplan, states, expand=True))


def test_repeat_of_a_billion_states(benchmark):
    s, fp = _setup()
    benchmark(write_program, s, fp, 10**9, False)


def test_expanded_thousand_states(benchmark):
    s, fp = _setup()
    benchmark(write_program, s, fp, 1000, True)


def _measure(fn, *args):
    tracemalloc.start()
    t0 = time.perf_counter()
    result = fn(*args)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak


def sweep(sizes=(10, 100, 1000, 10_000), out=sys.stdout):
    s, fp = _setup()
    w = csv.writer(out)
    w.writerow(["form", "states", "instructions", "seconds", "peak_kib", "instructions_per_second"])
    rows = []
    for n in sizes:
        for form, fn, args in (("repeat", write_program, (s, fp, n, False)),
                               ("expanded", write_program, (s, fp, n, True)),
                               ("expanded+validate", validate_program, (s, fp, n))):
            result, seconds, peak = _measure(fn, *args)
            count = result if isinstance(result, int) else result.instructions
            row = [form, n, count, f"{seconds:.4f}", f"{peak / 1024:.0f}", f"{count / seconds:.0f}"]
            w.writerow(row)
            rows.append(row)
    for n in (10**6, 10**9):
        result, seconds, peak = _measure(write_program, s, fp, n, False)
        w.writerow(["repeat", n, result, f"{seconds:.4f}", f"{peak / 1024:.0f}", f"{result / seconds:.0f}"])
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", newline="") as f:
            sweep(out=f)
    else:
        sweep()
