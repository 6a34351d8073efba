"""Sampling the circuit-level factory: observable post-selection, seeds, the stand-in's costs, the summary and
``magicpipe verify factory`` end to end."""

import json

import numpy as np
import pytest
import sinter
import stim
from magicpipe.verification import factory_task, real_effect, sample_task, split_events
from magicpipe.verification.factory_summary import fit_through_origin
from magicpipe.verification.sampling import ERROR_COMBOS
from magicpipe.verification.stand_in import carried_events, stand_in_costs

from magicpipe.cli import main


def test_postselected_observables_are_discards_and_the_rest_errors_with_their_combinations():
    circuit = stim.Circuit(
        "X_ERROR(0.2) 0\nX_ERROR(0.3) 1\nM 0 1\nOBSERVABLE_INCLUDE(0) rec[-2]\nOBSERVABLE_INCLUDE(1) rec[-1]"
    )
    task = sinter.Task(circuit=circuit, decoder=ERROR_COMBOS, detector_error_model=circuit.detector_error_model(),
                       postselected_observables_mask=np.packbits([0, 1], bitorder="little"))
    stats = sample_task(task, shots=20_000, seed=1)
    accepted = stats.shots - stats.discards
    assert abs(stats.discards / stats.shots - 0.3) < 0.02 and abs(stats.errors / accepted - 0.2) < 0.02
    assert stats.custom_counts == {"obs_mistake_mask=E_": stats.errors}


def test_factory_sampling_is_seeded_and_clifford_noise_rejects_and_flips():
    task = factory_task(3, 2e-3, 0.01)
    a = sample_task(task, shots=3000, seed=4)
    b = sample_task(task, shots=3000, seed=4)
    assert (a.shots, a.discards, a.errors) == (b.shots, b.discards, b.errors)
    # at p = 2e-3 Clifford noise rejects ~40% of the runs (input errors alone: 14%) and flips ~5% of the outputs
    assert 0.25 < a.discards / a.shots < 0.55 and 0.02 < a.errors / (a.shots - a.discards) < 0.1


def test_the_real_protocol_feels_what_the_stand_in_does_not():
    for merge in range(11):  # a misread merge outcome is its rotation's Pauli half the time: always rejected
        reject, wrong = real_effect(misreads=(merge,))
        assert reject == pytest.approx(0.5) and wrong == pytest.approx(0.0, abs=1e-12)
    assert real_effect(x_errors=((4, 11),)) == pytest.approx((0.0, 0.5))  # X on the output at the end
    assert real_effect(x_errors=((0, 11),)) == pytest.approx((0.0, 0.0))  # X on a check qubit's |+> at the end
    assert real_effect(x_errors=((4, 0),)) == pytest.approx((0.0, 0.0))  # X on |+> before any rotation on it
    assert real_effect(x_errors=((4, 6),)) == pytest.approx((0.5, 0.25))


def test_events_split_into_x_errors_and_misreads_and_their_costs_add_up():
    assert split_events("____E" + "__________E").x_errors == ((4, 10),)
    assert split_events("____E" + "__________E").misreads == ()
    assert split_events("_____" + "_E_E_______").misreads == (1, 3)
    costs = stand_in_costs({"obs_mistake_mask=_____E__________": 30, "obs_mistake_mask=____E___________": 10},
                           shots=1000)
    assert costs["misread_per_merge"][0] == 0.03 and costs["x_error_per_patch"][4] == 0.01
    assert costs["reject"] == pytest.approx(0.015) and costs["accepted_wrong"] == pytest.approx(0.005)


def test_carried_z_type_events_are_split_into_patch_and_merge_errors():
    # observables: output (patch 5), checks on patches 1-4; merge 1 is Z1 Z2 Z5
    events = carried_events({"obs_mistake_mask=EEE__": 20, "obs_mistake_mask=_E___": 5, "obs_mistake_mask=_EE__": 1},
                            shots=100)
    assert events["p_error_per_merge"][0] == 0.2 and events["z_error_per_patch"][0] == 0.05
    assert events["other"] == 0.01


def test_fit_through_origin_recovers_a_slope_and_scales_its_error_by_the_scatter():
    x = np.array([1e-3, 2e-3, 4e-3])
    exact = fit_through_origin(x, 7.1 * x, [1e-4] * 3)
    assert exact["c"] == pytest.approx(7.1) and exact["chi2_red"] == pytest.approx(0.0, abs=1e-12)
    noisy = fit_through_origin(x, 7.1 * x + np.array([1e-3, -1e-3, 1e-3]), [1e-4] * 3)
    assert noisy["sigma"] > fit_through_origin(x, 7.1 * x, [1e-4] * 3)["sigma"]
    assert fit_through_origin([], [], []) is None


def test_verify_factory_writes_summary_fit_stand_in_and_plot_and_resumes(tmp_path, capsys):
    args = ["verify", "factory", "--distance", "3", "--p", "2e-3", "--eps", "0.01", "--shots", "1000",
            "--max-errors", "100000", "--workers", "1", "--seed", "2", "--quiet", "--out", str(tmp_path)]
    assert main(args) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["distance"]["3"] == {"d": 3, "x": 3, "z": 3, "ok": True}
    (point,) = summary["points"]
    assert point["shots"] == 1000 and point["p_L"] > 0 and point["ratio"]["a"] > 0
    assert point["acceptance"]["low"] <= point["acceptance"]["best"] <= point["acceptance"]["high"]
    assert summary["fit"]["all"]["a"]["points"] == 1 and summary["paper"] == {"a": 7.1, "b": 356.0}
    (twin,) = summary["stand_in"]
    assert twin["shots"] == 1000 and 0 < twin["reject"] < 1 and len(twin["misread_per_merge"]) == 11
    assert twin["carried"]["shots"] == 1000 and len(twin["carried"]["p_error_per_merge"]) == 11
    assert (tmp_path / "plot.png").stat().st_size > 10_000
    out = capsys.readouterr().out
    assert (
        "graph-like distance 3 (factory), 3 (Z twin)" in out
        and "which the |+> stand-in cannot carry (it carries" in out
    )

    before = (tmp_path / "stats.csv").read_bytes()
    assert main(args) == 0  # every task finished: nothing is sampled again
    assert (tmp_path / "stats.csv").read_bytes() == before


@pytest.mark.parametrize("argv, message", [
    (["--distance", "9"], "3, 5 or 7"),
    (["--p", "0.5"], "[0, 0.5)"),
    (["--eps", "1.5"], "[0, 1)"),
])
def test_verify_factory_bad_input_is_a_clear_error(tmp_path, capsys, argv, message):
    assert main(["verify", "factory", *argv, "--quiet", "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
