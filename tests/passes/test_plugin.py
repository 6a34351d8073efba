"""The scheduling-stage plugin through transpile and generate_preset_pass_manager; pass_manager options."""

import json

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.quantum_info import get_clifford_gate_names
from qiskit.transpiler import generate_preset_pass_manager
from qiskit.transpiler.preset_passmanagers.plugin import list_stage_plugins

from magicpipe.errors import SpecError
from magicpipe.passes import pass_manager

BASIS = get_clifford_gate_names() + ["t", "tdg"]


def _ccx_and_t() -> QuantumCircuit:
    qc = QuantumCircuit(4, metadata={"owner": "test"})
    qc.ccx(0, 1, 2)
    qc.t(3)
    return qc


def test_plugin_is_registered():
    assert "magicpipe" in list_stage_plugins("scheduling")


def test_transpile_with_the_plugin_writes_metadata():
    out = transpile(_ccx_and_t(), basis_gates=BASIS, scheduling_method="magicpipe", optimization_level=1)
    assert out.metadata["owner"] == "test"
    demand, plan = out.metadata["magicpipe_demand"], out.metadata["magicpipe_plan"]
    assert demand["t_count"] == 8 == out.count_ops()["t"] + out.count_ops()["tdg"]
    assert plan["front"][plan["chosen"]]["factory_qubits"] > 0 and plan["demand"]["t_count"] == 8
    json.dumps(out.metadata)


def test_transpile_on_a_list_keeps_each_circuits_result():
    one = QuantumCircuit(1)
    one.t(0)
    outs = transpile([_ccx_and_t(), one], basis_gates=BASIS, scheduling_method="magicpipe", optimization_level=1)
    assert [o.metadata["magicpipe_demand"]["t_count"] for o in outs] == [8, 1]


def test_generate_preset_pass_manager_with_the_plugin():
    pm = generate_preset_pass_manager(basis_gates=BASIS, scheduling_method="magicpipe", optimization_level=2)
    out = pm.run(_ccx_and_t())
    assert out.metadata["magicpipe_demand"]["t_count"] == 8


def test_replacing_the_stage_gives_every_option():
    pm = generate_preset_pass_manager(basis_gates=BASIS, optimization_level=1)
    pm.scheduling = pass_manager(error_budget=1e-2, physical_error=1e-3, magic_error=1e-3, objective="time")
    plan = pm.run(_ccx_and_t()).metadata["magicpipe_plan"]
    assert plan["objective"] == "runtime"  # 'time' is the old name
    assert plan["hardware"]["p"] == 1e-3
    assert plan["error_budget_asked"]["total"] == 1e-2
    for point in plan["front"]:  # whatever shares a point was planned with, they add up to the budget asked
        assert sum(point["budgets"].values()) == pytest.approx(1e-2)


def test_optimisation_merges_t_t_t_into_s_t():
    qc = QuantumCircuit(1)
    for _ in range(3):
        qc.t(0)
    assert pass_manager().run(qc).metadata["magicpipe_demand"]["t_count"] == 3
    assert pass_manager(optimization_level=2).run(qc).metadata["magicpipe_demand"]["t_count"] == 1


def test_bad_option_is_reported_when_building():
    with pytest.raises(SpecError, match="error budget"):
        pass_manager(error_budget=0.0)
