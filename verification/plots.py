"""PNG plots of the summaries, drawn on matplotlib's Agg canvas (no pyplot, no global backend change).

matplotlib is imported when a plot is drawn, not with this module: ``magicpipe.verification`` is imported by every
sinter worker process (to unpickle the sampler), which never draws.
"""

from __future__ import annotations

import pathlib
from typing import TYPE_CHECKING, Any

import numpy as np

from magicpipe.compiler.protocols import get_protocol
from magicpipe.verification.logical import WeightEnumerator

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_factory", "plot_logical", "plot_memory"]


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _errorbar(ax: Any, x: list[float], est: list[dict[str, float]], **kw: Any) -> None:
    best = np.array([e["best"] for e in est], dtype=float)
    low = np.array([e["low"] for e in est], dtype=float)
    high = np.array([e["high"] for e in est], dtype=float)
    ax.errorbar(x, best, yerr=[np.clip(best - low, 0, None), np.clip(high - best, 0, None)], fmt="o", capsize=3, **kw)


def _grid(values: list[float]) -> np.ndarray:
    """100 log-spaced points over the values' range (a factor 2 either side of a single value)."""
    lo, hi = min(values), max(values)
    if lo == hi:
        lo, hi = lo / 2, min(hi * 2, 0.999)
    return np.geomspace(lo, hi, 100)


def _save(fig: Figure, path: str | pathlib.Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=120)


# Fixed margins for each figure size (fractions of the figure): a layout engine ("constrained", "tight") draws
# the figure once more to measure its labels, 40 % of a plot's time, for the same picture at these sizes.
_WIDE = {"left": 0.07, "right": 0.985, "bottom": 0.13, "top": 0.92, "wspace": 0.2}


def plot_logical(summary: dict[str, Any], path: str | pathlib.Path) -> None:
    """Acceptance and output error against eps: sampled (~95% bars), exact, and Eqs. 3-4 at p_L = 0."""
    points = summary["points"]
    fig = _figure(10, 4)
    axes = fig.subplots(1, 2, gridspec_kw=_WIDE)
    if points:
        name = points[0]["protocol"]
        protocol, exact = get_protocol(name), WeightEnumerator(**summary["weight_enumerator"][name])
        eps = [pt["eps"] for pt in points]
        grid = _grid(eps)
        curves = {
            "acceptance": (exact.acceptance, lambda e: protocol.success_probability(e, 0.0)),
            "output_error": (exact.output_error, lambda e: protocol.output_error(e, 0.0)),
        }
        for ax, (key, (exact_f, formula_f)) in zip(axes, curves.items()):
            _errorbar(ax, eps, [pt[key] for pt in points], label="sampled (Stim)")
            ax.plot(grid, [exact_f(e) for e in grid], "k-", label="exact (all error patterns)")
            ax.plot(grid, [f if (f := formula_f(e)) > 0 else np.nan for e in grid], "r--", label="Eqs. 3-4, p_L = 0")
            ax.legend()
    for ax, title in zip(axes, ("acceptance", "output error | accepted")):
        ax.set(xscale="log", yscale="log", xlabel="input error eps", title=title)
        ax.grid(True, which="both", alpha=0.3)
    _save(fig, path)


def plot_memory(summary: dict[str, Any], path: str | pathlib.Path) -> None:
    """Per-cycle patch error against p for each distance: measured, Eq. 2 with the paper's and fitted constants."""
    fig = _figure(6, 4.5)
    ax = fig.subplots(gridspec_kw={"left": 0.14, "right": 0.97, "bottom": 0.12, "top": 0.86})
    fit, paper = summary.get("fit"), summary["paper"]
    for i, d in enumerate(sorted({pt["d"] for pt in summary["points"]})):
        pts = sorted((pt for pt in summary["points"] if pt["d"] == d), key=lambda pt: pt["p"])
        color = f"C{i}"
        ps = [pt["p"] for pt in pts]
        _errorbar(ax, ps, [pt["per_cycle_patch"] for pt in pts], color=color, label=f"d={d}")
        grid = _grid(ps)
        k = (d + 1) / 2
        ax.plot(grid, paper["A"] * (grid / paper["p_th"]) ** k, ":", color=color)
        if fit:
            ax.plot(grid, fit["A"] * (grid / fit["p_th"]) ** k, "-", color=color, alpha=0.6)
    title = f"dotted: Eq. 2 (A={paper['A']:g}, p_th={paper['p_th']:g})"
    if fit:
        title += f"\nsolid: fit A={fit['A']:.3g}, p_th={fit['p_th']:.3g}"
    ax.set(xscale="log", yscale="log", xlabel="physical error p", ylabel="logical error per patch per cycle")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    _save(fig, path)


def plot_factory(summary: dict[str, Any], path: str | pathlib.Path) -> None:
    """The Clifford parts of rejection and output error against ``p_L``: measured, fitted, and Eqs. 3-4's."""
    fig = _figure(10, 4.2)
    axes = fig.subplots(1, 2, gridspec_kw=_WIDE)
    points = [pt for pt in summary["points"] if pt["p_L"]]
    fit, paper = summary["fit"].get("all") or {}, summary["paper"]
    panels = (("rejection", "b", "Clifford rejection: -ln(acceptance / A(eps))"),
              ("output_error", "a", "Clifford output error: output error - E(eps)"))
    markers = {3: "o", 5: "s", 7: "^"}
    eps_values = sorted({pt["eps"] for pt in points})
    for ax, (key, coef, label) in zip(axes, panels):
        for pt in points:
            c = f"C{eps_values.index(pt['eps'])}"
            sig = pt["clifford"]["output_sigma" if key == "output_error" else "rejection_sigma"]
            ax.errorbar(pt["p_L"], max(pt["clifford"][key], 1e-12), yerr=2 * sig, fmt=markers.get(pt["d"], "D"),
                        color=c, capsize=3)
        if points:
            grid = _grid([pt["p_L"] for pt in points])
            if fit.get(coef):
                ax.plot(grid, fit[coef]["c"] * grid, "k-", label=f"fit: {fit[coef]['c']:.3g} p_L")
            ax.plot(grid, paper[coef] * grid, "r--", label=f"paper: {paper[coef]:g} p_L")
            for e in eps_values:
                ax.plot([], [], "o", color=f"C{eps_values.index(e)}", label=f"eps={e:g}")
            for d in sorted({pt["d"] for pt in points}):
                ax.plot([], [], markers.get(d, "D"), color="grey", label=f"d={d}")
            ax.legend(fontsize=8)
        ax.set(xscale="log", yscale="log", xlabel="p_L per patch per cycle (this layout's memory)", title=label)
        ax.grid(True, which="both", alpha=0.3)
    _save(fig, path)
