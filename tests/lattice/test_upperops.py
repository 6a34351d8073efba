"""A two-level Litinski block's upper block stated patch by patch (lattice/upperops.py)."""

import dataclasses
import math

import pytest
from magicpipe.compiler.blockmodel import NoiseModel
from magicpipe.compiler.blocks import get_layout
from magicpipe.compiler.catalogue import two_level
from magicpipe.lattice.blockops import parse_protocol, protocol_rotations
from magicpipe.lattice.units2 import block_checks, catalogue_unit, parse_block
from magicpipe.lattice.upperops import upper_rounds


NOISE = NoiseModel.litinski(1e-3)
POINTS = [((13, 5, 5), 6, "20-to-4", (23, 11, 13)), ((13, 5, 5), 4, "15-to-1", (23, 11, 13)),
          ((11, 5, 5), 6, "15-to-1", (25, 11, 11)), ((7, 3, 3), 8, "15-to-1", (17, 7, 7)),
          ((9, 3, 3), 2, "20-to-4", (15, 7, 7))]


def _factory(point):
    if point[0] == "cultivation":
        from magicpipe.compiler.catalogue import cultivation_fed
        from magicpipe.compiler.cultivation import cultivation_point

        return cultivation_fed(NOISE, cultivation_point(1e-3, 3, 0.0), *point[1:])
    return two_level(NOISE, *point)


@pytest.mark.parametrize("point", POINTS + [("cultivation", 8, "15-to-1", (23, 9, 11)),
                                            ("cultivation", 4, "20-to-4", (23, 11, 13)),
                                            ((11, 5, 5), 6, "8-to-CCZ", (15, 7, 7)),
                                            ("cultivation", 4, "8-to-CCZ", (13, 5, 9))],
                         ids=lambda p: f"{p[0] if p[0] == 'cultivation' else 'litinski'}-{p[2]}-{p[1]}")
def test_every_upper_block_states_its_layout_soundly(point):
    f = _factory(point)
    unit, fill = catalogue_unit(f.source())
    assert list(block_checks(unit)) == []
    layout, body = get_layout(point[2]), parse_block(unit.text)
    proto = parse_protocol(body.protocol)
    # every rotation once, in its step order, each through one input named by its feeder run
    assert protocol_rotations(proto) == [[r.pauli if r.pauli[0] == "-" else "+" + r.pauli for r in s.rotations]
                                         for s in layout.steps]
    # the feeder cycle: each input names its feeder run once per upper run of the cycle (cycle=r, r >= 1)
    cycle = body.int("cycle", 1)
    fed = [op for op in proto.ops if op.kind == "INPUT"]
    shift = {id(op): int(op.groups[8] or 0) * unit.rounds for op in fed}   # the run's start in the cycle
    assert len(fed) == layout.inputs * cycle and all(op.groups[6] is not None for op in fed)
    per = [sum(op.groups[6] == str(k) for op in fed) for k in range(point[1])]
    assert sum(per) == layout.inputs * cycle and max(per) - min(per) <= 1   # feeders' outputs = its inputs
    # the rectangle holds the catalogue's qubits; the first run waits for its first inputs' feeder runs
    assert 2 * unit.width * unit.height >= unit.qubits == f.qubits
    assert fill == max(round(f.startup - f.cycles * (1 - f.p_fail)),
                       -min(int(op.groups[7]) + shift[id(op)] for op in fed))
    # a feeder's run: a first-level block's 6 d_m rounds, or a cultivation patch's mean rounds per kept state
    # (rounded down); a cultivation patch's kept state leaves before the patch's next run starts
    feed = body.int("feed")
    assert feed == (6 * point[0][2] if f.method == "litinski" else
                    math.floor(f.startup - f.cycles * (1 - f.p_fail)))
    if f.method != "litinski":
        for k in range(point[1]):
            mine = sorted((int(op.groups[7]) + shift[id(op)], op.t + shift[id(op)]) for op in fed
                          if op.groups[6] == str(k))
            nxt = [s for s, _ in mine[1:]] + [mine[0][0] + cycle * unit.rounds]
            assert all(t - point[3][2] <= s for (_, t), s in zip(mine, nxt))


def test_upper_run_rounds_against_the_planner():
    """20-to-4: the planner's inputs / 2 step times; 15-to-1: Litinski's 7.5 step times when the last step's
    merge ends within half a step, else 7 t + d_m2 (and a feeder's share of runs)."""
    twenty, fifteen = get_layout("20-to-4"), get_layout("15-to-1")
    assert upper_rounds(twenty, 13.0, 13, 6, 30)[1] == 130
    assert upper_rounds(fifteen, 13.0, 13, 8, 18)[1] == 7 * 13 + 13 == 104      # plan: 97.5
    assert upper_rounds(fifteen, 30.0, 13, 8, 18)[1] == 225                      # 7.5 x 30
    assert upper_rounds(fifteen, 15.0, 7, 4, 30)[1] == 4 * 30                   # 4 of 15 inputs a feeder
    f = two_level(NOISE, (13, 5, 5), 4, "15-to-1", (23, 11, 13))
    unit, _ = catalogue_unit(f.source())
    t = dict(f.detail)["step_cycles"]
    assert unit.rounds == max(math.floor(7 * t + 0.5) + 13, 120) == 123
    assert round(f.cycles * (1 - f.p_fail)) == 118


