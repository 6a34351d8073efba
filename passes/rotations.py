"""Exact classification of Z-rotation angles and the T-count of synthesising the arbitrary ones.

A rotation ``RZ(theta)`` (equally ``P(theta)``, ``U1(theta)``, and ``RX``/``RY``, which are RZ conjugated by a
Clifford) is, up to a global phase,

* a Clifford when ``theta`` is a multiple of pi/2 (``S^k``);
* one T-type magic state when ``theta`` is an odd multiple of pi/4 (``T S^k``);
* otherwise an arbitrary rotation, approximated by a Clifford+T word.

Angles arrive as floats (QASM's ``pi/4`` is a float after parsing), so "multiple of pi/4" means within
:data:`ANGLE_ATOL` radians of one.

Synthesis cost of an arbitrary rotation to error ``eps`` (``method``):

* ``"mixed-fallback"`` (the default, also what ``"auto"`` means), ``"azure"``, ``"azure-2022"`` or ``"a,b"``: a
  model ``ceil(a log2(1/eps) + b)`` of :mod:`magicpipe.compiler.synthesis` -- the expected T-count of
  Kliuchnikov et al.'s mixed fallback protocol (arXiv:2203.10064), the Azure Resource Estimator's formula
  (today's, or Beverland et al. 2022's), or constants of your own;
* ``"gridsynth"``: the T-count of Qiskit's Ross-Selinger implementation, :func:`qiskit.synthesis.gridsynth_rz`
  (Ross & Selinger, arXiv:1403.2975), exact per angle. Each angle is synthesised in a fresh process
  (:mod:`magicpipe.passes._gridsynth_worker` says why), so the count does not depend on call order or
  process; results are cached per (angle, eps);
* ``"formula"``: ``round(3.03 log2(1/eps) + 1.27)``, a least-squares fit to gridsynth on 570 random angles
  with eps = 1e-2 .. 1e-20 (RMS residual 2.1 T);
* ``"gridsynth-auto"``: gridsynth while the program has at most :data:`AUTO_GRIDSYNTH_ANGLES` distinct angles,
  the formula beyond (what ``"auto"`` meant before the models).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from magicpipe.compiler.synthesis import SYNTHESIS_MODELS, get_synthesis_model

from magicpipe.errors import SpecError

__all__ = [
    "ANGLE_ATOL",
    "AUTO_GRIDSYNTH_ANGLES",
    "DEFAULT_SYNTHESIS",
    "FORMULA",
    "SYNTHESIS_METHODS",
    "classify_angle",
    "reduce_angle",
    "resolve_method",
    "rotation_t_count",
    "rotation_t_counts",
]

ANGLE_ATOL = 1e-9
"""Radians within which an angle counts as a multiple of pi/4."""

FORMULA = (3.03, 1.27)
"""``(a, b)`` of the fitted T-count ``round(a log2(1/eps) + b)``."""

AUTO_GRIDSYNTH_ANGLES = 200
"""Distinct angles up to which ``"gridsynth-auto"`` calls gridsynth."""

DEFAULT_SYNTHESIS = "mixed-fallback"
"""The default rotation cost (``docs/frontend.md`` says why)."""

SYNTHESIS_METHODS = ("auto", "gridsynth", "formula", "gridsynth-auto", *SYNTHESIS_MODELS)
"""Named methods; ``"a,b"`` (a model of your own) is accepted too."""

Kind = Literal["clifford", "t", "arbitrary"]


# pi to 100 digits: the angles accepted (|theta| < 2^24) leave a reduction error below 1e-90.
_PI = Fraction(Decimal("3.141592653589793238462643383279502884197169399375105820974944592307816406286"
                       "208998628034825342117068"))


def _exact_turns(theta: float) -> Fraction:
    """``theta / (pi/4)`` computed from the float's exact value; refuses angles that carry no precision.

    A float of magnitude 2^24 or more is spaced more than 2 ``ANGLE_ATOL`` from its neighbours, so whether it
    meant a multiple of pi/4 cannot be told (``rz(1e17)`` is any angle at all).
    """
    if not math.isfinite(theta):
        raise SpecError(f"rotation angle {theta!r} is not a finite number; give a finite angle in radians")
    if math.ulp(theta) / 2 > ANGLE_ATOL:
        raise SpecError(f"rotation angle {theta:g} rad is too large to carry its meaning: floats there are "
                        f"{math.ulp(theta):.3g} rad apart, coarser than the {ANGLE_ATOL:g} rad the count needs; "
                        f"reduce it modulo 2 pi in the program")
    return Fraction(theta) / (_PI / 4)


def reduce_angle(theta: float) -> float:
    """``theta`` modulo 2 pi in [0, 2 pi), reduced exactly (not with the float nearest 2 pi).

    Examples:
        >>> round(reduce_angle(2 * math.pi + 0.25), 12), round(reduce_angle(-math.pi / 2), 12)
        (0.25, 4.712388980385)
        >>> reduce_angle(1e6), math.fmod(1e6, 2 * math.pi)  # fmod's 2 pi is off by 2.4e-16, times 159154 turns
        (5.925621140093852, 5.925621140132833)
    """
    turns = _exact_turns(theta) / 8
    frac = turns - math.floor(turns)
    return float(frac * 2 * _PI) % (2 * math.pi)


def classify_angle(theta: float) -> Kind:
    """``"clifford"`` for multiples of pi/2, ``"t"`` for odd multiples of pi/4, else ``"arbitrary"``.

    The angle is reduced exactly (:func:`reduce_angle`); an angle too large to carry ``ANGLE_ATOL`` of
    precision, or not finite, is refused.

    Raises:
        SpecError: ``theta`` is not finite or ``|theta| >= 2^24`` rad.

    Examples:
        >>> [classify_angle(k * math.pi / 4) for k in (0, 1, 2, 3, -1, 6)]
        ['clifford', 't', 'clifford', 't', 't', 'clifford']
        >>> classify_angle(0.3), classify_angle(1e6 * math.pi + 0.5)
        ('arbitrary', 'arbitrary')
        >>> classify_angle(1e17)
        Traceback (most recent call last):
        ...
        magicpipe.errors.SpecError: rotation angle 1e+17 rad is too large to carry its meaning: floats there are 16 rad apart, coarser than the 1e-09 rad the count needs; reduce it modulo 2 pi in the program
    """  # noqa: E501 (a doctest's expected output is one line)
    k = _exact_turns(theta)
    m = round(k)
    if abs(float(k - m)) * (math.pi / 4) > ANGLE_ATOL:
        return "arbitrary"
    return "clifford" if m % 2 == 0 else "t"


def _check_eps(eps: float) -> None:
    if not 0 < eps < 1:
        raise SpecError(f"rotation synthesis error must lie in (0, 1), got {eps!r}")
    if eps < 1e-300:  # 1/eps would overflow
        raise SpecError(f"rotation synthesis error {eps!r} is below 1e-300; raise the error budget")


def formula_t_count(eps: float) -> int:
    """The fitted T-count of one arbitrary rotation at error ``eps``.

    Examples:
        >>> formula_t_count(1e-10)
        102
    """
    _check_eps(eps)
    a, b = FORMULA
    return max(1, round(a * math.log2(1 / eps) + b))


_GRIDSYNTH: dict[tuple[float, float], int] = {}


def _gridsynth_t_counts(keys: Iterable[float], eps: float) -> dict[float, int]:
    from magicpipe.passes._gridsynth_worker import t_counts

    keys = list(dict.fromkeys(keys))
    missing = [k for k in keys if (k, eps) not in _GRIDSYNTH]
    for k, n in zip(missing, t_counts([(k, eps) for k in missing])):
        _GRIDSYNTH[(k, eps)] = n
    return {k: _GRIDSYNTH[(k, eps)] for k in keys}


def angle_key(theta: float) -> float:
    """The cache key of an angle: ``theta`` modulo 2 pi, rounded to 12 digits (RZ up to a global phase)."""
    return round(reduce_angle(theta), 12)


def rotation_t_count(theta: float, eps: float, method: str = "gridsynth") -> int:
    """T states consumed by ``RZ(theta)`` synthesised to operator-norm error ``eps``.

    Clifford angles cost 0 and odd multiples of pi/4 cost 1 whatever ``eps``.

    Args:
        theta: rotation angle in radians.
        eps: synthesis error per rotation, in (0, 1).
        method: ``"gridsynth"``, ``"formula"``, a model name or ``"a,b"`` (``"auto"`` and ``"gridsynth-auto"``
            are resolved per program by :func:`resolve_method`).

    Raises:
        SpecError: ``eps`` outside (0, 1) or an unknown method.

    Examples:
        >>> import math
        >>> rotation_t_count(math.pi / 2, 1e-6), rotation_t_count(-3 * math.pi / 4, 1e-6)
        (0, 1)
        >>> rotation_t_count(0.3, 1e-10, "formula")
        102
    """
    kind = classify_angle(theta)
    if kind == "clifford":
        return 0
    if kind == "t":
        return 1
    _check_eps(eps)
    return rotation_t_counts([theta], eps, method)[angle_key(theta)]


def rotation_t_counts(angles: Iterable[float], eps: float, method: str = DEFAULT_SYNTHESIS) -> dict[float, int]:
    """T states of each arbitrary rotation, keyed by :func:`angle_key` (one gridsynth batch for all angles).

    Examples:
        >>> rotation_t_counts([0.3, 1.2], 1e-3 / 3 / 5600)
        {0.3: 18, 1.2: 18}
    """
    _check_eps(eps)
    keys = [angle_key(a) for a in angles]
    if method == "gridsynth":
        return _gridsynth_t_counts(keys, float(eps))
    if method == "formula":
        n = formula_t_count(eps)
    elif method in ("auto", "gridsynth-auto"):
        raise SpecError(f"resolve {method!r} with resolve_method(method, distinct_angles) first")
    else:
        n = get_synthesis_model(method).rotation_t_count(eps)
    return {k: n for k in keys}


def resolve_method(method: str, distinct_angles: int) -> str:
    """The method a program with ``distinct_angles`` is costed by: ``"auto"`` is the default model,
    ``"gridsynth-auto"`` gridsynth or the formula by the number of angles; others are checked.

    Examples:
        >>> resolve_method("auto", 12), resolve_method("gridsynth-auto", 12), resolve_method("gridsynth-auto", 10_000)
        ('mixed-fallback', 'gridsynth', 'formula')
        >>> resolve_method("0.5,3", 1)
        '0.5,3'
    """
    if method == "auto":
        return DEFAULT_SYNTHESIS
    if method == "gridsynth-auto":
        return "gridsynth" if distinct_angles <= AUTO_GRIDSYNTH_ANGLES else "formula"
    if method in ("gridsynth", "formula"):
        return method
    try:
        return get_synthesis_model(method).name
    except SpecError:
        raise SpecError(
            f"synthesis method must be one of {SYNTHESIS_METHODS} or 'a,b' for a log2(1/eps) + b, got {method!r}"
        ) from None
