"""The |0> patch of the auto-corrected rotation: the seam-merge proxy and the bound (verification/zero_patch.py)."""

import pytest
import stim

from magicpipe.errors import SpecError
from magicpipe.verification.stand_in import real_effect
from magicpipe.verification.zero_patch import seam_merge_circuit, seam_merge_rates, zero_patch_cost


def _only(circuit: stim.Circuit, k: int) -> stim.Circuit:
    out = stim.Circuit()
    for inst in circuit:
        if inst.name != "OBSERVABLE_INCLUDE" or int(inst.gate_args_copy()[0]) == k:
            out.append(inst)
    return out


@pytest.mark.parametrize("basis", ["z", "x"])
def test_proxy_is_deterministic_without_noise_and_has_distance_3(basis):
    quiet = seam_merge_circuit(3, 0.0, basis)
    det, obs = quiet.compile_detector_sampler(seed=1).sample(64, separate_observables=True)
    assert quiet.num_detectors > 0 and not det.any() and not obs.any()
    noisy = seam_merge_circuit(3, 1e-3, basis)
    assert noisy.num_observables == (3 if basis == "z" else 1)
    for k in range(noisy.num_observables):  # the misread, each patch's logical Z; X_m X_0
        assert len(_only(noisy, k).shortest_graphlike_error()) == 3


def test_rates_are_seeded_and_counted_per_merge():
    a, b = seam_merge_rates(3, 2e-3, 4000, seed=3), seam_merge_rates(3, 2e-3, 4000, seed=3)
    assert a == b and a.errors[0] > 0 and a.z_error > 0
    assert a.misread == a.errors[0] / 4000 and a.z_error == a.errors[2] / 4000


def test_cost_is_a_misread_per_rotation_and_a_z_error_twice_that():
    """Every single misread of 15-to-1's 11 rotations is rejected with probability 1/2 and never accepted wrong,
    so to first order the |0> patch adds rejection only: 11 x (twist x misread + 2 z_error) / 2 per run."""
    assert all(real_effect((), (j,)) == pytest.approx((0.5, 0.0)) for j in range(11))
    cost = zero_patch_cost(misread=1e-3, z_error=2e-3, p_l=1e-3, twist=2.0)
    assert cost["reject"] == pytest.approx(11 * (2 * 1e-3 + 2 * 2e-3) / 2)
    assert cost["b"] == pytest.approx(cost["reject"] / 1e-3) and cost["accepted_wrong"] == cost["a"] == 0.0
    assert zero_patch_cost(0.0, 1e-3, 1e-3)["reject"] == pytest.approx(zero_patch_cost(2e-3, 0.0, 1e-3, 1.0)["reject"])
    with pytest.raises(SpecError, match="need p_l > 0"):
        zero_patch_cost(1e-3, 0.0, 0.0)
    with pytest.raises(SpecError, match="odd integer >= 3"):
        seam_merge_circuit(4, 1e-3, "z")
