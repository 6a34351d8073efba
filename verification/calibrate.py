"""The ``measured`` error model from the project's own simulations: memory fit, protocol coefficients, interval.

Memory model. ``p_L(d, p) = A (p / p_th)^((d+1)/2) x f_d`` per patch per logical cycle (both bases). A single
(A, p_th) fitted to every distance is dominated by d = 3 and extrapolates badly, because the suppression per
distance step grows with d. So (A, p_th) are fitted where the planner works -- the largest measured
distances (by default the three largest) at ``p <= p_max`` (below threshold) -- which is the same as
anchoring at the largest distance with the measured suppression per step; the smaller distances (which
planners do use for level-1 factories) get a measured factor ``f_d``, the weighted geometric mean of
measured / form over their points, so that the model reproduces every measured point.

Uncertainty. The pessimistic edge (``ErrorModel.pessimistic()``) moves ``(ln A, ln p_th)`` by ``z`` standard
deviations (covariance scaled by chi^2_red) in the direction that raises p_L most at the reference distance
``d_ref`` (by default 25, the upper end of what plans use); at every measured distance it is at least the
pointwise ``z``-sigma upper bound of the fitted form (a factor is added where the direction alone falls
short), and each ``f_d`` is raised by ``z`` of its own sigma. Protocol coefficients are
the stand-in factory's a and b (``magicpipe verify factory``, per distance) plus what the ``|+>`` stand-in
cannot carry (X-type data-patch errors and misread merges), measured by sampling the real protocol on the same
shots (``magicpipe verify real``, :data:`STAND_IN_COSTS`; docs/verification.md, Sec. 3); at the edge each is
raised by ``z`` sigma of both in quadrature, and b further by the bound on the ``|0>`` patch of the
auto-corrected rotation that the factory circuit leaves out (:data:`ZERO_PATCH_COSTS`, from
``python -m magicpipe.verification.zero_patch`` under an *assumed* twist factor 2): a bound from a proxy, so it
widens the interval and leaves the central value alone.

Extrapolation. Each fit on the distances below the largest predicts the largest; the ratios measured /
predicted are the reach of the method, reported in the calibration beside the fit.
"""

from __future__ import annotations

import math
from typing import Any
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import sinter

from magicpipe.compiler.errormodel import ErrorModel, ProtocolCoefficients
from magicpipe.errors import SpecError
from magicpipe.verification.memory import Eq2Fit, fit_eq2
from magicpipe.verification.summary import _sigma_log, summarize_memory

__all__ = ["FACTORY_COEFFICIENTS", "STAND_IN_COSTS", "ZERO_PATCH_COSTS", "calibrate", "factory_coefficients",
           "stand_in_costs_from_real", "zero_patch_costs_from_runs"]

# a, b of the 15-to-1 factory per measured p_L, with one-sigma errors: docs/verification.md Sec. 3, from
#   magicpipe verify factory --distance 3 --p 5e-4 1e-3 2e-3 --eps 1e-3 1e-2 3e-2 --shots 1000000
#       --max-errors 2000 --seed 1 --workers 2
#   magicpipe verify factory --distance 5 --p 1e-3 2e-3 3e-3 --eps 1e-3 1e-2 --shots 400000
#       --max-errors 1000 --seed 1 --workers 2
FACTORY_COEFFICIENTS: dict[str, tuple[tuple[int, float, float, float, float], ...]] = {
    "15-to-1": ((3, 9.54, 0.13, 73.4, 0.7), (5, 8.50, 0.19, 62.4, 1.3)),  # (d, a, sigma_a, b, sigma_b)
}
# what the |+> stand-in leaves out, per measured p_L: the real protocol's a, b minus the stand-in's on the same
# shots, with the one-sigma errors of the real protocol's fit (docs/verification.md Sec. 3, "The real protocol,
# sampled"; compiler/data/real_factory.json, which stand_in_costs_from_real() turns into these rows), from
#   magicpipe verify real --distance 3 --p 1e-3 2e-3 --eps 1e-3 --shots 200000 --seed 1
#   magicpipe verify real --distance 5 --p 2e-3 --eps 1e-3 --shots 20000 --seed 1   (and --p 3e-3)
#   magicpipe verify real --distance 7 --p 3e-3 --eps 1e-3 --shots 12000 --memory-shots 20000 --seed 1
# (d, added a, sigma, added b, sigma); a distance uses the row of the largest measured distance <= d.
STAND_IN_COSTS: dict[str, tuple[tuple[int, float, float, float, float], ...]] = {
    "15-to-1": ((3, 1.33, 0.37, 49.0, 0.3), (5, 1.34, 0.46, 36.7, 0.8), (7, 1.02, 0.51, 32.3, 1.5)),
}
_REAL_SOURCE = ("plus what the real protocol adds to the |+> stand-in: magicpipe verify real --distance 3 --p 1e-3 "
                "2e-3, --distance 5 --p 2e-3 / 3e-3 and --distance 7 --p 3e-3, --eps 1e-3 (real_factory.json)")
