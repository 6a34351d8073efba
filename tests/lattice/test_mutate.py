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
