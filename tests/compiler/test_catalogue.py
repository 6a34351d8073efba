"""The factory catalogue: Litinski's published figures, the block model's engine, bad layouts, the search."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from magicpipe.compiler import Hardware, Source
from magicpipe.compiler.blockmodel import NoiseModel, run_layout
from magicpipe.compiler.blocks import (
    FIRST_LEVEL,
    LAYOUTS,
    Layout,
    Rotation,
    Step,
    get_layout,
)
from magicpipe.compiler.catalogue import block_name, one_level, two_level
from magicpipe.compiler.catalogue_search import catalogue, catalogue_sources

from magicpipe.errors import SpecError

# Litinski 2019 (Tables 1-3 and the figures of his public code litinski/magicstates, main.py):
# (p, first-level distances, copies, upper protocol, upper distances) -> (output error, qubits, cycles, p_fail)
PUBLISHED = [
    ((1e-4, (7, 3, 3), 1, None, None), (4.4e-8, 810, 18.1, 0.00305)),
    ((1e-3, (17, 7, 7), 1, None, None), (4.5e-8, 4618, 42.6, 0.0149)),
    ((1e-3, (13, 5, 5), 6, "20-to-4", (23, 11, 13)), (1.4e-10, 43344, 130.0, 0.000113)),
    ((1e-3, (11, 5, 5), 6, "15-to-1", (25, 11, 11)), (2.7e-12, 30732, 82.5, 0.000388)),
    ((1e-3, (13, 7, 7), 6, "8-to-CCZ", (25, 15, 15)), (5.2e-11, 47046, 60.0, 1.03e-05)),
]


def _factory(p, first, copies, protocol, upper):
    noise = NoiseModel.litinski(p)
    if protocol is None:
        return one_level(noise, first)
    return two_level(noise, first, copies, protocol, upper)


@pytest.mark.parametrize("spec, figures", PUBLISHED, ids=lambda x: str(x[0]) if isinstance(x, tuple) else None)
def test_litinski_figures_to_their_printed_digits(spec, figures):
    """Each published figure to the digits it is printed with: the qubit count exactly (an integer footprint),
    the error to 2 significant digits, the failure probability to 3, the cycles to one decimal."""
    f = _factory(*spec)
    error, qubits, cycles, p_fail = figures
    assert f.qubits == qubits
    assert abs(f.output_error - error) <= 0.5 * 10.0 ** (math.floor(math.log10(error)) - 1)
    assert abs(f.p_fail - p_fail) <= 0.5 * 10.0 ** (math.floor(math.log10(p_fail)) - 2)
    assert abs(f.cycles - cycles) <= 0.05


def test_names_render_as_litinski_writes_them():
    assert one_level(NoiseModel.litinski(1e-3), (17, 7, 7)).name == "(15-to-1)_{17,7,7}"
    f = two_level(NoiseModel.litinski(1e-3), (13, 5, 5), 6, "20-to-4", (23, 11, 13))
    assert f.name == "(15-to-1)^6_{13,5,5} x (20-to-4)_{23,11,13}"
    assert (f.outputs, f.kind, f.distances) == (4, "T", (13, 5, 5, 23, 11, 13))
    assert block_name("8-to-CCZ", (25, 15, 15)) == "(8-to-CCZ)_{25,15,15}"


def _naive(layout: Layout, noise: NoiseModel, ds, step, transport, inputs):
    """Plain density-matrix evolution (full Kraus sums), the reference for the deviation engine."""
    n = layout.qubits
    size = 1 << n
    index = np.arange(size)
    psi = np.full(size, size**-0.5, dtype=complex)
    rho = np.outer(psi, psi.conj())
    ideal_psi = psi.copy()
    dx, dz, dm = ds
    px, pz, pm = (noise.cycle_error(d) for d in ds)

    def rot(mask, sign, t):
        lam = sign * (1 - 2 * (np.bitwise_count(index & mask).astype(int) & 1))
        return np.exp(1j * t * lam)

    for st in layout.steps:
        zexp = [0.0] * n
        for r in st.rotations:
            if r.ancilla is None:
                q = (inputs[0] + 0.5 * dm * dm / dz * pz, inputs[1] + 0.5 * dz * pm, inputs[2])
            else:
                length = r.ancilla_length(dx, dz, dm)
                q = (inputs[0] + 0.5 * transport * pm, inputs[1] + 0.5 * transport * pm + 0.5 * length * dx / dm * pm,
                     inputs[2])
                for o in layout.exposed(r):
                    zexp[o] += 0.5 * length * dm / dx * px
            weights = (1 - sum(q),) + q
            angles = (math.pi / 8, 5 * math.pi / 8, -math.pi / 8, 3 * math.pi / 8)
            rho = sum(w * np.outer(rot(r.mask, r.sign, a), rot(r.mask, r.sign, a).conj()) * rho
                      for w, a in zip(weights, angles))
            ideal_psi = ideal_psi * rot(r.mask, r.sign, math.pi / 8)
        for qb, role in enumerate(st.storage):
            x, z = {"o": (0.5 * step * px,) * 2, "c": (0.5 * step * dz / dx * px, 0.5 * step * dx / dz * pz),
                    "r": (0.5 * (dm + 2 * dx) * px,) * 2,
                    "w": (0.5 * step * px + 0.5 * (dm + 2 * dx) * px,) * 2}.get(role, (0.0, 0.0))
            z += zexp[qb]
            perm = index ^ (1 << qb)
            rho = (1 - x) * rho + x * rho[np.ix_(perm, perm)]
            s = 1 - 2 * ((index >> qb) & 1)
            rho = (1 - z) * rho + z * np.outer(s, s) * rho
    proj = np.eye(1)
    for qb in reversed(range(n)):
        proj = np.kron(proj, np.full((2, 2), 0.5) if qb in layout.checks else np.eye(2))
    kept = proj @ rho @ proj
    accept = np.trace(kept).real
    fidelity = np.vdot(ideal_psi, kept @ ideal_psi).real / accept
    return 1 - fidelity, 1 - accept


@pytest.mark.parametrize("protocol", ["15-to-1", "8-to-CCZ"])
def test_deviation_engine_matches_plain_density_matrix(protocol):
    layout = get_layout(protocol)
    noise = NoiseModel.litinski(5e-3)  # large errors, where the plain evolution keeps its digits
    args = {"step_cycles": 7.0, "transport": 40.0, "input_error": (2e-3, 1e-4, 5e-5)}
    run = run_layout(layout, noise, (7, 3, 5), **args)
    infidelity, p_fail = _naive(layout, noise, (7, 3, 5), 7.0, 40.0, (2e-3, 1e-4, 5e-5))
    assert run.infidelity == pytest.approx(infidelity, rel=1e-6)
    assert run.p_fail == pytest.approx(p_fail, rel=1e-9)


def test_deviation_engine_keeps_digits_below_float_epsilon():
    # Output error ~ 35 e^3 at e = 1e-7 is 3.5e-20: far below what 1 - fidelity could resolve.
    run = run_layout(get_layout("15-to-1"), NoiseModel.litinski(1e-9), (31, 31, 31), step_cycles=31,
                     transport=31, input_error=(1e-7, 0.0, 0.0))
    assert run.infidelity == pytest.approx(35e-21, rel=0.01)


def _bad(**changes):
    return dataclasses.replace(FIRST_LEVEL, **changes)


def test_inconsistent_layouts_are_refused():
    with pytest.raises(SpecError, match="16 input states"):
        _bad(inputs=16)
    short = FIRST_LEVEL.steps[:-1]
    with pytest.raises(SpecError, match="13 rotations listed but the protocol consumes 15"):
        _bad(steps=short)
    with pytest.raises(SpecError, match="storage"):
        _bad(steps=(Step(FIRST_LEVEL.steps[0].rotations, "-ccc"),) + FIRST_LEVEL.steps[1:])
    upper = LAYOUTS["15-to-1"]
    injected = Step((Rotation("IZIII", None), Rotation("IIZII", (0, 3, 1))), "-cc--")
    with pytest.raises(SpecError, match="no ancilla"):
        dataclasses.replace(upper, steps=(injected,) + upper.steps[1:])
    with pytest.raises(SpecError, match="split the qubits"):
        _bad(outputs=(0, 1))
    with pytest.raises(SpecError, match="do not leave every check"):
        wrong = Step((Rotation("IZIII", None), Rotation("IIZII", None), Rotation("IIIZI", None),
                      Rotation("IZZII", (0, 3, 0))), "-ccc-")
        broken = _bad(steps=(wrong,) + FIRST_LEVEL.steps[1:])
        one_level_run = run_layout(broken, NoiseModel.litinski(1e-3), (7, 3, 3), step_cycles=3, transport=3,
                                   input_error=(1e-3, 0, 0))
        del one_level_run


@pytest.mark.parametrize("ds", [(8, 3, 3), (7, 4, 3), (7, 3, 0)])
def test_even_or_nonpositive_distances_are_refused(ds):
    with pytest.raises(SpecError, match="odd positive"):
        one_level(NoiseModel.litinski(1e-3), ds)


def test_catalogue_sources_meet_the_target_and_are_sources():
    hw = Hardware(p=1e-3, eps=1e-3)
    srcs = catalogue_sources(hw, 1e-12)
    assert srcs and all(isinstance(s, Source) and s.output_error <= 1e-12 for s in srcs)
    assert all(s.kind == "T" for s in srcs)
    # below cultivation's floor (~7.9e-10 at 1e-3) no bare cultivation entry survives, but cultivation-fed
    # distillation does
    assert not any(s.method == "cultivation" for s in srcs)
    assert any(s.method == "cultivation+15-to-1" for s in srcs)
    ccz = catalogue_sources(hw, 1e-12, kinds=("CCZ",))
    assert ccz and all(s.kind == "CCZ" and s.outputs == 1 for s in ccz)


def test_catalogue_is_cached_and_refuses_bad_targets():
    noise = NoiseModel.from_hardware(Hardware(p=1e-4, eps=1e-4))
    assert catalogue(noise, 1e-15) is catalogue(noise, 1e-15)
    with pytest.raises(SpecError, match="target error"):
        catalogue(noise, 0.0)
    with pytest.raises(SpecError, match="kinds"):
        catalogue(noise, 1e-9, ("S",))


def test_project_physics_uses_hardware_logical_error_per_cycle():
    hw = Hardware(p=1e-3, eps=1e-3)
    noise = NoiseModel.from_hardware(hw)
    assert noise.cycle_error(7) == pytest.approx(hw.logical_error(7) / 7)
    assert noise.injection == pytest.approx((hw.eps / 3,) * 3)


def test_bad_two_level_inputs_are_refused():
    noise = NoiseModel.litinski(1e-3)
    with pytest.raises(SpecError, match="even number >= 2"):
        two_level(noise, (13, 5, 5), 5, "20-to-4", (23, 11, 13))
    with pytest.raises(SpecError, match="odd positive"):
        two_level(noise, (13, 5, 5), 6, "20-to-4", (23, 10, 13))
    with pytest.raises(SpecError, match="unknown protocol"):
        two_level(noise, (13, 5, 5), 6, "10-to-2", (23, 11, 13))


def test_injection_errors_must_sum_below_one():
    """NoiseModel: injection errors summing to 1 or more are refused (the boundary 1 itself included); just below
    is accepted."""
    with pytest.raises(SpecError, match="summing below 1"):
        NoiseModel(1e-3, (0.5, 0.25, 0.25))
    with pytest.raises(SpecError, match="summing below 1"):
        NoiseModel(1e-3, (0.5, 0.5, 0.5))
    assert sum(NoiseModel(1e-3, (0.5, 0.25, 0.2)).injection) == pytest.approx(0.95)


@pytest.mark.parametrize("pauli", ["IZII", "IZIIII", "IXIII", "--IZIII"])
def test_malformed_rotations_are_refused(pauli):
    """blocks.py Layout check: a rotation must be n = 5 letters I/Z with at most one sign; each fault alone (too
    short, too long, another letter, two signs) is refused."""
    first = FIRST_LEVEL.steps[0]  # the first rotation sets n; the second is the malformed one
    bad = Step(first.rotations[:1] + (Rotation(pauli, (0, 3, 0)),) + first.rotations[2:], first.storage)
    with pytest.raises(SpecError, match="must be 5 letters I/Z, optional sign"):
        _bad(steps=(bad,) + FIRST_LEVEL.steps[1:])


@pytest.mark.parametrize("injection", [(-0.1, 0.2, 0.2), (0.2, -1e-9, 0.2), (0.2, 0.2, -0.1)])
def test_a_negative_injection_error_is_refused(injection):
    """blockmodel.NoiseModel: any one negative injection error is refused (``min(...) < 0``)."""
    with pytest.raises(SpecError, match="3 non-negative numbers"):
        NoiseModel(1e-3, injection)


@pytest.mark.parametrize("copies,bound", [(2, "blocks"), (4, "blocks"), (6, "upper")])
def test_first_level_feed_period_by_hand(copies, bound):
    """catalogue.first_level_feed: the first-level block runs its len(steps) = 6 steps of d_m cycles and feeds
    two rotations a step, so ``copies / 2`` blocks serve each: a state every 6 d_m / (copies / 2) cycles,
    stretched by the restarts, 1 / (1 - p_fail), but never faster than the upper block's step of d_m' = 13.
    At d_m = 5: 30, 15 and 10 cycles (over 1 - p_fail) for 2, 4 and 6 copies; the last is bound by 13."""
    from magicpipe.compiler.catalogue import first_level_feed, first_level_run

    noise, ds = NoiseModel.litinski(1e-3), (13, 5, 5)
    assert len(FIRST_LEVEL.steps) == 6
    run = first_level_run(noise, ds)
    feed = first_level_feed(noise, ds, copies, 13)
    blocks = len(FIRST_LEVEL.steps) * 5 / (copies / 2) / (1 - run.p_fail)
    assert feed.step_cycles == pytest.approx(blocks if bound == "blocks" else 13.0, rel=1e-12)
    assert (blocks > 13) == (bound == "blocks") and feed.startup == 6 * 5



def test_an_identity_rotation_is_refused():
    """blocks.py Layout check ``r.mask == 0``: a rotation acting on no qubit is refused."""
    first = FIRST_LEVEL.steps[0]
    bad = Step(first.rotations[:1] + (Rotation("IIIII", (0, 3, 0)),) + first.rotations[2:], first.storage)
    with pytest.raises(SpecError, match="identity rotation"):
        _bad(steps=(bad,) + FIRST_LEVEL.steps[1:])


def test_catalogue_distances_are_odd():
    """Every catalogue entry's code distances are odd (the search widens by 2 from odd starts: catalogue_search
    ``ds[i] + 2``); at p = 1e-3 and 1e-12 the entries need widening past the first distances."""
    for f in catalogue(NoiseModel.litinski(1e-3), 1e-12):
        assert f.distances and all(d % 2 == 1 for d in f.distances), f.name


def test_a_negative_ancilla_is_refused():
    """blocks.py Layout check ``min(ancilla) < 0``: an ancilla of -1 patches is refused."""
    upper = LAYOUTS["15-to-1"]
    first = upper.steps[0]
    bad = Step((Rotation(first.rotations[0].pauli, (1, -1, 1)),) + first.rotations[1:], first.storage)
    with pytest.raises(SpecError, match="ancilla"):
        dataclasses.replace(upper, steps=(bad,) + upper.steps[1:])