# the |0> patch of the auto-corrected rotation (not in the factory circuit), bounded by a proxy merge: per distance,
# the added b per p_L at twist 2 (the largest over the measured p, rounded up to 0.1; a is unchanged to first
# order), from compiler/data/zero_patch.json, which zero_patch_costs_from_runs() turns into these rows:
#   python -m magicpipe.verification.zero_patch --distance 3 --p 1e-3 2e-3 --p-l 1.58e-3 6.00e-3 --shots 500000
#   python -m magicpipe.verification.zero_patch --distance 5 --p 2e-3 3e-3 --p-l 2.29e-3 7.59e-3 --shots 400000
#   python -m magicpipe.verification.zero_patch --distance 7 --p 3e-3 --p-l 3.46e-3 --shots 200000
# The twist factor (a Y-type merge misreads twice as often as the Z-type proxy) is ASSUMED, not measured, so the
# bound goes into the pessimistic edge only. (d, added b); a distance uses the row of the largest distance <= d.
ZERO_PATCH_COSTS: dict[str, tuple[tuple[int, float], ...]] = {"15-to-1": ((3, 28.9), (5, 21.6), (7, 19.2))}
_ZERO_PATCH_SOURCE = ("b raised further by the bound on the |0> patch of the auto-corrected rotation ({rows}; "
                      "python -m magicpipe.verification.zero_patch --distance 3 / 5 / 7, zero_patch.json) under an "
                      "ASSUMED twist 2 (a Y-type merge misreads twice as often as the Z-type proxy merge; not "
                      "measured)")
_FACTORY_SOURCE = ("15-to-1 coefficients: magicpipe verify factory --distance 3 --p 5e-4 1e-3 2e-3 --eps 1e-3 1e-2 "
                   "3e-2 and --distance 5 --p 1e-3 2e-3 3e-3 --eps 1e-3 1e-2 (docs/verification.md Sec. 3)")


def _rows(stats: Iterable[sinter.TaskStats], min_fit_errors: int) -> list[dict[str, Any]]:
    rows = []
    for point in summarize_memory(stats, min_fit_errors=min_fit_errors)["points"]:
        if not point["fitted"]:
            continue
        rates = [(b["per_cycle"]["best"], b["errors"]) for b in point["bases"].values()]
        pc = point["per_cycle_patch"]
        rows.append({"d": point["d"], "p": point["p"], "p_L": pc["best"], "low": pc["low"], "high": pc["high"],
                     "errors": sum(b["errors"] for b in point["bases"].values()), "sigma_log": _sigma_log(rates)})
    return rows


def _fit(rows: Sequence[dict[str, Any]]) -> Eq2Fit:
    return fit_eq2([r["d"] for r in rows], [r["p"] for r in rows], [r["p_L"] for r in rows],
                   [r["sigma_log"] for r in rows])


def _cov(fit: Eq2Fit) -> np.ndarray:
    sa, sb = fit.sigma_log_A, fit.sigma_log_p_th
    return np.array([[sa * sa, fit.correlation * sa * sb], [fit.correlation * sa * sb, sb * sb]])


def _grad(d: int) -> np.ndarray:
    """Gradient of ln p_L with respect to (ln A, ln p_th) at distance d."""
    return np.array([1.0, -(d + 1) / 2])


