"""Every example script runs with small sizes and prints its plan; every example program compiles."""

import pathlib
import runpy
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
SMALL = {"qft.py": ["--qubits", "4"], "adder.py": ["--bits", "2"], "ising.py": ["--side", "2", "--steps", "1"]}


def test_every_script_has_small_sizes():
    scripts = {p.name for p in EXAMPLES.glob("*.py")} - {"common.py"}
    assert scripts == set(SMALL)


def _run_in_process(script, args, monkeypatch, capsys) -> str:
    """The script as ``python script args`` would run it (its folder first on the path), in this process: the
    subprocess test below checks the scripts run as scripts; here each saves a fresh interpreter's imports."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setattr(sys, "argv", [str(EXAMPLES / script), *args])
    try:
        runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    finally:
        sys.modules.pop("common", None)  # the examples' helper module: not left behind for other tests
    return capsys.readouterr().out


@pytest.mark.parametrize("script", sorted(SMALL))
def test_example_prints_its_plan(script, tmp_path, monkeypatch, capsys):
    qasm = tmp_path / "program.qasm"
    out = _run_in_process(script, [*SMALL[script], "--write-qasm", str(qasm)], monkeypatch, capsys)
    assert "demand:" in out and "per-state target" in out
    assert qasm.read_text().startswith("OPENQASM 2.0;")


def test_adder_example_counts_four_t_per_toffoli():  # a real subprocess: the script runs as a script
    run = subprocess.run([sys.executable, str(EXAMPLES / "adder.py"), "--bits", "3"], capture_output=True, text=True,
                         timeout=120)
    assert "demand: 24 T states (0 T gates" in run.stdout and "6 Toffolis at 4 T" in run.stdout  # 2n = 6 Toffolis


@pytest.mark.parametrize("program", sorted(p.name for p in EXAMPLES.glob("*.qasm")))
def test_example_program_compiles(program, tmp_path):
    """Each example compiles, and the plan counts the T states the passes count (one compilation per example:
    ``tests/passes/test_compile.py`` checks the adder's record in detail)."""
    import json

    from magicpipe.cli import main
    from magicpipe.passes import count_demand, load_program

    assert main(["compile", str(EXAMPLES / program), "--out", str(tmp_path), "--max-levels", "2"]) == 0
    record = json.loads((tmp_path / "plan.json").read_text())
    assert record["demand"]["t_count"] == count_demand(load_program(EXAMPLES / program)).t_count > 0
