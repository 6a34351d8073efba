"""The circuit-level factory: built from the lattice instructions, distance d, forced errors caught, and at
p = 0 the logical level exactly."""

import numpy as np
import pytest
import stim
from magicpipe.compiler.protocols import FIFTEEN_TO_ONE
from magicpipe.lattice.emit import build_stream
from magicpipe.lattice.samples import sample_schedule
from magicpipe.lattice.stream import Instruction
from magicpipe.verification import (
    FactoryDistance,
    FactoryProgram,
    ForcedError,
    enumerate_errors,
    factory_circuit,
    factory_distance,
    factory_instructions,
    factory_layout,
    factory_task,
    logical_circuit,
    sample_task,
)
from magicpipe.verification.factory_circuit import merged_code
from magicpipe.verification.factory_program import FactoryLayout
from magicpipe.verification.stand_in import split_events
from magicpipe.verification.summary import Estimate

from magicpipe.errors import SpecError, VerificationError

# A seeded schedule whose high-level factory runs at d = 5 (lattice.samples), emitted with its MEASUREs.
SCHEDULE_SEED_D5 = 19


def _shape(program):
    return [(m.patches, m.bus) for m in program.merges], program.burst, program.checks, program.outputs


def test_the_emitted_stream_and_our_instructions_give_the_same_program():
    schedule = sample_schedule(SCHEDULE_SEED_D5)
    assert schedule.high.distance == 5
    stream = build_stream(schedule, measurements=True)
    emitted = [i for i in stream.instructions if i.action == "MEASURE" and i.target == "H0"]
    ours = factory_instructions(FIFTEEN_TO_ONE, 5)
    assert [(i.step, i.paulis, i.tiles) for i in emitted] == [(i.step, i.paulis, i.tiles) for i in ours]
    assert _shape(FactoryProgram.from_instructions(FIFTEEN_TO_ONE, 5, emitted)) == _shape(
        FactoryProgram.from_instructions(FIFTEEN_TO_ONE, 5, ours))


def test_instructions_that_break_the_protocol_are_refused():
    ours = list(factory_instructions(FIFTEEN_TO_ONE, 3))
    swapped = ours[2:4] + ours[0:2] + ours[4:]  # rotations 5 and 6 in the wrong order
    with pytest.raises(VerificationError, match="rotation 4 of 15-to-1 acts on Z1 Z2 Z5 Zm"):
        FactoryProgram.from_instructions(FIFTEEN_TO_ONE, 3, swapped)
    with pytest.raises(VerificationError, match="Xm readout"):
        FactoryProgram.from_instructions(FIFTEEN_TO_ONE, 3, [ours[0], ours[2]])
    off = Instruction(0, "MEASURE", "H0", step=1, paulis=ours[0].paulis, tiles=ours[0].tiles[:1] + ours[0].tiles[2:])
    with pytest.raises(VerificationError, match="not one contiguous run"):
        FactoryProgram.from_instructions(FIFTEEN_TO_ONE, 3, [off])


def test_graphlike_distance_is_3_in_both_bases():
    assert factory_distance(3).ok


@pytest.mark.slow  # ~5 s: `magicpipe verify factory --distance 5` checks it too; run with `pytest -m slow`
def test_graphlike_distance_is_5_in_both_bases():
    assert factory_distance(5).ok


def _gf2_rank(rows):
    pivots = {}
    for row in rows:
        for bit, pivot in pivots.items():
            if row >> bit & 1:
                row ^= pivot
        if row:
            pivots[row.bit_length() - 1] = row
    return len(pivots)


@pytest.mark.parametrize("d", [3, 5])
def test_every_merged_code_encodes_one_qubit_fewer_than_its_patches(d):
    layout = factory_layout(d)
    for merge in layout.program.merges:
        qubits, checks = merged_code(layout, merge)
        index = {q: i for i, q in enumerate(sorted(qubits))}
        rows = {b: [sum(1 << index[q] for q in c.support) for c in checks if c.basis == b] for b in "XZ"}
        logical = len(qubits) - _gf2_rank(rows["X"]) - _gf2_rank(rows["Z"])
        assert logical == 5 - len(merge.patches) + len(merge.patches)  # 6 patches (5 data + |m>) minus one
        assert all(len(c.support) in (2, 3, 4) for c in checks)


def _run(circuit):
    dets, obs = circuit.compile_detector_sampler(seed=0).sample(1, separate_observables=True)
    return np.flatnonzero(dets[0]).size, obs[0].astype(int).tolist()


