"""Turn sinter's counts into the ``summary.json`` of ``magicpipe verify``: measured rates with intervals,
the exact or formula values beside them, and the Eq. 2 fit. Pure functions; no files.

Intervals are likelihood-ratio intervals (``sinter.fit_binomial``) at a likelihood factor of ``e^2``: by
Wilks' theorem the hypotheses kept are those within about two standard deviations, a ~95% interval.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any
from collections.abc import Iterable

import numpy
import pymatching
import sinter
import stim

from magicpipe.compiler.hardware import ErrorModel, LogicalErrorModel
from magicpipe.compiler.protocols import Protocol, get_protocol
from magicpipe.verification.logical import check_rotations, enumerate_errors
from magicpipe.verification.memory import Eq2Fit, fit_eq2, patch_rate, per_cycle_rate

__all__ = ["Estimate", "LIKELIHOOD_FACTOR", "summarize_logical", "summarize_memory", "versions"]

LIKELIHOOD_FACTOR = math.e**2

_ENDS = ("best", "low", "high")


@dataclass(frozen=True, slots=True)
class Estimate:
    """A binomial rate: ``hits`` of ``shots``, the best value and a ~95% likelihood-ratio interval.

    Examples:
        >>> e = Estimate.from_counts(hits=50, shots=1000)
        >>> e.best, round(e.low, 3), round(e.high, 3)
        (0.05, 0.037, 0.065)
    """

    hits: int
    shots: int
    best: float
    low: float
    high: float

    @classmethod
    def from_counts(cls, hits: int, shots: int) -> Estimate:
        if shots == 0:
            return cls(hits, 0, math.nan, 0.0, 1.0)
        fit = sinter.fit_binomial(num_shots=shots, num_hits=hits, max_likelihood_factor=LIKELIHOOD_FACTOR)
        return cls(int(hits), int(shots), hits / shots, float(fit.low), float(fit.high))

    def sigma(self, p: float) -> float:
        """Binomial standard deviation of ``hits / shots`` if the true rate were ``p``."""
        return math.sqrt(p * (1 - p) / self.shots) if self.shots else math.inf


def versions() -> dict[str, str]:
    """The versions of the engines a result depends on (Stim's streams change between versions)."""
    return {m.__name__: m.__version__ for m in (stim, sinter, pymatching, numpy)}


def _metadata(stats: Iterable[sinter.TaskStats], kind: str) -> list[sinter.TaskStats]:
    return [s for s in stats if isinstance(s.json_metadata, dict) and s.json_metadata.get("kind") == kind]


def summarize_logical(stats: Iterable[sinter.TaskStats], seed: int | None = None) -> dict[str, Any]:
    """Summarise logical-level counts against exact enumeration and Eqs. 3-4 at ``p_L = 0``.

    Each point has the measured ``acceptance`` (accepted / shots) and ``output_error`` (errors / accepted)
    as :class:`Estimate` dicts, the ``exact`` values, the ``formula`` values, the formula's relative ``gap``
    to exact (``formula / exact - 1``) and the measured ``deviation_sigma`` from exact.

    Args:
        stats: sinter stats whose metadata has ``kind == "logical"`` (others are ignored).
        seed: recorded in the summary.

    Returns:
        A JSON-ready dict.
    """
    protocols: dict[str, Protocol] = {}
    points = []
    for s in sorted(_metadata(stats, "logical"), key=lambda s: s.json_metadata["eps"]):
        name = s.json_metadata["protocol"]
        points.append(_logical_point(s, protocols.setdefault(name, get_protocol(name))))
    return {
        "kind": "logical",
        "interval": "likelihood ratio, factor e^2 (~2 sigma, ~95%)",
        "gap_definition": "formula / exact - 1; formula = Eqs. 3-4 at p_L = 0",
        "rotation_check": {name: _rotation_check(p) for name, p in protocols.items()},
        "weight_enumerator": {name: asdict(enumerate_errors(p)) for name, p in protocols.items()},
        "seed": seed,
        "versions": versions(),
        "points": points,
    }


def _rotation_check(protocol: Protocol) -> dict[str, Any]:
    result = check_rotations(protocol)
    return asdict(result) | {"ok": result.ok}


def _logical_point(s: sinter.TaskStats, protocol: Protocol) -> dict[str, Any]:
    eps = float(s.json_metadata["eps"])
    enum = enumerate_errors(protocol)
    accepted = s.shots - s.discards
    acc = Estimate.from_counts(accepted, s.shots)
    err = Estimate.from_counts(s.errors, accepted)
    exact = {"acceptance": enum.acceptance(eps), "output_error": enum.output_error(eps)}
    formula = {"acceptance": protocol.success_probability(eps, 0.0), "output_error": protocol.output_error(eps, 0.0)}
    return {
        "protocol": protocol.name,
        "eps": eps,
        "shots": s.shots,
        "accepted": accepted,
        "errors": s.errors,
        "seconds": s.seconds,
        "acceptance": asdict(acc),
        "output_error": asdict(err),
        "exact": exact,
        "formula": formula,
        "gap": {k: formula[k] / exact[k] - 1 for k in exact},
        "deviation_sigma": {
            "acceptance": (acc.best - exact["acceptance"]) / acc.sigma(exact["acceptance"]),
            "output_error": (err.best - exact["output_error"]) / err.sigma(exact["output_error"]),
        },
    }


def _sigma_log(per_basis: list[tuple[float, int]]) -> float:
    """Approximate standard deviation of ``ln(patch_rate)`` from per-basis (rate, errors) pairs."""
    q = patch_rate([r for r, _ in per_basis])
    var = 0.0
    for i, (r, e) in enumerate(per_basis):
        others = math.prod(1 - o for j, (o, _) in enumerate(per_basis) if j != i)
        var += (others * r / math.sqrt(e)) ** 2
    return math.sqrt(var) / q


def summarize_memory(
    stats: Iterable[sinter.TaskStats], min_fit_errors: int = 20, seed: int | None = None
) -> dict[str, Any]:
    """Summarise memory counts: per-shot and per-cycle rates per basis, the per-patch rate, and the Eq. 2 fit.

    A (d, p, cycles) point enters the fit when every basis measured there saw at least ``min_fit_errors``
    logical errors; it is weighted by its relative uncertainty (:func:`fit_eq2`). The per-patch interval
    combines the bases' interval ends (low with low, high with high), which is conservative.

    Args:
        stats: sinter stats whose metadata has ``kind == "memory"`` (others are ignored).
        min_fit_errors: errors each basis needs for its point to be fitted.
        seed: recorded in the summary.

    Returns:
        A JSON-ready dict with ``points``, ``fit`` (None when fewer than two distances qualify), ``paper``, and
        ``fits_by_distance_pair``: the same fit over each pair of neighbouring distances, which shows whether
        the constants drift with d (a drift the single fit of Eq. 2 cannot express).
    """
    groups: dict[tuple[int, float, int], dict[str, sinter.TaskStats]] = defaultdict(dict)
    for s in _metadata(stats, "memory"):
        m = s.json_metadata
        groups[(m["d"], m["p"], m["cycles"])][m["basis"]] = s
    paper = LogicalErrorModel()
    points = [_memory_point(key, by_basis, paper) for key, by_basis in sorted(groups.items())]
    fit_rows = []
    for point in points:
        point["fitted"] = all(b["errors"] >= min_fit_errors for b in point["bases"].values())
        if point["fitted"]:
            rates = [(b["per_cycle"]["best"], b["errors"]) for b in point["bases"].values()]
            fit_rows.append((point["d"], point["p"], point["per_cycle_patch"]["best"], _sigma_log(rates)))
    fit = _fit_or_none(fit_rows)
    distances = sorted({row[0] for row in fit_rows})
    pairs = {
        f"{a}-{b}": _fit_dict(_fit_or_none([r for r in fit_rows if r[0] in (a, b)]))
        for a, b in zip(distances, distances[1:])
    }
    for point in points:
        point["eq2_fit"] = fit.predict(point["d"], point["p"]) if fit else None
    return {
        "kind": "memory",
        "interval": "likelihood ratio, factor e^2 (~2 sigma, ~95%); per_cycle_patch combines interval ends",
        "per_cycle": "q = (1 - (1 - 2P)^(1/cycles)) / 2 per basis; patch = 1 - prod_b (1 - q_b)",
        "fit_rule": f"weighted least squares of ln p_L over points where every basis saw >= {min_fit_errors} errors",
        "fit": _fit_dict(fit),
        "fits_by_distance_pair": pairs,
        "paper": {"A": paper.A, "p_th": paper.p_th},
        "seed": seed,
        "versions": versions(),
        "points": points,
    }


def _memory_point(
    key: tuple[int, float, int], by_basis: dict[str, sinter.TaskStats], paper: ErrorModel
) -> dict[str, Any]:
    d, p, cycles = key
    bases = {}
    for basis, s in sorted(by_basis.items()):
        shot = Estimate.from_counts(s.errors, s.shots)
        cycle = {k: per_cycle_rate(getattr(shot, k), cycles) for k in _ENDS}
        bases[basis] = {
            "shots": s.shots, "errors": s.errors, "seconds": s.seconds, "per_shot": asdict(shot), "per_cycle": cycle,
        }
    return {
        "d": d,
        "p": p,
        "cycles": cycles,
        "rounds": d * cycles,
        "bases": bases,
        "per_cycle_patch": {k: patch_rate([b["per_cycle"][k] for b in bases.values()]) for k in _ENDS},
        "eq2_paper": paper.A * (p / paper.p_th) ** ((d + 1) / 2),
    }


def _fit_or_none(rows: list[tuple[int, float, float, float]]) -> Eq2Fit | None:
    if len({d for d, *_ in rows}) < 2:
        return None
    d, p, q, sigma = zip(*rows)
    return fit_eq2(d, p, q, sigma)


def _fit_dict(fit: Eq2Fit | None) -> dict[str, Any] | None:
    if fit is None:
        return None
    return asdict(fit) | {"A_interval_1sigma": list(fit.A_interval), "p_th_interval_1sigma": list(fit.p_th_interval)}
