"""``magicpipe compile`` writes the plan's stream, checked, next to plan.json (issue 4)."""

import json
import pathlib

from magicpipe.cli import main
from magicpipe.compiler import Hardware, Pipeline
from magicpipe.compiler.errormodel import load_measured
from magicpipe.grammar import parse_file
from magicpipe.lattice import check

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def test_compile_writes_a_valid_stream(tmp_path):
    args = ["compile", str(EXAMPLES / "qft16.qasm"), "--physical-error", "1e-3", "--magic-error", "1e-3",
            "--out", str(tmp_path)]
    assert main(args) == 0
    record = json.loads((tmp_path / "plan.json").read_text())
    assert record["stream"]["file"] == "schedule.lsi"
    stream = parse_file(tmp_path / "schedule.lsi")
    assert check(stream) == []
    dynamic = next(m for m in record["magicpipe_plan"]["methods"] if m["method"] == "dynamic")
    assert (stream.header.qubit_budget, stream.header.buffer_slots) == (dynamic["qubits_per_copy"], dynamic["buffer_slots"])
    # the plan names its error model (the default, measured) with its parameters, and its sensitivity
    model = load_measured()
    assert record["error_model"] == record["magicpipe_plan"]["hardware"]["error_model"] == model.info()
    assert (record["error_model"]["memory"]["A"], record["error_model"]["memory"]["p_th"]) == (model.A, model.p_th)
    sens = record["sensitivity"]
    assert sens["model"] == "measured" and sens["edge_model"] == model.pessimistic().name
    assert sens["nominal"] == {"distances": record["magicpipe_plan"]["distances"],
                               "program_distance": record["magicpipe_plan"]["program"]["distance"]}
    assert sens["changes"] == (sens["edge"] != sens["nominal"])
    hw = Hardware(p=1e-3, eps=1e-3, model=model.pessimistic())
    edge_out = Pipeline.from_distances(tuple(sens["nominal"]["distances"]), hw).output_error
    assert sens["nominal_at_edge"]["output_error"] == edge_out


def test_compile_one_level_plan_says_why_no_stream(tmp_path):
    assert main(["compile", str(EXAMPLES / "adder8.qasm"), "--out", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "plan.json").read_text())
    assert record["stream"]["file"] is None and "one-level" in record["stream"]["reason"]
    assert not (tmp_path / "schedule.lsi").exists()
