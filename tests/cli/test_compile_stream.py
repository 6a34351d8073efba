"""``magicpipe compile`` writes the plan's stream, checked, next to plan.json (issue 4)."""

import json
import pathlib

from magicpipe.cli import main
from magicpipe.grammar import parse_file
from magicpipe.lattice import check

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def test_compile_writes_a_valid_stream(tmp_path):
    args = ["compile", str(EXAMPLES / "qft16.qasm"), "--physical-error", "1e-3", "--magic-error", "1e-3",
            "--error-budget", "1e-4", "--factories", "pipeline", "--out", str(tmp_path)]
    assert main(args) == 0
    record = json.loads((tmp_path / "plan.json").read_text())
    assert record["stream"]["file"] == "schedule.lsi"
    stream = parse_file(tmp_path / "schedule.lsi")
    assert check(stream) == []
    chosen = record["front"][record["chosen"]]["source"]
    assert chosen["method"] == "dynamic"
    assert (stream.header.qubit_budget, stream.header.buffer_slots) == (chosen["qubits"], chosen["buffer_slots"])


def test_compile_one_level_plan_says_why_no_stream(tmp_path):
    assert main(["compile", str(EXAMPLES / "adder8.qasm"), "--out", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "plan.json").read_text())
    assert record["stream"]["file"] is None and "not a scheduled multi-level pipeline" in record["stream"]["reason"]
    assert not (tmp_path / "schedule.lsi").exists()
