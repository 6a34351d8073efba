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
