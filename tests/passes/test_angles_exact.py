"""Angles are reduced from the float's exact value and refused where the float carries no precision."""

import math
from decimal import Decimal

import pytest

from magicpipe.errors import SpecError
from magicpipe.passes.rotations import angle_key, classify_angle, reduce_angle


def test_large_multiples_of_pi_over_4_keep_their_class():
    for k in (10**5 + 1, 10**6 + 3, 2 * 10**6):  # odd multiples are T gates, even ones Cliffords
        theta = k * math.pi / 4
        assert classify_angle(theta) == ("t" if k % 2 else "clifford"), k


def test_reduction_is_exact_where_fmod_is_not():
    # 1e6 rad is 159154 turns: fmod with the float nearest 2 pi is off by 159154 * 2.45e-16 = 3.9e-11
    exact, fmod = reduce_angle(1e6), math.fmod(1e6, 2 * math.pi)
    float_two_pi_error = float(Decimal("6.283185307179586476925286766559") - Decimal(2 * math.pi))  # 2.45e-16
    assert abs(exact - fmod) == pytest.approx(159154 * float_two_pi_error, rel=1e-3)
    assert angle_key(1e6) == round(exact, 12)


@pytest.mark.parametrize("theta", [2.0**24, -2.0**24, 1e17, math.inf, -math.inf, math.nan])
def test_angles_without_precision_are_refused(theta):
    with pytest.raises(SpecError, match="rotation angle"):
        classify_angle(theta)


def test_just_below_the_limit_is_accepted():
    assert classify_angle(2.0**24 - 2) == "arbitrary"
