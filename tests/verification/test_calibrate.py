"""The measured error model's calibration: recovered from exact synthetic counts; the command writes a model."""

import math

import pytest
import sinter

from magicpipe.cli import main
from magicpipe.error_models import resolve_error_model
from magicpipe.errors import SpecError
from magicpipe.verification.calibrate import FACTORY_COEFFICIENTS, STAND_IN_COSTS, ZERO_PATCH_COSTS, calibrate

A, P_TH, FACTORS = 0.1, 0.007, {3: 1.3, 5: 1.1}


def _stats(points, shots=10**13):
    """Exact counts of a per-patch p_L split evenly over two bases, 3 cycles per shot."""
    out = []
    for d, p in points:
        patch = A * (p / P_TH) ** ((d + 1) / 2) * FACTORS.get(d, 1.0)
        q = 1 - math.sqrt(1 - patch)  # per basis per cycle: 1 - (1 - q)^2 = patch
        shot = (1 - (1 - 2 * q) ** 3) / 2
        for basis in ("x", "z"):
            meta = {"kind": "memory", "d": d, "p": p, "rounds": 3 * d, "cycles": 3, "basis": basis}
            out.append(sinter.TaskStats(strong_id=f"{d}-{p}-{basis}", decoder="pymatching", json_metadata=meta,
                                        shots=shots, errors=round(shot * shots), discards=0, seconds=1.0))
    return out


POINTS = [(d, p) for d in (3, 5, 7, 9, 11) for p in (5e-4, 1e-3, 2e-3, 3e-3, 5e-3)]


def test_calibration_recovers_the_form_and_the_factors():
    result = calibrate(_stats(POINTS))
    fit = result["fit"]
    assert fit["distances"] == [7, 9, 11] and fit["points"] == 12  # p <= 3e-3 only
    assert fit["A"] == pytest.approx(A, rel=2e-3) and fit["p_th"] == pytest.approx(P_TH, rel=1e-3)
    assert {int(d): f["factor"] for d, f in result["factors"].items()} == pytest.approx(FACTORS, rel=2e-3)
    for pt in result["points"]:
        assert pt["measured_over_model"] == pytest.approx(1, rel=3e-3)
        assert pt["edge"] > pt["model"]
    for e in result["extrapolation"]:
        if e["fitted_on"][0] >= 7:
            assert e["measured_over_predicted"] == pytest.approx(1, rel=5e-3)
    model = result["model"]
    assert model["name"] == "measured" and model["pessimistic"]["name"] == "measured (pessimistic edge)"
    (d3, a3, sa3, b3, sb3), _ = FACTORY_COEFFICIENTS["15-to-1"]
    (_, xa3, sxa3, xb3, sxb3), *_ = STAND_IN_COSTS["15-to-1"]  # what the real protocol adds to the stand-in
    assert model["protocols"]["15-to-1"][0] == pytest.approx(
        {"from_distance": d3, "out_error_pl": a3 + xa3, "fail_pl": b3 + xb3})
    edge = model["pessimistic"]["protocols"]["15-to-1"][0]
    (_, zb3), *_ = ZERO_PATCH_COSTS["15-to-1"]  # the |0> patch's bound: at the edge only
    assert edge["fail_pl"] == pytest.approx(b3 + xb3 + 2 * math.hypot(sb3, sxb3) + zb3, abs=1e-4)
    assert edge["out_error_pl"] == pytest.approx(a3 + xa3 + 2 * math.hypot(sa3, sxa3), abs=1e-4)
    plain = calibrate(_stats(POINTS), zero_patch={})["model"]["pessimistic"]
    assert plain["protocols"]["15-to-1"][0]["fail_pl"] == pytest.approx(edge["fail_pl"] - zb3, abs=1e-4)


def test_the_shipped_model_is_what_verify_model_makes_of_the_shipped_data():
    from importlib import resources

    from magicpipe.compiler.errormodel import load_measured
    from magicpipe.verification.calibrate import factory_coefficients

    data = resources.files("magicpipe.compiler").joinpath("data")
    memory = sinter.stats_from_csv_files(str(data / "memory_stats.csv"))
    factory = factory_coefficients(sinter.stats_from_csv_files(str(data / "factory_stats.csv")))
    shipped = load_measured()
    result = calibrate(memory, coefficients=factory, provenance=shipped.provenance)
    assert result["model"] == shipped.info()
    assert {d for d, *_ in factory["15-to-1"]} == {3, 5, 7}


