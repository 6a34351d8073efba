"""``magicpipe verify logical|memory`` end to end with tiny shots: files, resume, reproducibility, errors."""

import json

import pytest
import sinter

from magicpipe.cli import main
from magicpipe.verification import load_logical_error_model, logical_task, sample_task


def _shots_by_metadata(path):
    return {json.dumps(s.json_metadata, sort_keys=True): s for s in sinter.stats_from_csv_files(path)}


def test_logical_writes_stats_summary_and_plot_and_resumes_without_redoing(tmp_path, capsys, monkeypatch):
    args = ["verify", "logical", "--eps", "0.05", "0.1", "--shots", "100000", "--workers", "1", "--seed", "3",
            "--quiet", "--out", str(tmp_path)]
    assert main(args) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [pt["eps"] for pt in summary["points"]] == [0.05, 0.1]
    assert all(pt["shots"] == 100_000 for pt in summary["points"])
    assert summary["rotation_check"]["15-to-1"]["ok"] is True
    for pt in summary["points"]:
        # sampled values agree with exact enumeration (5 sigma), and the formula gaps are recorded
        assert abs(pt["deviation_sigma"]["acceptance"]) < 5 and abs(pt["deviation_sigma"]["output_error"]) < 5
        assert pt["acceptance"]["low"] <= pt["acceptance"]["best"] <= pt["acceptance"]["high"]
    assert summary["points"][0]["gap"]["acceptance"] == pytest.approx(-0.46359, rel=1e-4)
    assert (tmp_path / "plot.png").stat().st_size > 10_000
    assert "wrote" in capsys.readouterr().out

    before = (tmp_path / "stats.csv").read_bytes()

    def no_sampling(**kwargs):
        raise AssertionError("every task is finished: sinter (and its workers) must not start")

    monkeypatch.setattr(sinter, "collect", no_sampling)
    assert main(args) == 0  # same --out: every task is finished, nothing is sampled
    assert (tmp_path / "stats.csv").read_bytes() == before
    again = json.loads((tmp_path / "summary.json").read_text())["points"]
    drop_time = lambda pts: [{k: v for k, v in pt.items() if k != "seconds"} for pt in pts]  # noqa: E731
    assert drop_time(again) == drop_time(summary["points"])


def test_one_worker_reproduces_the_in_process_sample(tmp_path):
    assert main(["verify", "logical", "--eps", "0.05", "--shots", "150000", "--workers", "1", "--seed", "8",
                 "--quiet", "--out", str(tmp_path)]) == 0
    (point,) = json.loads((tmp_path / "summary.json").read_text())["points"]
    local = sample_task(logical_task(0.05), shots=150_000, seed=8, batch_size=1 << 16)
    measured = (point["shots"], point["shots"] - point["accepted"], point["errors"])
    assert measured == (local.shots, local.discards, local.errors)


def test_memory_fits_and_resumes_with_more_shots(tmp_path):
    base = ["verify", "memory", "--distance", "3", "5", "--p", "8e-3", "--cycles", "1", "--max-errors", "100000",
            "--min-fit-errors", "5", "--workers", "1", "--seed", "1", "--quiet", "--out", str(tmp_path)]
    assert main(base + ["--shots", "3000"]) == 0
    first = _shots_by_metadata(tmp_path / "stats.csv")
    assert len(first) == 4 and all(s.shots == 3000 for s in first.values())
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["fit"] is not None and summary["paper"] == {"A": 0.03, "p_th": 0.01}
    model = load_logical_error_model(tmp_path / "summary.json")
    assert model.source == f"fit: {tmp_path / 'summary.json'}" and summary["fit"]["A"] == model.A

    assert main(base + ["--shots", "5000"]) == 0  # continues each task from 3000 to 5000 shots
    second = _shots_by_metadata(tmp_path / "stats.csv")
    assert second.keys() == first.keys() and all(s.shots == 5000 for s in second.values())


@pytest.mark.parametrize(
    "argv, message",
    [
        (["verify", "memory", "--distance", "4", "--p", "1e-3"], "odd integer >= 3"),
        (["verify", "memory", "--distance", "3", "--p", "0.7"], "(0, 0.5)"),
        (["verify", "logical", "--eps", "1.5"], "eps must lie in (0, 1)"),
        (["verify", "logical", "--eps", "0.1", "--shots", "0"], "shots must be a positive integer"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, capsys, argv, message):
    assert main(argv + ["--quiet", "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
