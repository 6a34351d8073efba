"""``magicpipe protocols``: table, JSON, bad input."""

from __future__ import annotations

import json

import pytest

from magicpipe.cli import main


def test_reference_set_under_litinskis_physics_prints_his_figures(capsys):
    assert main(["protocols", "--physics", "litinski", "--physical-error", "1e-3", "--kinds", "T"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "(15-to-1)^6_{13,5,5} x (20-to-4)_{23,11,13}" in line)
    assert "43,344" in row and "130.0" in row and "1.44e-10" in row
    assert "8-to-CCZ)_{25" not in out  # CCZ entries left out by --kinds T


def test_json_lists_layouts_and_entries_meeting_the_target(capsys):
    assert main(["protocols", "--physical-error", "1e-3", "--magic-error", "1e-3", "--target", "1e-12", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "magicpipe.protocols/1" and doc["target"] == 1e-12
    assert {p["protocol"] for p in doc["protocols"]} == {"15-to-1", "20-to-4", "8-to-CCZ"}
    assert doc["entries"] and all(e["output_error"] <= 1e-12 for e in doc["entries"])
    assert {e["kind"] for e in doc["entries"]} == {"T", "CCZ"}
    # the target is below cultivation's floor: said so, and cultivation only appears feeding distillation
    assert any("below magic-state cultivation's floor" in n for n in doc["notes"])
    assert all(e["method"] != "cultivation" for e in doc["entries"])


def test_below_the_published_p_cultivation_is_offered_as_a_stated_bound(capsys):
    argv = ["protocols", "--physical-error", "1e-4", "--target", "1e-8", "--kinds", "T", "--json"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    bare = [e for e in doc["entries"] if e["method"] == "cultivation"]
    assert bare and all("conservative bound for p = 0.0001" in e["data"] for e in bare)
    assert any("conservative bound" in n for n in doc["notes"])


@pytest.mark.parametrize("argv, message", [
    (["protocols", "--kinds", "S"], "--kinds must list T and/or CCZ"),
    (["protocols", "--physics", "litinski", "--magic-error", "1e-3"], "drop --magic-error"),
    (["protocols", "--target", "0"], "target error must lie in (0, 1)"),
])
def test_bad_input_exits_2_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("magicpipe protocols: error: ") and message in err


def test_the_error_model_sets_the_memory_physics(capsys):
    from magicpipe.compiler import Hardware
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue import one_level
    from magicpipe.error_models import resolve_error_model

    errors = {}
    for model in ("paper", "measured"):
        assert main(["protocols", "--physical-error", "1e-3", "--kinds", "T", "--json", "--error-model", model]) == 0
        doc = json.loads(capsys.readouterr().out)
        entry = next(e for e in doc["entries"] if e["name"] == "(15-to-1)_{17,7,7}")
        noise = NoiseModel.from_hardware(Hardware(p=1e-3, eps=1e-3, model=resolve_error_model(model)))
        assert entry["output_error"] == pytest.approx(one_level(noise, (17, 7, 7)).output_error, rel=1e-12)
        errors[model] = (entry["output_error"], noise.cycle_error(7))
    # the measured memory model's p_L at d = 7 is above Eq. 2's, and so is the block's output error
    assert errors["measured"][1] > errors["paper"][1] and errors["measured"][0] > errors["paper"][0]
