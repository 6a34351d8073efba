"""``magicpipe report`` on each kind of input: a stream, a summary.json (a folder), a plan.json."""

import json
import math

import pytest

from magicpipe.cli import main
from magicpipe.report import SCHEMA


def _metrics(out):
    data = json.loads((out / "metrics.json").read_text())
    assert data["schema"] == SCHEMA
    assert (out / "report.html").exists() and (out / "spacetime.svg").exists()
    return data


def test_report_of_a_pipeline_folder_and_its_stream(tmp_path, capsys):
    assert main(["pipeline", "--distances", "3,5", "--out", str(tmp_path / "p")]) == 0
    assert main(["report", str(tmp_path / "p"), "--out", str(tmp_path / "r"), "--no-front"]) == 0
    from_summary = _metrics(tmp_path / "r")
    assert from_summary["source"] == "summary summary.json"
    assert not (tmp_path / "r" / "front.png").exists()
    assert main(["report", str(tmp_path / "p" / "schedule.lsi"), "--out", str(tmp_path / "s"),
                 "--times", "0,40"]) == 0
    from_stream = _metrics(tmp_path / "s")
    a, b = from_summary["architectures"], from_stream["architectures"]
    assert set(a) == {"dynamic", "sequential", "parallel"}
    for name in a:
        for key in ("makespan", "throughput", "utilisation", "stalls", "reuse", "buffers", "yield"):
            assert a[name][key] == b[name][key], (name, key)
    assert (tmp_path / "s" / "front.png").exists()
    summary = json.loads((tmp_path / "p" / "summary.json").read_text())
    assert a["dynamic"]["qubit_budget"] == summary["dynamic_min_volume"]["qubits"]
    assert a["dynamic"]["cost_per_state"]["model_rounds"] == pytest.approx(summary["dynamic_min_volume"]["rounds"])
    assert "qubit-us/state" in capsys.readouterr().out


def _plan(tmp_path, t_count, *hardware):
    counts = tmp_path / "counts.json"
    counts.write_text(json.dumps({"numQubits": 20, "tCount": t_count}))
    out = str(tmp_path / "c")
    assert main(["compile", "--counts", str(counts), "--factories", "pipeline", *hardware, "--out", out]) == 0
    plan = json.loads((tmp_path / "c" / "plan.json").read_text())
    return plan, plan["front"][plan["chosen"]]


def test_report_of_a_plan_uses_its_point_and_program_rate(tmp_path):
    plan, chosen = _plan(tmp_path, 1_000_000, "--physical-error", "1e-3", "--magic-error", "1e-3")
    assert len(plan["pipeline_distances"]) == 2
    assert main(["report", str(tmp_path / "c" / "plan.json"), "--out", str(tmp_path / "r"), "--no-front"]) == 0
    data = _metrics(tmp_path / "r")
    dyn = data["architectures"]["dynamic"]
    assert dyn["distances"] == plan["pipeline_distances"]
    assert dyn["qubit_budget"] == chosen["source"]["qubits"]
    assert data["program"]["states"] == 1_000_000
    cost = dyn["cost_per_state"]
    copies = math.ceil(1_000_000 / math.floor(data["program"]["rounds"] / cost["model_rounds"]))
    assert cost["program_copies"] == copies
    assert cost["program_qubits"] == copies * dyn["qubit_budget"]


def test_report_of_a_one_level_plan(tmp_path):
    plan, chosen = _plan(tmp_path, 20_000)  # p = eps = 1e-4: one d = 7 factory is enough
    assert plan["pipeline_distances"] == [7]
    assert main(["report", str(tmp_path / "c" / "plan.json"), "--out", str(tmp_path / "r")]) == 0
    data = _metrics(tmp_path / "r")
    assert data["architectures"]["dynamic"]["makespan"]["rounds"] == 77  # one d=7 factory: 11 steps x 7 rounds
    assert any("one level" in n for n in data["notes"])


def test_bad_inputs_are_refused_with_the_fix(tmp_path, capsys):
    (tmp_path / "x.json").write_text("{}")
    assert main(["report", str(tmp_path / "x.json"), "--out", str(tmp_path / "r")]) == 2
    assert "plan.json" in capsys.readouterr().err
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert "holds none of" in capsys.readouterr().err
    (tmp_path / "s.lsi").write_text("MAGICPIPE_LSI 1\n")
    assert main(["report", str(tmp_path / "s.lsi"), "--out", str(tmp_path / "r"), "--times", "x"]) == 2
    assert "--times" in capsys.readouterr().err
