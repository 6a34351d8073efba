"""Magic-state cultivation (Gidney, Shutty, Jones 2024, arXiv:2409.17595) as a magic-state source.

Cultivation grows one T state inside a surface-code patch: inject, check it a few times in a small color code
(fault distance ``d1`` = 3 or 5), then escape into a distance ``d2 = 15`` surface code and post-select on the
decoder's complementary gap. Every stage may discard the attempt, which then restarts. What the program sees
of it is an error per kept state, a footprint, and a random time between kept states.

Data. The points below are the paper's end-to-end simulations (Monte Carlo, uniform depolarizing noise,
``end2end-inplace-distillation`` circuits with the desaturation decoder, ``d2 = 15``) as published on Zenodo
(doi:10.5281/zenodo.13777072) and in ``Strilanc/magic-state-cultivation`` (``assets/stats.csv``): for each
physical error ``p`` in {5e-4, 1e-3, 2e-3} and ``d1`` in {3, 5}, points on the error-versus-cost trade-off
obtained by raising the gap threshold. Each point is ``(error, acceptance, volume)``:

* ``error``: logical error of a kept T state, twice the simulated S-state rate (the paper's assumption);
* ``acceptance``: fraction of attempts kept (every stage's post-selection and the gap cut), read off the gap
  histogram of the stats file at the threshold that gives ``error``;
* ``volume``: expected qubit-rounds per kept state, the paper's cost measure (the same figures QRE v3's
  ``GSJ24Factory`` tabulates from the same data; our acceptances reproduce them as volume x acceptance =
  a constant baseline per ``(p, d1)`` to five digits).

Footprint: 454 qubits (``d1 = 3``) and 463 (``d1 = 5``), the ``q`` of the published circuits.

Interpolation in ``p``. Each ``(p, d1)`` list is sorted from tightest to loosest threshold; an operating point
is named by its tightness ``s`` in [0, 1] (0 = the floor, the least error; 1 = the loosest published point)
and read at index ``round(s (n - 1))``. Between two grid values of ``p`` the logarithms of error,
acceptance and volume are interpolated linearly in ``log p``. Outside [5e-4, 2e-3] the model refuses.

Time and restarts. As QRE v3 does, the time per kept state is the volume spread over the footprint,
``T = volume / qubits`` rounds. Attempts are independent: each is kept with probability ``a``, so the number
of attempts per kept state is geometric with mean ``1 / a``, and each attempt lasts ``tau = a T`` rounds on
average. :func:`sample_rounds` draws the time to ``k`` kept states from that model with a seed; its mean is
``k T`` (a test checks it).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from magicpipe.errors import InfeasibleError, SpecError

__all__ = [
    "GRID",
    "REFERENCE",
    "CultivationPoint",
    "cheapest_meeting",
    "cultivation_point",
    "cultivation_points",
    "floor",
    "sample_rounds",
]

REFERENCE = "Gidney, Shutty, Jones 2024 (arXiv:2409.17595), end-to-end stats, Zenodo doi:10.5281/zenodo.13777072"

# (p, d1) -> footprint, then (error, acceptance, volume) from tightest to loosest gap threshold.
GRID: dict[tuple[float, int], tuple[int, tuple[tuple[float, float, float], ...]]] = {
    (5e-4, 3): (454, ((2.997e-07, 0.5071, 4433.6), (3.948e-07, 0.5673, 3963.1), (8.244e-07, 0.6308, 3564.5),
                      (1.293e-05, 0.7027, 3199.8))),
    (1e-3, 3): (454, ((2.653e-06, 0.2254, 8070.6), (3.357e-06, 0.2895, 6284.1), (6.806e-06, 0.3676, 4948.5),
                      (6.425e-05, 0.4712, 3861.3), (6.441e-04, 0.5248, 3466.9))),
    (2e-3, 3): (454, ((2.491e-05, 0.03211, 37284.0), (4.191e-05, 0.06404, 18698.0), (1.060e-04, 0.1074, 11147.0),
                      (6.279e-04, 0.1872, 6396.4), (6.236e-03, 0.2647, 4524.1))),
    (5e-4, 5): (463, ((4.325e-11, 0.08152, 18963.0), (5.976e-11, 0.1180, 13101.0), (4.993e-10, 0.1483, 10424.0),
                      (1.148e-08, 0.1882, 8214.1), (3.195e-08, 0.2096, 7375.8))),
    (1e-3, 5): (463, ((7.885e-10, 0.005073, 127160.0), (2.123e-09, 0.0113, 57067.0), (9.967e-09, 0.01706, 37819.0),
                      (2.061e-07, 0.0348, 18537.0), (3.596e-06, 0.04908, 13144.0))),
    (2e-3, 5): (463, ((1.044e-07, 6.625e-05, 2657900.0), (8.265e-07, 0.0002259, 779350.0),
                      (6.303e-06, 0.0008559, 205730.0), (1.667e-05, 0.001348, 130630.0),
                      (5.063e-03, 0.002692, 65406.0))),
}
_PS = (5e-4, 1e-3, 2e-3)
TIGHTNESS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True, slots=True)
class CultivationPoint:
    """One operating point of cultivation at physical error ``p``.

    Examples:
        >>> c = cultivation_point(1e-3, 5, 0.0)
        >>> f"{c.error:.2e}", c.qubits, round(c.rounds), round(c.attempts)
        ('7.89e-10', 463, 275, 197)
    """

    p: float
    d1: int
    tightness: float
    error: float
    acceptance: float
    volume: float
    qubits: int

    @property
    def rounds(self) -> float:
        """Mean rounds per kept state, ``volume / qubits``."""
        return self.volume / self.qubits

    @property
    def attempts(self) -> float:
        """Mean attempts per kept state, ``1 / acceptance``."""
        return 1.0 / self.acceptance

    @property
    def attempt_rounds(self) -> float:
        """Mean rounds of one attempt, kept or not."""
        return self.rounds * self.acceptance

    @property
    def label(self) -> str:
        """``cultivation:2.7e-06``: the protocol with its operating point's error (thresholds differ)."""
        return f"cultivation:{self.error:.2g}"

    @property
    def name(self) -> str:
        """Block text, e.g. ``(cultivation:2.7e-06)_{3,15}`` (``d1``, ``d2``)."""
        return f"({self.label})_{{{self.d1},15}}"


