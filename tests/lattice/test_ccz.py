"""CCZ states in the whole-program stream (lattice/ccz.py, lattice/check2_ccz.py): the corrections make a CCZ
on every outcome, the 8-to-CCZ block unit, a mixed T + CCZ stream checked, round-tripped and run at the logical
level, and the compile command's stream for a point that meets Toffolis with 8-to-CCZ factories."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from magicpipe.compiler.blockmodel import NoiseModel
from magicpipe.compiler.catalogue import two_level
from magicpipe.errors import SpecError
from magicpipe.grammar.jsonl import from_jsonl, schema, to_jsonl
from magicpipe.grammar.parser2 import parse_program
from magicpipe.lattice.ccz import ccz_corrections, holds
from magicpipe.lattice.check2 import audit2
from magicpipe.lattice.stream2 import ProgramStream
from magicpipe.lattice.units2 import block_checks, catalogue_unit, unit_kind, unit_lanes
from magicpipe.lattice.whole import ProgramLayout, program_stream2, qubit_parts, unit_one_level

TIMELINE = [(0, 3, 1, 3, 1), (20, 2, 2, 3, 0), (40, 40, 0, 3, 1)]


@pytest.fixture(scope="module")
def ccz_unit():
    src = two_level(NoiseModel.litinski(1e-3), (11, 5, 5), 6, "8-to-CCZ", (15, 7, 7)).source()
    return catalogue_unit(src, name="C")


def _zsign(n, qubits):
    idx = np.indices((2,) * n).reshape(n, -1).T
    return (-1.0) ** (idx[:, qubits].sum(axis=1) % 2)


def test_the_corrections_make_a_ccz_on_every_outcome():
    # data qubits 0-2 (a random state), magic qubits 3-5 in CCZ|+++>; ZZ merges, X readouts, then the corrections
    n = 6
    rng = np.random.default_rng(7)
    data = rng.normal(size=8) + 1j * rng.normal(size=8)
    data /= np.linalg.norm(data)
    magic = np.full(8, 1 / np.sqrt(8))
    magic[7] *= -1
    want = data.copy()
    want[7] *= -1
    h = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    hadamards = np.kron(np.eye(8), np.kron(h, np.kron(h, h)))
    for s in itertools.product((0, 1), repeat=3):
        for x in itertools.product((0, 1), repeat=3):
            psi = np.kron(data, magic)
            for j in range(3):
                psi = psi * (_zsign(n, [j, 3 + j]) == (-1) ** s[j])
            psi = hadamards @ psi
            col = 4 * x[0] + 2 * x[1] + x[2]
            out = psi.reshape(8, 8)[:, col]
            values = {f"z7.{j}": s[j] for j in range(3)} | {f"x7.{j}": x[j] for j in range(3)}
            full = np.zeros(64, dtype=complex)
            full.reshape(8, 8)[:, 0] = out
            for cond, _action, terms, angle in ccz_corrections(7, (0, 1, 2)):
                if holds(cond, values):
                    theta = {"pi/4": np.pi / 4, "-pi/4": -np.pi / 4, "": np.pi / 2}[angle]
                    full = full * np.exp(-1j * theta * _zsign(n, [t.index for t in terms]))
            got = full.reshape(8, 8)[:, 0]
            assert abs(np.vdot(want, got)) ** 2 / np.vdot(got, got).real == pytest.approx(1, abs=1e-12), (s, x)


def test_corrections_refuse_a_repeated_patch():
    with pytest.raises(SpecError, match="three distinct"):
        list(ccz_corrections(0, (1, 1, 2)))


def test_the_8_to_ccz_block_unit(ccz_unit):
    unit, fill = ccz_unit
    assert (unit_kind(unit), unit_lanes(unit), unit.outputs, unit.protocol) == ("CCZ", 3, 1, "8-to-CCZ")
    assert list(block_checks(unit)) == []
    assert unit.width >= 3 * unit.distances[-1] and fill > 0
    one = unit.text.replace(" lanes=3", "")
    from dataclasses import replace

    assert any("lanes=1" in m for m in block_checks(replace(unit, text=one)))


def test_a_mixed_stream_checks_round_trips_and_applies_its_gates(ccz_unit):
    from magicpipe.verification.stream_logical import run_logical

    unit, fill = ccz_unit
    kw = dict(ccz_unit=unit, ccz_copies=2, ccz_fill=fill)
    s = program_stream2(ProgramLayout(4, 3), unit_one_level("15-to-1", 3), 2, TIMELINE, **kw)
    a = audit2(s)
    assert a.violations == ()
    assert (a.delivered, a.delivered_ccz) == (3 + 4, 3 + 40) == (s.header.t_count, s.header.ccz_count)
    assert any(op.action == "REPEAT" for op in s.ops)
    assert [p.lanes for p in s.header.ports] == [1, 1, 3, 3]
    assert qubit_parts(s.header)["ports"] == sum(p.capacity * p.lanes * 2 * 9 for p in s.header.ports) - sum(
        p.capacity * p.lanes for p in s.header.ports)   # patch_qubits(3) = 2 d^2 - 1
    assert parse_program(str(s)) == s
    lines = list(to_jsonl(s.header, s.ops))
    import jsonschema

    check = jsonschema.Draft202012Validator(schema())
    for line in lines[:12] + [x for x in lines if any(k in x for k in ("lanes", "ccz", "&", ".1", "TALLY"))][:60]:
        check.validate(json.loads(line))
    h, ops = from_jsonl(lines)
    assert ProgramStream(h, tuple(ops)) == s
    short = program_stream2(ProgramLayout(4, 3), unit_one_level("15-to-1", 3), 2, TIMELINE[:2], **kw)
    r = run_logical(short, shots=4, seed=2)
    assert r.min_fidelity == pytest.approx(1, abs=1e-9) and r.consumptions == 10
    trace = program_stream2(ProgramLayout(4, 3), unit_one_level("15-to-1", 3), 2, TIMELINE[:2], seed=3,
                            p_accept=0.8, ccz_p_accept=0.7, **kw)
    assert audit2(trace).violations == ()
    assert run_logical(trace).min_fidelity == pytest.approx(1, abs=1e-9)


def test_a_wrong_ccz_correction_fails_the_logical_run(ccz_unit):
    from magicpipe.verification.stream_logical import run_logical

    unit, fill = ccz_unit
    s = program_stream2(ProgramLayout(3, 3), None, 0, [(0, 2, 0, 3, 1)], ccz_unit=unit, ccz_copies=1,
                        ccz_fill=fill)
    assert audit2(s).violations == ()
    # a consumption's correction (the unit's body, indented, has corrections of its own)
    text = str(s)
    line = next(x for x in text.splitlines() if x.startswith("@") and "angle=-pi/4" in x)
    broken = text.replace(line, line.replace("angle=-pi/4", "angle=pi/4"), 1)
    r = run_logical(parse_program(broken), shots=40, seed=1)
    assert r.min_fidelity < 0.9


def test_refusals(ccz_unit):
    unit, fill = ccz_unit
    with pytest.raises(SpecError, match="a CCZ state acts on three"):
        program_stream2(ProgramLayout(2, 3), None, 0, [(0, 2, 0, 3, 1)], ccz_unit=unit, ccz_copies=1)
    with pytest.raises(SpecError, match="CCZ states and no copy"):
        program_stream2(ProgramLayout(3, 3), unit_one_level("15-to-1", 3), 1, [(0, 2, 1, 3, 1)], ccz_unit=unit)


def test_compile_writes_the_stream_of_a_mixed_point(tmp_path, capsys):
    # T gates and Toffolis, Litinski's (15-to-1)^6 x (8-to-CCZ) block offered: the fastest point is mixed, T states
    # from one-level 15-to-1 factories and CCZ states from the block (the command's writer, schedule.lsi and
    # schedule.jsonl; `magicpipe compile examples/adder8.qasm --objective runtime` is such a point too, docs/lattice.md)
    from magicpipe.cli import main
    from magicpipe.cli.compile import _write_chosen_stream
    from magicpipe.compiler import Hardware, LogicalCounts, Source
    from magicpipe.compiler.compilation import plan_counts

    ccz = Source("(15-to-1)^6_{13,7,7} x (8-to-CCZ)_{25,15,15}", "litinski", 47046, 60.0, 60.0, 1, 5.2e-11,
                 kind="CCZ")
    comp = plan_counts(LogicalCounts(20, t_count=60, ccz_count=300), Hardware(p=1e-3, eps=1e-3), 1e-2,
                       catalogue=False, budget_search=False, baselines=(), pipelines=1, extra_sources=(ccz,),
                       objective="runtime")
    assert comp.chosen.ccz_copies >= 1 and comp.chosen.copies >= 1
    record = _write_chosen_stream(comp, tmp_path, None, True)
    assert (record["delivered"], record["delivered_ccz"]) == (60, 300)
    capsys.readouterr()
    assert main(["check", str(tmp_path)]) == 0
    assert "delivered 60, delivered_ccz 300" in capsys.readouterr().out
    h, ops = from_jsonl((tmp_path / "schedule.jsonl").read_text().splitlines())
    assert h.ccz_count == 300 and ops is not None


def test_a_repeat_found_while_a_readout_is_due_in_its_first_round():
    # found by fuzzing (tests/lattice/bench_ccz_fuzz.py): the emitter's state at a layer's earliest round counted
    # the readout of that very round, the validator's (before the round's operations) the one before; a port
    # read out every 19 rounds then made a REPEAT whose copies differ. The key now holds both.
    from magicpipe.compiler.catalogue import cultivation_factory
    from magicpipe.compiler.cultivation import cultivation_point

    unit, fill = catalogue_unit(two_level(NoiseModel.litinski(1e-3), (9, 3, 3), 6, "8-to-CCZ", (11, 5, 5)).source(),
                                name="C")
    cult, _ = catalogue_unit(cultivation_factory(cultivation_point(1e-3, 3, 0.5)).source())
    s = program_stream2(ProgramLayout(3, 9), cult, 2, [(184, 29, 2, 9, 0), (196, 37, 0, 9, 1)], ccz_unit=unit,
                        ccz_copies=1, ccz_fill=fill)
    assert audit2(s).violations == ()
    assert any(op.action == "REPEAT" for op in s.ops)
