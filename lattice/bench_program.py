"""Benchmark: a whole program's version-2 stream written and checked in flat memory, for growing T-counts.

``python -m magicpipe.lattice.bench_program [--states 1e9] [--csv FILE]``: a program of 100 logical qubits at
d = 15 consuming 10 states per layer, fed by 60 copies of a d = 7 15-to-1 factory; for each size the stream is
written to a temporary file (emission lazy, periodic parts as REPEAT blocks), then read and validated line by
line. Prints size, lines, seconds and peak Python memory (tracemalloc) of each phase.

``--ccz``: a program of 12 logical qubits at d = 15 consuming one T state and one CCZ state per layer (``states``
of each), fed by 4 copies of the d = 7 15-to-1 factory and 4 of Litinski's ``(15-to-1)^6_{11,5,5} x
(8-to-CCZ)_{15,7,7}`` block (p = 1e-3), whose states wait in three-lane ports.
"""

from __future__ import annotations

from typing import Any

import argparse
import os
import sys
import tempfile
import time
import tracemalloc

from magicpipe.grammar.parser2 import open_program
from magicpipe.lattice.check2 import audit2
from magicpipe.lattice.stream2 import ProgramStream
from magicpipe.lattice.whole import ProgramLayout, emit_program, unit_one_level


def write_and_check(path: str, head: Any, ops: Any) -> tuple[Any, dict[str, Any]]:
    """Write a stream's header and lazy operations to ``path``, then read and validate it line by line.

    Returns the audit and the measurements: lines, REPEAT blocks, bytes, seconds and peak Python memory
    (tracemalloc) of writing and of checking. The file is removed afterwards.
    """
    tracemalloc.start()
    t = time.perf_counter()
    n = repeats = 0
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in head.lines())
        for op in ops:
            repeats += op.action == "REPEAT"
            for line in op.lines():
                f.write(line + "\n")
                n += 1
    write_s = time.perf_counter() - t
    write_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    t = time.perf_counter()
    h, read, where, f2 = open_program(path)
    with f2:
        a = audit2(ProgramStream(h, ()), read, header_lines=where)
    check_s = time.perf_counter() - t
    check_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    size = os.path.getsize(path)
    os.remove(path)
    assert not a.violations, a.violations[:3]
    return a, {"lines": n, "repeats": repeats, "bytes": size, "write_s": round(write_s, 2),
               "write_peak_mb": round(write_peak / 2**20, 2), "check_s": round(check_s, 2),
               "check_peak_mb": round(check_peak / 2**20, 2), "rounds": a.last_round}


def one(states: int, folder: str, ccz: bool = False) -> dict[str, Any]:
    per_layer = 10
    layers = states // per_layer
    half = layers // 2
    runs = [(100, half, per_layer, 15), (100 + 15 * half + 300, layers - half, per_layer, 15)]
    path = os.path.join(folder, f"program-{states}.lsi")
    if ccz:
        from magicpipe.compiler.blockmodel import NoiseModel
        from magicpipe.compiler.catalogue import two_level
        from magicpipe.lattice.units2 import catalogue_unit

        src = two_level(NoiseModel.litinski(1e-3), (11, 5, 5), 6, "8-to-CCZ", (15, 7, 7)).source()
        block, fill = catalogue_unit(src, name="C")
        head, ops = emit_program(ProgramLayout(12, 15), unit_one_level("15-to-1", 7), 4, [(0, states, 1, 15, 1)],
                                 ccz_unit=block, ccz_copies=4, ccz_fill=fill)
    else:
        head, ops = emit_program(ProgramLayout(100, 15), unit_one_level("15-to-1", 7), 60, runs)
    a, measured = write_and_check(path, head, ops)
    assert a.delivered == states and a.delivered_ccz == (states if ccz else 0)
    return {"states": states, "bytes": measured["bytes"], "lines": measured["lines"],
            **{k: measured[k] for k in ("write_s", "write_peak_mb", "check_s", "check_peak_mb", "rounds")}}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--states", type=float, nargs="+", default=[1e4, 1e6, 1e9])
    p.add_argument("--ccz", action="store_true", help="T and CCZ states (module docstring)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        for s in args.states:
            r = one(int(s), folder, args.ccz)
            print(" ".join(f"{k}={v}" for k, v in r.items()), flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
