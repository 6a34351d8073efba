"""The distillation plan: budgets, distances, Pareto point by objective, copies, and every bad input."""

import dataclasses
import math

import pytest
from qiskit import QuantumCircuit

from magicpipe.compiler import Hardware, Pipeline, parallel, sequential
from magicpipe.compiler.pareto import pareto_front
from magicpipe.errors import InfeasibleError, SpecError
from magicpipe.passes import ErrorBudget, count_demand, plan_distillation, plan_to_dict
from magicpipe.passes.supply import eq14_copies

HW = Hardware(p=1e-3, eps=1e-3)


def _t_circuit(n_t: int, qubits: int = 4) -> QuantumCircuit:
    qc = QuantumCircuit(qubits)
    for k in range(n_t):
        qc.t(k % qubits)
        if k % qubits == qubits - 1:
            qc.cx(0, qubits - 1)
    return qc


@pytest.fixture(scope="module")
def plan():
    return plan_distillation(count_demand(_t_circuit(400)), HW)


def test_no_magic_states_means_no_factories():
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    plan = plan_distillation(count_demand(qc), HW)
    assert not plan.needs_factories and plan.methods == ()
    data = plan_to_dict(plan)
    assert data["message"] == "the program consumes no magic states: no distillation factory is needed"
    assert data["program"]["data_qubits"] > 0


def test_budget_split_and_per_state_target(plan):
    log, dist, syn = plan.budgets
    assert (log, dist, syn) == pytest.approx((5e-4, 5e-4, 0.0))  # no rotations: halves
    assert plan.target_error == pytest.approx(5e-4 / 400)
    assert plan.output_error <= plan.target_error


def test_distances_meet_target_and_baselines_use_them(plan):
    pipe = Pipeline.from_distances(plan.distances, HW)
    assert pipe.output_error == pytest.approx(plan.output_error)
    seq, par = plan.method("sequential"), plan.method("parallel")
    assert (seq.qubits, seq.rounds) == (sequential(pipe).qubits, sequential(pipe).rounds)
    assert (par.qubits, par.rounds) == (parallel(pipe).qubits, parallel(pipe).rounds)


def test_eq14_copies_from_the_program_runtime(plan):
    for m in plan.methods:
        assert m.eq14.copies == eq14_copies(400, plan.program.runtime_rounds, m.rounds)
        assert m.eq14.qubits == m.eq14.copies * m.qubits
        assert m.saved_qubits == m.eq14.qubits - m.timeline.qubits


def test_objectives_pick_points_of_the_front():
    demand = count_demand(_t_circuit(40), ErrorBudget(1e-7))  # 1.25e-9 per state: two levels at p = 1e-3
    plans = {o: plan_distillation(demand, HW, objective=o) for o in ("volume", "qubits", "time")}
    pipe = Pipeline.from_distances(plans["volume"].distances, HW)
    assert len(pipe.levels) == 2
    front = pareto_front(pipe, max_output_error=plans["volume"].target_error)  # storage decay charged
    # the decay-free optimum waits too long in its buffer for this target: the plan avoids it
    free = pareto_front(pipe).min_volume()
    assert free.output_error > plans["volume"].target_error and free.qubits not in [p.qubits for p in front.points]
    assert plans["volume"].method("dynamic").qubits == front.min_volume().qubits
    assert plans["qubits"].method("dynamic").qubits == front.smallest().qubits
    assert plans["time"].method("dynamic").rounds == pytest.approx(front.fastest().rounds)
    budget = front.points[len(front.points) // 2].qubits
    under = plan_distillation(demand, HW, objective="qubits", qubit_budget=budget).method("dynamic")
    assert under.qubits <= budget
    assert under.rounds == pytest.approx(front.within_budget(budget).rounds)


def test_qubit_budget_below_one_factory():
    with pytest.raises(InfeasibleError, match="qubit budget 100 is below"):
        plan_distillation(count_demand(_t_circuit(40)), HW, objective="qubits", qubit_budget=100)


def test_error_budget_outside_zero_one():
    with pytest.raises(SpecError, match=r"error budget must lie in \(0, 1\), got 1.0"):
        ErrorBudget(1.0)


def test_physical_error_at_threshold():
    with pytest.raises(SpecError, match="physical error p=0.01 must lie in"):
        Hardware(p=0.01, eps=1e-3)


def test_raw_magic_error_above_distillation_threshold():
    with pytest.raises(SpecError, match="at or above the 15-to-1 distillation threshold"):
        plan_distillation(count_demand(_t_circuit(4)), Hardware(p=1e-3, eps=0.2))


def test_target_no_pipeline_of_four_levels_reaches():
    # p = 2e-3: at d = 47 the logical error alone leaves 7.1 p_L = 3.6e-18 in every output
    demand = count_demand(_t_circuit(4), ErrorBudget(1e-17))  # 1.25e-18 per state
    with pytest.raises(InfeasibleError, match="no pipeline of 4 levels"):
        plan_distillation(demand, Hardware(p=2e-3, eps=1e-3), max_levels=4)


@pytest.mark.parametrize("kwargs, message", [
    ({"objective": "speed"}, "objective must be one of"),
    ({"qubit_budget": 0}, "qubit budget must be a positive integer"),
    ({"layer_time_us": -1.0}, "layer time must be positive"),
    ({"max_wait_us": -1.0}, "longest wait"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(SpecError, match=message):
        plan_distillation(count_demand(_t_circuit(4)), HW, **kwargs)


def test_layer_time_sets_the_program_runtime():
    demand = count_demand(_t_circuit(8, qubits=2))  # 4 layers of 2 states
    plan = plan_distillation(demand, HW, layer_time_us=2.0)
    assert plan.program.layers == 4
    assert plan.us(plan.program.runtime_rounds) == pytest.approx(8.0)


def test_program_distance_meets_the_logical_share():
    plan = plan_distillation(count_demand(_t_circuit(40)), HW)
    pc = plan.program
    assert pc.logical_error <= plan.budgets[0]
    n = 4
    assert pc.patches == 2 * n + math.ceil(math.sqrt(8 * n)) + 1
    smaller = dataclasses.replace(pc, distance=pc.distance - 2)
    assert pc.patches * pc.layers * HW.logical_error(smaller.distance) > plan.budgets[0]


def test_plan_dict_is_json(plan):
    import json

    data = json.loads(json.dumps(plan_to_dict(plan)))
    assert [m["method"] for m in data["methods"]] == ["dynamic", "sequential", "parallel"]
    assert data["methods"][0]["eq14"]["total_qubits"] == data["methods"][0]["eq14"]["qubits"] + data["program"]["data_qubits"]
