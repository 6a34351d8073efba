"""Every example script runs with small sizes and prints its plan; every example program compiles."""

import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
SMALL = {"qft.py": ["--qubits", "4"], "adder.py": ["--bits", "2"], "ising.py": ["--side", "2", "--steps", "1"]}


def test_every_script_has_small_sizes():
    scripts = {p.name for p in EXAMPLES.glob("*.py")} - {"common.py"}
    assert scripts == set(SMALL)


@pytest.mark.parametrize("script", sorted(SMALL))
def test_example_prints_its_plan(script, tmp_path):
    qasm = tmp_path / "program.qasm"
    run = subprocess.run([sys.executable, str(EXAMPLES / script), *SMALL[script], "--write-qasm", str(qasm)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "demand:" in run.stdout and "per-state target" in run.stdout
    assert qasm.read_text().startswith("OPENQASM 2.0;")


def test_adder_example_counts_four_t_per_toffoli():
    run = subprocess.run([sys.executable, str(EXAMPLES / "adder.py"), "--bits", "3"], capture_output=True, text=True,
                         timeout=120)
    assert "demand: 24 T states (0 T gates" in run.stdout and "6 Toffolis at 4 T" in run.stdout  # 2n = 6 Toffolis


@pytest.mark.parametrize("program", sorted(p.name for p in EXAMPLES.glob("*.qasm")))
def test_example_program_compiles(program, tmp_path):
    from magicpipe.cli import main

    assert main(["compile", str(EXAMPLES / program), "--out", str(tmp_path), "--max-levels", "2"]) == 0
    assert (tmp_path / "plan.json").exists()
