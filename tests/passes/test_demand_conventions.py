"""Counting conventions: synthesis models, deterministic gridsynth, Toffolis, entry points, program qubits."""

import json
import math
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from magicpipe.compiler import LogicalCounts
from magicpipe.passes import (
    ErrorBudget,
    count_demand,
    load_program,
    pass_manager,
    rotations,
)
from magicpipe.passes.program import loads_program, qasm_version
from qiskit import QuantumCircuit, transpile
from qiskit.quantum_info import Statevector, get_clifford_gate_names, random_statevector

import magicpipe
from magicpipe.cli import main
from magicpipe.errors import SpecError

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
EPS_ISING = 1e-3 / 3 / 5600  # per-rotation error of the 10x10 Ising circuit at budget 1e-3 (5,600 rotations)


# -- synthesis models -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "model, a, b",
    [("mixed-fallback", 0.53, 4.86), ("azure", 0.53, 4.86), ("azure-2022", 0.53, 5.3), ("1.5,2", 1.5, 2.0)],
)
@pytest.mark.parametrize("eps", [1e-4, EPS_ISING, 1e-12])
def test_model_counts_on_fixed_angles(model, a, b, eps):
    counts = rotations.rotation_t_counts([0.3, 1.2, -2.0], eps, model)
    expected = math.ceil(a * math.log2(1 / eps) + b)
    assert set(counts.values()) == {expected}


def test_mixed_fallback_is_eighteen_where_the_2022_formula_charges_nineteen():
    assert rotations.rotation_t_counts([0.3], EPS_ISING, "mixed-fallback")[0.3] == 18  # ceil(17.58)
    assert rotations.rotation_t_counts([0.3], EPS_ISING, "azure")[0.3] == 18  # the estimator today: the same
    assert rotations.rotation_t_counts([0.3], EPS_ISING, "azure-2022")[0.3] == 19  # ceil(18.02)


def test_auto_is_the_default_model_and_gridsynth_auto_the_former_one():
    qc = QuantumCircuit(1)
    qc.rz(0.3, 0)
    assert count_demand(qc, synthesis="auto").synthesis_method == "mixed-fallback"
    assert rotations.resolve_method("gridsynth-auto", 1) == "gridsynth"
    assert rotations.resolve_method("gridsynth-auto", rotations.AUTO_GRIDSYNTH_ANGLES + 1) == "formula"


def test_the_default_model_is_named_in_the_demand():
    qc = QuantumCircuit(1)
    qc.rz(0.3, 0)
    d = count_demand(qc, ErrorBudget(3e-3))
    assert d.synthesis_method == "mixed-fallback"
    assert d.to_dict()["synthesis_model"] == {
        "name": "mixed-fallback", "a": 0.53, "b": 4.86, "reference": d.synthesis_model()["reference"]}
    assert d.t_count == math.ceil(0.53 * math.log2(1 / 1e-3) + 4.86)


def test_unknown_model_is_refused_with_the_choices():
    with pytest.raises(SpecError, match="mixed-fallback"):
        count_demand(QuantumCircuit(1), synthesis="fastest")
    with pytest.raises(SpecError, match="mixed-fallback"):
        pass_manager(synthesis="fastest")  # when building, before any circuit
    with pytest.raises(SpecError, match="toffoli_t_cost"):
        pass_manager(toffoli_t_cost=6)


# -- gridsynth: the same count in any order and any process ---------------------------------------------
# Qiskit 2.6's gridsynth_rz(2.15, 1e-8) has 84 T in a fresh process, 85 after these angles in descending order
_ANGLES = [round(0.1 * i + 0.05, 2) for i in range(21, 30)]


