"""Speed of the demand analysis and of planning (pytest-benchmark; run explicitly, not collected by default).

    /work/.venv/bin/python -m pytest tests/passes/bench_demand.py --benchmark-only

The issue's targets: demand analysis of a 10^6-gate Clifford+T circuit under 10 s, planning under 5 s.
"""

import random

import pytest
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag

from magicpipe.compiler import Hardware
from magicpipe.passes import MagicStateDemand, count_demand, plan_distillation


def clifford_t(n_gates: int, n_qubits: int = 50, seed: int = 1) -> QuantumCircuit:
    """Random Clifford+T: 30% T/Tdg, 30% H/S, 40% CX, and 1% rotations at 20 distinct angles."""
    rng = random.Random(seed)
    qc = QuantumCircuit(n_qubits)
    for i in range(n_gates):
        r, a = rng.random(), rng.randrange(n_qubits)
        if r < 0.15:
            qc.t(a)
        elif r < 0.30:
            qc.tdg(a)
        elif r < 0.45:
            qc.h(a)
        elif r < 0.59:
            qc.s(a)
        elif r < 0.60:
            qc.rz(0.05 + 0.01 * (i % 20), a)
        else:
            b = rng.randrange(n_qubits - 1)
            qc.cx(a, b + (b >= a))
    return qc


@pytest.fixture(scope="module")
def million():
    return circuit_to_dag(clifford_t(10**6))


def test_demand_of_a_million_gates(benchmark, million):
    def run():
        p = MagicStateDemand()
        p.run(million)
        return p.property_set["magicpipe_demand"]

    demand = benchmark.pedantic(run, rounds=3, iterations=1)
    assert demand.t_count > 3 * 10**5
    assert len(demand.timeline.lengths) < 2 * 10**6


@pytest.mark.parametrize("p", [1e-3, 1e-4])
def test_planning(benchmark, p):
    demand = count_demand(clifford_t(10**4, 20))
    hw = Hardware(p=p, eps=p)
    plan = benchmark.pedantic(lambda: plan_distillation(demand, hw, max_levels=3), rounds=3, iterations=1)
    assert plan.needs_factories