def _broken(unit, old, new):
    assert unit.text.count(old) == 1, old
    return list(block_checks(dataclasses.replace(unit, text=unit.text.replace(old, new))))


def test_broken_upper_lines_are_caught():
    unit, _ = catalogue_unit(two_level(NOISE, *POINTS[0]).source())
    text = unit.text
    move = next(x for x in text.splitlines() if x.startswith("@") and " MOVE q0 " in x)
    first = next(x for x in text.splitlines() if " INPUT m0 " in x)
    s = int(first.rsplit("run=", 1)[1])
    late = first.replace(f"run={s}", f"run={s + 1}")
    assert any("end by the merge at 0" in m for m in _broken(unit, first, late))
    assert any("q5@top: a merge takes the side of q5 its via runs along" in m
               for m in _broken(unit, "@0 MEASURE r1 Z:q5@bottom", "@0 MEASURE r1 Z:q5@top"))
    assert any("moves after its last merge" in m for m in _broken(unit, move, move.replace("@104 ", "@90 ")))
    assert any("r18" in m for m in _broken(unit, "@130 IF r18=0 ROTATE", "@130 IF r18=1 ROTATE"))
    # found by the mutation test (seed 1): two lanes numbered 0 (the independent reading sees one lane)
    assert any("the outer lanes are lane 0 (left) and lane 1 (right)" in m
               for m in _broken(unit, "REGION lane 1 ", "REGION lane 0 "))


def _ccz_unit():
    from magicpipe.compiler.catalogue import cultivation_fed
    from magicpipe.compiler.cultivation import cultivation_point

    f = cultivation_fed(NOISE, cultivation_point(1e-3, 3, 0.0), 4, "8-to-CCZ", (13, 5, 9))
    return f, catalogue_unit(f.source())[0]


def test_a_ccz_upper_block_moves_its_three_lanes_by_the_decision():
    """8-to-CCZ: q1 and q2 are released by the last step, so the run is its last merge's end and one move,
    3 t + 2 d_m2 (45 at t = d_m2 = 9, against the planner's 4 t = 36), and 4 t when t >= 2 d_m2."""
    ccz = get_layout("8-to-CCZ")
    assert upper_rounds(ccz, 9.0, 9, 4, 17)[1] == 3 * 9 + 2 * 9 == 45
    assert upper_rounds(ccz, 20.0, 9, 4, 17)[1] == 80 == 4 * 20
    f, unit = _ccz_unit()
    assert unit.rounds == 45 and round(f.cycles * (1 - f.p_fail)) == 36 and list(block_checks(unit)) == []
    body = parse_block(unit.text)
    proto = parse_protocol(body.protocol)
    patches = {name: r for name, r, _, _ in proto.patches}
    # one OUTPUT of three d_m2 lanes side by side, the last under q2's left edge; each lane there by the decision
    assert body.lanes == (3,) and body.outputs[0][0].x == patches["q2"].x - 2 * 9 == unit.output.x
    moves = sorted((op.groups[0], op.t, int(op.groups[1])) for op in proto.ops if op.kind == "MOVE")
    assert [(q, x) for q, _, x in moves] == [("q0", unit.output.x), ("q1", unit.output.x + 9),
                                             ("q2", unit.output.x + 18)]
    assert max(t for _, t, _ in moves) + 9 == unit.rounds
    # a lane a round late is caught (a T state's train would allow it), so are two moves crossing in flight
    late = next(x for x in unit.text.splitlines() if x.startswith("@36 MOVE q1 "))
    assert any("by the decision" in m or "when the decision sends" in m
               for m in _broken(unit, late, late.replace("@36 ", "@37 ")))
    early = next(x for x in unit.text.splitlines() if x.startswith("@27 MOVE q0 "))
    assert any("its via crosses that of '@36 MOVE" in m for m in _broken(unit, early, early.replace("@27 ", "@36 ")))


def test_a_ccz_upper_block_is_read_again_independently():
    from magicpipe.lattice.mutate_upper import upper_problems

    _, unit = _ccz_unit()
    head = dict(kv.split("=", 1) for kv in unit.text.split("\n", 1)[0].split()[1:])
    assert upper_problems(unit, head) == []
    early = next(x for x in unit.text.splitlines() if x.startswith("@27 MOVE q0 "))
    moved = dataclasses.replace(unit, text=unit.text.replace(early, early.replace("@27 ", "@36 ")))
    assert upper_problems(moved, head) == ["upper output move crosses q1"]


