"""Cultivation rows: the non-dominated filter against a brute-force definition."""

from __future__ import annotations

import random

from magicpipe.compiler.cultivation import non_dominated


def test_non_dominated_rows_are_those_no_other_row_beats_in_error_and_volume():
    """A row is kept when no other row has no more error and no more volume and differs in one (ties kept once),
    least error first; checked against that definition on random rows, and by hand on a row beaten by the middle
    one of three (volume 400 after 300: the first row's 500 must not be the yardstick)."""
    rows = [(1e-6, 0.2, 500.0), (2e-6, 0.1, 300.0), (3e-6, 0.3, 400.0)]
    assert non_dominated(rows) == ((1e-6, 0.2, 500.0), (2e-6, 0.1, 300.0))
    gen = random.Random(5)
    for _ in range(200):
        picks = [(gen.choice([1, 2, 3, 4, 5]) * 1e-6, float(gen.choice(range(100, 1000, 50))))
                 for _ in range(gen.randint(1, 9))]
        rows = [(e, v / 1000, v) for e, v in picks]  # equal error and volume: the same row (which one is kept of
        # rows equal in both but not in acceptance is not specified)
        best: dict[tuple[float, float], tuple[float, float, float]] = {}
        for r in sorted(set(rows)):
            if not any(o[0] <= r[0] and o[2] <= r[2] and (o[0], o[2]) != (r[0], r[2]) for o in rows):
                best.setdefault((r[0], r[2]), r)
        assert non_dominated(rows) == tuple(sorted(best.values(), key=lambda r: (r[0], r[2])))
