"""Regenerate the version-2 (whole-program) stream corpus: valid streams the emitter writes, and invalid ones,
each a valid stream with one edit that breaks one rule; line 1 says why, line 2 has the expected message.

Run from the repository root: ``python tests/data/streams/v2/make_corpus2.py`` (``... blocks``: only the
catalogue-block and cultivation files; ``... first``: the first-level Litinski block files; ``... ccz``: only
the T + CCZ files, the 8-to-CCZ upper-block files included (``... ccz-upper``: those only); ``... composed``: the
three-level files; ``... upper``: the two-level upper-block files). The files are checked in; the test
(tests/grammar/test_corpus_v2.py) only reads them.
"""

import pathlib

from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.grammar.parser2 import parse_program
from magicpipe.lattice.check2 import check2
from magicpipe.lattice.whole import (
    ProgramLayout,
    program_stream2,
    unit_from_schedule,
    unit_one_level,
)

from magicpipe.errors import ParseError

ROOT = pathlib.Path(__file__).parent
TIMELINE = [(40, 8, 2, 9), (400, 4, 5, 9), (600, 40, 1, 9)]


def expected(text: str) -> str:
    try:
        found = check2(parse_program(text))
    except ParseError as e:
        return str(e).splitlines()[0]
    assert found, "the edit broke no rule"
    return str(found[0]).splitlines()[0]


def write(folder: str, name: str, why: str, body: str) -> None:
    text = f"# {why}\n" + body
    if folder == "invalid":
        text = f"# {why}\n# expect: {expected(f'# {why}' + chr(10) + '#' + chr(10) + body)}\n" + body
    (ROOT / folder / f"{name}.lsi").write_text(text)


def replace_nth(text: str, old: str, new: str, n: int = 1) -> str:
    at = -1
    for _ in range(n):
        at = text.index(old, at + 1)
    return text[:at] + new + text[at + len(old):]


