"""``magicpipe compile`` writes the whole program's stream (format 2), checked, next to plan.json."""

import json
import pathlib

import pytest

from magicpipe.cli import main

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def _counts(tmp_path, t_count: int) -> str:
    path = tmp_path / "counts.json"
    path.write_text(json.dumps({"numQubits": 4, "tCount": t_count}))
    return str(path)


@pytest.fixture(scope="module")
def pipeline_plan(tmp_path_factory) -> pathlib.Path:
    """One compilation of 2,000 T states on pipeline factories, read by the two tests below (each only reads)."""
    tmp_path = tmp_path_factory.mktemp("pipeline_plan")
    args = ["compile", "--counts", _counts(tmp_path, 2000), "--physical-error", "1e-3", "--magic-error", "1e-3",
            "--error-budget", "1e-6", "--factories", "pipeline", "--out", str(tmp_path / "o")]
    assert main(args) == 0
    return tmp_path


def test_compile_writes_the_whole_program_stream_of_a_two_level_point(pipeline_plan, capsys):
    tmp_path = pipeline_plan
    record = json.loads((tmp_path / "o" / "plan.json").read_text())
    chosen = record["front"][record["chosen"]]
    assert chosen["method"] == "dynamic" and len(chosen["distances"]) == 2
    assert record["stream"]["file"] == "schedule.lsi" and record["stream"]["format"] == 2
    assert record["stream"]["delivered"] == 2000
    from magicpipe.grammar.parser2 import open_program

    head, read, _, f = open_program(tmp_path / "o" / "schedule.lsi")
    with f:
        assert head.t_count == 2000 and len(head.copies) == chosen["copies"]
        assert head.data_distance == chosen["data_distance"]
    capsys.readouterr()
    assert main(["check", str(tmp_path / "o")]) == 0
    assert "delivered 2000" in capsys.readouterr().out


def test_a_catalogue_point_writes_its_stream(tmp_path, capsys):
    """The default factories (the catalogue: cultivation at p = eps = 1e-3) are laid out too: the chosen point's
    stream is written and checked, and delivers the program's states."""
    assert main(["compile", "--counts", _counts(tmp_path, 2000), "--physical-error", "1e-3", "--magic-error", "1e-3",
                 "--out", str(tmp_path / "o")]) == 0
    record = json.loads((tmp_path / "o" / "plan.json").read_text())
    chosen = record["front"][record["chosen"]]
    assert chosen["method"] in ("cultivation", "litinski") or chosen["method"].startswith("cultivation+")
    assert record["stream"]["file"] == "schedule.lsi" and record["stream"]["delivered"] == 2000
    assert record["stream"]["qubits"] >= chosen["factory_qubits"]
    capsys.readouterr()
    assert main(["check", str(tmp_path / "o")]) == 0
    assert "delivered 2000" in capsys.readouterr().out


@pytest.mark.slow
def test_the_readme_first_command_writes_its_stream(tmp_path, capsys):
    """``magicpipe compile examples/qft16.qasm --physical-error 1e-3 --magic-error 1e-3`` (the README's first
    command, ~15 s): cultivation is chosen and its stream written, checked, delivering every state."""
    assert main(["compile", str(EXAMPLES / "qft16.qasm"), "--physical-error", "1e-3", "--magic-error", "1e-3",
                 "--out", str(tmp_path / "o")]) == 0
    record = json.loads((tmp_path / "o" / "plan.json").read_text())
    chosen = record["front"][record["chosen"]]
    assert chosen["method"] == "cultivation" and (tmp_path / "o" / "schedule.lsi").exists()
    assert record["stream"]["delivered"] == record["demand"]["t_count"] > 5000
    # the stream runs at the plan's pace: measured +2.4%
    assert abs(record["stream"]["rounds"] - chosen["runtime_rounds"]) <= 0.05 * chosen["runtime_rounds"]


def _zero_patch_bounds() -> list[tuple[int, float]]:
    """(d, largest added b at twist 2) from the shipped zero_patch.json."""
    from importlib import resources

    data = json.loads(resources.files("magicpipe.compiler").joinpath("data/zero_patch.json").read_text())
    points = [pt for run in data["runs"] for pt in run["points"]]
    return [(d, max(pt["twist_2"]["b"] for pt in points if pt["d"] == d)) for d in sorted({pt["d"] for pt in points})]


def test_the_plan_names_its_error_model_and_its_sensitivity(pipeline_plan):
    from magicpipe.compiler.errormodel import load_measured

    tmp_path = pipeline_plan
    record = json.loads((tmp_path / "o" / "plan.json").read_text())
    model = load_measured()  # the default of every command that plans
    assert record["error_model"] == model.info()
    assert (record["error_model"]["memory"]["A"], record["error_model"]["memory"]["p_th"]) == (model.A, model.p_th)
    sens = record["sensitivity"]
    assert sens["model"] == "measured" and sens["edge_model"] == model.pessimistic().name
    chosen = record["front"][record["chosen"]]
    assert sens["nominal"]["distances"] == chosen["distances"]
    assert sens["nominal"]["data_distance"] == chosen["data_distance"]
    assert sens["changes"] == (sens["edge"] != sens["nominal"])
    # the nominal point under the edge model: a larger p_L, so a larger data error than under the model
    assert sens["nominal_at_edge"]["data_logical_error"] > dict(chosen["errors"])["logical"]
    # the edge holds the |0> patch's bound on b under an assumed twist (docs/model.md), and the plan says so: the
    # chosen level 1 succeeds less often at the edge by at least what the bound on b adds (p_succ = 1 - 15 eps - b p_L)
    assert "ASSUMED twist 2" in sens["edge_provenance"] and "zero_patch" in sens["edge_provenance"]
    from magicpipe.compiler import Hardware, Pipeline

    d1 = chosen["distances"][0]
    hw = Hardware(p=1e-3, eps=1e-3, model=model)
    bound = dict(_zero_patch_bounds())[max(d for d, _ in _zero_patch_bounds() if d <= d1)]
    p_l, p_l_edge = model.logical_error(d1, 1e-3), model.pessimistic().logical_error(d1, 1e-3)
    b = model.coefficients("15-to-1", d1)[1]
    nominal = Pipeline.from_distances(tuple(chosen["distances"]), hw).levels[0].p_succ
    drop = nominal - sens["nominal_at_edge"]["success_probabilities"][0]
    assert drop >= (b + bound) * p_l_edge - b * p_l - 1e-12, (d1, drop, b, bound, p_l, p_l_edge)
