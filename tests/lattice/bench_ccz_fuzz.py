"""Fuzz the T + CCZ emitter (not part of the test run).

    python tests/lattice/bench_ccz_fuzz.py SEED SECONDS

Random timelines (1-4 runs of 1-40 layers of 0-3 T and 0-2 CCZ states), 3-8 data patches at d = 3-9, 0-4 T
copies (15-to-1 at d = 3 or 5, or cultivation) and 1-4 copies of one of two 8-to-CCZ blocks, nominal streams and
traces; every stream is checked (lattice/check2.py) and replayed independently (lattice/mutate.py). Prints each
stream that fails and the count.
"""

import random
import sys
import time

from magicpipe.compiler.blockmodel import NoiseModel
from magicpipe.compiler.catalogue import cultivation_factory, two_level
from magicpipe.compiler.cultivation import cultivation_point
from magicpipe.grammar.parser2 import parse_program
from magicpipe.lattice.check2 import audit2
from magicpipe.lattice.mutate import independent_replay
from magicpipe.lattice.units2 import catalogue_unit
from magicpipe.lattice.whole import ProgramLayout, program_stream2, unit_one_level


def main(seed: int, seconds: float) -> int:
    nm = NoiseModel.litinski(1e-3)
    ccz_units = [catalogue_unit(two_level(nm, (11, 5, 5), 6, "8-to-CCZ", (15, 7, 7)).source(), name="C"),
                 catalogue_unit(two_level(nm, (9, 3, 3), 6, "8-to-CCZ", (11, 5, 5)).source(), name="C")]
    cult, _ = catalogue_unit(cultivation_factory(cultivation_point(1e-3, 3, 0.5)).source())
    t_units = [unit_one_level("15-to-1", 3), unit_one_level("15-to-1", 5), cult]
    rng = random.Random(seed)
    end = time.time() + seconds
    n = bad = 0
    while time.time() < end:
        D = rng.choice((3, 5, 7, 9))
        nq = rng.randint(3, 8)
        runs = []
        for _ in range(rng.randint(1, 4)):
            t, c = rng.randint(0, 3), rng.randint(0, 2)
            runs.append((rng.randint(0, 200), rng.randint(1, 40), t, D, c if t + c else 1))
        runs.sort()
        tu = rng.choice(t_units)
        cu, cf = rng.choice(ccz_units)
        kt = rng.randint(1, 4) if any(r[2] for r in runs) else rng.choice((0, 1))
        kc = rng.randint(1, 4)
        trace = rng.choice((None, rng.randint(0, 99)))
        n += 1
        s = program_stream2(ProgramLayout(nq, D), tu if kt else None, kt, runs, ccz_unit=cu, ccz_copies=kc,
                            ccz_fill=cf, seed=trace, p_accept=None if trace is None else 0.8,
                            ccz_p_accept=None if trace is None else 0.7)
        found = audit2(s).violations
        problems = independent_replay(parse_program(str(s)))
        if found or problems:
            bad += 1
            print("BAD", found[:1], problems[:1], D, nq, runs, kt, kc, trace, tu.distances, cu.distances)
    print(f"streams {n} bad {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), float(sys.argv[2])))
