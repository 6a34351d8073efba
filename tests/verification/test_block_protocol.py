"""A first-level Litinski block's protocol read from the stream's own lines: the rotations they state are the
layout's, and executing them (merges, splits, pi/4 corrections, frames, checks, decision) on a state vector
leaves the ideal output on every branch."""

import pytest
from magicpipe.compiler.blockmodel import NoiseModel
from magicpipe.compiler.blocks import FIRST_LEVEL
from magicpipe.compiler.catalogue import one_level
from magicpipe.lattice.units2 import catalogue_unit
from magicpipe.verification.block_protocol import block_check, run_protocol, stated_layout

from magicpipe.errors import SpecError, VerificationError


@pytest.fixture(scope="module")
def unit():
    return catalogue_unit(one_level(NoiseModel.litinski(1e-3), (5, 3, 3)).source())[0]


def _edited(unit, old, new):
    assert old in unit.text
    return type(unit)(**{**{f: getattr(unit, f) for f in unit.__slots__}, "text": unit.text.replace(old, new, 1)})


def test_the_stated_rotations_are_the_layouts(unit):
    stated = stated_layout(unit)
    # the same rotations (Pauli string, sign, ancilla a_X, a_Z) in the same steps; within a step the injections
    # come first (their patches are fresh for the merges), the layout lists step 3's after its merges
    assert [sorted((r.pauli, r.ancilla) for r in s.rotations) for s in stated.steps] == \
        [sorted((r.pauli, r.ancilla) for r in s.rotations) for s in FIRST_LEVEL.steps]
    assert [s.storage for s in stated.steps] == [s.storage for s in FIRST_LEVEL.steps]
    assert (stated.outputs, stated.checks, stated.width) == (FIRST_LEVEL.outputs, FIRST_LEVEL.checks, FIRST_LEVEL.width)
    assert block_check(unit).ok


def test_every_branch_of_the_stated_protocol_makes_the_output(unit):
    r = run_protocol(unit, shots=12, seed=3)
    assert r.min_fidelity > 1 - 1e-9 and r.accepted == 12
    # 11 merges a shot, each correction firing on about half the shots
    assert 0 < r.rotations < 12 * 11 and 0 < r.frames < 12 * 11


def test_a_wrong_line_is_caught(unit):
    with pytest.raises(VerificationError):
        run_protocol(_edited(unit, "IF r3=0 ROTATE", "IF r3=1 ROTATE"), shots=12, seed=3)
    assert not block_check(_edited(unit, "rotation=+ZZZII", "rotation=+ZZZZI")).ok
    with pytest.raises(SpecError):
        stated_layout(catalogue_unit(type("S", (), {"method": "cultivation", "detail": (("attempt_rounds", 1.0),
                      ("acceptance", 0.5)), "qubits": 454, "kind": "T", "distances": (3, 15), "name": "c"})())[0])


def test_verify_stream_runs_a_blocks_protocol(capsys):
    """``magicpipe verify stream`` on the corpus's first-level block stream passes; with one correction gone it
    fails (status 1), though every rule but the protocol's holds."""
    import pathlib

    from magicpipe.cli import main

    corpus = pathlib.Path(__file__).parents[1] / "data" / "streams" / "v2"
    args = ["--shots", "8", "--no-circuit", "--seed", "1"]   # 8 shots: r3 = 0 (the lost branch) in some
    assert main(["verify", "stream", str(corpus / "valid" / "block-15-to-1.lsi"), *args]) == 0
    assert "its rotation list makes the ideal output" in capsys.readouterr().out
    assert main(["verify", "stream", str(corpus / "invalid" / "unit-protocol-correction.lsi"), *args]) == 1
    assert "its lines FAIL" in capsys.readouterr().out


@pytest.mark.parametrize("protocol", ["20-to-4", "15-to-1"])
def test_an_upper_blocks_lines_state_its_layout_and_make_its_outputs(protocol):
    """A two-level block's upper block (lattice/upperops.py): the rotations its lines state, with each ancilla's
    a_X, a_Z and its entry leg (a_m = 1) counted from the vias, are the layout's; every branch makes the outputs."""
    from magicpipe.compiler.blocks import get_layout
    from magicpipe.compiler.catalogue import two_level

    unit, _ = catalogue_unit(two_level(NoiseModel.litinski(1e-3), (13, 5, 5), 4, protocol, (23, 11, 13)).source())
    stated, layout = stated_layout(unit), get_layout(protocol)
    assert [sorted((r.pauli, r.ancilla) for r in s.rotations) for s in stated.steps] == \
        [sorted((r.pauli, r.ancilla) for r in s.rotations) for s in layout.steps]
    assert stated.level == "upper" and block_check(unit).ok
    r = run_protocol(unit, shots=6, seed=2)
    assert r.min_fidelity > 1 - 1e-9 and r.accepted == 6
    with pytest.raises(VerificationError):
        run_protocol(_edited(unit, "IF r2=0 ROTATE", "IF r2=1 ROTATE"), shots=6, seed=2)


def test_verify_stream_runs_an_upper_blocks_protocol(capsys):
    import pathlib

    from magicpipe.cli import main

    corpus = pathlib.Path(__file__).parents[1] / "data" / "streams" / "v2" / "valid"
    args = ["--shots", "4", "--no-circuit", "--seed", "1"]
    assert main(["verify", "stream", str(corpus / "block-15-to-1-x-15-to-1.lsi"), *args]) == 0
    assert "its rotation list makes the ideal output" in capsys.readouterr().out


def test_an_8_to_ccz_upper_block_makes_the_ccz_state_on_every_branch(capsys):
    """The 8-to-CCZ upper block from its own lines (the corpus file): the stated rotation list is the layout's,
    every accepting branch leaves CCZ|+++> on q0 q1 q2 (not T states: the BLOCK line's kind=CCZ sets the target);
    a wrong correction's condition fails."""
    import pathlib

    from magicpipe.cli import main
    from magicpipe.compiler.blocks import get_layout
    from magicpipe.grammar.parser2 import parse_program

    path = pathlib.Path(__file__).parents[1] / "data" / "streams" / "v2" / "valid" / "block-8-to-ccz.lsi"
    unit = next(u for u in parse_program(path.read_text()).header.units if u.name == "C")
    stated, layout = stated_layout(unit), get_layout("8-to-CCZ")
    assert (stated.kind, stated.outputs, stated.checks) == ("CCZ", (0, 1, 2), (3,))
    assert [sorted((r.pauli, r.ancilla) for r in s.rotations) for s in stated.steps] == \
        [sorted((r.pauli, r.ancilla) for r in s.rotations) for s in layout.steps]
    r = run_protocol(unit, shots=16, seed=3)
    assert r.min_fidelity > 1 - 1e-9 and r.accepted == 16 and r.rotations > 0
    with pytest.raises(VerificationError, match="fidelity"):
        run_protocol(_edited(unit, "IF r6=0 ROTATE", "IF r6=1 ROTATE"), shots=16, seed=3)
    assert main(["verify", "stream", str(path), "--shots", "4", "--no-circuit", "--seed", "1"]) == 0
    assert "unit C's protocol from its own lines: its rotation list makes the ideal output" in capsys.readouterr().out
