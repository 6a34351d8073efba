"""A first-level Litinski block's body states its protocol patch by patch (lattice/blockops.py): what it says
is the layout, timed as the planner times the block, and the validator finds each kind of broken line."""

import pytest
from magicpipe.compiler.blockmodel import NoiseModel
from magicpipe.compiler.blocks import FIRST_LEVEL
from magicpipe.compiler.catalogue import one_level
from magicpipe.lattice.blockops import parse_protocol, protocol_lines, protocol_rotations
from magicpipe.lattice.geometry import Rect
from magicpipe.lattice.units2 import block_checks, catalogue_unit, parse_block

from magicpipe.errors import SpecError

DS = (17, 7, 7)


@pytest.fixture(scope="module")
def unit():
    return catalogue_unit(one_level(NoiseModel.litinski(1e-3), DS).source())[0]


def _edited(unit, old, new):
    assert old in unit.text, old
    return type(unit)(**{**{f: getattr(unit, f) for f in unit.__slots__}, "text": unit.text.replace(old, new, 1)})


def test_the_body_states_the_layout_timed_as_the_planner(unit):
    dx, dz, dm = DS
    src = one_level(NoiseModel.litinski(1e-3), DS).source()
    proto = parse_protocol(parse_block(unit.text).protocol)
    assert list(block_checks(unit)) == []
    assert [sorted(s) for s in protocol_rotations(proto)] == \
        [sorted("+" + r.pauli for r in s.rotations) for s in FIRST_LEVEL.steps]
    # six steps of d_m rounds: the planner's rounds a run (Litinski's 6 d_m)
    assert [n for _, _, n, _ in proto.steps] == [dm] * 6 and unit.rounds == 6 * dm == round(src.startup_rounds)
    # one patch a qubit in a row, Z sides up and down: the output d_X x d_X, the checks d_Z x d_X
    assert [(r.w, r.h, z) for _, r, _, z in proto.patches] == [(dx, dx, ("top", "bottom"))] + \
        [(dz, dx, ("top", "bottom"))] * 4
    merges = [op for op in proto.ops if op.kind == "MERGE"]
    assert len(merges) == 11 and sum(op.kind == "INJECT" for op in proto.ops) == 4
    lengths = sorted(Rect(*map(int, op.groups[3:7])).w for op in merges)
    assert lengths == sorted(r.ancilla_length(dx, dz, dm) for r in FIRST_LEVEL.rotations if r.ancilla)
    # every merge read out and both corrections stated; every check read once; a decision with both branches
    assert sum(op.kind == "READ" for op in proto.ops) == 11 + 4
    assert sum(op.kind in ("ROTATE", "FRAME") for op in proto.ops) == 22
    assert [op.line for op in proto.ops if op.kind in ("DECIDE", "OUTPUT", "DISCARD")] == \
        ["@42 DECIDE a=k1|k2|k3|k4", "@42 IF a=0 OUTPUT q0", "@42 IF a=1 DISCARD q0"]
    # same input, same bytes
    assert catalogue_unit(one_level(NoiseModel.litinski(1e-3), DS).source())[0] == unit


@pytest.mark.parametrize("old, new, message", [
    ("@7 MEASURE r4", "@7 MEASURE r5", "names rotation 5 of the layout"),
    ("@0 INJECT q1 rotation=+IZIII\n", "@0 INJECT q1 rotation=+IZIII\n@14 INJECT q1 rotation=+IZIII\n", "fresh"),
    ("d=7 via=(0,7,17,17) rounds=7", "d=7 via=(0,7,17,17) rounds=0", "one lattice-surgery move"),
    ("@7 INPUT m4 (24,51,7,7) d=7", "@7 INPUT m4 (24,30,7,7) d=7", "injected into its via"),
    ("via=(0,41,31,17) rotation=+ZZZII", "via=(0,41,38,17) rotation=+ZZZII", "the layout's length"),
    ("@42 DECIDE a=k1|k2|k3|k4", "@42 DECIDE a=k1|k2|k3", "reads exactly the checks"),
    ("@14 IF x4=1 FRAME Z:q0 Z:q1 Z:q2", "@14 IF x4=1 FRAME Z:q0 Z:q1", "FRAME Z:q0 Z:q1 Z:q2' follows it"),
    ("PATCH q0", "PATCH q5", "one patch per qubit"),
    ("@0 INJECT q1", "@0 TELEPORT q1", "is no block protocol action"),
])
def test_block_checks_catch_a_broken_protocol(unit, old, new, message):
    found = list(block_checks(_edited(unit, old, new)))
    assert any(message in m for m in found), found


def test_protocol_lines_refuse_what_they_cannot_lay_out():
    from magicpipe.compiler.blocks import LAYOUTS

    with pytest.raises(SpecError, match="first-level"):
        protocol_lines(LAYOUTS["20-to-4"], (13, 5, 5))
    with pytest.raises(SpecError, match="d_m=9 > d_X=7"):
        protocol_lines(FIRST_LEVEL, (7, 5, 9))
    # a body without its protocol, and protocol lines in a block that is not first-level
    bare = "\n".join(x for x in catalogue_unit(one_level(NoiseModel.litinski(1e-3), DS).source())[0].text.splitlines()
                     if not x.startswith(("PATCH", "STEP", "@")))
    unit = catalogue_unit(one_level(NoiseModel.litinski(1e-3), DS).source())[0]
    assert any("states its REGION block and its protocol" in m for m in block_checks(_edited(unit, unit.text, bare)))


def test_every_first_level_block_of_the_catalogue_states_a_sound_protocol():
    """Every (d_X, d_Z, d_m) the catalogue considers: its unit's body passes every protocol rule, 78 protocol
    lines (5 patches, 6 steps, 4 injections, 11 merges of 5 lines, the output's move, 4 check readouts, the
    decision and its 2 branches), steps of d_m adding up to the planner's 6 d_m."""
    from magicpipe.compiler.catalogue_search import first_level_grid

    grid = first_level_grid()
    assert len(grid) > 50
    for ds in grid:
        u = catalogue_unit(one_level(NoiseModel.litinski(1e-3), ds).source())[0]
        assert list(block_checks(u)) == [], ds
        assert len(parse_block(u.text).protocol) == 78 and u.rounds == 6 * ds[2], ds
