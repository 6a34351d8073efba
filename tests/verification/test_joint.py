"""The real protocol under circuit-level noise (verification/joint.py): one frame simulation, both decoders, T
states by state vector."""

import math

import pytest
from magicpipe.verification import ForcedError, enumerate_errors, factory_layout
from magicpipe.verification.joint import real_outcome, sample_real
from magicpipe.verification.stand_in import real_effect


@pytest.mark.parametrize("x_errors, misreads, z_flips, expected", [
    ((), (), 0, (1.0, 0.0)),
    ((), (), 1 << 4, (1.0, 1.0)),  # Z on the output: accepted, and Z|m> is orthogonal to |m>
    ((), (), 1, (0.0, 0.0)),  # Z on check patch 1: rejected
    (((4, 11),), (), 0, (1.0, 0.5)),  # X on the output after its last rotation: fidelity 1/2
    (((4, 11),), (), 1 << 4, (1.0, 0.5)),  # ZX|m> has fidelity 1/2 too
    ((), (0,), 0, (0.5, 0.0)),  # merge 1 misread: P = Z1 Z2 Z5 half the time, caught by check 1
    ((), (0,), 1, (0.0, 0.0)),  # ... with check 1 flipped as well: P flips checks 1 and 2, so never accepted
    ((), (0,), 0b11, (0.5, 0.5)),  # checks 1 and 2 flipped: accepted when P (with its Z5) was left, wrong
])
def test_real_outcome_of_single_events(x_errors, misreads, z_flips, expected):
    assert real_outcome(x_errors, misreads, z_flips) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("x_errors, misreads", [
    (((0, 7),), ()), (((4, 3),), (2,)), (((1, 0), (3, 9)), ()), ((), (1, 5)), (((2, 4),), (6, 10)),
])
def test_without_z_flips_it_is_the_stand_in_cost_of_the_same_events(x_errors, misreads):
    reject, wrong = real_effect(x_errors, misreads)
    assert real_outcome(x_errors, misreads, 0) == pytest.approx((1 - reject, wrong), abs=1e-12)


def test_at_p0_the_real_protocol_is_the_logical_level():
    run = sample_real(3, 0.0, 0.05, shots=2048, seed=3)
    assert run.x_events == run.misreads == 0
    assert run.accepted == run.stand_in_accepted  # every shot accepted or rejected with certainty
    exact = enumerate_errors()
    assert abs(run.acceptance - exact.acceptance(0.05)) < 5 * math.sqrt(0.25 / run.shots)
    sigma = math.sqrt(exact.output_error(0.05) / run.accepted)
    assert abs(run.output_error - exact.output_error(0.05)) < 5 * sigma


def test_a_forced_logical_x_reaches_the_real_protocol_at_its_slot():
    layout = factory_layout(3)
    column = tuple(sorted(layout.column(layout.patch(0))))
    run = sample_real(3, 0.0, 0.0, shots=64, seed=1, forced=(ForcedError(21, "X", column),))  # before merge 8
    assert run.x_events == 64 and run.misreads == 0
    assert run.stand_in_accepted == 64 and run.stand_in_errors == 0  # the stand-in does not see it
    reject, wrong = real_effect(((0, 7),))
    assert run.acceptance == pytest.approx(1 - reject) and reject > 0.1
    assert run.wrong == pytest.approx(64 * wrong)


def test_seeded_runs_repeat():
    a = sample_real(3, 0.0, 0.05, shots=1024, seed=9)
    b = sample_real(3, 0.0, 0.05, shots=1024, seed=9)
    assert (a.accepted, a.wrong) == (b.accepted, b.wrong)


def test_verify_real_writes_its_summary(tmp_path, capsys):
    import json

    from magicpipe.cli import main

    out = tmp_path / "real"
    assert main(["verify", "real", "--p", "0", "--eps", "0.05", "--shots", "256", "--seed", "2", "--quiet",
                 "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    (point,) = summary["points"]
    assert (point["d"], point["p"], point["shots"]) == (3, 0.0, 256)
    assert point["acceptance"] == point["stand_in_acceptance"]  # p = 0: nothing the stand-in cannot carry
    assert (out / "points.csv").read_text().splitlines()[0].startswith("d,p,eps,shots,acceptance")
    assert "wrote" in capsys.readouterr().out
    assert main(["verify", "real", "--distance", "9", "--out", str(tmp_path / "x")]) == 2


@pytest.mark.slow
def test_the_shipped_real_protocol_run_reproduces_within_its_interval():
    """A small re-sample of the shipped d = 3, p = 2e-3 point (another seed) lands within 5 sigma of it."""
    import json
    from importlib import resources

    data = json.loads(resources.files("magicpipe.compiler").joinpath("data/real_factory.json").read_text())
    shipped = next(pt for run in data["runs"] for pt in run["points"] if (pt["d"], pt["p"]) == (3, 2e-3))
    run = sample_real(3, 2e-3, 1e-3, shots=4096, seed=12345)
    assert abs(run.acceptance - shipped["acceptance"]) < 5 * math.hypot(run.acceptance_sigma,
                                                                         shipped["acceptance_sigma"])
    assert abs(run.output_error - shipped["output_error"]) < 5 * math.hypot(run.output_error_sigma,
                                                                             shipped["output_error_sigma"])
