"""Hardware, factory and pipeline model against the paper's Table 1 and equations."""

import math

import pytest

from magicpipe.compiler import FIFTEEN_TO_ONE, Factory, Hardware, Pipeline, patch_qubits
from magicpipe.errors import SpecError


def test_table1_exactly():
    """Paper Table 1: (3, 9, 15) at p = eps = 1e-3."""
    pipe = Pipeline.from_distances((3, 9, 15), Hardware(p=1e-3, eps=1e-3))
    assert [lv.qubits for lv in pipe.levels] == [255, 2415, 6735]
    assert [pipe.hardware.rounds_to_us(lv.rounds) for lv in pipe.levels] == [13.2, 39.6, 66.0]
    assert [f"{lv.eps_in:.1e}" for lv in pipe.levels] == ["1.0e-03", "2.1e-03", "2.5e-06"]
    assert [f"{lv.eps_out:.1e}" for lv in pipe.levels] == ["2.1e-03", "2.5e-06", "2.1e-09"]
    # exact values of Eqs. 2-3 behind the rounded table entries
    assert pipe.levels[0].eps_out == pytest.approx(35e-9 + 7.1 * 3e-4, rel=1e-12)
    assert pipe.levels[0].improves is False  # the paper's own example: level 1 makes the error worse


def test_t_stab_is_400ns_and_eq2():
    hw = Hardware()
    assert hw.t_stab_ns == 400.0
    assert hw.logical_error(5) == pytest.approx(0.03 * (1e-4 / 1e-2) ** 3, rel=1e-12)


def test_factory_figures_at_d5():
    f = Factory(FIFTEEN_TO_ONE, 5)
    assert (f.qubits, f.rounds, f.data_qubits, f.lendable_qubits) == (735, 55, 245, 490)
    assert f.step_offsets() == (0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50)
    p_l = 0.03 * 1e-6
    assert f.success_probability(1e-4) == pytest.approx(1 - 15e-4 - 356 * p_l, rel=1e-12)
    assert f.output_error(1e-4) == pytest.approx(35e-12 + 7.1 * p_l, rel=1e-12)


def test_protocol_rotations_are_the_punctured_reed_muller_code():
    rots = FIFTEEN_TO_ONE.rotations
    assert rots[:4] == ("ZIIII", "IZIII", "IIZII", "IIIZI")
    # all 15 non-zero vectors on qubits 1-4, each once; qubit 5 present iff the weight is even
    vecs = {r[:4] for r in rots}
    assert len(vecs) == 15 and "IIII" not in vecs
    for r in rots:
        assert (r[4] == "Z") == (r[:4].count("Z") % 2 == 0)
    assert FIFTEEN_TO_ONE.threshold() == pytest.approx(1 / math.sqrt(35), rel=1e-9)


@pytest.mark.parametrize("d", [0, -3, 4, 2.0, True])
def test_bad_distance(d):
    with pytest.raises(SpecError, match="odd positive integer"):
        Pipeline.from_distances((3, d))


def test_patch_qubits():
    assert [patch_qubits(d) for d in (1, 3, 5, 17)] == [1, 17, 49, 577]


def test_non_improving_level_is_an_error_when_strict():
    # 35 eps^3 + 7.1 p_L >= eps at d = 3, p = eps = 1e-3
    with pytest.raises(SpecError, match="cannot improve input error 0.001"):
        Pipeline.from_distances((3, 9), Hardware(p=1e-3, eps=1e-3), strict=True)


def test_raw_error_above_distillation_threshold():
    with pytest.raises(SpecError, match="distillation threshold"):
        Pipeline.from_distances((5,), Hardware(p=1e-4, eps=0.2))


@pytest.mark.parametrize("kw", [{"p": 0.02}, {"p": 0.0}, {"eps": 1.0}, {"eps": -1e-3}])
def test_bad_hardware(kw):
    with pytest.raises(SpecError):
        Hardware(**kw)


def test_protocol_own_coefficients_are_eqs_3_and_4():
    """The 15-to-1 protocol's published p_L coefficients (used when no error model is passed) are the paper's
    Eq. 3, ``eps_out = 35 eps^3 + 7.1 p_L``, and Eq. 4, ``p_succ = 1 - 15 eps - 356 p_L``, and equal the
    ``paper`` error model's."""
    from magicpipe.compiler.errormodel import PAPER

    eps, p_l = 1e-3, 1e-5
    assert FIFTEEN_TO_ONE.success_probability(eps, p_l) == pytest.approx(1 - 15e-3 - 356e-5, rel=1e-12)
    assert FIFTEEN_TO_ONE.output_error(eps, p_l) == pytest.approx(35e-9 + 7.1e-5, rel=1e-12)
    assert (FIFTEEN_TO_ONE.out_error_pl, FIFTEEN_TO_ONE.fail_pl) == PAPER.coefficients(FIFTEEN_TO_ONE, 5)