def test_routes_and_held_states():
    """Every input's route runs from its feeder's side into its square while nothing else holds its tiles;
    a feeder holds one ready state (its state leaves before its next run ends)."""
    from magicpipe.lattice.upperchecks import _hold

    unit, _ = catalogue_unit(two_level(NOISE, *POINTS[0]).source())
    proto = parse_protocol(parse_block(unit.text).protocol)
    routes = [op for op in proto.ops if op.kind == "ROUTE"]
    inputs = {op.groups[0]: op for op in proto.ops if op.kind == "INPUT"}
    assert len(routes) == 20 and all(inputs[r.groups[0]].t - r.t == 13 for r in routes)
    # left-end inputs from the left column's feeders (0-2), right-end ones from the right column's (3-5)
    left = {"m" + op.groups[0][1:] for op in proto.ops if op.kind == "MERGE" and op.groups[3] == "13"}
    assert {int(inputs[m].groups[6]) < 3 for m in left} == {True} and len(left) == 10
    assert list(_hold([(0, "@100 INPUT m9"), (30, "@70 INPUT m8")], 30, 130, 13, 0, 30)) != []   # 87 > 60
    assert list(_hold([(0, "@40 INPUT m9"), (30, "@70 INPUT m8")], 30, 130, 13, 0, 30)) == []
    # a cultivation patch (keep 0): the state leaving at 27 blocks the next run from 20, not a first-level block
    assert list(_hold([(0, "@40 INPUT m9"), (20, "@70 INPUT m8")], 30, 130, 13, 0, 0)) != []
    assert list(_hold([(0, "@40 INPUT m9"), (20, "@70 INPUT m8")], 30, 130, 13, 0, 30)) == []


def test_the_8_to_ccz_corpus_stream_round_trips():
    """block-8-to-ccz.lsi: text and JSON Lines (schema-valid) read back to the same stream, which checks clean."""
    import json
    import pathlib

    import jsonschema
    from magicpipe.grammar.jsonl import from_jsonl, schema, to_jsonl
    from magicpipe.grammar.parser2 import parse_program
    from magicpipe.lattice.check2 import check2
    from magicpipe.lattice.stream2 import ProgramStream

    path = pathlib.Path(__file__).parents[1] / "data" / "streams" / "v2" / "valid" / "block-8-to-ccz.lsi"
    s = parse_program(path.read_text())
    assert check2(s) == [] and parse_program(str(s)) == s
    lines = list(to_jsonl(s.header, s.ops))
    check = jsonschema.Draft202012Validator(schema())
    for line in lines:
        check.validate(json.loads(line))
    h, ops = from_jsonl(lines)
    assert ProgramStream(h, tuple(ops)) == s
    assert "  @36 MOVE q2 to=(44,0) d=9 via=(44,9,13,13) rounds=9" in str(s)


def test_feeders_take_turns_from_run_to_run():
    """A side's c inputs a run dealt round robin over its n feeders from run to run: the assignment repeats after
    n / gcd(c, n) runs (BLOCK cycle=), each feeder runs c cycle / n times a cycle, and the run meets the feeders'
    rate: (15-to-1)^6 x (8-to-CCZ), 4 inputs a side over 3 feeders of 30 rounds, 40 rounds (feeders) instead of
    60 (2 whole feeder runs a run); its run is 45, the lanes' bound 3 t + 2 d_m2."""
    from magicpipe.lattice.upperops import feed_cycle

    ccz = get_layout("8-to-CCZ")
    assert feed_cycle(ccz, ("left",) * 3 + ("right",) * 3) == 3 and feed_cycle(ccz, ("left", "right")) == 1
    assert upper_rounds(ccz, 7.0, 7, 6, 30)[1] == 60 and upper_rounds(ccz, 7.0, 7, 6, 30, cycle=3)[1] == 40
    f = two_level(NOISE, (11, 5, 5), 6, "8-to-CCZ", (15, 7, 7))
    unit, _ = catalogue_unit(f.source())
    body = parse_block(unit.text)
    t = dict(f.detail)["step_cycles"]
    assert body.int("cycle") == 3 and unit.rounds == math.floor(3 * t + 0.5) + 2 * 7 == 45
    fed = [op for op in parse_protocol(body.protocol).ops if op.kind == "INPUT"]
    assert sorted(sum(op.groups[6] == str(k) for op in fed) for k in range(6)) == [4] * 6   # 4 x 3 / 3
    # m0 comes from feeders 0, 1, 2 in the cycle's three runs
    assert [op.groups[6] for op in fed if op.groups[0] == "m0"] == ["0", "1", "2"]
    # feeder 0 also taking m0 in run 1 overlaps its own runs (counted over the cycle's 3 x 45 rounds)
    line = next(x for x in unit.text.splitlines() if " INPUT m0 " in x and x.endswith(" cycle=1"))
    assert any("level1 region 0 runs one run at a time" in m
               for m in _broken(unit, line, line.replace("from=level1:1 ", "from=level1:0 ")))
