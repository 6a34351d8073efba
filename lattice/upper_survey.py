"""The stream's upper runs against the planner's over every two-level entry the catalogue search offers.

    python -m magicpipe.lattice.upper_survey [--csv FILE]

For each distinct two-level block (``compiler.catalogue_search.catalogue`` at p = 1e-3, 5e-4, 1e-4, both noise
models, targets 1e-7 .. 1e-20, T and CCZ): its unit (:func:`magicpipe.lattice.units2.catalogue_unit`) checked by
:func:`~magicpipe.lattice.units2.block_checks` and read again by :mod:`magicpipe.lattice.mutate_upper`, the
stream's run (``rounds``) over the planner's (``cycles (1 - p_fail)``), and whether the feeders bound it (the run
is longer than the steps' and the outputs' bounds) and its feeder cycle (``cycle``: upper runs over which the
feeders take turns). One CSV row per block, a summary on stdout.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["rows", "main"]


def _entries() -> Iterator[Any]:
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue_search import catalogue
    from magicpipe.compiler.hardware import Hardware

    seen: set[str] = set()
    for p in (1e-3, 5e-4, 1e-4):
        for noise in (NoiseModel.litinski(p), NoiseModel.from_hardware(Hardware(p=p, eps=p))):
            for e in range(7, 21):
                for f in catalogue(noise, 10.0 ** -e, ("T", "CCZ")):
                    if " x " in f.name and f.name not in seen:
                        seen.add(f.name)
                        yield f


def rows() -> Iterator[dict[str, Any]]:
    from magicpipe.compiler.blocks import get_layout
    from magicpipe.lattice.mutate_upper import upper_problems
    from magicpipe.lattice.units2 import block_checks, catalogue_unit, parse_block
    from magicpipe.lattice.upperops import upper_rounds

    for f in _entries():
        unit, _ = catalogue_unit(f.source())
        body = parse_block(unit.text)
        head = dict(body.fields)
        layout = get_layout(unit.protocol)
        step, feed, n = float(head["step"]), int(head["feed"]), int(head["level1"])
        # the run's bound without the feeders' share: steps and outputs only
        steps = upper_rounds(layout, step, unit.distances[-1], 10**6, 1)[1]
        plan = f.cycles * (1 - f.p_fail)
        yield {"name": f.name, "kind": layout.kind, "feeders": n, "cycle": int(head.get("cycle", "1")),
               "step": round(step, 3), "feed": feed,
               "plan_rounds": round(plan, 2), "stream_rounds": unit.rounds, "ratio": round(unit.rounds / plan, 4),
               "feeder_bound": unit.rounds > steps, "checks": len(list(block_checks(unit))),
               "replay": len(upper_problems(unit, head))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", help="write one row per block here")
    args = ap.parse_args(argv)
    got = list(rows())
    if args.csv:
        with open(args.csv, "w", newline="") as out:
            w = csv.DictWriter(out, fieldnames=list(got[0]))
            w.writeheader()
            w.writerows(got)
    for kind in ("T", "CCZ"):
        for bound in (False, True):
            mine = [r["ratio"] for r in got if r["kind"] == kind and r["feeder_bound"] == bound]
            if mine:
                print(f"{kind} blocks, {'feeder' if bound else 'upper block'}-bound: {len(mine)}, stream/plan run "
                      f"min {min(mine):.3f} median {statistics.median(mine):.3f} max {max(mine):.3f}, "
                      f"mean {statistics.fmean(mine):.3f}")
    bad = sum(r["checks"] + r["replay"] for r in got)
    turned = sum(r["cycle"] > 1 for r in got)
    print(f"{len(got)} blocks, {turned} with feeders taking turns over a cycle of runs, {bad} problems (block_checks "
          f"and the independent reading)")
    return 0 if bad == 0 and not any(math.isnan(r["ratio"]) for r in got) else 1


if __name__ == "__main__":
    sys.exit(main())
