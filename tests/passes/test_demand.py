"""T-counts and timelines counted by hand."""

import math

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Gate, Parameter
from qiskit.transpiler import PassManager, TranspilerError

from magicpipe.errors import SpecError
from magicpipe.passes import ErrorBudget, MagicStateDemand, count_demand
from magicpipe.passes.rotations import formula_t_count

PI = math.pi


def test_t_and_tdg_cost_one_each():
    qc = QuantumCircuit(2)
    qc.t(0)
    qc.tdg(0)
    qc.tdg(1)
    d = count_demand(qc)
    assert (d.t_count, d.t_gates, d.rotations) == (3, 3, 0)


@pytest.mark.parametrize(
    "gate, angle, cost",
    [
        ("rz", PI / 2, 0), ("rz", PI, 0), ("rz", -PI / 2, 0), ("rz", 2 * PI, 0), ("rz", 0.0, 0),
        ("rz", PI / 4, 1), ("rz", 3 * PI / 4, 1), ("rz", -PI / 4, 1), ("rz", 5 * PI / 4, 1), ("rz", 7 * PI / 4, 1),
        ("p", PI / 2, 0), ("p", PI, 0), ("p", PI / 4, 1), ("p", -3 * PI / 4, 1),
        ("rx", PI / 2, 0), ("rx", PI / 4, 1), ("ry", PI, 0), ("ry", -PI / 4, 1),
    ],
)
def test_clifford_and_t_angles(gate, angle, cost):
    qc = QuantumCircuit(1)
    getattr(qc, gate)(angle, 0)
    d = count_demand(qc)
    assert (d.t_count, d.rotations) == (cost, 0)


def test_u_gate_counts_each_euler_angle():
    qc = QuantumCircuit(1)
    qc.u(PI / 2, 0, PI, 0)  # H: Clifford
    qc.u(PI / 4, PI / 2, 0, 0)  # one pi/4 factor
    qc.u(PI / 4, PI / 4, -PI / 4, 0)  # three pi/4 factors
    assert count_demand(qc).t_count == 0 + 1 + 3


def test_ccx_and_ccz_are_toffolis_of_four_t_with_an_ancilla():
    qc = QuantumCircuit(3)
    qc.ccx(0, 1, 2)
    qc.ccz(0, 1, 2)
    d = count_demand(qc)
    assert (d.toffolis, d.t_count, d.t_gates, d.ancillas, d.logical_qubits) == (2, 8, 0, 1, 4)
    assert d.timeline.counts() == [4, 4]  # each Toffoli: its four commuting pi/8 rotations in one layer
    assert d.decomposed == ()


def test_seven_t_toffolis_on_request_need_no_ancilla():
    qc = QuantumCircuit(3)
    qc.ccx(0, 1, 2)
    d = count_demand(qc, toffoli_t_cost=7)
    assert (d.t_count, d.ancillas, d.logical_qubits) == (7, 0, 3)


@pytest.mark.parametrize("controls", [3, 4, 6])
def test_mcx_is_k_minus_one_toffolis(controls):
    qc = QuantumCircuit(controls + 1)
    qc.mcx(list(range(controls)), controls)
    d = count_demand(qc)
    assert (d.toffolis, d.t_count, d.ancillas) == (controls - 1, 4 * (controls - 1), controls - 1)
    assert d.logical_qubits == controls + 1 + controls - 1


def test_toffoli_ancillas_are_the_most_held_at_once():
    qc = QuantumCircuit(6)
    qc.ccx(0, 1, 2)
    qc.ccx(3, 4, 5)  # parallel with the first: two ancillas at once
    qc.ccx(0, 1, 2)  # after it: reuses one
    d = count_demand(qc)
    assert (d.toffolis, d.ancillas, d.logical_qubits, d.t_depth) == (3, 2, 8, 2)


def test_toffoli_t_cost_must_be_four_or_seven():
    with pytest.raises(SpecError, match="toffoli_t_cost"):
        count_demand(QuantumCircuit(1), toffoli_t_cost=5)


def test_arbitrary_rotation_costs_its_synthesis_at_the_budget_share():
    qc = QuantumCircuit(2)
    qc.rz(0.3, 0)
    qc.rx(0.7, 1)
    d = count_demand(qc, ErrorBudget(3e-3), synthesis="formula")
    assert d.rotations == 2
    assert d.synthesis_error == pytest.approx(3e-3 / 3 / 2)
    assert d.t_count == 2 * formula_t_count(5e-4)


