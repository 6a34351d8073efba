"""Pictures across pipelines: the Pareto front of the paper's Fig. 8, the reduction heat maps of Fig. 6 and the
least volume per error threshold of Fig. 7 -- drawn here only, for ``magicpipe report`` and for
``magicpipe pipeline`` / ``bench``.

Each returns a matplotlib figure and writes nothing (:mod:`magicpipe.report.write` and :func:`save` write them).
:func:`read_cells` reads the ``cells.csv`` that ``magicpipe bench two-level`` writes; :func:`cells_of` makes the
same cells from its rows.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Sequence

from magicpipe.errors import SpecError
from magicpipe.report.figures import margins, pyplot

__all__ = ["Cell", "read_cells", "cells_of", "front_figure", "heatmap_figure", "thresholds_figure", "save"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One two-level benchmark: distances and the dynamic pipeline's volume reductions (fractions)."""

    d1: int
    d2: int
    vs_sequential: float
    vs_parallel: float


_COLUMNS = ("d1", "d2", "reduction_vs_sequential", "reduction_vs_parallel")


def read_cells(path: Path) -> tuple[Cell, ...]:
    """The cells of a ``cells.csv``.

    Raises:
        SpecError: a column is missing or a value is not a number.
    """
    with Path(path).open(newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SpecError(f"{path}: no cells; write one with `magicpipe bench two-level --out DIR`")
    missing = [c for c in _COLUMNS if c not in rows[0]]
    if missing:
        raise SpecError(f"{path}: columns {missing} are missing; cells.csv of `magicpipe bench two-level` has "
                        f"{', '.join(_COLUMNS)}")
    try:
        return tuple(Cell(int(r["d1"]), int(r["d2"]), float(r["reduction_vs_sequential"]),
                          float(r["reduction_vs_parallel"])) for r in rows)
    except ValueError as e:
        raise SpecError(f"{path}: {e}") from None


def cells_of(rows: Sequence[dict]) -> tuple[Cell, ...]:
    """The cells of ``magicpipe bench two-level``'s rows (:func:`magicpipe.report.benchmarks.two_level_cell`)."""
    return tuple(Cell(r["d1"], r["d2"], r["reduction_vs_sequential"], r["reduction_vs_parallel"]) for r in rows)


def front_figure(front, round_us: float, baselines: Sequence[tuple[str, float, float]],
                 this: tuple[float, float] | None = None):
    """Fig. 8: every evaluated point (colour: buffer slots, lighter = larger), the front, the least-volume
    point (star), the baselines' cost-model points and, if given, ``this`` point ``(qubits, rounds)``.

    Args:
        front: a :class:`~magicpipe.compiler.pareto.ParetoFront`.
        round_us: microseconds per round.
        baselines: ``(name, qubits, rounds)`` per baseline.
        this: the reported schedule's ``(qubits, rounds)``.
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.6))
    pts = front.evaluated
    sc = ax.scatter([p.qubits for p in pts], [p.rounds * round_us for p in pts], c=[p.buffer_slots for p in pts],
                    cmap="viridis", s=12, alpha=0.45, label="evaluated configurations")
    ax.plot([p.qubits for p in front.points], [p.rounds * round_us for p in front.points], "k.-", lw=1,
            label="Pareto front")
    best = front.min_volume()
    ax.plot(best.qubits, best.rounds * round_us, "*", color="red", ms=15,
            label=f"least Q·T (buffer {best.buffer_slots})")
    for (name, q, r), marker in zip(baselines, ("s", "D", "^")):
        ax.plot(q, r * round_us, marker, ms=8, markeredgecolor="black", label=f"{name} (cost model)")
    if this is not None:
        ax.plot(this[0], this[1] * round_us, "o", ms=13, markerfacecolor="none", markeredgecolor="magenta", mew=2,
                label="this schedule")
    fig.colorbar(sc, ax=ax, label="buffer slots")
    ax.set_xlabel("physical qubits Q")
    ax.set_ylabel("time for one top-level state (µs)")
    ax.set_title(f"Space-time trade-off, distances {front.pipeline.distances} (Fig. 8)", fontsize=10)
    ax.legend(fontsize=7)
    margins(fig, 0.8, 0.2, 0.62, 0.4)
    return fig


def heatmap_figure(cells: Sequence[Cell]):
    """Fig. 6: the volume reduction of every distance pair against each baseline (lighter = larger)."""
    import numpy as np

    plt = pyplot()
    ds = sorted({c.d1 for c in cells} | {c.d2 for c in cells})
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.2))
    for ax, attr, title in zip(axes, ("vs_sequential", "vs_parallel"), ("sequential", "parallel")):
        grid = np.full((len(ds), len(ds)), np.nan)
        for c in cells:
            grid[ds.index(c.d2), ds.index(c.d1)] = 100 * getattr(c, attr)
        im = ax.imshow(grid, origin="lower", cmap="viridis")
        ax.set_xticks(range(len(ds)), ds)
        ax.set_yticks(range(len(ds)), ds)
        ax.set_xlabel("level-1 distance")
        ax.set_ylabel("level-2 distance")
        values = [v for v in grid.flat if not math.isnan(v)]
        ax.set_title(f"Q·T reduction vs {title} (%), mean {sum(values) / len(values):.1f}%", fontsize=9)
        for i in range(len(ds)):
            for j in range(len(ds)):
                if not math.isnan(grid[i, j]):
                    ax.text(j, i, f"{grid[i, j]:.0f}", ha="center", va="center", fontsize=6,
                            color="black" if grid[i, j] > np.nanmean(grid) else "white")
        fig.colorbar(im, ax=ax, shrink=0.85)
    fig.suptitle("Qubit-time volume reduction of the dynamic pipeline per distance pair (Fig. 6)", fontsize=10)
    margins(fig, 0.6, 0.2, 0.35, 0.5, wspace=0.12)
    return fig


def thresholds_figure(rows: Sequence[dict]):
    """Fig. 7: each method's least qubit-round volume per error threshold
    (rows of :func:`magicpipe.report.benchmarks.threshold_row`, reachable ones)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for method, style in (("sequential", "s-"), ("parallel", "D-"), ("dynamic", "o-")):
        ax.semilogy([-math.log10(r["threshold"]) for r in rows], [r[f"{method}_volume"] for r in rows], style,
                    ms=3, label=method)
    ax.set_xlabel("-log10(error threshold)")
    ax.set_ylabel("least qubit-round volume per state")
    ax.legend()
    margins(fig, 1.0, 0.2, 0.62, 0.2)
    return fig


def save(fig, path: Path, dpi: int = 120) -> Path:
    """Write ``fig`` to ``path`` (its suffix gives the format) and close it."""
    fig.savefig(path, dpi=dpi)
    pyplot().close(fig)
    return Path(path)
