"""Error models as data: the shipped models, coefficients that travel with their p_L, bad input, sensitivity."""

import json
import math
from dataclasses import replace
from importlib import resources

import pytest

from magicpipe.compiler import FIFTEEN_TO_ONE, PAPER, ErrorModel, Factory, Hardware, LogicalErrorModel, Pipeline
from magicpipe.compiler.errormodel import ProtocolCoefficients, load_measured
from magicpipe.compiler.sensitivity import sensitivity
from magicpipe.error_models import resolve_error_model
from magicpipe.errors import InfeasibleError, SpecError

MEASURED = load_measured()


def _calibration() -> dict:
    return json.loads(resources.files("magicpipe.compiler").joinpath("data/measured.json").read_text())


def test_measured_is_a_lazy_module_attribute():
    from magicpipe.compiler.errormodel import MEASURED as lazy

    assert lazy is MEASURED and lazy.name == "measured"


def test_paper_is_eq2_with_the_papers_coefficients():
    assert PAPER.logical_error(5, 1e-4) == pytest.approx(0.03 * (1e-4 / 1e-2) ** 3, rel=1e-12)
    assert [PAPER.coefficients(FIFTEEN_TO_ONE, d) for d in (3, 15, 41)] == [(7.1, 356.0)] * 3
    assert Hardware().model == PAPER and LogicalErrorModel() is PAPER
    assert [Hardware().logical_error(d) for d in (3, 5)] == [PAPER.logical_error(d, 1e-4) for d in (3, 5)]


def test_a_model_left_unchosen_stays_unchosen_and_plans_as_the_paper():
    """The core's default is the paper's model by value, told apart from an explicit ``model=PAPER`` (which the
    public entry points keep) through replace, copies and pickles."""
    import copy
    import dataclasses
    import pickle

    hw = Hardware(p=1e-3, eps=1e-3)
    explicit = Hardware(p=1e-3, eps=1e-3, model=PAPER)
    assert hw == explicit and not hw.model_chosen and explicit.model_chosen and explicit.model is PAPER
    for again in (dataclasses.replace(hw, p=2e-3), copy.copy(hw), copy.deepcopy(hw), pickle.loads(pickle.dumps(hw))):
        assert not again.model_chosen and again.model == PAPER
    assert pickle.loads(pickle.dumps(explicit)).model_chosen and pickle.loads(pickle.dumps(explicit)) == explicit
    assert dataclasses.replace(hw, model=MEASURED).model_chosen


def test_measured_reproduces_its_own_data_within_its_interval():
    data = _calibration()
    assert data["model"] == MEASURED.info()
    edge = MEASURED.pessimistic()
    assert edge.name != MEASURED.name
    for pt in data["points"]:
        d, p = pt["d"], pt["p"]
        model, high = MEASURED.logical_error(d, p), edge.logical_error(d, p)
        assert model == pytest.approx(pt["model"], rel=1e-12)
        assert high > model
        low = model * model / high  # the interval, symmetric in log about the model
        # the measurement's own ~95% interval meets the model's
        assert pt["low"] <= high and pt["high"] >= low, (d, p, pt["low"], pt["high"], low, high)


def test_measured_is_fitted_where_plans_work_and_above_the_paper():
    data = _calibration()
    assert data["fit"]["distances"] == sorted(data["fit"]["distances"])[-3:]
    assert max(data["fit"]["distances"]) >= 9
    for d in (5, 9, 15, 25):  # the project's simulations sit 5-100x above Eq. 2 with the paper's constants
        assert MEASURED.logical_error(d, 1e-3) > 3 * PAPER.logical_error(d, 1e-3)
        assert MEASURED.pessimistic().logical_error(d, 1e-4) >= MEASURED.logical_error(d, 1e-4)


def test_coefficients_come_from_the_same_model_as_p_l():
    eps = 1e-3
    for model, (a, b) in ((PAPER, (7.1, 356.0)), (MEASURED, MEASURED.coefficients("15-to-1", 5))):
        f = Factory(FIFTEEN_TO_ONE, 5, Hardware(p=1e-3, eps=eps, model=model))
        p_l = model.logical_error(5, 1e-3)
        assert f.output_error(eps) == pytest.approx(35 * eps**3 + a * p_l, rel=1e-12)
        assert f.success_probability(eps) == pytest.approx(1 - 15 * eps - b * p_l, rel=1e-12)
    a3, b3 = MEASURED.coefficients("15-to-1", 3)
    a5, b5 = MEASURED.coefficients("15-to-1", 5)
    a7, b7 = MEASURED.coefficients("15-to-1", 7)
    assert MEASURED.coefficients("15-to-1", 21) == (a7, b7) and (a7, b7) != (a5, b5)  # measured at d = 7
    assert a3 > a5 and b3 > b5 > b7
    # docs/verification.md Sec. 3: the stand-in's 8.5 and 62 at d = 5, plus the real protocol's 1.3 and 37
    assert 9 < a5 < 11 and 90 < b5 < 110 and 8.5 < a7 < 11 and 80 < b7 < 105