def _factor(rows: Sequence[dict[str, Any]], fit: Eq2Fit) -> tuple[float, float, float]:
    """ln f_d (weighted mean of ln measured/form), its sigma (scaled by sqrt(chi2_red)), chi2_red."""
    res = np.array([math.log(r["p_L"] / fit.predict(r["d"], r["p"])) for r in rows])
    w = np.array([r["sigma_log"] ** -2 for r in rows])
    mean = float(res @ w / w.sum())
    chi2 = float(((res - mean) ** 2 * w).sum() / (len(rows) - 1)) if len(rows) > 1 else math.nan
    sigma = math.sqrt(1 / w.sum()) * math.sqrt(max(1.0, chi2) if len(rows) > 1 else 1.0)
    return mean, sigma, chi2


def factory_coefficients(
    stats: Iterable[sinter.TaskStats],
) -> dict[str, tuple[tuple[int, float, float, float, float], ...]]:
    """``FACTORY_COEFFICIENTS``-shaped a, b per distance fitted from ``verify factory`` stats (Sec. 3's fit).

    Raises:
        SpecError: the stats hold no factory point with a measured p_L.
    """
    from magicpipe.verification.factory_summary import summarize_factory

    fits = summarize_factory(list(stats))["fit"]
    rows = []
    for key, row in sorted(fits.items()):
        if key.startswith("d=") and row["a"] and row["b"]:
            rows.append((int(key[2:]), round(row["a"]["c"], 2), round(row["a"]["sigma"], 2),
                         round(row["b"]["c"], 1), round(row["b"]["sigma"], 1)))
    if not rows:
        raise SpecError(
            "the factory stats hold no point with a measured p_L; run `magicpipe verify factory` with p > 0"
        )
    return {"15-to-1": tuple(sorted(rows))}


def stand_in_costs_from_real(summaries: Iterable[Mapping[str, Any]], protocol: str = "15-to-1"
                             ) -> dict[str, tuple[tuple[int, float, float, float, float], ...]]:
    """``STAND_IN_COSTS``-shaped rows from ``magicpipe verify real`` summaries: per distance, a and b of the real
    protocol minus those of the stand-in *on the same shots*, each fitted over all the summaries' points at that
    distance (:func:`~magicpipe.verification.joint.fit_real`), floored at 0, with the real fit's sigmas.

    Raises:
        SpecError: no point with a measured p_L.
    """
    from magicpipe.verification.joint import fit_real

    fits = fit_real([pt for s in summaries for pt in s["points"]])
    if not fits:
        raise SpecError("the 'verify real' summaries hold no point with a p_L; run `magicpipe verify real` with p > 0")
    rows = []
    for key, fit in fits.items():
        da = fit["a"]["c"] - fit["a_stand_in"]["c"]
        db = fit["b"]["c"] - fit["b_stand_in"]["c"]
        rows.append((int(key[2:]), round(max(da, 0.0), 2), round(fit["a"]["sigma"], 2), round(max(db, 0.0), 1),
                     round(fit["b"]["sigma"], 1)))
    return {protocol: tuple(sorted(rows))}


def zero_patch_costs_from_runs(runs: Iterable[Mapping[str, Any]], twist: float = 2.0, protocol: str = "15-to-1"
                               ) -> dict[str, tuple[tuple[int, float], ...]]:
    """``ZERO_PATCH_COSTS``-shaped rows from the runs of ``compiler/data/zero_patch.json``: per distance, the
    largest b the proxy's rates give at ``twist`` over the measured p
    (:func:`~magicpipe.verification.zero_patch.zero_patch_cost`), rounded up to 0.1.

    Raises:
        SpecError: no point.
    """
    from magicpipe.verification.zero_patch import zero_patch_cost

    worst: dict[int, float] = {}
    for pt in (pt for run in runs for pt in run["points"]):
        b = zero_patch_cost(pt["misread"], pt["z_error"], pt["p_l"], twist)["b"]
        worst[pt["d"]] = max(worst.get(pt["d"], 0.0), b)
    if not worst:
        raise SpecError("the zero-patch runs hold no point; run python -m magicpipe.verification.zero_patch")
    return {protocol: tuple((d, math.ceil(round(b * 10, 6)) / 10) for d, b in sorted(worst.items()))}