def _check_p(p: float) -> float:
    if not (isinstance(p, (int, float)) and _PS[0] * (1 - 1e-9) <= p <= _PS[-1] * (1 + 1e-9)):
        raise SpecError(
            f"cultivation data covers physical error p in [{_PS[0]:g}, {_PS[-1]:g}], got {p!r}; "
            f"use distillation outside that range"
        )
    return float(p)


def _at(p: float, d1: int, s: float) -> tuple[int, tuple[float, float, float]]:
    qubits, points = GRID[(p, d1)]
    return qubits, points[round(s * (len(points) - 1))]


def cultivation_point(p: float, d1: int, tightness: float) -> CultivationPoint:
    """The operating point of tightness ``tightness`` (0 = floor) at physical error ``p`` (module docstring).

    Raises:
        SpecError: ``p`` outside the published range, ``d1`` not 3 or 5, tightness outside [0, 1].
    """
    p = _check_p(p)
    if d1 not in (3, 5):
        raise SpecError(f"cultivation is published for d1 = 3 and 5, got {d1!r}")
    if not 0 <= tightness <= 1:
        raise SpecError(f"tightness must lie in [0, 1], got {tightness!r}")
    lo = max(q for q in _PS if q <= p * (1 + 1e-9))
    hi = min(q for q in _PS if q >= p * (1 - 1e-9))
    qubits, a = _at(lo, d1, tightness)
    _, b = _at(hi, d1, tightness)
    if hi == lo:
        err, acc, vol = a
    else:
        w = math.log(p / lo) / math.log(hi / lo)
        err, acc, vol = (math.exp((1 - w) * math.log(x) + w * math.log(y)) for x, y in zip(a, b))
    return CultivationPoint(p=p, d1=d1, tightness=tightness, error=err, acceptance=acc, volume=vol, qubits=qubits)


def cultivation_points(p: float) -> tuple[CultivationPoint, ...]:
    """Every catalogued operating point at ``p`` (both ``d1``, tightness 0, 1/4, ..., 1)."""
    return tuple(cultivation_point(p, d1, s) for d1 in (3, 5) for s in TIGHTNESS)


def floor(p: float) -> CultivationPoint:
    """The least-error point at ``p`` (``d1 = 5``, tightness 0): cultivation's floor."""
    return cultivation_point(p, 5, 0.0)


def cheapest_meeting(p: float, target: float) -> CultivationPoint:
    """The point of least volume whose error meets ``target``.

    Raises:
        InfeasibleError: ``target`` is below the floor; the message says to distil instead.

    Examples:
        >>> cheapest_meeting(1e-3, 1e-12)
        Traceback (most recent call last):
        ...
        magicpipe.errors.InfeasibleError: target error 1e-12 is below magic-state cultivation's floor 7.89e-10 at p = 0.001 (d1 = 5, tightest published threshold); use distillation (e.g. cultivation feeding 15-to-1) for this target
    """  # noqa: E501 (a doctest's expected output is one line)
    ok = [c for c in cultivation_points(p) if c.error <= target]
    if not ok:
        f = floor(p)
        raise InfeasibleError(
            f"target error {target:g} is below magic-state cultivation's floor {f.error:.3g} at p = {p:g} "
            f"(d1 = 5, tightest published threshold); use distillation (e.g. cultivation feeding 15-to-1) "
            f"for this target"
        )
    return min(ok, key=lambda c: (c.volume, c.error))


def sample_rounds(point: CultivationPoint, kept: int, seed: int) -> float:
    """Rounds one cultivation patch takes to deliver ``kept`` states: a seeded draw of the restart model.

    Each attempt lasts ``point.attempt_rounds`` and is kept with probability ``point.acceptance``; the
    patch restarts until ``kept`` attempts are kept.
    """
    if kept < 1:
        raise SpecError(f"kept must be >= 1, got {kept}")
    rng = random.Random(seed)
    attempts = 0
    for _ in range(kept):
        # geometric number of attempts: inverse-transform draw, at least 1
        u = 1.0 - rng.random()
        attempts += 1 + math.floor(math.log(u) / math.log1p(-point.acceptance)) if point.acceptance < 1 else 1
    return attempts * point.attempt_rounds