def test_gridsynth_counts_match_qiskit():
    from qiskit.synthesis import gridsynth_rz

    qc = QuantumCircuit(1)
    qc.rz(0.3, 0)
    d = count_demand(qc, ErrorBudget(3e-6), synthesis="gridsynth")
    ops = gridsynth_rz(0.3, 1e-6).count_ops()
    assert d.t_count == ops.get("t", 0) + ops.get("tdg", 0)


def test_timeline_of_a_small_circuit():
    qc = QuantumCircuit(3)
    qc.t(0)
    qc.t(1)
    qc.h(2)
    qc.t(2)  # layer 0 holds three states
    qc.cx(0, 1)
    qc.t(1)
    qc.tdg(0)  # after the CNOT: layer 1 holds two
    qc.s(2)
    qc.t(2)  # qubit 2 is free: layer 1 too
    qc.cx(1, 2)
    qc.t(2)  # layer 2
    d = count_demand(qc)
    assert d.timeline.counts() == [3, 3, 1]
    assert d.t_depth == 3
    assert d.logical_qubits == 3


def test_rotation_chain_spans_its_t_count_in_layers():
    qc = QuantumCircuit(2)
    qc.rz(0.3, 0)
    qc.t(1)
    qc.cx(0, 1)
    qc.t(1)
    d = count_demand(qc, synthesis="formula")
    k = d.rotation_t_count
    assert d.timeline.counts() == [2] + [1] * (k - 1) + [1]
    assert len(d.timeline.lengths) <= 3  # runs, not layers


def test_measurement_orders_a_conditional_branch():
    qc = QuantumCircuit(2, 1)
    qc.t(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.t(1)
    d = count_demand(qc)
    assert d.timeline.counts() == [1, 1]


def test_for_loop_counts_every_iteration_with_its_angle():
    qc = QuantumCircuit(1)
    with qc.for_loop(range(4)) as i:
        qc.rz(i * PI / 4, 0)  # 0, pi/4, pi/2, 3pi/4: two T states
        qc.t(0)
    assert count_demand(qc).t_count == 2 + 4


def test_if_else_counts_the_costlier_branch():
    qc = QuantumCircuit(2, 1)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)) as orelse:
        qc.t(1)
    with orelse:
        qc.t(1)
        qc.t(1)
        qc.tdg(1)
    d = count_demand(qc)
    assert (d.t_count, d.branches) == (3, 1)


def test_while_loop_is_refused_with_its_name():
    qc = QuantumCircuit(1, 1)
    with qc.while_loop((qc.clbits[0], 0)):
        qc.t(0)
        qc.measure(0, 0)
    with pytest.raises(SpecError, match="while_loop.*not static"):
        count_demand(qc)


def test_unbound_parameter_is_refused():
    qc = QuantumCircuit(1)
    qc.rz(Parameter("theta"), 0)
    with pytest.raises(SpecError, match="unbound parameter.*theta"):
        count_demand(qc)


def test_opaque_gate_is_refused_with_its_name_and_position():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.append(Gate("mystery", 2, []), [1, 0])
    with pytest.raises(SpecError, match=r"'mystery' at instruction #1 on q\[1\], q\[0\]"):
        count_demand(qc)


def test_pass_reraises_as_transpiler_error():
    qc = QuantumCircuit(1)
    qc.append(Gate("mystery", 1, []), [0])
    with pytest.raises(TranspilerError, match="mystery") as info:
        PassManager([MagicStateDemand()]).run(qc)
    assert isinstance(info.value.__cause__, SpecError)


def test_no_magic_states():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.rz(PI / 2, 1)
    d = count_demand(qc)
    assert (d.t_count, d.t_depth, d.timeline.counts()) == (0, 0, [])


def test_memory_follows_the_circuit_not_the_t_count():
    qc = QuantumCircuit(1)
    for k in range(50):
        qc.rz(0.1 + k * 1e-3, 0)
    d = count_demand(qc, ErrorBudget(1e-12), synthesis="formula")
    assert d.t_count > 50 * 100
    assert len(d.timeline.lengths) == 1  # one run of one state per layer


@pytest.mark.parametrize("total", [0.0, 1.0, -1e-3, 2.0])
def test_error_budget_outside_zero_one(total):
    with pytest.raises(SpecError, match=r"error budget must lie in \(0, 1\)"):
        count_demand(QuantumCircuit(1), total)