def _row(rows: Sequence[tuple[Any, ...]], d: int, empty: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row of the largest distance <= d (else the first; ``empty`` when there is none)."""
    ordered = sorted(rows)
    return next((r for r in reversed(ordered) if r[0] <= d), ordered[0] if ordered else empty)


def _coefficients(z: float, edge: bool, measured: Mapping[str, Sequence[tuple[int, float, float, float, float]]],
                  zero_patch: Mapping[str, Sequence[tuple[int, float]]] | None = None,
                  ) -> tuple[ProtocolCoefficients, ...]:
    """Per distance: the stand-in's a, b plus what the real protocol adds (the row of the largest distance <= d
    in :data:`STAND_IN_COSTS`, else its first); at the edge, plus ``z`` sigma of both in quadrature and b plus
    the ``|0>`` patch bound (``zero_patch``, rows chosen the same way)."""
    out = []
    for name, entries in measured.items():
        rows = []
        for d, a, sa, b, sb in entries:
            _, xa, sxa, xb, sxb = _row(STAND_IN_COSTS.get(name, ()), d, (d, 0.0, 0.0, 0.0, 0.0))
            if edge:
                zb = _row((zero_patch or {}).get(name, ()), d, (d, 0.0))[1]
                rows.append((d, round(a + xa + z * math.hypot(sa, sxa), 4),
                             round(b + xb + z * math.hypot(sb, sxb) + zb, 4)))
            else:
                rows.append((d, round(a + xa, 4), round(b + xb, 4)))
        out.append(ProtocolCoefficients(name, tuple(rows)))
    return tuple(out)


def _fit_dict(fit: Eq2Fit, distances: Sequence[int]) -> dict[str, Any]:
    return {"distances": list(distances), "A": fit.A, "p_th": fit.p_th, "sigma_log_A": fit.sigma_log_A,
            "sigma_log_p_th": fit.sigma_log_p_th, "correlation": fit.correlation, "chi2_red": fit.chi2_red,
            "points": fit.points, "A_interval_1sigma": list(fit.A_interval),
            "p_th_interval_1sigma": list(fit.p_th_interval)}


def _extrapolations(rows: Sequence[dict[str, Any]], distances: Sequence[int], span: int) -> list[dict[str, Any]]:
    """Fit on ``span`` consecutive distances, predict every larger distance: measured / predicted."""
    out = []
    for i in range(len(distances) - span):
        used = distances[i:i + span]
        fit = _fit([r for r in rows if r["d"] in used])
        for r in rows:
            if r["d"] > used[-1]:
                pred = fit.predict(r["d"], r["p"])
                out.append({"fitted_on": list(used), "d": r["d"], "p": r["p"], "measured": r["p_L"],
                            "predicted": pred, "measured_over_predicted": r["p_L"] / pred,
                            "pull": math.log(r["p_L"] / pred) / r["sigma_log"]})
    return out


def calibrate(
    stats: Iterable[sinter.TaskStats],
    *,
    p_max: float = 3e-3,
    fit_distances: Sequence[int] | None = None,
    d_ref: int = 25,
    z: float = 2.0,
    min_fit_errors: int = 20,
    name: str = "measured",
    provenance: str = "",
    coefficients: Mapping[str, Sequence[tuple[int, float, float, float, float]]] | None = None,
    zero_patch: Mapping[str, Sequence[tuple[int, float]]] | None = None,
) -> dict[str, Any]:
    """The ``measured`` model and its quality from ``verify memory`` stats (module docstring).

    Args:
        stats: sinter stats of memory tasks (other kinds are ignored).
        p_max: largest physical error fitted (points above are near threshold and bend away from the form).
        fit_distances: distances of the (A, p_th) fit (default: the three largest measured).
        d_ref: distance at which the pessimistic edge is the z-sigma upper bound.
        z: width of the interval in standard deviations (2: ~95%).
        min_fit_errors: errors every basis needs at a point for it to count.
        name: the model's name.
        provenance: the command and data, recorded in the model.
        coefficients: per protocol, ``(d, a, sigma_a, b, sigma_b)`` rows (default :data:`FACTORY_COEFFICIENTS`;
            :func:`factory_coefficients` fits them from ``verify factory`` stats).
        zero_patch: per protocol, ``(d, added b)`` rows added to the edge's b only (default
            :data:`ZERO_PATCH_COSTS`; ``{}`` for none).

    Returns:
        ``{"schema", "model" (ErrorModel.info() of the model, its edge inside), "fit", "factors",
        "points", "extrapolation", "all_distance_fit"}``.

    Raises:
        SpecError: fewer than two fitted distances at ``p <= p_max``; a fit distance without points.
    """
    rows = [r for r in _rows(stats, min_fit_errors) if r["p"] <= p_max]
    distances = sorted({r["d"] for r in rows})
    if len(distances) < 2:
        raise SpecError(f"calibration needs points at two or more distances with p <= {p_max:g}, got {distances}")
    chosen = sorted(fit_distances) if fit_distances else distances[-3:]
    missing = [d for d in chosen if d not in distances]
    if missing or len(chosen) < 2:
        raise SpecError(f"fit distances {chosen} must be two or more of the measured {distances}")
    fit = _fit([r for r in rows if r["d"] in chosen])
    theta = np.array([math.log(fit.A), math.log(fit.p_th)])
    cov = _cov(fit)
    g = _grad(d_ref)
    edge_theta = theta + z * cov @ g / math.sqrt(g @ cov @ g)
    A_e, p_th_e = (float(math.exp(x)) for x in edge_theta)

    def base(d: int, a: float, t: float) -> float:  # form at p = t (any p: the ratio of two forms is p-free)
        return a * (1.0 / t) ** ((d + 1) / 2)

    factors, nominal_f, edge_f = {}, [], []
    for d in distances:
        ratio = base(d, fit.A, fit.p_th) / base(d, A_e, p_th_e)  # nominal form / edge form
        if d in chosen:
            need = math.exp(z * math.sqrt(_grad(d) @ cov @ _grad(d)))
            if need * ratio > 1:
                edge_f.append((d, need * ratio))
            continue
        ln_f, sigma, chi2 = _factor([r for r in rows if r["d"] == d], fit)
        factors[str(d)] = {"factor": math.exp(ln_f), "sigma_log": sigma, "chi2_red": chi2}
        nominal_f.append((d, math.exp(ln_f)))
        edge_f.append((d, math.exp(ln_f + z * sigma) * ratio))
    regime = f"(A, p_th) fitted at d = {', '.join(map(str, chosen))}, p <= {p_max:g}; f_d measured at the others"
    coefficients = FACTORY_COEFFICIENTS if coefficients is None else coefficients
    zero_patch = ZERO_PATCH_COSTS if zero_patch is None else zero_patch
    edge_source = f"{z:g} sigma edge of {name!r} at d = {d_ref}; protocol coefficients raised by {z:g} sigma"
    zero_rows = [(k, rows) for k, rows in zero_patch.items() if k in coefficients and rows]
    if zero_rows:
        listed = "; ".join(f"{k}: +" + " / +".join(f"{b:g}" for _, b in rows) + " p_L at d >= "
                           + " / ".join(str(d) for d, _ in rows) for k, rows in zero_rows)
        edge_source += "; " + _ZERO_PATCH_SOURCE.format(rows=listed)
    edge = ErrorModel(
        f"{name} (pessimistic edge)",
        A_e,
        p_th_e,
        tuple(sorted(edge_f)),
        _coefficients(z, True, coefficients, zero_patch),
        provenance=edge_source,
        regime=regime,
    )
    source = _FACTORY_SOURCE if coefficients is FACTORY_COEFFICIENTS else ""
    if any(name in STAND_IN_COSTS for name in coefficients) and _REAL_SOURCE not in provenance:
        source = "; ".join(x for x in (source, _REAL_SOURCE) if x)
    model = ErrorModel(name, fit.A, fit.p_th, tuple(nominal_f), _coefficients(z, False, coefficients),
                       provenance="; ".join(x for x in (provenance, source) if x), edge=edge, regime=regime)
    points = []
    for r in rows:
        m, e = model.logical_error(r["d"], r["p"]), edge.logical_error(r["d"], r["p"])
        points.append({**{k: r[k] for k in ("d", "p", "p_L", "low", "high", "errors")}, "model": m, "edge": e,
                       "measured_over_model": r["p_L"] / m, "pull": math.log(r["p_L"] / m) / r["sigma_log"]})
    return {
        "schema": "magicpipe.calibration/1",
        "model": model.info(),
        "fit": _fit_dict(fit, chosen) | {"p_max": p_max, "z": z, "d_ref": d_ref},
        "factors": factors,
        "points": points,
        "extrapolation": _extrapolations(rows, distances, 2) + _extrapolations(rows, distances, 3),
        "all_distance_fit": _fit_dict(_fit(rows), distances),
        "coefficients": {k: [dict(zip(("d", "a", "sigma_a", "b", "sigma_b"), r)) for r in v]
                         for k, v in coefficients.items()},
    }