def _fresh_reference(angle: float, eps: float) -> int:
    code = (f"from qiskit.synthesis import gridsynth_rz as g; o = g({angle!r}, {eps!r}).count_ops(); "
            "print(o.get('t', 0) + o.get('tdg', 0))")
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def test_gridsynth_counts_do_not_depend_on_call_order_or_process():
    from qiskit.synthesis import gridsynth_rz

    rotations._GRIDSYNTH.clear()
    forward = rotations.rotation_t_counts(_ANGLES, 1e-8, "gridsynth")
    rotations._GRIDSYNTH.clear()
    for angle in (0.5, 1.7, 3.0):  # fill Qiskit's process-wide caches in this process first
        gridsynth_rz(angle, 1e-8)
    backward = rotations.rotation_t_counts(list(reversed(_ANGLES)), 1e-8, "gridsynth")
    assert forward == backward
    reference = _fresh_reference(2.15, 1e-8)  # a process that synthesises nothing else
    assert forward[2.15] == reference
    qc = QuantumCircuit(1)
    qc.rz(2.15, 0)
    assert count_demand(qc, ErrorBudget(3e-8), synthesis="gridsynth").t_count == reference  # eps = 1e-8


def test_one_gridsynth_server_serves_every_call_and_a_failed_one_is_replaced():
    """The server that forks a child per angle is started once per process and kept: later calls reuse it
    (same process, same counts, in any order); a forked process starts its own and leaves the parent's alone; an
    angle that fails raises, naming the worker, and the next call starts a new server."""
    from magicpipe.passes import _gridsynth_worker as worker

    first = worker.t_counts([(2.15, 1e-8), (0.35, 1e-4)])
    server = worker._SERVER[0][1]
    assert worker.t_counts([(0.35, 1e-4), (2.15, 1e-8)]) == first[::-1]
    assert worker._SERVER[0][1] is server and server.poll() is None
    read, write = os.pipe()
    if (pid := os.fork()) == 0:  # pragma: no cover - runs in the child
        try:  # a fork starts its own server: the parent's pipes are not shared with it
            mine = worker.t_counts([(0.35, 1e-4)])
            os.write(write, f"{mine[0]} {worker._SERVER[0][1].pid}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as f:
        child_count, child_server = (int(x) for x in f.read().split())
    os.waitpid(pid, 0)
    assert child_count == first[1] and child_server != server.pid and server.poll() is None
    assert worker.t_counts([(2.15, 1e-8)]) == first[:1]  # the parent's server still answers
    with pytest.raises(RuntimeError, match="gridsynth worker failed"):
        worker.t_counts([(float("nan"), 1e-8)])
    assert server.poll() is not None  # the failed server is gone ...
    assert worker.t_counts([(2.15, 1e-8)]) == first[:1]  # ... and replaced
    assert worker._SERVER[0][1] is not server and worker._SERVER[0][1].poll() is None


# -- Toffolis -------------------------------------------------------------------------------------------
def _four_t_toffoli_unitary_part() -> QuantumCircuit:
    """Jones 2013: AND of a, b into a fresh ancilla with 4 T, CNOT onto the target, ancilla to the X basis."""
    a, b, t, anc = 0, 1, 2, 3
    qc = QuantumCircuit(4)
    qc.h(anc)
    qc.t(anc)  # +c
    qc.cx(a, anc)
    qc.tdg(anc)  # -(a ^ c)
    qc.cx(b, anc)
    qc.t(anc)  # +(a ^ b ^ c)
    qc.cx(a, anc)
    qc.tdg(anc)  # -(b ^ c)
    qc.cx(b, anc)
    qc.h(anc)  # the ancilla is now ab, with a phase i^(-ab) ...
    qc.s(anc)  # ... which S on the ancilla (= ab) removes: a Clifford
    qc.cx(anc, t)
    qc.h(anc)  # then measure the ancilla; outcome 1 is corrected by CZ(a, b)
    return qc


def test_four_t_toffoli_by_state_vector():
    construction = _four_t_toffoli_unitary_part()
    ops = construction.count_ops()
    ccx = QuantumCircuit(3)
    ccx.ccx(0, 1, 2)
    assert ops.get("t", 0) + ops.get("tdg", 0) == 4 == count_demand(ccx).t_count
    cz = QuantumCircuit(3)
    cz.cz(0, 1)
    for seed in range(3):
        psi = random_statevector(8, seed=seed)
        want = psi.evolve(ccx).data
        full = Statevector(np.kron([1, 0], psi.data)).evolve(construction).data.reshape(2, 8)  # [ancilla, a b t]
        for outcome in (0, 1):  # measuring the ancilla: each outcome with probability 1/2
            branch = full[outcome]
            assert np.linalg.norm(branch) ** 2 == pytest.approx(0.5)
            got = Statevector(branch / np.linalg.norm(branch))
            if outcome:
                got = got.evolve(cz)
            assert abs(np.vdot(got.data, want)) == pytest.approx(1.0)


# -- entry points ---------------------------------------------------------------------------------------
_KEEP = get_clifford_gate_names() + ["t", "tdg", "rz", "ccx", "ccz"]


@pytest.mark.parametrize("name", ["qft16.qasm", "adder8.qasm"])  # rotations; Toffolis (ising4x4: docs/frontend.md)
def test_every_entry_point_counts_the_same(tmp_path, name):
    circuit = load_program(EXAMPLES / name)
    direct = count_demand(circuit)
    # the transpiler plugin runs pass_manager() itself; magicpipe.compile (and the compile CLI) the same passes
    plugin = transpile(circuit, basis_gates=_KEEP, optimization_level=1, scheduling_method="magicpipe")
    plugged = plugin.metadata["magicpipe_demand"]
    compiled = magicpipe.compile(EXAMPLES / name, max_levels=1)
    assert main(["counts", str(EXAMPLES / name), "--out", str(tmp_path / "c.json")]) == 0
    counts = LogicalCounts.from_json((tmp_path / "c.json").read_text())
    assert plugged["t_count"] == compiled.demand.t_states == direct.t_count
    assert plugged["logical_qubits"] == compiled.circuit["logical_qubits"] == direct.logical_qubits
    assert counts == LogicalCounts(**_fields(direct.to_counts()))
    assert magicpipe.compile(counts, max_levels=1).demand.t_states == direct.t_count  # the counts route agrees
    assert not plugged["presynthesized"]


def _fields(c: LogicalCounts) -> dict:
    return {f: getattr(c, f) for f in ("num_qubits", "t_count", "rotation_count", "rotation_depth", "ccz_count",
                                       "ccix_count", "measurement_count")}


def test_clifford_t_path_is_flagged_in_the_demand_and_the_plan():
    qc = QuantumCircuit(2)
    qc.rz(0.3, 0)
    qc.cx(0, 1)
    out = transpile(qc, basis_gates=get_clifford_gate_names() + ["t", "tdg"], scheduling_method="magicpipe")
    demand, plan = out.metadata["magicpipe_demand"], out.metadata["magicpipe_plan"]
    assert demand["presynthesized"] and demand["synthesis_model"]["name"] == "qiskit"
    assert demand["rotations"] == 0 and demand["t_count"] == out.count_ops().get("t", 0) + out.count_ops().get("tdg", 0)
    assert plan["demand"]["circuit"]["presynthesized"]


def test_toffoli_timeline_separates_ccz_states():
    qc = QuantumCircuit(4)
    qc.t(3)
    qc.ccx(0, 1, 2)
    qc.ccx(0, 1, 3)
    d = count_demand(qc)
    assert d.toffoli_timeline.counts() == [1, 1] and d.timeline.counts() == [5, 4]
    t_only = [a - d.toffoli_t_cost * b for a, b in zip(d.timeline.counts(), d.toffoli_timeline.counts())]
    assert t_only == [1, 0] and sum(t_only) == d.t_gates


def test_program_qubits_exclude_idle_device_wires():
    from qiskit.providers.fake_provider import GenericBackendV2

    qc = QuantumCircuit(3)
    qc.h(0)
    qc.ccx(0, 1, 2)
    backend = GenericBackendV2(27, basis_gates=["cx", "rz", "sx", "x", "id"], seed=1)
    wide = transpile(qc, backend=backend, optimization_level=0, seed_transpiler=1)
    assert wide.num_qubits == 27
    assert count_demand(wide).logical_qubits == 3 + count_demand(wide).ancillas
    assert count_demand(qc).logical_qubits == 3 + 1  # the Toffoli's ancilla
    plugged = transpile(qc, backend=backend, optimization_level=0, seed_transpiler=1, scheduling_method="magicpipe")
    assert plugged.metadata["magicpipe_demand"]["logical_qubits"] == 3


# -- counts, header-less OpenQASM 2 ---------------------------------------------------------------------
def test_counts_to_stdout_are_azure_logical_counts(capsys):
    assert main(["counts", str(EXAMPLES / "adder8.qasm")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {"numQubits": 19, "tCount": 0, "rotationCount": 0, "rotationDepth": 0, "cczCount": 16,
                    "ccixCount": 0, "measurementCount": 0}


def test_to_counts_carries_rotation_depth_and_the_timeline():
    qc = QuantumCircuit(2, 2)
    qc.rz(0.3, 0)
    qc.rz(0.4, 0)
    qc.rz(0.5, 1)
    qc.t(1)
    qc.measure([0, 1], [0, 1])
    d = count_demand(qc)
    c = d.to_counts()
    assert (c.rotation_count, c.rotation_depth, c.t_count, c.measurement_count, c.num_qubits) == (3, 2, 1, 2, 2)
    assert c.timeline == d.timeline and c.timeline.total == d.t_count


_HEADERLESS = 'include "qelib1.inc";\nqreg q[3];\ncreg c[3];\nh q[0];\nccx q[0],q[1],q[2];\nt q[2];\nmeasure q -> c;\n'


def test_headerless_openqasm2_loads_as_openqasm2(tmp_path):
    assert qasm_version(_HEADERLESS) == 2
    with_header = loads_program("OPENQASM 2.0;\n" + _HEADERLESS)
    path = tmp_path / "qasmbench_style.qasm"
    path.write_text(_HEADERLESS)
    without = load_program(path)
    assert count_demand(without).t_count == count_demand(with_header).t_count == 4 + 1
    assert main(["counts", str(path)]) == 0


# -- --optimize-t ---------------------------------------------------------------------------------------
def _small_programs() -> list[QuantumCircuit]:
    qft = QuantumCircuit(4)
    for i in range(4):
        qft.h(i)
        for j in range(i + 1, 4):
            qft.cp(math.pi / 2 ** (j - i), j, i)
    mixed = QuantumCircuit(3)
    mixed.t(0)
    mixed.cx(0, 1)
    mixed.t(1)
    mixed.cx(0, 1)
    mixed.tdg(1)
    mixed.rz(0.3, 2)
    mixed.cx(2, 0)
    mixed.rz(0.4, 2)
    mixed.ccx(0, 1, 2)
    mixed.t(0)
    mixed.t(0)
    return [qft, mixed]


@pytest.mark.parametrize("index", [0, 1])
def test_optimize_t_is_equivalent_and_never_worse(index):
    pytest.importorskip("pyzx", reason="--optimize-t needs the optional extra magicpipe[zx] (pyzx)")
    from magicpipe.passes.zx import optimize_t
    from qiskit.quantum_info import Operator

    circuit = _small_programs()[index]
    result = optimize_t(circuit)
    assert Operator(result.circuit).equiv(Operator(circuit))  # up to global phase
    assert result.states_after <= result.states_before == count_demand(circuit).t_count
    assert count_demand(result.circuit).t_count == min(result.states_after, result.states_before)
    assert result.kept  # both programs have phases pyzx merges


def test_optimize_t_refuses_above_its_size_limit():
    pytest.importorskip("pyzx", reason="--optimize-t needs the optional extra magicpipe[zx] (pyzx)")
    from magicpipe.passes.zx import optimize_t

    with pytest.raises(SpecError, match="up to 10 gates"):
        optimize_t(_small_programs()[0], max_gates=10)


def test_optimize_t_in_compile_records_both_counts(tmp_path):
    pytest.importorskip("pyzx", reason="--optimize-t needs the optional extra magicpipe[zx] (pyzx)")
    assert main(["compile", str(EXAMPLES / "adder8.qasm"), "--optimize-t", "--max-levels", "2",
                 "--out", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "plan.json").read_text())
    zx = record["demand"]["circuit"]["optimize_t"]
    assert zx["states_before"] == 64 and zx["kept"] == (zx["states_after"] < 64)
    assert record["demand"]["t_count"] == min(zx["states_before"], zx["states_after"])