def test_noiseless_circuit_fires_nothing():
    assert _run(factory_circuit(3, 0.0, 0.0)) == (0, [0, 0, 0, 0, 0])


@pytest.mark.parametrize(
    "patch, flipped",
    [(0, [0, 1, 0, 0, 0]), (3, [0, 0, 0, 0, 1]), (4, [1, 0, 0, 0, 0])],
)
def test_a_forced_logical_z_on_a_data_patch_flips_its_check_or_the_output_unseen(patch, flipped):
    layout = factory_layout(3)
    row = tuple(sorted(layout.row(layout.patch(patch), "bottom")))
    circuit = factory_circuit(3, 0.0, 0.0, forced=[ForcedError(10, "Z", row)])
    assert _run(circuit) == (0, flipped)  # a logical error: no detector fires (that is why distance matters)


def test_forced_single_qubit_errors_are_detected():
    layout = factory_layout(3)
    data_qubit = sorted(layout.patch(1))[4]  # the middle of patch 2
    bus_qubit = sorted(layout.bus(layout.program.merges[3]))[7]
    for forced in (ForcedError(10, "Z", (data_qubit,)), ForcedError(10, "X", (data_qubit,)),
                   ForcedError(10, "Z", (bus_qubit,))):  # merge 4 runs in rounds 9-11
        fired, _ = _run(factory_circuit(3, 0.0, 0.0, forced=[forced]))
        assert fired >= 2, forced


def test_a_forced_logical_x_shows_in_the_z_twin_on_the_patch_and_every_later_merge_holding_it():
    layout = factory_layout(3)
    column = tuple(sorted(layout.column(layout.patch(0))))
    circuit = factory_circuit(3, 0.0, 0.0, basis="z", forced=[ForcedError(21, "X", column)])  # before merge 8
    fired, obs = _run(circuit)
    assert fired == 0
    mistakes = "".join("_E"[b] for b in obs)
    assert split_events(mistakes).x_errors == ((0, 7),)


def test_at_p0_the_error_model_is_the_logical_level_exactly():
    def flips(dem, observable_of):
        out = []
        for inst in dem.flattened():
            if inst.type == "error":
                out.append((inst.args_copy()[0], frozenset(observable_of(t) for t in inst.targets_copy())))
        return sorted(out, key=lambda e: sorted(e[1]))

    ours = flips(factory_circuit(3, 0.0, 0.01).detector_error_model(), lambda t: ("obs", t.val))
    # logical level: the 4 checks are detectors 0-3, the output observable 0
    logical = flips(logical_circuit(0.01).detector_error_model(),
                    lambda t: ("obs", t.val + 1) if t.is_relative_detector_id() else ("obs", 0))
    assert len(ours) == 15 and ours == logical


def test_at_p0_sampling_agrees_with_exact_enumeration():
    stats = sample_task(factory_task(3, 0.0, 0.05), shots=20_000, seed=5, batch_size=4096)
    exact = enumerate_errors()
    accepted = stats.shots - stats.discards
    acc, err = Estimate.from_counts(accepted, stats.shots), Estimate.from_counts(stats.errors, accepted)
    assert abs(acc.best - exact.acceptance(0.05)) < 5 * acc.sigma(exact.acceptance(0.05))
    assert abs(err.best - exact.output_error(0.05)) < 5 * err.sigma(exact.output_error(0.05))


@pytest.mark.parametrize("kwargs, message", [
    ({"d": 9}, "3, 5 or 7"), ({"d": 4}, "3, 5 or 7"), ({"p": 0.6}, r"\[0, 0.5\)"), ({"eps": 1.0}, r"\[0, 1\)"),
    ({"basis": "y"}, "basis"),
])
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(SpecError, match=message):
        factory_circuit(**kwargs)


def test_layout_geometry_sits_on_the_block_tiles():
    layout = factory_layout(3)
    assert isinstance(layout, FactoryLayout)
    assert min(layout.patch(2)) == (8, 4) and layout.magic_cell == (4, -1)
    assert isinstance(factory_circuit(3, 0.0, 0.0), stim.Circuit)


@pytest.mark.slow
def test_graphlike_distance_at_7_is_6_for_the_factory_and_7_for_its_twin():
    """docs/verification.md Sec. 3: the d = 7 layout is one short in the factory's basis (about a minute)."""
    assert factory_distance(7) == FactoryDistance(7, 6, 7)
