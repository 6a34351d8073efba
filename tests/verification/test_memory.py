"""Surface-code memory: circuits, per-cycle conversion, the Eq. 2 fit and its loader, a stored measurement."""

import json
import math

import numpy as np
import pytest

from magicpipe.compiler.hardware import LogicalErrorModel
from magicpipe.errors import SpecError
from magicpipe.verification import (
    fit_eq2,
    load_logical_error_model,
    memory_circuit,
    memory_task,
    patch_rate,
    per_cycle_rate,
    sample_task,
)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"d": 4, "p": 1e-3}, "odd integer >= 3"),
        ({"d": 1, "p": 1e-3}, "odd integer >= 3"),
        ({"d": 3, "p": 0.0}, r"\(0, 0.5\)"),
        ({"d": 3, "p": 0.5}, r"\(0, 0.5\)"),
        ({"d": 3, "p": 1e-3, "cycles": 0}, "cycles"),
        ({"d": 3, "p": 1e-3, "basis": "y"}, "basis"),
    ],
)
def test_bad_memory_parameters_are_rejected(kwargs, message):
    with pytest.raises(SpecError, match=message):
        memory_circuit(**kwargs)


def test_memory_circuit_has_d_rounds_per_cycle_and_distance_d():
    circuit = memory_circuit(5, 1e-3, cycles=2, basis="z")
    # 10 rounds of 24 stabilisers, of which the first and the last readout give 12 (Z-type) detectors each
    assert circuit.num_detectors == 9 * 24 + 12 + 12
    assert len(circuit.shortest_graphlike_error()) == 5
    assert memory_task(5, 1e-3, cycles=2, basis="z").json_metadata["rounds"] == 10


def test_per_cycle_rate_inverts_independent_cycles():
    q, cycles = 0.013, 4
    shot = (1 - (1 - 2 * q) ** cycles) / 2  # an odd number of the 4 cycles flipped
    assert per_cycle_rate(shot, cycles) == pytest.approx(q, rel=1e-12)
    assert per_cycle_rate(1e-6, 3) == pytest.approx(1e-6 / 3, rel=1e-5)
    assert patch_rate([0.01, 0.02]) == pytest.approx(0.01 + 0.02 - 0.01 * 0.02)


def test_fit_recovers_known_constants_from_synthetic_data_exactly():
    A, p_th = 0.07, 0.0062
    rows = [(d, p) for d in (3, 5, 7) for p in (5e-4, 1e-3, 2e-3, 4e-3)]
    d, p = zip(*rows)
    p_l = [A * (q / p_th) ** ((k + 1) / 2) for k, q in rows]
    sigma = np.random.default_rng(1).uniform(0.05, 0.5, len(rows))  # any weights: the data are exact
    fit = fit_eq2(d, p, p_l, sigma)
    assert pytest.approx(A, rel=1e-9) == fit.A
    assert fit.p_th == pytest.approx(p_th, rel=1e-9)
    assert fit.chi2_red == pytest.approx(0, abs=1e-12)
    assert fit.points == len(rows)
    model = fit.to_model("fit: synthetic")
    assert model == LogicalErrorModel(A=fit.A, p_th=fit.p_th, source="fit: synthetic")
    assert model.logical_error(5, 1e-3) == pytest.approx(A * (1e-3 / p_th) ** 3, rel=1e-9)


def test_fit_uncertainty_covers_the_truth_on_noisy_data():
    rng = np.random.default_rng(7)
    A, p_th = 0.05, 0.008
    rows = [(d, p) for d in (3, 5, 7) for p in (1e-3, 2e-3, 4e-3)]
    d, p = zip(*rows)
    sigma = np.full(len(rows), 0.1)
    p_l = [A * (q / p_th) ** ((k + 1) / 2) * math.exp(rng.normal(0, 0.1)) for k, q in rows]
    fit = fit_eq2(d, p, p_l, sigma)
    assert abs(math.log(fit.A / A)) < 3 * fit.sigma_log_A
    assert abs(math.log(fit.p_th / p_th)) < 3 * fit.sigma_log_p_th
    assert fit.A_interval[0] < fit.A < fit.A_interval[1]


def test_fit_needs_two_distances_and_positive_rates():
    with pytest.raises(SpecError, match="two or more distances"):
        fit_eq2([3, 3], [1e-3, 2e-3], [1e-4, 4e-4])
    with pytest.raises(SpecError, match="positive"):
        fit_eq2([3, 5], [1e-3, 1e-3], [1e-4, 0.0])


def test_load_logical_error_model_from_a_summary(tmp_path):
    path = tmp_path / "summary.json"
    path.write_text(json.dumps({"kind": "memory", "fit": {"A": 0.04, "p_th": 0.006}}))
    model = load_logical_error_model(path)
    assert (model.A, model.p_th, model.source) == (0.04, 0.006, f"fit: {path}")
    path.write_text(json.dumps({"kind": "memory", "fit": None}))
    with pytest.raises(SpecError, match="no fitted"):
        load_logical_error_model(path)
    with pytest.raises(SpecError, match="cannot read"):
        load_logical_error_model(tmp_path / "missing.json")


# Measured with `magicpipe verify memory --distance 3 --p 5e-3 --cycles 1 --basis x z --shots 10000000
# --max-errors 100000000 --seed 2024` (stim 1.16, pymatching 2.4): errors per 10^7 shots.
STORED_D3_P5E3 = {"x": 192_440, "z": 172_168}


@pytest.mark.parametrize("basis", ["x", "z"])
def test_memory_d3_matches_the_stored_measurement(basis):
    stored = STORED_D3_P5E3[basis] / 10**7
    stats = sample_task(memory_task(3, 5e-3, cycles=1, basis=basis), shots=100_000, seed=5)
    sigma = math.sqrt(stored * (1 - stored) / stats.shots)
    assert stats.shots == 100_000
    assert abs(stats.errors / stats.shots - stored) < 5 * sigma