def test_a_calibrated_p_l_is_never_paired_with_the_papers_coefficients():
    custom = LogicalErrorModel(0.06, 0.006, "fit: somewhere")
    assert custom.name == "custom" and custom.source == "fit: somewhere"
    assert custom.protocols == MEASURED.protocols
    assert all(custom.coefficients("15-to-1", d) != PAPER.coefficients("15-to-1", d) for d in (3, 5, 7))
    bare = ErrorModel("memory only", 0.06, 0.006)
    with pytest.raises(SpecError, match="no p_L coefficients for protocol '15-to-1'"):
        Factory(FIFTEEN_TO_ONE, 5, Hardware(p=1e-3, eps=1e-3, model=bare)).output_error(1e-3)


def test_piecewise_coefficients():
    c = ProtocolCoefficients("x", ((3, 9.0, 70.0), (7, 8.0, 60.0)))
    assert [c.at(d) for d in (1, 3, 5, 7, 99)] == [(9.0, 70.0)] * 3 + [(8.0, 60.0)] * 2


def test_model_file_round_trip(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(MEASURED.info()))
    assert resolve_error_model(str(path)) == MEASURED
    path.write_text(json.dumps(_calibration()))
    assert resolve_error_model(str(path)) == MEASURED
    path.write_text(json.dumps({"kind": "memory", "fit": {"A": 0.05, "p_th": 0.006}}))
    assert resolve_error_model(str(path)).name == "custom"
    assert resolve_error_model("paper") is PAPER and resolve_error_model("measured") is MEASURED


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("memory"), r"missing \['memory'\]"),
    (lambda d: d.pop("protocols"), r"missing \['protocols'\]"),
    (lambda d: d["memory"].pop("p_th"), "must give 'A' and 'p_th'"),
    (lambda d: d["memory"].update(A=-0.05), "prefactor A must be a finite number > 0, got -0.05"),
    (lambda d: d["memory"].update(p_th=1.5), r"threshold p_th must lie in \(0, 1\)"),
    (lambda d: d["protocols"]["15-to-1"][0].update(fail_pl=-3.0), r"fail_pl \(b\) must be a finite number >= 0"),
    (lambda d: d["protocols"]["15-to-1"][0].pop("out_error_pl"), "malformed"),
    (lambda d: d["memory"]["corrections"].append({"distance": 4, "factor": 1.0}), "odd positive code distance"),
])
def test_bad_model_files_are_refused(tmp_path, change, message):
    data = json.loads(json.dumps(MEASURED.info()))
    change(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(SpecError, match=message):
        resolve_error_model(str(path))


def test_unknown_names_and_unreadable_files():
    with pytest.raises(SpecError, match="neither 'paper', 'measured' nor an existing JSON file"):
        resolve_error_model("measurd")


def test_p_above_the_models_threshold_is_refused_naming_it():
    p_th = MEASURED.p_th
    with pytest.raises(SpecError, match=rf"p_th={p_th:g}\), the threshold of error model 'measured'"):
        Hardware(p=p_th * 1.01, eps=1e-3, model=MEASURED)
    Hardware(p=p_th * 0.99, eps=1e-3, model=MEASURED)  # just below is fine
    with pytest.raises(SpecError, match="threshold of error model 'paper'"):
        Hardware(p=0.012, eps=1e-3)


def _least_d2(target):
    """The planning step of the tests: the least d2 for which (7, d2) reaches ``target``."""
    def choose(h):
        for d in range(7, 41, 2):
            if Pipeline.from_distances((7, d), h).output_error <= target:
                return {"d2": d}
        raise InfeasibleError(f"no d2 <= 39 reaches {target:g}")
    return choose


def test_sensitivity_says_whether_the_choice_stands_at_the_edge():
    hw = Hardware(p=1e-3, eps=1e-3, model=MEASURED)
    stands = sensitivity(_least_d2(1e-8), hw)
    assert dict(stands.nominal) == dict(stands.edge) == {"d2": 19} and not stands.changes
    # 3e-9 is within reach of the model (d2 = 21) but not of its edge: its level-1 output error, with the
    # edge's larger a, leaves a floor 35 eps_1^3 above the target
    def evaluate(h):
        return {"out": Pipeline.from_distances((7, 21), h).output_error}

    fails = sensitivity(_least_d2(3e-9), hw, evaluate=evaluate)
    assert dict(fails.nominal) == {"d2": 21} and fails.edge is None and fails.changed == ("d2",)
    assert "no d2 <= 39 reaches 3e-09" in fails.reason and "infeasible" in fails.message()
    assert dict(fails.nominal_at_edge)["out"] > 3e-9
    paper = sensitivity(_least_d2(1e-8), Hardware(p=1e-3, eps=1e-3))
    assert paper.message().startswith("error model 'paper' states no") and not paper.changes


def test_sensitivity_when_the_edge_refuses_p():
    edge = replace(MEASURED, name="tight", p_th=2e-3, edge=None)
    model = replace(MEASURED, edge=edge)
    s = sensitivity(lambda h: {"p_L": h.logical_error(5)}, Hardware(p=3e-3, eps=1e-3, model=model))
    assert not s.feasible_at_edge and "threshold of error model 'tight'" in s.reason
    assert s.changed == ("p_L",) and math.isfinite(dict(s.nominal)["p_L"])
