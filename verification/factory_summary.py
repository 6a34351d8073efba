"""Counts of ``magicpipe verify factory`` to its ``summary.json``: measured acceptance and output error, the
Clifford parts, ``p_L`` of the same layout, the fit of Eqs. 3-4's ``p_L`` coefficients, and what the ``|+>``
stand-in leaves out. Pure functions; no files.

The fit. With ``A(eps)`` and ``E(eps)`` the exact acceptance and output error at ``p_L = 0`` (the logical
level's weight enumerator), the first-order model of Eqs. 3-4 is

    output error = E(eps) + a p_L,        acceptance = A(eps) exp(-b p_L),

and the paper has ``a = 7.1``, ``b = 356``. Its Eq. 4, ``1 - 15 eps - 356 p_L``, is the first order of the
product; the product keeps the ``eps p_L`` cross term out of ``b`` (it matters at ``eps = 0.03``), and the
exponential -- independent rejecting events, a Poisson count -- keeps ``b`` constant where ``b p_L`` is not
small (at d = 3, p = 2e-3 a third of the runs are rejected: ``1 - acceptance / A`` bends down while
``-ln(acceptance / A)`` stays linear in ``p_L``). For each point the Clifford parts ``y_out = measured - E`` and
``y_rej = -ln(measured / A)`` are divided by ``p_L``: the per-patch logical error per cycle (``d`` rounds, X and Z
errors) measured on one patch of this same layout, check order and noise (``surgery_memory_task``). ``a``
and ``b`` are weighted least squares through the origin (weights ``1 / sigma^2`` from the binomial counts),
per distance and over all points; their one-sigma errors are scaled by ``sqrt(chi2_red)`` when the points
scatter more than their bars. The same ratios against the paper's Eq. 2 ``p_L`` are reported as
``a_eq2``/``b_eq2``: the constants the planner would need with its Eq. 2.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import numpy as np
import sinter
from magicpipe.compiler.hardware import ErrorModel, LogicalErrorModel
from magicpipe.compiler.protocols import get_protocol
from magicpipe.verification.logical import enumerate_errors
from magicpipe.verification.memory import patch_rate, per_cycle_rate
from magicpipe.verification.stand_in import carried_events, stand_in_costs
from magicpipe.verification.summary import Estimate, versions

__all__ = ["fit_through_origin", "summarize_factory"]

PAPER = {"a": 7.1, "b": 356.0}


def fit_through_origin(x: Iterable[float], y: Iterable[float], sigma: Iterable[float]) -> dict[str, float] | None:
    """Weighted least squares of ``y = c x``: ``c``, its one-sigma error and ``chi2_red`` (None without points).

    Examples:
        >>> fit = fit_through_origin([1, 2, 3], [2.1, 3.9, 6.0], [0.1, 0.1, 0.1])
        >>> round(fit["c"], 4), fit["points"]
        (1.9929, 3)
    """
    x, y, s = (np.asarray(list(v), dtype=float) for v in (x, y, sigma))
    ok = (s > 0) & np.isfinite(y) & np.isfinite(x)
    x, y, s = x[ok], y[ok], s[ok]
    if len(x) == 0:
        return None
    w = 1 / s**2
    c = float(np.sum(w * x * y) / np.sum(w * x * x))
    chi2 = float(np.sum(w * (y - c * x) ** 2) / (len(x) - 1)) if len(x) > 1 else math.nan
    sigma_c = math.sqrt(1 / float(np.sum(w * x * x))) * (math.sqrt(chi2) if chi2 > 1 else 1.0)
    return {"c": c, "sigma": sigma_c, "chi2_red": chi2, "points": len(x)}


def _by_kind(stats: Iterable[sinter.TaskStats]) -> dict[str, list[sinter.TaskStats]]:
    out: dict[str, list[sinter.TaskStats]] = defaultdict(list)
    for s in stats:
        m = s.json_metadata if isinstance(s.json_metadata, dict) else {}
        kind = m.get("kind")
        if kind == "factory" and m.get("basis") == "x":
            out["factory"].append(s)
        elif kind == "factory_events":
            out[f"events_{m['basis']}"].append(s)
        elif kind == "factory_memory":
            out["memory"].append(s)
    return out


def _memory(stats: list[sinter.TaskStats]) -> dict[tuple[int, float], dict[str, Any]]:
    """Per (d, p): per-basis per-cycle rates and the per-patch ``p_L`` with its relative error."""
    groups: dict[tuple[int, float], dict[str, sinter.TaskStats]] = defaultdict(dict)
    for s in stats:
        m = s.json_metadata
        groups[(m["d"], m["p"])][m["basis"]] = s
    out = {}
    for key, bases in groups.items():
        rates = {b: per_cycle_rate(s.errors / s.shots, s.json_metadata["cycles"]) for b, s in bases.items()}
        total = sum(rates.values())
        spread = math.sqrt(sum(rates[b] ** 2 / s.errors for b, s in bases.items() if s.errors))
        rel = spread / total if total > 0 else math.nan
        out[key] = {
            "shots": {b: s.shots for b, s in bases.items()},
            "errors": {b: s.errors for b, s in bases.items()},
            "per_cycle": rates,
            "p_L": patch_rate(list(rates.values())) if len(bases) == 2 else None,
            "p_L_relative_sigma": rel,
        }
    return out


def _point(s: sinter.TaskStats, memory: dict, eq2: ErrorModel) -> dict[str, Any]:
    m = s.json_metadata
    protocol = get_protocol(m["protocol"])
    enum = enumerate_errors(protocol)
    d, p, eps = m["d"], m["p"], m["eps"]
    accepted = s.shots - s.discards
    acc = Estimate.from_counts(accepted, s.shots)
    out = Estimate.from_counts(s.errors, accepted)
    exact_acc = enum.acceptance(eps) if eps > 0 else 1.0
    exact_out = enum.output_error(eps) if eps > 0 else 0.0
    p_l = (memory.get((d, p)) or {}).get("p_L")
    p_l_eq2 = eq2.A * (p / eq2.p_th) ** ((d + 1) / 2)
    y_out, y_rej = out.best - exact_out, -math.log(acc.best / exact_acc) if acc.best > 0 else math.inf
    return {
        "d": d, "p": p, "eps": eps, "shots": s.shots, "accepted": accepted, "errors": s.errors, "seconds": s.seconds,
        "acceptance": asdict(acc),
        "output_error": asdict(out),
        "logical_exact": {"acceptance": exact_acc, "output_error": exact_out},
        "clifford": {"output_error": y_out, "output_sigma": out.sigma(max(out.best, 1 / max(accepted, 1))),
                     "rejection": y_rej, "rejection_sigma": acc.sigma(acc.best) / max(acc.best, 1 / s.shots)},
        "p_L": p_l,
        "p_L_eq2": p_l_eq2,
        "ratio": {"a": y_out / p_l if p_l else None, "b": y_rej / p_l if p_l else None,
                  "a_eq2": y_out / p_l_eq2, "b_eq2": y_rej / p_l_eq2},
        "formula_paper": {"acceptance": protocol.success_probability(eps, p_l_eq2),
                          "output_error": protocol.output_error(eps, p_l_eq2)},
    }


def _fits(points: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {"all": points}
    for pt in points:
        groups.setdefault(f"d={pt['d']}", []).append(pt)
    out = {}
    for name, pts in groups.items():
        row = {}
        for coef, key in (("a", "output"), ("b", "rejection")):
            sig = [pt["clifford"][f"{key}_sigma"] for pt in pts]
            y = [pt["clifford"]["output_error" if key == "output" else "rejection"] for pt in pts]
            row[coef] = fit_through_origin([pt["p_L"] or math.nan for pt in pts], y, sig)
            row[f"{coef}_eq2"] = fit_through_origin([pt["p_L_eq2"] for pt in pts], y, sig)
        out[name] = row
    return out


def _stand_in(z: sinter.TaskStats, x: sinter.TaskStats | None, memory: dict, points: list[dict]) -> dict[str, Any]:
    """Per (d, p): what the stand-in cannot carry (from the Z twin ``z``), its cost to the real protocol, and the
    Z-type events it does carry (from the factory's own tally ``x``) for comparison."""
    m = z.json_metadata
    d, p = m["d"], m["p"]
    protocol = get_protocol(m["protocol"])
    costs = stand_in_costs(dict(z.custom_counts), z.shots, protocol)
    p_l = (memory.get((d, p)) or {}).get("p_L")
    carried = [pt for pt in points if pt["d"] == d and pt["p"] == p]
    acc = min((pt["acceptance"]["best"] for pt in carried), default=1.0)
    out = {
        "d": d, "p": p, "shots": z.shots, "failing_shots": z.errors, "seconds": z.seconds,
        **costs,
        "output_error_added": costs["accepted_wrong"] / acc if acc else None,
        "a_added": costs["accepted_wrong"] / acc / p_l if p_l and acc else None,
        "b_added": -math.log(1 - costs["reject"]) / p_l if p_l and costs["reject"] < 1 else None,
        "carried": None,
    }
    if x is not None:
        out["carried"] = {"shots": x.shots, **carried_events(dict(x.custom_counts), x.shots, protocol)}
    return out


def summarize_factory(
    stats: Iterable[sinter.TaskStats], *, distances: dict[int, Any] | None = None, seed: int | None = None
) -> dict[str, Any]:
    """Summarise factory, event and memory counts (module docstring).

    Args:
        stats: sinter stats; those of kinds ``factory``, ``factory_events`` and ``factory_memory`` are used.
        distances: graph-like distances by d (``FactoryDistance`` as dicts), recorded as given.
        seed: recorded in the summary.

    Returns:
        A JSON-ready dict: ``points`` (one per (d, p, eps)), ``memory`` (``p_L`` per (d, p)), ``fit`` (``a``, ``b``
        per distance and over all, against the measured ``p_L`` and the paper's Eq. 2), ``stand_in`` (per
        (d, p): X-type error and misread rates, what they would add to the real protocol, and beside them the
        Z-type events the circuit carries), ``paper``.
    """
    kinds = _by_kind(stats)
    memory = _memory(kinds["memory"])
    eq2 = LogicalErrorModel()
    points = sorted((_point(s, memory, eq2) for s in kinds["factory"]), key=lambda pt: (pt["d"], pt["p"], pt["eps"]))
    xs = {(s.json_metadata["d"], s.json_metadata["p"]): s for s in kinds["events_x"]}
    twins = sorted((_stand_in(s, xs.get((s.json_metadata["d"], s.json_metadata["p"])), memory, points)
                    for s in kinds["events_z"]), key=lambda t: (t["d"], t["p"]))
    return {
        "kind": "factory",
        "interval": "likelihood ratio, factor e^2 (~2 sigma, ~95%)",
        "model": "output error = E(eps) + a p_L, acceptance = A(eps) exp(-b p_L); E, A exact at p_L = 0; p_L "
                 "per patch per cycle (both error types) of one patch of this layout",
        "paper": PAPER,
        "distance": distances or {},
        "memory": [{"d": d, "p": p, **v} for (d, p), v in sorted(memory.items())],
        "points": points,
        "fit": _fits(points),
        "stand_in": twins,
        "seed": seed,
        "versions": versions(),
    }
