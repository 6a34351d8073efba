"""Geometry, the Fig. 4(a) block, and the moves that clear its lent region."""

import itertools

import pytest

from magicpipe.compiler.protocols import FIFTEEN_TO_ONE
from magicpipe.lattice.block import BlockLayout, TileRect, _candidates, choose_parking, plan_moves
from magicpipe.lattice.geometry import Rect, pack, pack_rects

BLOCK = BlockLayout.for_protocol(FIFTEEN_TO_ONE)


def test_block_layout_is_fig4a():
    assert (BLOCK.cols, BLOCK.rows) == (5, 3)
    assert BLOCK.data == tuple((c, 1) for c in range(5))
    assert BLOCK.port == (4, 0) and BLOCK.zero == (4, 2)
    assert BLOCK.size(17) == (85, 51)


@pytest.mark.parametrize("w,h,a,b,expected", [(85, 51, 15, 25, 11), (85, 34, 15, 25, 6), (51, 51, 15, 25, 6),
                                              (21, 35, 15, 25, 1), (14, 35, 15, 25, 0), (63, 105, 9, 15, 49)])
def test_pack_counts_and_rects_are_disjoint_and_inside(w, h, a, b, expected):
    assert pack(w, h, a, b) == expected
    rects = pack_rects(Rect(3, 4, w, h), a, b)
    assert len(rects) == expected
    assert all(Rect(3, 4, w, h).contains(r) and {r.w, r.h} == {a, b} for r in rects)
    assert not any(p.overlaps(q) for p, q in itertools.combinations(rects, 2))


def test_move_steps_of_fig4c():
    """Rows: one step (routes never cross); the corner squares need two (routes overlap), the centre one."""
    assert plan_moves(BLOCK, TileRect(0, 0, 5, 2)).steps == 1
    assert plan_moves(BLOCK, TileRect(0, 1, 5, 2)).steps == 1
    assert plan_moves(BLOCK, TileRect(1, 0, 3, 3)).steps == 1
    corner = plan_moves(BLOCK, TileRect(0, 0, 3, 3))
    assert corner.steps == 2
    assert [len(s) for s in corner.moves] == [2, 1]


def test_every_candidate_move_plan_is_legal():
    """Over all 87 lendable rectangles: routes are paths on free tiles, disjoint within a step, data ends outside."""
    histogram = {}
    for lent in _candidates(BLOCK, 10):
        plan = plan_moves(BLOCK, lent)
        histogram[plan.steps] = histogram.get(plan.steps, 0) + 1
        pos = list(BLOCK.data)
        for step in plan.moves:
            used = set()
            for r in step:
                assert r.path[0] == pos[r.patch]
                assert all(abs(a[0] - b[0]) + abs(a[1] - b[1]) == 1 for a, b in zip(r.path, r.path[1:]))
                assert not used & set(r.path)
                assert not (set(pos) - {pos[r.patch]}) & set(r.path)
                used |= set(r.path)
            for r in step:
                pos[r.patch] = r.path[-1]
        assert not set(pos) & lent.cells() and tuple(pos) == plan.parked
    assert histogram == {0: 30, 1: 55, 2: 2}


def test_parking_choice():
    p = choose_parking(BLOCK, 17, (25, 15))
    assert (p.capacity, p.steps, p.lent) == (6, 1, TileRect(0, 0, 5, 2))
    p = choose_parking(BLOCK, 17, (25, 15), needed=3)
    assert (p.capacity, p.steps, p.lent) == (3, 0, TileRect(0, 0, 5, 1))
    p = choose_parking(BLOCK, 7, (25, 15))  # d=5 blocks do not fit in a d=7 block's ancilla region
    assert (p.capacity, p.steps) == (0, 0)


def test_free_tiles_are_those_no_taken_rectangle_overlaps():
    """The floor plan's free tiles, found by index ranges, against the definition: every d x d tile of the region
    (column by column) that overlaps no taken rectangle, zero-width rectangles and regions off the grid included."""
    import random

    from magicpipe.lattice.floorplan import _free_tiles

    rng = random.Random(3)
    for _ in range(1500):
        d = rng.choice([1, 2, 3, 5])
        region = Rect(rng.randint(-9, 9), rng.randint(-9, 9), rng.randint(0, 24), rng.randint(0, 24))
        taken = [Rect(rng.randint(-15, 30), rng.randint(-15, 30), rng.randint(0, 9), rng.randint(0, 9))
                 for _ in range(rng.randint(0, 6))]
        tiles = [Rect(region.x + i * d, region.y + j * d, d, d)
                 for i in range(region.w // d) for j in range(region.h // d)]
        assert _free_tiles(region, taken, d) == [t for t in tiles if not any(t.overlaps(r) for r in taken)]


def test_block_sums_are_every_combination_in_range():
    from magicpipe.lattice.floorplan import _sums

    for a, b, low, high in ((3, 5, 1, 40), (7, 7, 10, 60), (4, 6, 0, 0), (5, 3, 12, 12)):
        want = sorted({i * a + j * b for i in range(high + 1) for j in range(high + 1) if low <= i * a + j * b <= high})
        assert _sums(a, b, low, high) == want