def test_the_stand_in_costs_are_what_the_shipped_real_protocol_runs_give():
    import json
    from importlib import resources

    from magicpipe.verification.calibrate import stand_in_costs_from_real

    data = json.loads(resources.files("magicpipe.compiler").joinpath("data/real_factory.json").read_text())
    assert stand_in_costs_from_real(data["runs"]) == STAND_IN_COSTS
    for run in data["runs"]:  # each run's own fit is what its points give (the summary was not edited)
        for key, fit in run["fit"].items():
            d = int(key[2:])
            pts = [pt for pt in run["points"] if pt["d"] == d]
            assert fit["b"]["c"] == pytest.approx(
                sum(pt["b"] * pt["p_L"]["p_L"] ** 2 / (pt["b_sigma"] * pt["p_L"]["p_L"]) ** 2 for pt in pts)
                / sum(1 / pt["b_sigma"] ** 2 for pt in pts), rel=1e-9)


def test_the_zero_patch_bound_widens_the_edge_and_leaves_the_centre():
    """The |0> patch's bound (docs/verification.md Sec. 3, an assumed twist 2) is in the measured model's
    pessimistic edge, per distance, and not in its central value."""
    import json
    from importlib import resources

    from magicpipe.compiler.errormodel import load_measured
    from magicpipe.verification.calibrate import zero_patch_costs_from_runs

    data = json.loads(resources.files("magicpipe.compiler").joinpath("data/zero_patch.json").read_text())
    assert data["twist"] == 2 and zero_patch_costs_from_runs(data["runs"], data["twist"]) == ZERO_PATCH_COSTS
    bound: dict[int, float] = {}  # as the command printed it: the largest over p at each distance
    for pt in (pt for run in data["runs"] for pt in run["points"]):
        bound[pt["d"]] = max(bound.get(pt["d"], 0.0), pt["twist_2"]["b"])
    assert sorted(bound) == [3, 5, 7] and all(18 < b < 29 for b in bound.values())
    model = load_measured()
    edge = model.pessimistic()
    rows = {r["d"]: r for r in json.loads(resources.files("magicpipe.compiler").joinpath(
        "data/measured.json").read_text())["coefficients"]["15-to-1"]}
    added = {d: (xa, xb) for d, xa, _, xb, _ in STAND_IN_COSTS["15-to-1"]}
    for d in (3, 5, 7, 9, 15, 25):
        ref = max(k for k in bound if k <= d)
        (a, b), (a_edge, b_edge) = model.coefficients("15-to-1", d), edge.coefficients("15-to-1", d)
        assert b_edge >= b + bound[ref], (d, b, b_edge, bound[ref])
        assert b_edge - b < bound[ref] + 5  # the bound plus 2 sigma of the fits, nothing more
        # the centre is the stand-in's plus what the real protocol adds: no bound in it
        assert (a, b) == pytest.approx((rows[ref]["a"] + added[ref][0], rows[ref]["b"] + added[ref][1]), abs=1e-9)
        assert a_edge - a < 2  # a: 2 sigma only (the bound adds nothing to a to first order)
    assert "ASSUMED twist 2" in edge.provenance and "magicpipe.verification.zero_patch" in edge.provenance
    assert "twist" not in model.provenance


def test_calibration_needs_two_distances():
    with pytest.raises(SpecError, match="two or more distances"):
        calibrate(_stats([(5, 1e-3), (5, 2e-3)]))
    with pytest.raises(SpecError, match=r"fit distances \[7, 13\]"):
        calibrate(_stats(POINTS), fit_distances=[7, 13])


def test_verify_model_writes_a_model_the_planner_reads(tmp_path, capsys):
    csv = tmp_path / "stats.csv"
    csv.write_text(sinter.CSV_HEADER + "\n" + "\n".join(s.to_csv_line() for s in _stats(POINTS)) + "\n")
    out = tmp_path / "model.json"
    assert main(["verify", "model", "--memory", str(csv), "--out", str(out)]) == 0
    model = resolve_error_model(str(out))
    assert model.name == "measured" and pytest.approx(A, rel=2e-3) == model.A
    assert "stats.csv" in model.provenance and "magicpipe verify model" in model.provenance
    assert "A = 0.1" in capsys.readouterr().out
