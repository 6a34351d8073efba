"""The 15-to-1 protocol at the logical level: rotation list, circuit, exact enumeration, sampling."""

import dataclasses
import math

import pytest

from magicpipe.compiler.protocols import FIFTEEN_TO_ONE
from magicpipe.errors import SpecError
from magicpipe.verification import (
    check_rotations,
    enumerate_errors,
    formula_gaps,
    logical_circuit,
    logical_task,
    sample_task,
)


def test_rotation_list_gives_checks_plus_one_and_a_magic_output():
    result = check_rotations(FIFTEEN_TO_ONE)
    assert result.ok
    assert result.check_values == (1.0, 1.0, 1.0, 1.0)
    # (|0> + e^{-i pi/4}|1>)/sqrt2: the transversal T of the Reed-Muller code acts as T^dagger
    assert result.output_phases == (-0.25,)
    assert result.output_coherences == (0.5,) and result.output_populations == (0.5,)


@pytest.mark.parametrize("index", [0, 4, 14])
def test_a_wrong_rotation_is_caught_by_the_state_vector(index):
    rotations = list(FIFTEEN_TO_ONE.rotations)
    rotations[index] = "ZZZZZ" if rotations[index] != "ZZZZZ" else "ZIIII"
    broken = dataclasses.replace(FIFTEEN_TO_ONE, rotations=tuple(rotations))
    assert not check_rotations(broken).ok


def test_circuit_is_built_from_the_protocol_rotation_list():
    circuit = logical_circuit(0.01)
    errors = [inst for inst in circuit if inst.name == "E"]
    assert len(errors) == len(FIFTEEN_TO_ONE.rotations)
    for inst, rotation in zip(errors, FIFTEEN_TO_ONE.rotations):
        assert [t.value for t in inst.targets_copy()] == [q for q, c in enumerate(rotation) if c == "Z"]
        assert all(t.is_z_target for t in inst.targets_copy())
        assert inst.gate_args_copy() == [0.01]
    assert circuit.num_detectors == len(FIFTEEN_TO_ONE.checks)
    assert circuit.num_observables == len(FIFTEEN_TO_ONE.output_qubits)


def test_a_single_faulty_input_is_always_detected():
    # every weight-1 error pattern trips at least one check: the DEM has no error without a detector
    dem = logical_circuit(0.01).detector_error_model()
    for inst in dem.flattened():
        if inst.type == "error":
            assert any(t.is_relative_detector_id() for t in inst.targets_copy()), inst


@pytest.mark.parametrize("eps", [0, 1, -0.1, 1.5, float("nan")])
def test_eps_outside_the_open_unit_interval_is_rejected(eps):
    with pytest.raises(SpecError, match="eps must lie in"):
        logical_circuit(eps)


def test_non_z_rotation_or_non_x_check_is_rejected():
    with pytest.raises(SpecError, match="only I and Z"):
        logical_circuit(0.01, dataclasses.replace(FIFTEEN_TO_ONE, rotations=("XIIII",) + FIFTEEN_TO_ONE.rotations[1:]))
    with pytest.raises(SpecError, match="only I and X"):
        enumerate_errors(dataclasses.replace(FIFTEEN_TO_ONE, checks=("ZIIII",) + FIFTEEN_TO_ONE.checks[1:]))


def test_weight_enumerator_is_the_hamming_code_and_odd_patterns_flip():
    enum = enumerate_errors()
    # accepted patterns: the [15, 11] Hamming code (2^11 codewords); its weight enumerator
    assert enum.accepted == (1, 0, 0, 35, 105, 168, 280, 435, 435, 280, 168, 105, 35, 0, 0, 1)
    # the output flips exactly on the odd-weight codewords (half of them)
    assert enum.flipped == tuple(a if w % 2 else 0 for w, a in enumerate(enum.accepted))
    assert sum(enum.flipped) == 2**10


def test_exact_output_error_is_35_eps_cubed_to_leading_order_with_the_measured_gap():
    enum = enumerate_errors()
    eps = 1e-4
    assert enum.flipped[3] == 35  # the leading coefficient of Eq. 3 is exact
    # the relative gap of Eq. 3 (at p_L = 0) to exact at eps = 1e-4, pinned: Eq. 3 is low by 3.0e-4 (~3 eps)
    assert enum.output_error(eps) / (35 * eps**3) - 1 == pytest.approx(3.0011e-4, rel=1e-4)
    # the gap vanishes linearly in eps: leading order is right, the next order is missing
    gaps = [g.output_error_gap for g in formula_gaps([1e-5, 1e-4])]
    assert gaps[1] / gaps[0] == pytest.approx(10, rel=1e-3)


def test_formula_gaps_over_a_sweep_are_the_measured_ones():
    # pinned from exact enumeration (docs/verification.md); gap = formula / exact - 1
    gaps = {g.eps: g for g in formula_gaps([1e-3, 1e-2, 0.05, 0.1])}
    assert gaps[1e-3].acceptance_gap == pytest.approx(-1.0616e-4, rel=1e-3)
    assert gaps[1e-3].output_error_gap == pytest.approx(-3.0018e-3, rel=1e-3)
    assert gaps[1e-2].output_error_gap == pytest.approx(-3.0140e-2, rel=1e-3)
    assert gaps[0.05].acceptance_gap == pytest.approx(-0.46359, rel=1e-4)
    assert gaps[0.05].output_error_gap == pytest.approx(-0.14889, rel=1e-4)
    # Eq. 4 goes negative past eps = 1/15 while the exact acceptance is 0.2198
    assert gaps[0.1].formula_acceptance < 0 < gaps[0.1].exact_acceptance == pytest.approx(0.2197864, rel=1e-6)


def test_sampling_agrees_with_exact_enumeration_within_five_sigma():
    eps = 0.05
    enum = enumerate_errors()
    stats = sample_task(logical_task(eps), shots=200_000, seed=11, batch_size=1 << 16)
    accepted = stats.shots - stats.discards
    p_acc = enum.acceptance(eps)
    assert abs(accepted / stats.shots - p_acc) < 5 * math.sqrt(p_acc * (1 - p_acc) / stats.shots)
    p_err = enum.output_error(eps)
    assert abs(stats.errors / accepted - p_err) < 5 * math.sqrt(p_err * (1 - p_err) / accepted)
    # and the first-order formulas are far outside that interval at this eps
    eq4 = FIFTEEN_TO_ONE.success_probability(eps, 0)
    assert abs(accepted / stats.shots - eq4) > 50 * math.sqrt(p_acc * (1 - p_acc) / stats.shots)


def test_sampling_is_seeded():
    task = logical_task(0.05)
    a, b = (sample_task(task, shots=50_000, seed=3) for _ in range(2))
    c = sample_task(task, shots=50_000, seed=4)
    assert (a.shots, a.errors, a.discards) == (b.shots, b.errors, b.discards)
    assert (a.errors, a.discards) != (c.errors, c.discards)
