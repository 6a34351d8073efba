"""``magicpipe sweep``: rows per point, resume after a stop, refusal of another sweep's folder."""

import csv
import json

import pytest

import magicpipe.sweep as sweep_module
from magicpipe.cli import main
from magicpipe.errors import SpecError
from magicpipe.sweep import COLUMNS, RESULT_FIELDS, Grid, evaluate_point

QASM = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
t q[0]; cx q[0], q[1]; t q[1]; ccx q[0], q[1], q[2]; tdg q[2];
"""
GRID = ["--p", "1e-3", "--eps", "1e-3", "--error-budget", "1e-3", "1e-9", "--max-levels", "1", "3",
        "--method", "dynamic", "parallel"]


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "small.qasm"
    path.write_text(QASM)
    return path


def rows_of(folder, drop=("seconds",)):
    with (folder / "points.csv").open() as f:
        return [{k: v for k, v in r.items() if k not in drop} for r in csv.DictReader(f)]


def test_sweep_writes_one_row_per_point_in_grid_order(tmp_path, program):
    out = tmp_path / "out"
    assert main(["sweep", str(program), *GRID, "--workers", "1", "--out", str(out)]) == 0
    rows = rows_of(out)
    assert [int(r["index"]) for r in rows] == list(range(8))
    assert list(rows[0]) == [c for c in COLUMNS if c != "seconds"]
    # one level cannot reach 1e-9 over 10 states at eps=1e-3 (35 eps^3 = 3.5e-8): infeasible, with the reason
    bad = [r for r in rows if r["status"] == "infeasible"]
    assert bad and all(r["max_levels"] == "1" and r["error_budget"] == "1e-09" for r in bad)
    assert all(r["reason"] and r["physical_qubits"] == "" for r in bad)
    for r in rows:
        if r["status"] == "ok":
            assert int(r["physical_qubits"]) == int(r["factory_qubits"]) + int(r["data_qubits"])
            assert r["t_count"] == "7"  # t, t, tdg and the 4 of the CCX (a Toffoli at 4 T)
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["points"], summary["ok"] + summary["infeasible"], summary["resumed"]) == (8, 8, 0)


def test_evaluate_point_agrees_with_magicpipe_compile():
    from qiskit import qasm2

    import magicpipe

    circuit = qasm2.loads(QASM, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    params = Grid(p=(1e-3,), eps=(1e-3,), method=("sequential",)).points()[0]
    got = evaluate_point(circuit, params)
    assert set(got) == set(RESULT_FIELDS)
    comp = magicpipe.compile(circuit, hardware=sweep_module.hardware_of(params), error_budget=1e-3,
                             catalogue=False)
    seq = comp.baseline("sequential")
    assert got["factory_qubits"] == seq.factory_qubits + seq.buffer_qubits and got["copies"] == seq.copies
    assert got["distances"] == "-".join(map(str, seq.distances))
    assert got["runtime_us"] == seq.runtime_us


def test_resume_after_a_stop_gives_the_rows_of_an_uninterrupted_sweep(tmp_path, program, monkeypatch):
    whole, stopped = tmp_path / "whole", tmp_path / "stopped"
    assert main(["sweep", str(program), *GRID, "--workers", "1", "--out", str(whole)]) == 0

    real, calls = sweep_module.evaluate_point, []

    def stop_at_the_fourth(prog, params):
        calls.append(params)
        if len(calls) == 4:
            raise KeyboardInterrupt  # what Ctrl-C does mid-sweep
        return real(prog, params)

    monkeypatch.setattr(sweep_module, "evaluate_point", stop_at_the_fourth)
    # Ctrl-C: exit status 130 and no traceback; the sweep keeps the rows it finished (magicpipe.cli main)
    assert main(["sweep", str(program), *GRID, "--workers", "1", "--out", str(stopped)]) == 130
    assert len(rows_of(stopped)) == 3
    with (stopped / "points.csv").open("a") as f:
        f.write("3,0.001,0.001,50.0,100.0,1e-09,1,par")  # a half-written line, as a kill can leave
    monkeypatch.setattr(sweep_module, "evaluate_point", real)
    assert main(["sweep", str(program), *GRID, "--workers", "1", "--out", str(stopped)]) == 0
    assert rows_of(stopped) == rows_of(whole)
    assert json.loads((stopped / "summary.json").read_text())["resumed"] == 3


def test_a_folder_of_another_sweep_is_refused_naming_the_parameter(tmp_path, program, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(program), "--error-budget", "1e-3", "--workers", "1", "--out", str(out)]) == 0
    assert main(["sweep", str(program), "--error-budget", "1e-4", "--workers", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "holds another sweep: error_budget is [0.001] there, [0.0001] here" in err
    other = tmp_path / "other.qasm"
    other.write_text(QASM.replace("tdg", "t"))
    assert main(["sweep", str(other), "--error-budget", "1e-3", "--workers", "1", "--out", str(out)]) == 2
    assert "the program differs ('small.qasm' there, 'other.qasm' here)" in capsys.readouterr().err


def test_a_counts_program_sweeps_like_magicpipe_compile(tmp_path):
    import magicpipe
    from magicpipe.compiler import Hardware, LogicalCounts

    counts = tmp_path / "counts.json"
    counts.write_text(json.dumps({"numQubits": 10, "tCount": 1000}))
    assert main(["sweep", str(counts), "--p", "1e-3", "--eps", "1e-3", "--workers", "1",
                 "--out", str(tmp_path / "out")]) == 0
    with (tmp_path / "out" / "points.csv").open() as f:
        (row,) = list(csv.DictReader(f))
    comp = magicpipe.compile(LogicalCounts(10, t_count=1000), hardware=Hardware(p=1e-3, eps=1e-3))
    assert int(row["physical_qubits"]) == comp.chosen.physical_qubits and row["t_count"] == "1000"


def test_error_models_are_an_axis_each_row_planned_with_its_model(tmp_path, capsys):
    import magicpipe
    from magicpipe.compiler import PAPER, Hardware, LogicalCounts

    counts = tmp_path / "counts.json"
    counts.write_text(json.dumps({"numQubits": 10, "tCount": 1000}))
    out = tmp_path / "out"
    assert main(["sweep", str(counts), "--p", "1e-3", "--eps", "1e-3", "--error-model", "paper", "measured",
                 "--method", "dynamic", "--workers", "1", "--out", str(out)]) == 0
    rows = rows_of(out)
    assert [r["error_model"] for r in rows] == ["paper", "measured"]
    for r, model in zip(rows, (PAPER, None)):
        hw = Hardware(p=1e-3, eps=1e-3) if model is None else Hardware(p=1e-3, eps=1e-3, model=model)
        comp = magicpipe.compile(LogicalCounts(10, t_count=1000), hardware=hw, catalogue=False)
        assert (int(r["physical_qubits"]), r["distances"]) == (
            comp.chosen.physical_qubits, "-".join(map(str, comp.chosen.distances)))
    assert rows[0]["physical_qubits"] != rows[1]["physical_qubits"]  # the models plan differently here
    # resuming the folder under another model is another sweep
    assert main(["sweep", str(counts), "--p", "1e-3", "--eps", "1e-3", "--error-model", "paper",
                 "--method", "dynamic", "--workers", "1", "--out", str(out)]) == 2
    assert "error_model is ['paper', 'measured'] there, ['paper'] here" in capsys.readouterr().err


def test_a_point_meeting_toffolis_with_ccz_states_reports_its_ccz_factories():
    import pathlib

    import magicpipe
    from magicpipe.sweep import load_sweep_program

    adder = pathlib.Path(__file__).parents[2] / "examples" / "adder8.qasm"
    program, _ = load_sweep_program(adder)
    params = Grid(p=(1e-3,), eps=(1e-3,), method=("all",), objective=("runtime",)).points()[0]
    got = evaluate_point(program, params)
    chosen = magicpipe.compile(program, hardware=sweep_module.hardware_of(params), objective="runtime").chosen
    assert chosen.ccz_copies > 0  # adder8's fastest point meets its Toffolis with 8-to-CCZ factories
    assert (got["ccz_copies"], got["ccz_output_error"]) == (chosen.ccz_copies, chosen.ccz_source.output_error)
    assert got["copies"] == chosen.copies == 0 and got["distances"] == "" and got["output_error"] == 0.0
    assert got["ccz_distances"] == "-".join(map(str, chosen.ccz_source.distances)) != ""
    assert got["factory_qubits"] == chosen.factory_qubits + chosen.buffer_qubits


@pytest.mark.parametrize("kwargs, message", [
    ({"p": ()}, "give at least one value of p"),
    ({"error_model": ("nonsense",)}, "nonsense"),
    ({"p": (8e-3,), "error_model": ("measured",)}, "threshold of error model 'measured'"),
    ({"p": (0.02,)}, "physical error p=0.02"),
    ({"error_budget": (1.5,)}, "error budgets must lie in (0, 1), got 1.5"),
    ({"method": ("fast",)}, "unknown method 'fast'"),
    ({"max_levels": (0,)}, "max_levels must be at least 1, got 0"),
])
def test_grid_refuses_bad_values(kwargs, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Grid(**kwargs)
