"""Regenerate the stream corpus: valid streams emitted by the lattice layer, and invalid ones, each a valid
stream with one edit that breaks one rule, its first line stating why and its second the expected message.

Run from the repository root: ``python tests/data/streams/make_corpus.py``. The files are checked in; the
corpus test (tests/grammar/test_corpus.py) only reads them, so a change of the scheduler does not move them.
"""

import pathlib

from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.errors import ParseError
from magicpipe.grammar import parse
from magicpipe.lattice import build_stream, check
from magicpipe.lattice.samples import sample_schedule

ROOT = pathlib.Path(__file__).parent


def expected(text: str) -> str:
    try:
        found = check(parse(text))
    except ParseError as e:
        return str(e).splitlines()[0]
    assert found, "the edit broke no rule"
    return str(found[0]).splitlines()[0]


def write(folder: str, name: str, why: str, body: str) -> None:
    text = f"# {why}\n" + body
    if folder == "invalid":  # the expected message is on line 2, so line numbers count it
        message = expected(f"# {why}\n#\n" + body)
        text = f"# {why}\n# expect: {message}\n" + body
    (ROOT / folder / f"{name}.lsi").write_text(text)


def main() -> None:
    points = pareto_front(Pipeline.from_distances((5, 17))).points
    base = str(build_stream(points[4].schedule))
    write(
        "valid",
        "reuse-moves-5-17",
        "(5, 17) at Q=8949, 6 slots: data moves up, 5 low-level factories borrow the ancilla rows",
        base,
    )
    write(
        "valid",
        "min-volume-5-17",
        "the (5, 17) minimum-volume point: fill, burst, one supply lane",
        str(build_stream(points[-1].schedule)),
    )
    for seed in range(200):
        stream = build_stream(sample_schedule(seed))
        reasons = {i.reason for i in stream.instructions if i.action == "DISCARD"}
        if {"failed", "full"} <= reasons and len(stream.instructions) < 120:
            write(
                "valid",
                f"failures-seed{seed}",
                f"sample_schedule({seed}): failed runs and buffer-full discards",
                str(stream),
            )
            break
    measured = str(build_stream(points[4].schedule, measurements=True))
    write(
        "valid",
        "measurements-5-17",
        "the reuse-moves stream expanded into the factory's Pauli-product measurements",
        measured,
    )
    write("invalid", "input-pattern-wrong-measurement", "step 3 injects rotation 7 (Z2 Z3 Z5), not Z1 Z3 Z5",
          measured.replace("@89 MEASURE H0 step=3 Z2 Z3 Z5 Zm", "@89 MEASURE H0 step=3 Z1 Z3 Z5 Zm"))
    moved = base.replace("@55 OUTPUT L9 slot=5 run=9\n", "").replace(
        "@55 OUTPUT L0 to=H0", "@54 OUTPUT L9 slot=5 run=9\n@55 OUTPUT L0 to=H0"
    )
    edits = [
        (
            "order-time-goes-back",
            "round 60 after round 89",
            "@89 CONSUME H0 step=3 slot=2 take=3",
            "@89 CONSUME H0 step=3 slot=2 take=3\n@60 RESUME H0 step=3",
        ),
        (
            "on-floorplan-region-off-plan",
            "L9 sticks out of the factory region into the buffer column",
            "region=(70,0,15,25)",
            "region=(80,0,15,25)",
        ),
        ("tile-free-overlap", "L9 lands on L7's and L8's tiles", "region=(70,0,15,25)", "region=(55,20,15,25)"),
        (
            "tile-free-borrower-not-listed",
            "L14 runs on the lent region without being lent it",
            "to=[L10,L11,L12,L13,L14]",
            "to=[L10,L11,L12,L13]",
        ),
        ("qubit-budget", "ten fill runs and six slots need 7644 qubits", "BUDGET qubits=8949", "BUDGET qubits=7500"),
        ("slot-empty", "slot 0 was emptied by step 1", "@89 CONSUME H0 step=3 slot=2", "@89 CONSUME H0 step=3 slot=0"),
        ("slot-full", "L4 already filled slot 0 this round", "@55 OUTPUT L5 slot=1", "@55 OUTPUT L5 slot=0"),
        (
            "input-pattern-short-burst",
            "the burst takes 3 states, the protocol needs 4",
            "@55 CONSUME H0 step=0 from=L3 take=0\n",
            "",
        ),
        ("input-pattern-skipped-step", "step 3 is skipped", "@89 CONSUME H0 step=3", "@89 CONSUME H0 step=4"),
        (
            "move-path-through-patch",
            "q1's route crosses q2's tile",
            "@157 MOVE H0.q1 step=1 path=[(0,17),(0,34)]",
            "@157 MOVE H0.q1 step=1 path=[(0,17),(17,17),(17,34)]",
        ),
        (
            "move-path-crossing-routes",
            "q2 cannot take q1's route in the same step",
            "@157 MOVE H0.q2 step=1 path=[(17,17),(17,34)]",
            "@157 MOVE H0.q2 step=1 path=[(17,17),(17,0),(0,0),(0,17),(0,34),(0,51)]",
        ),
        (
            "move-path-not-home",
            "q5 never moves back before the step resumes",
            "@214 MOVE H0.q5 step=1 path=[(68,34),(68,17)] stall=0\n",
            "",
        ),
        ("timing-early-output", "a d=5 run launched at round 0 ends at round 55, not 54", base, moved),
        ("timing-step-early", "a d=17 step takes 17 rounds", "@72 CONSUME H0 step=2", "@71 CONSUME H0 step=2"),
        ("conservation-tally", "the TALLY claims a state nobody produced", "TALLY produced=15", "TALLY produced=16"),
        (
            "conservation-no-tally",
            "a stream ends with its TALLY",
            "@301 TALLY produced=15 consumed=15 discarded=0 left=[] delivered=1\n",
            "",
        ),
        ("syntax-unknown-action", "GIVEBACK is no action", "@214 RECLAIM H0", "@214 GIVEBACK H0"),
        (
            "syntax-missing-operand",
            "a STALL states the rotations remaining",
            "threshold=5 remaining=5 reuse=yes",
            "threshold=5 reuse=yes",
        ),
        ("syntax-version", "a future format version", "MAGICPIPE_LSI 1", "MAGICPIPE_LSI 9"),
    ]
    edits += [
        (
            "qubit-budget-slot-qubits-zero",
            "a buffer slot holds a d=5 patch: 49 qubits, not 0",
            "slot_qubits=49",
            "slot_qubits=0",
        ),
        ("order-even-distance", "a surface-code distance is odd", "distances=5,17", "distances=5,16"),
        (
            "order-top-marked-level-1",
            "the high-level factory is level 2 of the PIPELINE, at d=17",
            "@55 LAUNCH H0 15-to-1 level=2 d=17",
            "@55 LAUNCH H0 15-to-1 level=1 d=17",
        ),
        ("order-level-zero", "levels count from 1", "@0 LAUNCH L0 15-to-1 level=1", "@0 LAUNCH L0 15-to-1 level=0"),
        ("order-trace-index", "run=7 names L7, not L1", "region=(0,15,25,15) run=1", "region=(0,15,25,15) run=7"),
        ("tile-free-data-overlap", "data patches 1 and 2 on one tile", "data=[(0,17),(17,17),", "data=[(0,17),(0,17),"),
        (
            "tile-free-missing-data",
            "15-to-1 has five data patches",
            "data=[(0,17),(17,17),(34,17),(51,17),(68,17)]",
            "data=[(0,17),(17,17),(34,17),(51,17)]",
        ),
        ("on-floorplan-missing-slot", "six slots in the budget, five placed", "SLOT 5 (85,25,5,5)\n", ""),
        ("on-floorplan-region-name", "no region is called bufer", "REGION buffer", "REGION bufer"),
        (
            "on-floorplan-slot-smaller-than-patch",
            "a d=5 state does not fit 4 x 4",
            "SLOT 0 (85,0,5,5)",
            "SLOT 0 (85,0,4,4)",
        ),
        (
            "order-duplicated-stall",
            "the STALL of step 7 is written twice",
            "@157 STALL H0 step=7 threshold=5 remaining=5 reuse=yes stall=0\n",
            "@157 STALL H0 step=7 threshold=5 remaining=5 reuse=yes stall=0\n" * 2,
        ),
        (
            "order-tally-twice",
            "the TALLY is the last instruction, once",
            "@301 TALLY produced=15 consumed=15 discarded=0 left=[] delivered=1\n",
            "@301 TALLY produced=15 consumed=15 discarded=0 left=[] delivered=1\n" * 2,
        ),
        (
            "order-reclaim-region",
            "H0 takes back another region than the one it lent",
            "@214 RECLAIM H0 region=(0,0,85,34)",
            "@214 RECLAIM H0 region=(0,0,85,33)",
        ),
        (
            "order-take-trace",
            "take=3 is step 3 at round 89, not step 4",
            "@106 CONSUME H0 step=4 slot=3 take=4",
            "@106 CONSUME H0 step=4 slot=3 take=3",
        ),
        (
            "timing-stall-remaining",
            "step 7 of 11 leaves 5 rotation steps, not 6",
            "@157 STALL H0 step=7 threshold=5 remaining=5",
            "@157 STALL H0 step=7 threshold=5 remaining=6",
        ),
        (
            "timing-move-step",
            "q1 moves in move step 1, at the stall's round",
            "@157 MOVE H0.q1 step=1 path=[(0,17),(0,34)]",
            "@157 MOVE H0.q1 step=2 path=[(0,17),(0,34)]",
        ),
        (
            "timing-move-rounds",
            "the moves and the lending take 2 rounds, not the 1 declared",
            "move_rounds=2",
            "move_rounds=1",
        ),
    ]
    for name, why, old, new in edits:
        assert old in base, name
        write("invalid", name, why, base.replace(old, new, 1))
    measured_edits = [
        ("input-pattern-deleted-measure", "step 1's Xm readout is gone", "@55 MEASURE H0 step=1 Xm take=1\n", ""),
        ("input-pattern-duplicated-measure", "step 1's Xm readout twice", "@55 MEASURE H0 step=1 Xm take=1\n",
         "@55 MEASURE H0 step=1 Xm take=1\n@55 MEASURE H0 step=1 Xm take=1\n"),
        ("move-path-disconnected-route", "the merge skips the routing tile (17,0)",
         "via=[(0,0),(17,0),(34,0),(51,0)]", "via=[(0,0),(34,0),(51,0)]"),
    ]
    for name, why, old, new in measured_edits:
        assert old in measured, name
        write("invalid", name, why, measured.replace(old, new, 1))
    waits = str(build_stream(sample_schedule(0)))
    write("valid", "wait-stalls-seed0", "sample_schedule(0): one slot, every step stalls and waits", waits)
    old = "@182 STALL H0 step=2 threshold=1"
    assert old in waits
    write("invalid", "timing-stall-threshold", "step 2 waits for 2 states; one slot holds one",
          waits.replace(old, "@182 STALL H0 step=2 threshold=2", 1))


if __name__ == "__main__":
    main()
