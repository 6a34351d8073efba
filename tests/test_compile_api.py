"""``magicpipe.compile``: one answer from every entry point, and plan.json against its shipped schema."""

import json
from importlib import resources

import jsonschema
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.quantum_info import get_clifford_gate_names

import magicpipe
from magicpipe.cli import main
from magicpipe.compiler import Hardware, LogicalCounts

HW = Hardware(p=1e-3, eps=1e-3)


def _schema():
    return json.loads(resources.files("magicpipe").joinpath("schemas/plan-2.schema.json").read_text())


def _circuit() -> QuantumCircuit:
    qc = QuantumCircuit(3)
    for k in range(30):
        qc.t(k % 3)
        qc.cx(k % 3, (k + 1) % 3)
    return qc


def test_the_same_plan_from_the_api_the_cli_and_the_transpiler_plugin(tmp_path):
    from qiskit import qasm2

    qc = _circuit()
    api = magicpipe.compile(qc, hardware=HW).to_dict()
    path = tmp_path / "p.qasm"
    path.write_text(qasm2.dumps(qc))
    assert main(["compile", str(path), "--p", "1e-3", "--eps", "1e-3", "--out", str(tmp_path / "o")]) == 0
    cli = json.loads((tmp_path / "o" / "plan.json").read_text())
    from magicpipe.passes import pass_manager

    out = transpile(qc, basis_gates=get_clifford_gate_names() + ["t", "tdg"], optimization_level=0)
    plugin = pass_manager(hardware=HW).run(out).metadata["magicpipe_plan"]
    for other in (cli, plugin):
        assert other["front"] == api["front"] and other["chosen"] == api["chosen"]
        assert other["demand"]["t_count"] == api["demand"]["t_count"] == 30
        assert other["error_model"] == api["error_model"] and api["error_model"]["name"] == "measured"


def test_rates_without_a_model_plan_as_the_cli_does(tmp_path):
    """The API given rates alone and the CLI given the same rates choose the same point with the same model."""
    small = LogicalCounts(10, t_count=1000)  # the models plan apart here too (the sweep's model-axis test)
    api = magicpipe.compile(small, hardware=HW).to_dict()
    path = tmp_path / "small.json"
    path.write_text(small.to_json())
    assert main(["compile", "--counts", str(path), "--physical-error", "1e-3", "--magic-error", "1e-3",
                 "--out", str(tmp_path / "o")]) == 0
    cli = json.loads((tmp_path / "o" / "plan.json").read_text())
    assert cli["error_model"] == api["error_model"] and api["error_model"]["name"] == "measured"
    assert cli["chosen"] == api["chosen"] and cli["front"] == api["front"]


def test_an_explicit_paper_model_is_kept(tmp_path):
    """``model=PAPER`` plans with the paper's model, as ``--error-model paper`` does, and apart from the default."""
    from magicpipe.compiler import PAPER

    small = LogicalCounts(10, t_count=1000)
    paper = magicpipe.compile(small, hardware=Hardware(p=1e-3, eps=1e-3, model=PAPER))
    path = tmp_path / "small.json"
    path.write_text(small.to_json())
    assert main(["compile", "--counts", str(path), "--physical-error", "1e-3", "--magic-error", "1e-3",
                 "--error-model", "paper", "--out", str(tmp_path / "o")]) == 0
    cli = json.loads((tmp_path / "o" / "plan.json").read_text())
    assert paper.hardware.model is PAPER and cli["error_model"]["name"] == "paper"
    assert cli["chosen"] == paper.to_dict()["chosen"]
    default = magicpipe.compile(small, hardware=HW)
    assert default.chosen.name != paper.chosen.name  # the two models really plan apart on these counts


