"""``magicpipe pipeline`` and ``magicpipe bench``: small runs end to end, files and values checked."""

import csv
import json

import pytest

from magicpipe.cli import main


def test_pipeline_command(tmp_path, capsys):
    assert main(["pipeline", "--distances", "5,17", "--error-model", "paper", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["sequential"] == {"qubits": 11760, "rounds": 242, "volume": 11760 * 242}
    assert summary["parallel"]["qubits"] == 17926
    assert summary["dynamic_min_volume"]["qubits"] == 9782
    assert abs(100 * summary["reduction_vs_sequential"] - 16.5) <= 1.0
    assert summary["logical_error_model"]["source"].startswith("paper Eq. 2")
    assert summary["error_model"]["name"] == "paper" and summary["at_pessimistic_edge"] is None
    front = list(csv.DictReader((tmp_path / "front.csv").open()))
    assert len(front) == summary["front_points"] >= 3
    schedule = json.loads((tmp_path / "schedule.json").read_text())
    assert schedule["peak_qubits"] <= schedule["qubit_budget"] == 9782
    assert (tmp_path / "front.png").stat().st_size > 10_000
    assert "16.4% below sequential" in capsys.readouterr().out


def test_pipeline_command_defaults_to_the_measured_model(tmp_path, capsys):
    from magicpipe.compiler import Hardware, Pipeline
    from magicpipe.compiler.errormodel import load_measured

    assert main(["pipeline", "--distances", "5,17", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["error_model"] == load_measured().info()
    expected = Pipeline.from_distances((5, 17), Hardware(model=load_measured()))
    assert [lv["eps_out"] for lv in summary["levels"]] == [lv.eps_out for lv in expected.levels]
    assert "(error model 'measured')" in capsys.readouterr().out
    edge = Pipeline.from_distances((5, 17), Hardware(model=load_measured().pessimistic()))
    assert summary["at_pessimistic_edge"]["output_error"] == edge.output_error > expected.output_error
    assert main(["pipeline", "--distances", "5,17", "--pl-model", "paper", "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "summary.json").read_text())["error_model"]["name"] == "paper"


def test_pipeline_command_monte_carlo(tmp_path):
    assert main(["pipeline", "--distances", "3,9", "--p", "5e-4", "--eps", "1e-3", "--shots", "200", "--seed", "3",
                 "--error-model", "paper", "--out", str(tmp_path)]) == 0
    fd = json.loads((tmp_path / "summary.json").read_text())["failure_delay"]
    assert fd["shots"] == 200 and fd["seed"] == 3
    assert fd["monte_carlo_rounds"] == pytest.approx(fd["analytic_rounds"], rel=0.3)


def test_pipeline_command_rejects_non_improving_level(tmp_path, capsys):
    code = main(["pipeline", "--distances", "3,9", "--p", "1e-3", "--eps", "1e-3", "--out", str(tmp_path)])
    assert code == 2
    assert "cannot improve input error 0.001" in capsys.readouterr().err


def test_bench_two_level_small_grid(tmp_path):
    assert main(["bench", "two-level", "--min-distance", "3", "--max-distance", "7", "--workers", "1",
                 "--shots", "10", "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader((tmp_path / "cells.csv").open()))
    assert len(rows) == 9
    needed = {"d1", "d2", "seq_qubits", "seq_rounds", "par_qubits", "par_rounds", "dyn_qubits", "dyn_rounds",
              "dyn_buffer", "lower_bound"}
    assert needed <= set(rows[0])
    cell = next(r for r in rows if (r["d1"], r["d2"]) == ("3", "7"))
    assert (int(cell["seq_qubits"]), int(cell["seq_rounds"])) == (4080, 33 + 77)
    for r in rows:  # every schedule costs at least its lower bound
        assert int(r["dyn_qubits"]) * float(r["dyn_rounds"]) >= 0.99 * float(r["lower_bound"])
    assert all(float(r["mc_delay"]) >= 0 and r["dyn_delay_model"] in ("all-stalls", "monte-carlo") for r in rows)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["monte_carlo"]["shots"] == 10
    for key in ("mean_reduction_vs_sequential", "mean_reduction_vs_parallel", "min_reduction_vs_sequential",
                "min_reduction_vs_parallel", "mean_efficiency"):
        assert key in summary
    assert summary["mean_efficiency"] >= 1
    assert (tmp_path / "reductions.png").exists()


def test_bench_thresholds_small(tmp_path):
    assert main(["bench", "thresholds", "--min-exponent", "10", "--max-exponent", "12", "--max-distance", "13",
                 "--workers", "1", "--error-model", "paper", "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader((tmp_path / "thresholds.csv").open()))
    assert [float(r["threshold"]) for r in rows] == pytest.approx([1e-10, 1e-11, 1e-12])
    for r in rows:
        assert float(r["dynamic_volume"]) < float(r["sequential_volume"])
        assert float(r["dynamic_volume"]) < float(r["parallel_volume"])
    assert rows[0]["sequential_distances"] == "3-9"


def test_bench_thresholds_reports_unreachable(tmp_path):
    # with distances up to 9 nothing beats 7.1 p_L(9) = 2.1e-11: 1e-11 is out of reach
    assert main(["bench", "thresholds", "--min-exponent", "10", "--max-exponent", "11", "--max-distance", "9",
                 "--workers", "1", "--error-model", "paper", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["unreachable"] == [1e-11]
    assert summary["thresholds"] == 1


def test_bench_policies_small(tmp_path):
    from magicpipe.cli.pipeline import policy_variants
    from magicpipe.compiler import Hardware, Pipeline
    from magicpipe.compiler.pareto import pareto_front

    chosen = ["failure-aware", "paper", "paper+spare_fill=True"]
    assert main(["bench", "policies", "--d1", "3", "--d2", "7", "--p", "1e-3", "--eps", "1e-3", "--shots", "5",
                 "--error-model", "paper", *(f"--policy={name}" for name in chosen), "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader((tmp_path / "policies.csv").open()))
    assert [r["policy"] for r in rows] == chosen   # in the order asked, one row per (policy, cell)
    pipe = Pipeline.from_distances((3, 7), Hardware(p=1e-3, eps=1e-3))
    for r in rows:  # each row is its policy's least-volume point
        best = pareto_front(pipe, policy_variants()[r["policy"]], least_volume_only=True).min_volume()
        assert (int(r["qubits"]), int(r["buffer"])) == (best.qubits, best.buffer_slots)
        assert float(r["mc_rounds"]) > 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["cells"] == 1 and list(summary["policies"]) == chosen
    assert main(["bench", "policies", "--policy", "nope", "--out", str(tmp_path / "x")]) == 2


def test_bench_policies_compares_every_policy_by_default():
    from magicpipe.cli import build_parser
    from magicpipe.cli.pipeline import policy_variants

    args = build_parser().parse_args(["bench", "policies", "--out", "x"])
    assert args.policy is None and len(policy_variants()) == 11


def test_layout_aware_cell_fits_its_floor_plan():
    """(3, 7) at p = eps = 1e-4: by qubits the least-volume point needs more than 1.1 Q on its floor plan (d=3
    blocks do not tile the idle d=7 block); sized by what packs there it needs at most 1.1 Q. The layout columns
    are the chosen schedule's floor plan, and its policy charges the largest lent region's move steps, d2 rounds
    each."""
    from magicpipe.compiler import Hardware, Pipeline
    from magicpipe.lattice.recost import block_fill_copies, parking_move_rounds
    from magicpipe.report.benchmarks import two_level_cell

    plain = two_level_cell(3, 7, Hardware())
    aware = two_level_cell(3, 7, Hardware(), layout_aware=True)
    assert aware["layout_overhead"] <= 1.1 < plain["layout_overhead"]
    pipe = Pipeline.from_distances((3, 7))
    high, low = pipe.levels[1].factory, pipe.levels[0].factory
    n, m = block_fill_copies(high, low), parking_move_rounds(high, low)
    assert m == 7  # the largest lent region of the d=7 block needs one move step, of 7 rounds
    assert f"move_rounds={m}," in aware["dyn_policy"] and f"block_fill={n}" in aware["dyn_policy"]
    assert "block_fill" not in plain["dyn_policy"]
    assert aware["layout_overhead"] == round(aware["layout_qubits"] / aware["dyn_qubits"], 4)


def test_pipeline_command_layout_aware(tmp_path):
    """``pipeline --layout-aware``: the written schedule is the re-costed one (moves of d rounds), its stream
    checks, and the summary reports the point that was written."""
    assert main(["pipeline", "--distances", "5,17", "--error-model", "paper", "--layout-aware",
                 "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["layout_aware"] is True
    assert "block_fill=11" in summary["dynamic_min_volume"]["policy"]
    schedule = json.loads((tmp_path / "schedule.json").read_text())
    assert schedule["qubit_budget"] == summary["dynamic_min_volume"]["qubits"]
    assert summary["stream"]["file"] == "schedule.lsi"
    assert summary["stream"]["layout_overhead"] == summary["stream"]["floorplan_qubits"] / schedule["qubit_budget"]