def write_edits(base: str, edits: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
    """One invalid file per ``(name, why, changes)``: ``base`` with each ``(old, new)`` made once (``old`` unique)."""
    for name, why, changes in edits:
        text = base
        for old, new in changes:
            assert text.count(old) == 1, (name, old)
            text = text.replace(old, new)
        write("invalid", name, why, text)


def shift_first_run(text: str) -> str:
    """Start a copy's second run one round late: its decision then comes one round early."""
    lines = text.splitlines(keepends=True)
    for k, line in enumerate(lines):
        if line.startswith("@") and " RUN C0" in line and not line.startswith("@0 "):
            t = int(line.split()[0][1:])
            if int(lines[k + 1].split()[0][1:]) > t:
                lines[k] = line.replace(f"@{t} ", f"@{t + 1} ", 1)
                return "".join(lines)
    raise AssertionError("no RUN C0 to shift")


def main() -> None:
    one = unit_one_level("15-to-1", 5)
    base = str(program_stream2(ProgramLayout(3, 9), one, 4, TIMELINE))
    write(
        "valid",
        "one-level-3-qubits",
        "3 data patches at d=9, 4 copies of a d=5 15-to-1 factory, three timeline runs",
        base,
    )
    trace = str(program_stream2(ProgramLayout(3, 9), one, 4, TIMELINE[:2], seed=7, p_accept=0.8))
    write("valid", "one-level-trace-seed7", "the same program, one sampled trace (seed 7, acceptance 0.8)", trace)
    unit = unit_from_schedule(pareto_front(Pipeline.from_distances((3, 9))).min_volume().schedule)
    write("valid", "two-level-3-9", "4 data patches at d=9 fed by 3 copies of the (3, 9) least-volume pipeline",
          str(program_stream2(ProgramLayout(4, 9), unit, 3, TIMELINE[:2])))
    period = int(base.split(" period=", 1)[1].split()[0])
    # the first layer's round (its states come down their routes, d rounds a step) and its first merge's readout
    first = int(next(x for x in base.splitlines() if " LAYER " in x).split()[0][1:])
    readout = first + 9
    edits = [
        ("header-even-distance", "the program's distance is odd", "data=3 d=9", "data=3 d=8"),
        ("header-missing-data", "PROGRAM data=3 but data patch 2 is gone", "DATA 2 (87,0) d=9 z=top,bottom\n", ""),
        (
            "on-floorplan-copy-off-plan",
            "copy 3 sits above the floor plan",
            "COPY 3 unit=U origin=(29,36)",
            "COPY 3 unit=U origin=(29,40)",
        ),
        ("tile-free-data-overlap", "data patch 1 on data patch 0's tile", "DATA 1 (58,0)", "DATA 1 (0,0)"),
        ("qubit-budget", "one qubit short", "BUDGET qubits=6799", "BUDGET qubits=6798"),
        ("unit-declared-rounds", "the unit's run takes 55 rounds", "qubits=735 rounds=55", "qubits=735 rounds=54"),
        (
            "unit-level-zero",
            "a version-1 rule inside the unit: levels count from 1",
            "LAUNCH H0 15-to-1 level=1",
            "LAUNCH H0 15-to-1 level=0",
        ),
        (
            "route-jump",
            "the route skips the block's bottom tile",
            "route=[(20,41),(20,36),(20,27)]",
            "route=[(20,41),(20,27)]",
        ),
        (
            "control-missing-branch",
            "the policy says nothing about a rejected run of copy 0",
            "@55 IF a0=1 DISCARD C0 count=1 reason=rejected\n",
            "",
        ),
        ("control-policy", "no other policy is defined", "relaunch=at-once", "relaunch=never"),
        (
            "control-deleted-readout",
            "the X readout of port 0 is gone: its corrections have nothing to correct",
            f"@{readout} MEASURE x0 X:p0 rounds=1\n",
            "",
        ),
        (
            "port-occupancy-duplicated-merge",
            "port 0 is merged twice",
            f"@{first} MEASURE z0 Z:q0@top Z:p0@bottom rounds=9 via=(0,9,29,9)\n",
            f"@{first} MEASURE z0 Z:q0@top Z:p0@bottom rounds=9 via=(0,9,29,9)\n" * 2,
        ),
        (
            "measurement-wrong-side",
            "data patch 0 faces the bus with its top side",
            "Z:q0@top Z:p0@bottom",
            "Z:q0@bottom Z:p0@bottom",
        ),
        ("measurement-via-off-bus", "the via leaves bus 0", "via=(0,9,29,9)", "via=(0,8,29,9)"),
        (
            "consumption-order-layer-states",
            "the first layer of the timeline consumes 2 states",
            f"@{first} LAYER states=2",
            f"@{first} LAYER states=3",
        ),
        ("consumption-order-missing-layer", "the first layer's marker is gone", f"@{first} LAYER states=2\n", ""),
        (
            "timing-repeat-period",
            "one round more per copy breaks the period",
            f"period={period}",
            f"period={period + 1}",
        ),
        (
            "timing-route-one-round-steps",
            "a route is one lattice-surgery move of d = 5 rounds, not one round a tile (2 tiles: 2 rounds)",
            "@55 IF a0=0 OUTPUT C0 port=0 rounds=5",
            "@55 IF a0=0 OUTPUT C0 port=0 rounds=2",
        ),
        ("conservation-tally", "the TALLY claims a run nobody made", "TALLY runs=", "TALLY runs=1"),
        ("conservation-no-tally", "a stream ends with its TALLY", base.splitlines()[-1] + "\n", ""),
        ("syntax-unknown-operation", "JUMP is no operation", "@0 RUN C0", "@0 JUMP C0"),
        ("syntax-version", "a future format version", "MAGICPIPE_LSI 2", "MAGICPIPE_LSI 3"),
    ]
    for name, why, old, new in edits:
        assert old in base, name
        write("invalid", name, why, base.replace(old, new, 1))
    write("invalid", "timing-run-late", "copy 0's second run starts a round late, so it decides a round early",
          shift_first_run(base))
    assert "outcome=1" in trace
    lines = trace.splitlines(keepends=True)
    k = next(k for k, x in enumerate(lines) if " DECIDE " in x and x.rstrip().endswith("outcome=1"))
    at, _, copy = lines[k + 1].split()[:3]
    lines[k + 1] = f"{at} OUTPUT {copy} port={copy[1:]} rounds=5\n"   # one move of d = 5 rounds
    write("invalid", "control-trace-wrong-branch", "a run whose checks read 1 cannot deliver", "".join(lines))
    blocks()
    ccz()
    composed()


def blocks() -> None:
    """Catalogue blocks and cultivation (lattice/units2.py): block bodies, multi-output runs, attempts."""
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue import cultivation_factory, two_level
    from magicpipe.compiler.cultivation import cultivation_point
    from magicpipe.lattice.units2 import catalogue_unit

    cult, _ = catalogue_unit(cultivation_factory(cultivation_point(1e-3, 3, 0.5)).source())
    timeline = [(20, 12, 2, 9), (200, 6, 3, 9)]
    base = str(program_stream2(ProgramLayout(2, 9), cult, 3, timeline))
    write("valid", "cultivation-2-qubits", "2 data patches at d=9 fed by 3 cultivation patches (d1=3), nominal", base)
    trace = str(program_stream2(ProgramLayout(2, 9), cult, 3, timeline, seed=4))
    write("valid", "cultivation-trace-seed4", "the same program, one sampled trace: each run's attempts drawn", trace)
    src = two_level(NoiseModel.litinski(1e-3), (13, 5, 5), 6, "20-to-4", (23, 11, 13)).source()
    block, fill = catalogue_unit(src)
    four = str(program_stream2(ProgramLayout(3, 9), block, 2, timeline, fill=fill))
    write("valid", "block-20-to-4", "3 data patches fed by 2 copies of (15-to-1)^6 x (20-to-4): 4 states a run",
          four)
    att = next(x for x in base.splitlines() if " DECIDE " in x and "attempts=" in x)
    n = int(att.rsplit("attempts=", 1)[1])
    cap = int(four.split(" capacity=", 1)[1].split()[0])   # a layer's share plus a run's outputs but one
    out4 = next(x for x in four.splitlines() if x.startswith("@") and " OUTPUT " in x)
    edits = [
        (base, "unit-cultivation-policy", "a restart policy without its reject branch is not total",
         "ON keep=output reject=restart", "ON keep=output"),
        (base, "timing-cultivation-attempts", "one attempt more than the run's rounds hold", att,
         att.replace(f"attempts={n}", f"attempts={n + 1}")),
        (four, "control-output-count", "a 20-to-4 run delivers its 4 states, not 3", out4,
         out4.replace("count=4", "count=3")),
        (four, "unit-output-side", "the output patches face the port, on the block's bottom edge",
         "OUTPUT 1 (49,0) d=13", "OUTPUT 1 (49,13) d=13"),
        (four, "header-port-capacity", "a port holds the 4 states of one run", f"capacity={cap}", "capacity=3"),
    ]
    for text, name, why, old, new in edits:
        assert old in text, name
        write("invalid", name, why, text.replace(old, new, 1))
    first_level()
    upper()


def first_level() -> None:
    """A first-level Litinski block stated patch by patch (lattice/blockops.py), and one broken file per rule."""
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue import one_level
    from magicpipe.lattice.units2 import catalogue_unit

    unit, _ = catalogue_unit(one_level(NoiseModel.litinski(1e-3), (17, 7, 7)).source())
    base = str(program_stream2(ProgramLayout(2, 9), unit, 2, [(20, 6, 2, 9), (200, 3, 3, 9)]))
    write("valid", "block-15-to-1", "2 data patches fed by 2 copies of (15-to-1)_{17,7,7}, its protocol patch by "
          "patch", base)
    edits = [
        ("unit-protocol-rotation", "step 2 applies ZZZII, not ZZIZI twice", "rotation=+ZZZII", "rotation=+ZZIZI"),
        ("unit-protocol-side", "the top ancilla cannot merge q1 on its bottom side",
         "Z:q1@top Z:q2@top Z:q3@top Z:m3", "Z:q1@bottom Z:q2@top Z:q3@top Z:m3"),
        ("unit-protocol-patch-overlap", "check patch q2 on check patch q1", "PATCH q2 (24,24,7,17)",
         "PATCH q2 (20,24,7,17)"),
        ("unit-protocol-step-rounds", "a step lasts d_m = 7 rounds", "STEP 6 at=35 rounds=7", "STEP 6 at=35 rounds=8"),
        ("unit-protocol-correction", "rotation 3's pi/4 correction is gone", "@7 IF r3=0 ROTATE Z:q1 Z:q2 Z:q3 "
         "angle=-pi/4\n", ""),
        ("unit-protocol-check-readout", "check q3 is never read", "@42 MEASURE k3 X:q3\n", ""),
        ("unit-protocol-decision", "the decision says nothing about a rejected run", "@42 IF a=1 DISCARD q0\n", ""),
    ]
    for name, why, old, new in edits:
        assert old in base, name
        write("invalid", name, why, base.replace(old, new, 1))


def upper() -> None:
    """Two-level Litinski blocks' upper blocks stated patch by patch (lattice/upperops.py), one broken file per
    rule (short programs: one copy, a few layers)."""
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue import two_level
    from magicpipe.lattice.units2 import catalogue_unit

    noise = NoiseModel.litinski(1e-3)
    unit, fill = catalogue_unit(two_level(noise, (13, 5, 5), 4, "15-to-1", (23, 11, 13)).source())
    write("valid", "block-15-to-1-x-15-to-1", "2 data patches fed by 2 copies of (15-to-1)^4 x (15-to-1): the upper "
          "block patch by patch, its 15 inputs from named feeder runs",
          str(program_stream2(ProgramLayout(2, 9), unit, 2, [(20, 6, 2, 9)], fill=fill)))
    from magicpipe.compiler.catalogue import cultivation_fed
    from magicpipe.compiler.cultivation import cultivation_point

    unit, fill = catalogue_unit(cultivation_fed(noise, cultivation_point(1e-3, 3, 0.0), 8, "15-to-1",
                                                (23, 9, 11)).source())
    write("valid", "block-cultivation-x-15-to-1", "2 data patches fed by a copy of (cultivation)^8 x (15-to-1): the "
          "upper block patch by patch, its inputs from cultivation runs of their mean rounds",
          str(program_stream2(ProgramLayout(2, 9), unit, 1, [(20, 4, 2, 9)], fill=fill)))
    unit, fill = catalogue_unit(two_level(noise, (13, 5, 5), 6, "20-to-4", (23, 11, 13)).source())
    base = str(program_stream2(ProgramLayout(2, 9), unit, 1, [(20, 4, 2, 9)], fill=fill))
    swap = [("Z:q0@bottom Z:q4@bottom Z:q5@bottom Z:m2 rounds=13 via=(13,13,", "Z:q0@top Z:q4@top Z:q5@top Z:m2 "
             "rounds=13 via=(13,59,"), ("INPUT m2 (13,13,13,13)", "INPUT m2 (13,69,13,13)"),
            ("Z:q4@top Z:q5@top Z:q6@top Z:m3 rounds=13 via=(118,59,", "Z:q4@bottom Z:q5@bottom Z:q6@bottom Z:m3 "
             "rounds=13 via=(118,13,"), ("INPUT m3 (151,69,13,13)", "INPUT m3 (151,13,13,13)")]
    edits = [
        ("unit-upper-missing", "a two-level Litinski block states its upper block", [(" step=13.0", "")]),
        ("unit-upper-register", "the register sits right of the left leg, not in it",
         [("PATCH q0 (26,36,23,23)", "PATCH q0 (13,36,23,23)")]),
        ("unit-upper-step-time", "step 2 starts one round late", [("STEP 2 at=13 ", "STEP 2 at=14 ")]),
        ("unit-upper-via-end", "the via of rotation 1 stops one column short of the right end",
         [("via=(129,13,35,23)", "via=(128,13,35,23)")]),
        ("unit-upper-input-leg", "input m1 is not at its leg's outer corner",
         [("INPUT m1 (151,13,13,13)", "INPUT m1 (151,23,13,13)")]),
        ("unit-upper-input-feeder", "there is no seventh feeder region", [("from=level1:3 run=-43", "from=level1:6 "
                                                                           "run=-43")]),
        ("unit-upper-feeder-late", "input m0's feeder run ends a round too late for its move",
         [("from=level1:0 run=-43", "from=level1:0 run=-42")]),
        ("unit-upper-feeder-overlap", "feeder 1 would run two runs at once",
         [("from=level1:0 run=-4\n", "from=level1:1 run=-4\n")]),
        ("unit-upper-leg-busy", "step 2 in the rows of step 1: each input moves into a square still merged",
         swap),
        ("unit-upper-route-time", "input m0's route starts a round late: a move lasts d_m2 = 13 rounds",
         [("@-13 ROUTE m0 rounds=13", "@-12 ROUTE m0 rounds=13")]),
        ("unit-upper-route-shape", "input m0's route leaves the corridor for the upper block's top row",
         [("@-13 ROUTE m0 rounds=13 path=(33,95,13,13)+(13,82,33,13)",
           "@-13 ROUTE m0 rounds=13 path=(33,95,13,13)+(13,69,33,13)")]),
        ("unit-upper-route-collision", "the routes of step 2's inputs share the corridor",
         [("@0 ROUTE m3 rounds=13 path=(49,95,13,59)+(49,82,115,13)",
           "@0 ROUTE m3 rounds=13 path=(49,95,13,59)+(33,82,131,13)")]),
        ("unit-upper-move-late", "q0 moves while its last merge still runs", [("@104 MOVE q0", "@91 MOVE q0")]),
        ("unit-upper-move-cross", "q2 moves under the last step's bottom-row merge",
         [("@130 MOVE q2", "@117 MOVE q2")]),
        ("unit-upper-decision", "the accept branch forgets output q3",
         [("IF a=0 OUTPUT q0 q1 q2 q3", "IF a=0 OUTPUT q0 q1 q2")]),
    ]
    write_edits(base, edits)


def ccz() -> None:
    """T and CCZ states (lattice/ccz.py): a mixed program's 8-to-CCZ blocks beside one-level 15-to-1 factories."""
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue import two_level
    from magicpipe.lattice.units2 import catalogue_unit

    src = two_level(NoiseModel.litinski(1e-3), (11, 5, 5), 6, "8-to-CCZ", (15, 7, 7)).source()
    unit, fill = catalogue_unit(src, name="C")
    timeline = [(20, 3, 1, 9, 1), (200, 2, 2, 9, 0), (300, 40, 0, 9, 1)]
    kw = dict(ccz_unit=unit, ccz_copies=2, ccz_fill=fill)
    base = str(program_stream2(ProgramLayout(6, 9), unit_one_level("15-to-1", 5), 2, timeline, **kw))
    write("valid", "mixed-t-ccz", "6 data patches at d=9: 2 copies of a d=5 15-to-1 factory for T states, 2 of "
          "(15-to-1)^6 x (8-to-CCZ) for CCZ states (3-lane ports, each over 3 data patches)", base)
    # 4 data patches: the second CCZ port has none below it, so its lanes are merged one after the other
    trace = str(program_stream2(ProgramLayout(4, 9), unit_one_level("15-to-1", 5), 2, timeline[:2], seed=5,
                                p_accept=0.8, ccz_p_accept=0.7, **kw))
    write("valid", "mixed-t-ccz-trace-seed5", "4 data patches, the first two runs, one sampled trace (seed 5)", trace)
    # the invalid files edit the first two runs only (no REPEAT: short files)
    base = str(program_stream2(ProgramLayout(6, 9), unit_one_level("15-to-1", 5), 2, timeline[:2], **kw))
    port = next(x for x in base.splitlines() if x.startswith("PORT ") and " lanes=3" in x)
    frame = next(x for x in base.splitlines() if "&" in x and " FRAME " in x)
    lane = next(x for x in base.splitlines() if " MEASURE z" in x and ".1 Z:" in x)
    reg = lane.split()[2]
    tally = base.splitlines()[-1]
    ccz_n = int(tally.rsplit("delivered_ccz=", 1)[1])
    layer = next(x for x in base.splitlines() if " LAYER " in x and " ccz=1" in x)
    edits = [
        ("header-port-lanes", "a CCZ copy's port holds its state's three patches side by side", port,
         port.replace(" lanes=3", "")),
        ("control-ccz-condition", "a CCZ state's Z fix-up reads the product of the other two merges, not one", frame,
         frame.replace("&" + frame.split("&")[1].split("=")[0], "")),
        ("port-occupancy-ccz-lane-twice", "a CCZ state's lane is merged twice", lane,
         lane.replace(".1@bottom", ".0@bottom").replace(f"{reg} ", f"{reg[:-2]}.0 ", 1)),
        ("consumption-order-ccz-layer", "the layer takes one CCZ state, as the timeline says", layer,
         layer.replace(" ccz=1", " ccz=2")),
        ("conservation-ccz-tally", "the TALLY claims one CCZ state more than the program consumed", tally,
         tally.replace(f"delivered_ccz={ccz_n}", f"delivered_ccz={ccz_n + 1}")),
    ]
    for name, why, old, new in edits:
        assert old in base and old != new, name
        write("invalid", name, why, base.replace(old, new, 1))
    # the 8-to-CCZ block's feeders take turns over a cycle of 3 upper runs (cycle=3 on its BLOCK line)
    cycled = [
        ("unit-upper-cycle-input", "input m0 names no feeder run for the cycle's third upper run",
         [("  @0 INPUT m0 (7,7,7,7) d=7 from=level1:2 run=-37 cycle=2\n", "")]),
        ("unit-upper-cycle-feeder", "feeder 0 feeds m0 in the cycle's second run too, while it runs for m6",
         [("from=level1:1 run=-37 cycle=1", "from=level1:0 run=-37 cycle=1"),
          ("path=(31,59,7,44)+(0,52,38,7)+(0,7,7,45)+(7,7,7,7) cycle=1",
           "path=(31,59,7,7)+(0,52,38,7)+(0,7,7,45)+(7,7,7,7) cycle=1")]),
    ]
    write_edits(base, cycled)
    ccz_upper()


def ccz_upper() -> None:
    """The 8-to-CCZ upper block stated patch by patch (lattice/upperops.py): its three output lanes move to one
    OUTPUT of lanes=3 by the decision; one broken file per rule of the lanes."""
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue import cultivation_fed
    from magicpipe.compiler.cultivation import cultivation_point
    from magicpipe.lattice.units2 import catalogue_unit

    src = cultivation_fed(NoiseModel.litinski(1e-3), cultivation_point(1e-3, 3, 0.0), 4, "8-to-CCZ", (13, 5, 9))
    unit, fill = catalogue_unit(src.source(), name="C")
    base = str(program_stream2(ProgramLayout(3, 9), unit_one_level("15-to-1", 5), 1, [(20, 3, 1, 9, 1)],
                               ccz_unit=unit, ccz_copies=1, ccz_fill=fill))
    write("valid", "block-8-to-ccz", "3 data patches at d=9, a T copy and a copy of (cultivation)^4 x (8-to-CCZ): the "
          "upper block patch by patch, its CCZ state's three lanes at their OUTPUT by the decision", base)
    edits = [
        ("unit-upper-ccz-lane-late", "q1 reaches its lane a round after the decision that sends the CCZ state",
         "@36 MOVE q1 ", "@37 MOVE q1 "),
        ("unit-upper-ccz-lane-via", "q0's move stops at its own column, short of its lane",
         "via=(18,9,17,13) rounds=9", "via=(18,9,13,13) rounds=9"),
        ("unit-upper-ccz-moves-cross", "q0 moves with q1, their vias sharing the bottom row",
         "@27 MOVE q0 ", "@36 MOVE q0 "),
    ]
    for name, why, old, new in edits:
        assert base.count(old) == 1, name
        write("invalid", name, why, base.replace(old, new))


def composed() -> None:
    """A three-level pipeline's composed unit (lattice/composed.py): lower pipelines, buffer and top as regions."""
    from magicpipe.compiler import Hardware
    from magicpipe.compiler.feeds import pipeline_sources
    from magicpipe.lattice.composed import composed_unit

    pipe = Pipeline.from_distances((3, 7, 15), Hardware(p=1e-4, eps=1e-4))
    sources, schedules = pipeline_sources(pipe, 1e-3, ("dynamic",))
    src = next(s for s in sources if sum(n for _, n, *_ in schedules[s.name].supply.runs) >= 3)
    unit, fill = composed_unit(src, schedules[src.name], pipe.levels[-1].p_succ)
    base = str(program_stream2(ProgramLayout(3, 9), unit, 2, [(0, 6, 1, 9), (900, 40, 1, 9)], fill=fill))
    write("valid", "three-level-3-7-15", f"3 data patches fed by 2 copies of a (3, 7, 15) pipeline ({src.name}): "
          f"its lower pipelines, buffer and top factory as regions", base)
    n = int(base.split(" level2=", 1)[1].split()[0])
    write("invalid", "unit-level2-count", "the BLOCK line counts one lower pipeline more than its regions",
          base.replace(f" level2={n} ", f" level2={n + 1} ", 1))


if __name__ == "__main__":
    import sys

    # ``blocks``: the block-unit files only; ``ccz``: the CCZ files only; ``composed``: the three-level files
    commands = {"blocks": blocks, "first": first_level, "ccz": ccz, "composed": composed,
                "upper": upper, "ccz-upper": ccz_upper}
    commands.get(sys.argv[1] if sys.argv[1:] else "", main)()