def test_the_pass_manager_plans_rates_without_a_model_with_the_default():
    from magicpipe.compiler import PAPER
    from magicpipe.passes import DistillationPlanner, pass_manager

    assert DistillationPlanner(HW).hardware.model.name == "measured"
    assert DistillationPlanner().hardware.model.name == "measured"
    assert DistillationPlanner(Hardware(model=PAPER)).hardware.model is PAPER
    plan = pass_manager(physical_error=1e-3, magic_error=1e-3).run(_circuit()).metadata["magicpipe_plan"]
    assert plan["error_model"]["name"] == "measured"
    plan = pass_manager(hardware=HW, logical_model=PAPER).run(_circuit()).metadata["magicpipe_plan"]
    assert plan["error_model"]["name"] == "paper"


def test_plan_json_matches_its_schema(tmp_path):
    counts = tmp_path / "small.json"  # a plan has every section at any size; a short program writes a short stream
    counts.write_text(LogicalCounts(50, t_count=200, rotation_count=10, rotation_depth=5).to_json())
    assert main(["compile", "--counts", str(counts), "--p", "1e-3", "--eps", "1e-3", "--out", str(tmp_path)]) == 0
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["sensitivity"]["edge_model"] and plan["demand"]["rotation_t_count"] > 0 and plan["stream"]
    jsonschema.validate(plan, _schema())
    broken = dict(plan, front=[{k: v for k, v in plan["front"][0].items() if k != "physical_qubits"}])
    with pytest.raises(jsonschema.ValidationError, match="physical_qubits"):
        jsonschema.validate(broken, _schema())


def _counts(tmp_path) -> str:
    path = tmp_path / "counts.json"
    path.write_text(LogicalCounts(50, t_count=2000, rotation_count=100, rotation_depth=10).to_json())
    return str(path)


def test_counts_file_and_counts_object_give_the_same_plan(tmp_path):
    f = _counts(tmp_path)
    a = magicpipe.compile(f, hardware=HW)
    with open(f) as fh:
        b = magicpipe.compile(LogicalCounts.from_json(fh.read()), hardware=HW)
    assert a.to_dict() == b.to_dict()
    assert a.demand.rotation_t > 0 and a.demand.t_states == 2000 + 100 * a.demand.rotation_t


def test_replan_gives_back_the_chosen_point(tmp_path):
    from magicpipe.compiler.compilation import replan

    c = magicpipe.compile(_circuit(), hardware=HW)
    again = replan(json.loads(json.dumps(c.to_dict())), c.hardware)  # the plan's hardware, its model included
    assert again.to_dict() == c.to_dict()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--counts", "{d}/missing.json"], "does not exist"),
        (["--counts", "{d}/neg.json"], "must be a non-negative integer"),
        (["--counts", "{d}/unknown.json"], "unknown key(s) ['qubits']"),
        ([], "give exactly one program"),
        (["--counts", "{d}/neg.json", "{d}/x.qasm"], "give exactly one program"),
        (
            ["--counts", "{d}/ok.json", "--max-physical-qubits", "10"],
            "no point of the front meets --max-physical-qubits 10",
        ),
    ],
)
def test_bad_counts_input_exits_2_naming_the_problem(tmp_path, capsys, args, message):
    (tmp_path / "neg.json").write_text('{"numQubits": 4, "tCount": -3}')
    (tmp_path / "unknown.json").write_text('{"numQubits": 4, "qubits": 3}')
    (tmp_path / "ok.json").write_text('{"numQubits": 4, "tCount": 30}')
    argv = ["compile", *[a.format(d=tmp_path) for a in args], "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("magicpipe compile: error:") and message in err


def test_every_point_of_a_circuit_with_rotations_keeps_within_the_budget():
    """The circuit's rotations were synthesised at the default share: the shares tried keep that part."""
    qc = QuantumCircuit(3)
    for k in range(40):
        qc.rz(0.1 + 0.01 * k, k % 3)
        qc.t((k + 1) % 3)
        qc.cx(k % 3, (k + 2) % 3)
    comp = magicpipe.compile(qc, hardware=HW, error_budget=1e-3)
    spent = dict(comp.chosen.errors)["synthesis"]
    assert spent > 0
    for p in comp.front.points:
        assert p.total_error <= 1e-3 * (1 + 1e-9)
        assert dict(p.errors)["synthesis"] == spent <= p.budgets[2] * (1 + 1e-9)
