"""A whole-program stream at the logical level: each consumption with the corrections the stream writes applies
exactly T to its data patch, on every branch; a wrong condition or a missing correction is caught."""

import pytest
from magicpipe.grammar.parser2 import parse_program
from magicpipe.lattice.whole import ProgramLayout, program_stream2, unit_one_level
from magicpipe.verification.stream_logical import run_logical

from magicpipe.cli import main

UNIT = unit_one_level("15-to-1", 3)


def test_nominal_and_sampled_streams_apply_t_on_every_branch():
    s = program_stream2(ProgramLayout(3, 3), UNIT, 3, [(0, 4, 2, 3), (40, 2, 3, 3)])
    r = run_logical(s, shots=30, seed=2)
    assert r.min_fidelity == pytest.approx(1, abs=1e-9) and r.consumptions == 14
    assert 0 < r.rotations < 30 * 14 and 0 < r.frames < 30 * 14   # both outcomes of both measurements drawn
    for seed in range(3):
        t = program_stream2(ProgramLayout(3, 3), UNIT, 3, [(0, 4, 2, 3)], seed=seed, p_accept=0.8)
        assert run_logical(t).min_fidelity == pytest.approx(1, abs=1e-9)


@pytest.mark.parametrize("edit", [("IF z0=1 ROTATE", "IF z0=0 ROTATE"), ("IF x1=1 FRAME", "IF z1=1 FRAME"),
                                  ("angle=pi/4", "angle=pi/8")])
def test_a_wrong_correction_is_caught(edit):
    text = str(program_stream2(ProgramLayout(2, 3), UNIT, 2, [(0, 3, 2, 3)]))
    assert edit[0] in text
    bad = parse_program(text.replace(*edit, 1))
    try:
        r = run_logical(bad, shots=40, seed=0)
    except Exception as e:  # noqa: BLE001 - an angle it does not know is refused
        assert "pi/8" in str(e)
        return
    assert r.min_fidelity < 0.9


def test_verify_stream_command(tmp_path, capsys):
    path = tmp_path / "schedule.lsi"
    path.write_text(str(program_stream2(ProgramLayout(2, 3), UNIT, 1, [(0, 2, 2, 3)])))
    assert main(["verify", "stream", str(tmp_path), "--shots", "10", "--program", "--no-circuit"]) == 0
    out = capsys.readouterr().out
    assert "every branch applies T" in out
    assert "program side from its own merges:" in out and "graph-like distance 3 (the program runs at d=3)" in out
    assert "every detector and observable is 0" in out


def test_the_units_factory_circuit_is_built_from_the_streams_own_measurements():
    """``verify stream --factory``'s circuit (a (3, 3) unit): deterministic without noise, graph-like distance 3."""
    from magicpipe.compiler.hardware import Hardware
    from magicpipe.compiler.pareto import pareto_front
    from magicpipe.compiler.pipeline import Pipeline
    from magicpipe.lattice.whole import unit_from_schedule
    from magicpipe.verification.stream_logical import unit_factory_circuit

    schedule = pareto_front(Pipeline.from_distances((3, 3), Hardware(p=1e-3, eps=1e-3))).points[-1].schedule
    s = program_stream2(ProgramLayout(2, 3), unit_from_schedule(schedule), 1, [(0, 2, 1, 3)])
    c = unit_factory_circuit(s, 1e-3, 0.0)
    assert len(c.shortest_graphlike_error(ignore_ungraphlike_errors=True)) == 3
    dets, obs = c.without_noise().compile_detector_sampler(seed=1).sample(50, separate_observables=True)
    assert not dets.any() and not obs.any() and c.num_observables == 5


def test_a_unit_whose_port_is_on_the_top_row_gets_verify_factorys_program():
    """The shared floor plan (buffer rows above the block) puts the port on the block's top routing row; the
    unit's merges then run through row 2, and ``--factory`` reads them as the block's mirror image: exactly the
    merges of ``verify factory``'s bottom-port block (the 11 rotations' patches and bus tiles)."""
    from magicpipe.compiler.hardware import Hardware
    from magicpipe.compiler.pareto import pareto_front
    from magicpipe.compiler.pipeline import Pipeline
    from magicpipe.compiler.protocols import FIFTEEN_TO_ONE
    from magicpipe.lattice.floorplan import plan_floor
    from magicpipe.lattice.whole import unit_from_schedule
    from magicpipe.verification.factory_program import FactoryProgram, factory_program
    from magicpipe.verification.stream_logical import unit_factory_instructions

    schedule = pareto_front(Pipeline.from_distances((3, 5), Hardware(p=1e-3, eps=1e-3))).points[5].schedule
    assert plan_floor(schedule).block.port == (4, 2)
    s = program_stream2(ProgramLayout(2, 5), unit_from_schedule(schedule), 1, [(0, 1, 1, 5)])
    assert "via=[(0,10),(5,10),(10,10),(15,10)]" in s.header.units[0].text
    d, lines = unit_factory_instructions(s)
    got = FactoryProgram.from_instructions(FIFTEEN_TO_ONE, d, lines)
    want = factory_program(FIFTEEN_TO_ONE, 5)
    assert [(m.patches, m.bus) for m in got.merges] == [(m.patches, m.bus) for m in want.merges]
    assert (got.burst, got.checks, got.outputs) == (want.burst, want.checks, want.outputs)
