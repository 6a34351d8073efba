"""The mutation test, small and seeded: single-line edits of the streams the planner writes; every mutant the
validator accepts is replayed independently, and none may be broken (``python -m magicpipe.lattice.mutate``
runs the large version)."""

import random

from magicpipe.grammar.parser2 import parse_program
from magicpipe.lattice.mutate import independent_replay, mutants, run, sample_streams


def test_no_accepted_mutant_is_broken():
    out = run(10, seed=3)
    assert out["missed"] == 0, [k for k in out if isinstance(k, tuple)]
    assert out["rejected"] > out["harmless"] > 0


def test_the_independent_replay_sees_real_violations():
    text = sample_streams()["one-level"]
    ref = parse_program(text)
    assert independent_replay(ref) == []
    broken = {
        "tally": text.replace("TALLY runs=", "TALLY runs=9"),
        "early layer": text.replace("LAYER states=2", "LAYER states=3", 1),
    }
    low = text.split("BUDGET qubits=")[1].split("\n")[0]
    broken["budget"] = text.replace(f"BUDGET qubits={low}", f"BUDGET qubits={int(low) - 1}")
    for name, t in broken.items():
        assert independent_replay(parse_program(t), ref), name


def test_mutants_are_single_line_edits():
    text = "a 1\nb 2\nc 3\n"
    for what, m in mutants(text, random.Random(0), 30):
        assert abs(len(m.splitlines()) - 3) <= 1 and what.startswith("line ")


def test_the_independent_replay_reads_block_units():
    from magicpipe.lattice.mutate import block_streams

    streams = block_streams()
    four, cult = streams["20-to-4"], streams["cultivation"]
    for text in (four, cult, streams["cultivation-trace"]):
        assert independent_replay(parse_program(text)) == []
    decide = next(x for x in cult.splitlines() if " DECIDE " in x)
    n = int(decide.rsplit("attempts=", 1)[1])
    broken = {
        "count": (four, "count=4\n", "count=3\n"),
        "policy": (cult, "ON keep=output reject=restart", "ON keep=output"),
        "attempts": (cult, decide, decide.replace(f"attempts={n}", f"attempts={n + 2}")),
        "output side": (four, "OUTPUT 1 (49,0)", "OUTPUT 1 (49,13)"),
    }
    for name, (text, old, new) in broken.items():
        assert old in text, name
        assert independent_replay(parse_program(text.replace(old, new, 1)), parse_program(text)), name


def test_the_independent_replay_reads_a_block_protocol():
    """A first-level block stated patch by patch: each rule of lattice/blockops.py, read again from the text."""
    from magicpipe.lattice.mutate import block_streams

    text = block_streams()["15-to-1-block"]
    assert independent_replay(parse_program(text)) == []
    broken = {
        "rotation": ("rotation=+ZZZII", "rotation=+ZZIZI"),
        "side": ("Z:q1@top Z:q2@top Z:q3@top Z:m3", "Z:q1@bottom Z:q2@top Z:q3@top Z:m3"),
        "patch": ("PATCH q2 (24,24,7,17)", "PATCH q2 (24,24,5,17)"),
        "step": ("STEP 6 at=35 rounds=7", "STEP 6 at=35 rounds=8"),
        "correction": ("@7 IF r3=0 ROTATE Z:q1 Z:q2 Z:q3 angle=-pi/4\n", ""),
        "check": ("@42 MEASURE k3 X:q3\n", ""),
        "decision": ("@42 IF a=1 DISCARD q0\n", ""),
        "move": ("via=(0,7,17,17) rounds=7", "via=(0,7,17,17) rounds=0"),
    }
    for name, (old, new) in broken.items():
        assert old in text, name
        assert independent_replay(parse_program(text.replace(old, new, 1)), parse_program(text)), name


def test_the_independent_replay_reads_an_upper_protocol():
    """A two-level block's upper protocol (lattice/upperops.py) read again from the text: the valid streams pass,
    every broken corpus file of its rules (unit-upper-*) is caught."""
    import pathlib

    from magicpipe.lattice.mutate import block_streams

    streams = block_streams()
    for name in ("20-to-4", "15-to-1-x-15-to-1"):
        assert independent_replay(parse_program(streams[name])) == []
    folder = pathlib.Path(__file__).parents[1] / "data" / "streams" / "v2" / "invalid"
    files = sorted(folder.glob("unit-upper-*.lsi"))
    assert len(files) == 20   # 15 of T blocks, 3 of the 8-to-CCZ block's lanes, 2 of a feeder cycle
    ref = parse_program(streams["20-to-4"])   # a reference whose unit differs: the unit is read again
    valid = folder.parent / "valid" / "block-15-to-1-x-15-to-1.lsi"
    assert independent_replay(parse_program(valid.read_text()), ref) == []
    ccz = parse_program((folder.parent / "valid" / "block-8-to-ccz.lsi").read_text())
    assert independent_replay(ccz) == []
    mixed = parse_program((folder.parent / "valid" / "mixed-t-ccz.lsi").read_text())
    assert independent_replay(mixed) == []
    for path in files:   # the 8-to-CCZ files against streams of their units (a one-level U beside C)
        against = ccz if "-ccz-" in path.stem else mixed if "-cycle-" in path.stem else ref
        assert independent_replay(parse_program(path.read_text()), against), path.stem


def test_the_independent_replay_reads_ccz_states():
    from magicpipe.lattice.mutate import ccz_streams

    streams = ccz_streams()
    text = streams["ccz"]
    for t in streams.values():
        assert independent_replay(parse_program(t)) == []
    frame = next(x for x in text.splitlines() if "&" in x and " FRAME " in x)
    port = next(x for x in text.splitlines() if x.startswith("PORT ") and " lanes=3" in x)
    tally = text.splitlines()[-1]
    n = int(tally.rsplit("delivered_ccz=", 1)[1])
    reg = frame.split(" IF ")[1].split("=")[0]
    broken = {
        "condition": (frame, frame.replace(reg, reg.split("&")[0])),
        "lanes": (port, port.replace(" lanes=3", "")),
        "tally": (tally, tally.replace(f"delivered_ccz={n}", f"delivered_ccz={n + 1}")),
        "angle": ("angle=-pi/4", "angle=pi/4"),
    }
    for name, (old, new) in broken.items():
        assert old in text and old != new, name
        assert independent_replay(parse_program(text.replace(old, new, 1)), parse_program(text)), name
