"""Search the factory catalogue for the entries that meet a per-state error target.

:func:`catalogue` lists, for one set of physics inputs and one target, the factories of
:mod:`magicpipe.compiler.catalogue` that meet it:

* one-level 15-to-1 blocks ``(15-to-1)_{d_X,d_Z,d_m}`` over a grid (``d_X`` 5..31, ``d_Z`` 3..``d_X/2 + 3``,
  ``d_m`` in {``d_Z``, ``d_Z + 2``});
* magic-state cultivation (both ``d1``, every published threshold and mixtures of adjacent ones,
  ``cultivation_points``) where the data covers ``p`` (up to 2e-3; below 5e-4 the 5e-4 points bound it);
* two-level factories: 4 or 6 first-level blocks (the two cheapest -- one for 20-to-4, whose 7-qubit model
  costs ten times more to evaluate -- whose output the upper protocol can distil to the target:
  ``35 e^3``, ``22 e^2``, ``28 e^2`` for 15-to-1, 20-to-4, 8-to-CCZ at zero Clifford error) feeding a
  15-to-1 or 20-to-4 (T) or 8-to-CCZ (CCZ) block;
* cultivation (4 or 8 patches; the three least-volume points above the target whose distilled output can meet
  it) feeding a 15-to-1 or 8-to-CCZ block.

The upper block's distances are found by descent: for the first factory of a kind, the least ``d`` with
``d_X = d_Z = d_m = d`` that meets the target, then the least ``d_Z``, then the least ``d_m``, then ``d_X``
again (each by bisection over odd values up to 61; the error falls with each distance over that search);
the next factories start from the previous answer and step by 2 (far fewer evaluations of the 7-qubit
20-to-4 model, whose answer sits next to 15-to-1's). Entries are then thinned to those
not dominated in (qubits, rounds per state), plus the one of least error, plus (for T) the least-volume
cultivation point of each decade of error below the target (:func:`_ladder`). Results are cached per
(physics, target, kinds).

:func:`catalogue_sources` is the planner's entry point: the same list as
:class:`~magicpipe.compiler.Source` objects under the project's :class:`~magicpipe.compiler.Hardware`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from magicpipe.compiler import cultivation as cult
from magicpipe.compiler.blockmodel import NoiseModel
from magicpipe.compiler.catalogue import (
    Factory,
    cultivation_factory,
    cultivation_fed,
    one_level,
    two_level,
)
from magicpipe.compiler.hardware import Hardware
from magicpipe.compiler.source import KINDS, Source

from magicpipe.errors import SpecError

__all__ = ["catalogue", "catalogue_sources", "first_level_grid"]

_MAX_D = 61
_UPPER = {"T": ("15-to-1", "20-to-4"), "CCZ": ("8-to-CCZ",)}
_FEEDS = 3  # cultivation points tried as feeds, least volume first (the cheapest feed may need a larger upper block)
_FLOOR = {"15-to-1": (35.0, 3), "20-to-4": (22.0, 2), "8-to-CCZ": (28.0, 2)}


def first_level_grid() -> tuple[tuple[int, int, int], ...]:
    """The ``(d_X, d_Z, d_m)`` of the one-level blocks the catalogue considers."""
    out = []
    for dx in range(5, 32, 2):
        for dz in range(3, min(dx, dx // 2 + 3) + 1, 2):
            for dm in (dz, dz + 2):
                if dm <= dx:
                    out.append((dx, dz, dm))
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def _one(noise: NoiseModel, ds: tuple[int, int, int]) -> Factory:
    return one_level(noise, ds)


def _least(lo: int, hi: int, ok: Callable[[int], bool]) -> int | None:
    """Least odd ``d`` in [lo, hi] with ``ok(d)``, assuming ``ok`` is monotone; None if ``ok(hi)`` fails."""
    if not ok(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        mid -= (mid % 2 == 0)
        mid = max(mid, lo)
        if ok(mid):
            hi = mid
        else:
            lo = mid + 2
    return hi


def _descend(make: Callable[[tuple[int, int, int]], Factory], target: float,
             start: tuple[int, int, int] | None = None) -> Factory | None:
    """Upper distances meeting ``target`` (module docstring); None if even ``d = 61`` misses it.

    Without ``start``: bisection on ``d_X = d_Z = d_m``, then on ``d_Z``, ``d_m`` and ``d_X`` in turn. With
    ``start`` (a neighbour's answer): raise all three by 2 until the target is met, then lower one coordinate
    at a time by 2 while it stays met.
    """
    cache: dict[tuple[int, int, int], Factory] = {}

    def ok(ds: tuple[int, int, int]) -> bool:
        if ds not in cache:
            cache[ds] = make(ds)
        return cache[ds].output_error <= target

    if start is None:
        d = _least(3, _MAX_D, lambda d: ok((d, d, d)))
        if d is None:
            return None
        dz = _least(3, d, lambda z: ok((d, z, d))) or d
        dm = _least(3, d, lambda m: ok((d, dz, m))) or d
        dx = _least(max(dz, dm, 3), d, lambda x: ok((x, dz, dm))) or d
        return cache[(dx, dz, dm)]
    ds = start
    while not ok(ds):
        ds = (ds[0] + 2, ds[1] + 2, ds[2] + 2)
        if ds[0] > _MAX_D:
            return None
    lowered = True
    while lowered:
        lowered = False
        for i in range(3):
            trial = tuple(d - 2 if j == i else d for j, d in enumerate(ds))
            if min(trial) >= 3 and max(trial[1:]) <= trial[0] and ok(trial):  # type: ignore[arg-type]
                ds, lowered = trial, True  # type: ignore[assignment]
    return cache[ds]


def _pareto(entries: Sequence[Factory]) -> tuple[Factory, ...]:
    """Per kind, entries not dominated in (qubits, rounds per state), plus the least-error entry; sorted by
    qubits."""
    kinds = sorted({f.kind for f in entries})
    if len(kinds) > 1:
        return tuple(sorted((g for k in kinds for g in _pareto([f for f in entries if f.kind == k])),
                            key=lambda f: (f.qubits, f.name)))
    keyed = sorted(entries, key=lambda f: (f.qubits, f.cycles / f.outputs, f.output_error, f.name))
    kept: list[Factory] = []
    for f in keyed:
        if not any(g.cycles / g.outputs <= f.cycles / f.outputs for g in kept):
            kept.append(f)
    if entries:
        best = min(keyed, key=lambda f: (f.output_error, f.qubits))
        if best not in kept:
            kept.append(best)
    return tuple(sorted(kept, key=lambda f: (f.qubits, f.name)))


@functools.lru_cache(maxsize=256)
def catalogue(noise: NoiseModel, target: float, kinds: tuple[str, ...] = ("T",)) -> tuple[Factory, ...]:
    """Every catalogue entry meeting ``target`` per output state, thinned to the non-dominated ones.

    Args:
        noise: physics inputs (:meth:`NoiseModel.litinski` or :meth:`NoiseModel.from_hardware`).
        target: largest acceptable error of one output state (of one CCZ state for ``"CCZ"``).
        kinds: which outputs, a tuple of ``"T"`` and ``"CCZ"``.

    Returns:
        Factories sorted by qubits.

    Raises:
        SpecError: target outside (0, 1) or an unknown kind.
    """
    if not 0 < target < 1:
        raise SpecError(f"target error must lie in (0, 1), got {target!r}")
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise SpecError(f"kinds must be a non-empty tuple of {KINDS}, got {kinds!r}")
    entries: list[Factory] = []
    firsts = sorted((_one(noise, ds) for ds in first_level_grid()), key=lambda f: (f.volume_per_state, f.name))
    cultivated = _cultivation_points(noise.p)
    if "T" in kinds:
        entries += [f for f in firsts if f.output_error <= target]
        entries += [cultivation_factory(c) for c in cultivated if c.error <= target]
    for kind in kinds:
        warm: tuple[int, int, int] | None = None
        for protocol in _UPPER[kind]:
            c, k = _FLOOR[protocol]
            usable = [f for f in firsts if c * f.output_error**k <= target / 2][: 1 if protocol == "20-to-4" else 2]
            for first in usable:
                for copies in (4, 6):
                    make = functools.partial(_two, noise, first.distances, copies, protocol)
                    found = _descend(make, target, warm)
                    if found is not None:
                        entries.append(found)
                        warm = found.distances[3:]  # type: ignore[assignment]
            if protocol == "20-to-4":
                continue
            feeds = [p for p in cultivated if c * p.error**k <= target / 2 and p.error > target]
            for point in sorted(feeds, key=lambda p: p.volume)[:_FEEDS]:
                for copies in (4, 8):
                    make = functools.partial(_fed, noise, point, copies, protocol)
                    found = _descend(make, target, warm)
                    if found is not None:
                        entries.append(found)
    kept = _pareto(entries)
    if "T" not in kinds:
        return kept
    ladder = [f for f in map(cultivation_factory, _ladder(cultivated, target)) if f not in kept]
    return tuple(sorted(kept + tuple(ladder), key=lambda f: (f.qubits, f.name)))


def _ladder(points: Sequence[cult.CultivationPoint], target: float) -> list[cult.CultivationPoint]:
    """The least-volume cultivation point meeting ``target / 10^k`` for k = 1, 2, ... down to the floor.

    The thinning in (qubits, rounds per state) keeps one cultivation point per footprint, the loosest meeting the
    target; but the planner searches sources at two targets only and shares the budget per point, so a point
    of lower error (a smaller data-block distance beside it) must be on offer too: one per decade of error.
    """
    out: list[cult.CultivationPoint] = []
    bound = target / 10
    while True:
        ok = [c for c in points if c.error <= bound]
        if not ok:
            return out
        best = min(ok, key=lambda c: (c.volume, c.error))
        if best not in out:
            out.append(best)
        bound = min(bound, best.error) / 10


@functools.lru_cache(maxsize=8192)  # the descents of nearby targets (a plan asks two) visit the same blocks
def _two(noise: NoiseModel, first: tuple[int, ...], copies: int, protocol: str, ds: tuple[int, int, int]) -> Factory:
    return two_level(noise, (first[0], first[1], first[2]), copies, protocol, ds)


@functools.lru_cache(maxsize=8192)
def _fed(noise: NoiseModel, point: cult.CultivationPoint, copies: int, protocol: str, ds: tuple[int, int, int]
         ) -> Factory:
    return cultivation_fed(noise, point, copies, protocol, ds)


def _cultivation_points(p: float) -> tuple[cult.CultivationPoint, ...]:
    try:
        return cult.cultivation_points(p)
    except SpecError:
        return ()


def catalogue_sources(hardware: Hardware, target_error: float, kinds: Sequence[str] = ("T",)) -> list[Source]:
    """The catalogue under ``hardware``'s physics as :class:`~magicpipe.compiler.Source` objects.

    The block model takes ``p_L(d)`` per code cycle as ``hardware.logical_error(d) / d`` (Eq. 2 is per
    logical cycle of ``d`` rounds), injected states of error ``hardware.eps`` split evenly over the three
    rotation errors, and cultivation's data at ``hardware.p``. Rounds are code cycles.

    Examples:
        >>> srcs = catalogue_sources(Hardware(p=1e-3, eps=1e-3), 1e-9)
        >>> all(s.output_error <= 1e-9 for s in srcs), any(s.method == "cultivation" for s in srcs)
        (True, True)
    """
    noise = NoiseModel.from_hardware(hardware)
    return [f.source() for f in catalogue(noise, float(target_error), tuple(kinds))]
