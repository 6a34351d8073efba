"""Benchmark: streams whose period is long (docs/lattice.md, "Long periods").

``python tests/lattice/bench_long_period.py CASE STATES [STATES ...] [--short-only]`` writes and checks a
stream (``--short-only``: without the long search, as the emitter was before it):

* ``a``: T only, 50 logical qubits, error budget 1e-12, p = eps = 1e-3: the last point of 3 copies of the front
  planned for 10^4 T states (3 zones of 16-17 data patches), STATES layers of one state;
* ``b``: T + CCZ, 30 logical qubits, p = eps = 1e-3, ``--objective runtime``: the point chosen for 10^5 T and
  10^5 CCZ states (4 T copies, 3 CCZ copies, layers of 19 rounds), STATES layers of one T and one CCZ state.

Prints, per size, the operations, lines, REPEATs, bytes, seconds to write and to check the stream (the plan
apart) and the peak Python memory of writing and of checking (tracemalloc).
"""

from __future__ import annotations

from typing import Any

import os
import sys
import tempfile


def instance(case: str, states: int) -> tuple[Any, Any]:
    """The case's header and lazy operations for ``states`` states (of each kind in case ``b``): the point is
    planned once for 10^5 states and its units run a timeline of ``states`` layers of one state (and one CCZ
    state) each, at the plan's layer rounds."""
    import magicpipe
    from magicpipe.compiler.budget import ErrorBudget
    from magicpipe.compiler.counts import LogicalCounts
    from magicpipe.compiler.hardware import Hardware
    from magicpipe.lattice.units2 import catalogue_unit
    from magicpipe.lattice.whole import ProgramLayout, emit_program

    hw = Hardware(p=1e-3, eps=1e-3)
    if case == "a":
        comp = magicpipe.compile(LogicalCounts(num_qubits=50, t_count=int(os.environ.get("PLAN", 10**4))), hardware=hw,
                                 error_budget=ErrorBudget(1e-12))
        point = [p for p in comp.front.points if p.copies == 3][int(os.environ.get("PICK", "-1"))]
        unit, fill = catalogue_unit(point.source)
        start, _, _, rounds = next(iter(point.consumption()))[:4]
        return emit_program(ProgramLayout(50, point.data.distance), unit, 3, [(0, states, 1, rounds)],
                            hardware=comp.hardware, fill=fill)
    comp = magicpipe.compile(LogicalCounts(num_qubits=30, t_count=10**5, ccz_count=10**5), hardware=hw,
                             objective="runtime")
    point = comp.chosen
    unit, fill = catalogue_unit(point.source)
    ccz, ccz_fill = catalogue_unit(point.ccz_source, name="C")
    from magicpipe.lattice.ccz import mixed_runs

    rounds = mixed_runs(point, comp.demand.kinds)[0][3]
    return emit_program(ProgramLayout(30, point.data.distance), unit, point.copies, [(0, states, 1, rounds, 1)],
                        hardware=comp.hardware, fill=fill, ccz_unit=ccz, ccz_copies=point.ccz_copies,
                        ccz_fill=ccz_fill)


def one(case: str, states: int, folder: str) -> dict[str, Any]:
    from magicpipe.lattice.bench_program import write_and_check

    path = os.path.join(folder, f"{case}-{states}.lsi")
    head, ops = instance(case, states)   # the plan, apart from the stream's time and memory
    a, measured = write_and_check(path, head, ops)
    want = (states, states if case == "b" else 0)
    assert (a.delivered, a.delivered_ccz) == want, ((a.delivered, a.delivered_ccz), want)
    return {"case": case, "states": states, "operations": a.operations, **measured}


def main(argv: list[str]) -> int:
    if "--short-only" in argv:   # the emitter before the long search: no period of more than 4 096 layers
        from magicpipe.lattice.recur import Fingerprints

        Fingerprints.recur = lambda *_: None  # type: ignore[method-assign]
        argv = [a for a in argv if a != "--short-only"]
    case, sizes = argv[0], [int(float(s)) for s in argv[1:]]
    with tempfile.TemporaryDirectory() as folder:
        for s in sizes:
            print(" ".join(f"{k}={v}" for k, v in one(case, s, folder).items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
