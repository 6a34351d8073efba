"""``magicpipe report`` on each kind of input: a stream, a summary.json (a folder), a plan.json."""

import json

import pytest

from magicpipe.cli import main
from magicpipe.report import SCHEMA


def _metrics(out):
    data = json.loads((out / "metrics.json").read_text())
    assert data["schema"] == SCHEMA
    drawn = {f.suffix for f in out.glob("spacetime.*")}
    assert (out / "report.html").exists() and drawn in (set(), {".png"}, {".png", ".svg"})
    return data


def test_report_of_a_pipeline_folder_and_its_stream(tmp_path, capsys):
    # the measured model (the default): d = 3 cannot improve eps = 1e-4 under it, which does not matter here
    assert main(["pipeline", "--distances", "3,5", "--allow-non-improving", "--out", str(tmp_path / "p")]) == 0
    assert main(["report", str(tmp_path / "p"), "--out", str(tmp_path / "r"), "--no-front", "--pictures", "none"]) == 0
    assert sorted(f.name for f in (tmp_path / "r").iterdir() if not f.name.startswith(".")) == ["metrics.json",
                                                                                         "report.html"]
    from_summary = _metrics(tmp_path / "r")
    assert from_summary["source"] == "summary summary.json"
    assert not (tmp_path / "r" / "front.png").exists()
    assert main(["report", str(tmp_path / "p" / "schedule.lsi"), "--out", str(tmp_path / "s"),
                 "--times", "0,40", "--pictures", "png"]) == 0
    from_stream = _metrics(tmp_path / "s")
    assert any("error model 'measured' read from the summary.json" in n for n in from_stream["notes"])
    a, b = from_summary["architectures"], from_stream["architectures"]
    assert set(a) == {"dynamic", "sequential", "parallel"}
    for name in a:
        for key in ("makespan", "throughput", "utilisation", "stalls", "reuse", "buffers", "yield"):
            assert a[name][key] == b[name][key], (name, key)
    assert (tmp_path / "s" / "front.png").exists() and not list((tmp_path / "s").glob("*.svg"))
    assert "front.svg" not in (tmp_path / "s" / "report.html").read_text()
    summary = json.loads((tmp_path / "p" / "summary.json").read_text())
    assert a["dynamic"]["qubit_budget"] == summary["dynamic_min_volume"]["qubits"]
    assert a["dynamic"]["cost_per_state"]["model_rounds"] == pytest.approx(summary["dynamic_min_volume"]["rounds"])
    assert "qubit-us/state" in capsys.readouterr().out


def test_a_lone_stream_names_its_model_in_a_comment(tmp_path, capsys):
    assert main(["pipeline", "--distances", "5,7", "--error-model", "paper", "--out", str(tmp_path / "p")]) == 0
    lone = tmp_path / "lone" / "schedule.lsi"
    lone.parent.mkdir()
    lone.write_text((tmp_path / "p" / "schedule.lsi").read_text())
    assert lone.read_text().startswith("# error_model: ErrorModel(name='paper'")
    assert main(["report", str(lone), "--out", str(tmp_path / "r"), "--no-front", "--pictures", "none"]) == 0
    notes = _metrics(tmp_path / "r")["notes"]
    assert any("error model 'paper' read from the stream's first-line comment" in n for n in notes)


def _compile_counts(tmp_path, t_count: int, *options: str) -> dict:
    (tmp_path / "counts.json").write_text(json.dumps({"numQubits": 20, "tCount": t_count}))
    assert main(["compile", "--counts", str(tmp_path / "counts.json"), "--factories", "pipeline", *options,
                 "--out", str(tmp_path / "c")]) == 0
    return json.loads((tmp_path / "c" / "plan.json").read_text())


def test_report_of_a_plan_uses_its_point_and_program_rate(tmp_path):
    plan = _compile_counts(tmp_path, 20_000, "--physical-error", "1e-3", "--magic-error", "1e-3")
    chosen = plan["front"][plan["chosen"]]
    assert chosen["method"] == "dynamic" and len(chosen["distances"]) == 2
    assert main(["report", str(tmp_path / "c" / "plan.json"), "--out", str(tmp_path / "r"), "--no-front",
                 "--pictures", "none"]) == 0
    data = _metrics(tmp_path / "r")
    dyn = data["architectures"]["dynamic"]
    assert dyn["qubit_budget"] == chosen["source"]["qubits"]  # the plan's own point, planned again
    assert data["program"]["states"] == 20_000


def test_report_of_a_one_level_plan(tmp_path):
    plan = _compile_counts(tmp_path, 100)
    (d,) = plan["pipeline_distances"]
    assert main(["report", str(tmp_path / "c" / "plan.json"), "--out", str(tmp_path / "r"), "--pictures", "none"]) == 0
    data = _metrics(tmp_path / "r")
    assert data["architectures"]["dynamic"]["makespan"]["rounds"] == 11 * d  # one factory: 11 steps of d rounds
    assert any("one level" in n for n in data["notes"])


def test_report_of_a_plan_takes_its_baselines_at_the_chosen_points_distances(tmp_path):
    """300 T at p = eps = 1e-4: the least-volume pipeline is one level at d = 7, the chosen point one level at
    d = 5; the report measures the chosen point and its baselines at d = 5, and says so."""
    from magicpipe.compiler import Hardware, Pipeline
    from magicpipe.compiler.baselines import parallel, sequential
    from magicpipe.compiler.errormodel import load_measured

    plan = _compile_counts(tmp_path, 300, "--physical-error", "1e-4", "--magic-error", "1e-4")
    own, least = tuple(plan["front"][plan["chosen"]]["distances"]), tuple(plan["pipeline_distances"])
    assert own != least and len(own) == 1  # the case this test is about (else pick another program)
    assert main(["report", str(tmp_path / "c" / "plan.json"), "--out", str(tmp_path / "r"), "--pictures", "none"]) == 0
    data = _metrics(tmp_path / "r")
    archs = data["architectures"]
    assert archs["dynamic"]["makespan"]["rounds"] == 11 * own[0]  # one factory at the chosen distance
    pipe = Pipeline.from_distances(own, Hardware(p=1e-4, eps=1e-4, model=load_measured()))
    assert archs["sequential"]["qubit_budget"] == sequential(pipe).qubits
    assert archs["parallel"]["qubit_budget"] == parallel(pipe).qubits
    assert any(f"distances {own}" in n and f"distances {least}" in n for n in data["notes"])


def test_bad_inputs_are_refused_with_the_fix(tmp_path, capsys):
    (tmp_path / "x.json").write_text("{}")
    assert main(["report", str(tmp_path / "x.json"), "--out", str(tmp_path / "r")]) == 2
    assert "plan.json" in capsys.readouterr().err
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert "holds none of" in capsys.readouterr().err
    (tmp_path / "s.lsi").write_text("MAGICPIPE_LSI 1\n")
    assert main(["report", str(tmp_path / "s.lsi"), "--out", str(tmp_path / "r"), "--times", "x"]) == 2
    assert "--times" in capsys.readouterr().err
