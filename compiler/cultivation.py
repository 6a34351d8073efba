"""Magic-state cultivation (Gidney, Shutty, Jones 2024, arXiv:2409.17595) as a magic-state source.

Cultivation grows one T state inside a surface-code patch: inject, check it a few times in a small color code
(fault distance ``d1`` = 3 or 5), then escape into a distance ``d2 = 15`` surface code and post-select on the
decoder's complementary gap. Every stage may discard the attempt, which then restarts. What the program sees
of it is an error per kept state, a footprint, and a random time between kept states.

Data. Every operating point the paper publishes for its end-to-end simulations (uniform depolarizing noise,
``d2 = 15``, desaturation decoder; Zenodo doi:10.5281/zenodo.13777072): the rows of
``assets/emulated-historical-stats.csv`` in ``Strilanc/magic-state-cultivation``, copied with their provenance
and filter in :mod:`magicpipe.compiler.cultivation_data`. For each physical error ``p`` in {5e-4, 1e-3, 2e-3}
and ``d1`` in {3, 5} that is 4 to 25 gap thresholds (78 in all), each read as ``(error, acceptance, volume)``:

* ``error``: logical error of a kept T state, ``errors / (shots - discards)`` (the file's errors already count
  an S-state error twice, the paper's assumption);
* ``acceptance``: fraction of attempts kept, ``(shots - discards) / shots``;
* ``volume``: expected qubit-rounds per kept state, the file's ``v`` (the paper's cost measure; volume x
  acceptance is one constant per ``(p, d1)``, the cost of one attempt, to five digits).

:data:`GRID` keeps, per ``(p, d1)``, the points not dominated in (error, volume) -- all of them, as published
-- sorted from the tightest threshold (least error) to the loosest. Footprint: 454 qubits (``d1 = 3``) and
463 (``d1 = 5``), the ``q`` of the published circuits.

Tightness. An operating point is named by its tightness ``s`` in [0, 1]: 0 = the floor (tightest published
threshold), 1 = the loosest, the ``n`` published points of a ``(p, d1)`` at ``s = k / (n - 1)``. Between two
published points (``s (n - 1)`` = ``k + f``) the point is the per-attempt mixture of the two thresholds --
use the looser with probability ``f``: acceptance ``(1 - f) a_k + f a_k+1``, error and volume the
acceptance-weighted means of the two (a realizable operating point, between its neighbours).

Interpolation in ``p``. Between two grid values of ``p`` the logarithms of error, acceptance and volume at the
same tightness are linear in ``log p``. :func:`cultivation_points` offers at every ``p`` the same tightnesses,
those of all three grid values' published points (at ``p = 1e-3``: its 25 published points and mixtures of
adjacent ones), thinned to the points not dominated in (error, volume). Below ``p = 5e-4`` the ``p = 5e-4``
points are used unchanged: a conservative bound, since cultivation at lower noise is no worse (at every
tightness the published data's error and volume rise and its acceptance falls from 5e-4 to 1e-3 to 2e-3, a test
checks it), though the true figures there are better and not published; the point's :attr:`~CultivationPoint.data`
says so. Above ``2e-3`` the model refuses (:class:`SpecError`).

Time and restarts. The time per kept state is the volume spread over the footprint, ``T = volume / qubits``
rounds, and we charge one full code cycle per round (QRE v3 charges 4 gate times; we keep ours). Attempts are
independent: each is kept with probability ``a``, so the number of attempts per kept state is geometric with
mean ``1 / a``, and each attempt lasts ``tau = a T`` rounds on average. :func:`sample_rounds` draws the time
to ``k`` kept states from that model with a seed; its mean is ``k T`` (a test checks it).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from magicpipe.compiler.cultivation_data import PUBLISHED, SOURCE
from magicpipe.errors import InfeasibleError, SpecError

__all__ = [
    "GRID",
    "REFERENCE",
    "CultivationPoint",
    "cheapest_meeting",
    "cultivation_point",
    "cultivation_points",
    "floor",
    "non_dominated",
    "sample_rounds",
    "tightnesses",
]

REFERENCE = ("Gidney, Shutty, Jones 2024 (arXiv:2409.17595), end-to-end stats, Zenodo doi:10.5281/zenodo.13777072; "
             + SOURCE)

Row = tuple[float, float, float]  # (error, acceptance, volume)


def non_dominated(rows: list[Row]) -> tuple[Row, ...]:
    """The rows no other row beats in both error and volume (ties kept once), least error first.

    Examples:
        >>> non_dominated([(1e-6, 0.2, 500.0), (2e-6, 0.1, 900.0), (3e-6, 0.3, 300.0)])
        ((1e-06, 0.2, 500.0), (3e-06, 0.3, 300.0))
    """
    out: list[Row] = []
    for row in sorted(set(rows), key=lambda r: (r[0], r[2])):
        if not out or row[2] < out[-1][2]:
            out.append(row)
    return tuple(out)


def _grid() -> dict[tuple[float, int], tuple[int, tuple[Row, ...]]]:
    groups: dict[tuple[float, int], tuple[int, list[Row]]] = {}
    for p, d1, q, shots, errors, discards, volume, _ref in PUBLISHED:
        kept = shots - discards
        groups.setdefault((p, d1), (q, []))[1].append((errors / kept, kept / shots, volume))
    return {key: (q, non_dominated(rows)) for key, (q, rows) in sorted(groups.items())}


# (p, d1) -> footprint, then (error, acceptance, volume) from tightest to loosest gap threshold.
GRID: dict[tuple[float, int], tuple[int, tuple[Row, ...]]] = _grid()
_PS = tuple(sorted({p for p, _ in GRID}))


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

    @property
    def data(self) -> str:
        """Which data the point comes from, e.g. ``published p = 0.001`` or, below the published range,
        ``p = 0.0005 data, a conservative bound for p = 0.0001 (cultivation at lower p is no worse)``."""
        return _data_note(self.p)

    @property
    def bound(self) -> bool:
        """True when ``p`` is below the published range and the point is the ``p = 5e-4`` one, a bound."""
        return _below(self.p)


def _below(p: float) -> bool:
    return p < _PS[0] * (1 - 1e-9)


def _data_note(p: float) -> str:
    if _below(p):
        return (f"GSJ24 p = {_PS[0]:g} data, a conservative bound for p = {p:g} "
                f"(cultivation at lower p is no worse)")
    if any(math.isclose(p, q, rel_tol=1e-9) for q in _PS):
        return f"GSJ24 published p = {p:g}"
    return f"GSJ24 interpolated in log p between {max(q for q in _PS if q < p):g} and {min(q for q in _PS if q > p):g}"


def _check_p(p: float) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p <= _PS[-1] * (1 + 1e-9):
        raise SpecError(
            f"cultivation data covers physical error p up to {_PS[-1]:g} (published for p in "
            f"{', '.join(f'{q:g}' for q in _PS)}; below {_PS[0]:g} the {_PS[0]:g} points bound it), got {p!r}; "
            f"use distillation above {_PS[-1]:g}"
        )
    return float(p)


def _neighbours(p: float) -> tuple[float, float]:
    """The grid values of ``p`` around ``p`` (both the same on the grid and below it)."""
    if p <= _PS[0] * (1 + 1e-9):
        return _PS[0], _PS[0]
    lo = max(q for q in _PS if q <= p * (1 + 1e-9))
    hi = min(q for q in _PS if q >= p * (1 - 1e-9))
    return lo, hi


def _at(p: float, d1: int, s: float) -> Row:
    """The grid point list of ``(p, d1)`` at tightness ``s``: a published point, or the per-attempt mixture of
    the two around it (module docstring)."""
    _, points = GRID[(p, d1)]
    x = s * (len(points) - 1)
    k = min(int(math.floor(x + 1e-9)), len(points) - 1)
    f = x - k
    if f <= 1e-9:
        return points[k]
    (e0, a0, v0), (e1, a1, v1) = points[k], points[k + 1]
    acc = (1 - f) * a0 + f * a1
    return ((1 - f) * a0 * e0 + f * a1 * e1) / acc, acc, ((1 - f) * a0 * v0 + f * a1 * v1) / acc


def cultivation_point(p: float, d1: int, tightness: float) -> CultivationPoint:
    """The operating point of tightness ``tightness`` (0 = floor) at physical error ``p`` (module docstring).

    Raises:
        SpecError: ``p`` not in (0, 2e-3], ``d1`` not 3 or 5, tightness outside [0, 1].
    """
    p = _check_p(p)
    if d1 not in (3, 5):
        raise SpecError(f"cultivation is published for d1 = 3 and 5, got {d1!r}")
    if not 0 <= tightness <= 1:
        raise SpecError(f"tightness must lie in [0, 1], got {tightness!r}")
    lo, hi = _neighbours(p)
    qubits = GRID[(lo, d1)][0]
    a = _at(lo, d1, tightness)
    if hi == lo:
        err, acc, vol = a
    else:
        b = _at(hi, d1, tightness)
        w = math.log(p / lo) / math.log(hi / lo)
        err, acc, vol = (math.exp((1 - w) * math.log(x) + w * math.log(y)) for x, y in zip(a, b))
    return CultivationPoint(p=p, d1=d1, tightness=tightness, error=err, acceptance=acc, volume=vol, qubits=qubits)


def tightnesses(d1: int) -> tuple[float, ...]:
    """The tightnesses :func:`cultivation_points` offers at every ``p``: ``k / (n - 1)`` of every grid value's
    ``n`` published thresholds. The same set at every ``p``, so that a lower ``p`` never offers less."""
    return tuple(sorted({k / (len(GRID[(q, d1)][1]) - 1) for q in _PS for k in range(len(GRID[(q, d1)][1]))}))


def cultivation_points(p: float) -> tuple[CultivationPoint, ...]:
    """Every catalogued operating point at ``p``, tightest first per ``d1``: the points at :func:`tightnesses`
    (at a grid value of ``p``, its published points and mixtures of adjacent ones at the other grid values'
    tightnesses; between grid values, both neighbours interpolated in ``log p``; below 5e-4 the 5e-4 ones),
    thinned to those not dominated in (error, volume).

    Examples:
        >>> pts = cultivation_points(1e-3)
        >>> published = {row for _, rows in (GRID[(1e-3, 3)], GRID[(1e-3, 5)]) for row in rows}
        >>> len(published), published <= {(c.error, c.acceptance, c.volume) for c in pts}
        (25, True)
    """
    _check_p(p)
    out: list[CultivationPoint] = []
    for d1 in (3, 5):
        points = [cultivation_point(p, d1, s) for s in tightnesses(d1)]
        keep = set(non_dominated([(c.error, c.acceptance, c.volume) for c in points]))
        for c in points:
            row = (c.error, c.acceptance, c.volume)
            if row in keep:
                keep.discard(row)
                out.append(c)
    return tuple(out)


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
