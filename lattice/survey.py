"""Re-costing the core's Pareto points on real floor plans, and the layout survey over a grid of distances.

The core counts qubits as one scalar Q and charges ``DynamicOptions.move_rounds`` (2 by default) for moving the
data patches aside and again for moving them back. On a floor plan the moves take the steps their routes need
(:mod:`.block`), each a lattice-surgery move of d rounds at the high-level distance, and the plan's bounding
strip has more qubit sites than Q because low-level blocks do not tile the regions they share.
:func:`~magicpipe.lattice.recost.recost` re-runs the scheduler with the measured move rounds (until the floor plan
and the schedule agree); :func:`survey_point` reports, for one Pareto point, the core's volume, the re-costed volume
at the same Q, and the volume on the floor plan's qubits.

Examples:
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> from magicpipe.compiler.pipeline import Pipeline
    >>> from magicpipe.compiler.options import PAPER
    >>> point = pareto_front(Pipeline.from_distances((5, 17)), PAPER, delay_model="first-stall").points[4]
    >>> row = survey_point(point)
    >>> row.move_steps, row.core_move_rounds, row.reuse_stalls, round(row.overhead, 3)
    (1, 2, 1, 1.026)
    >>> round(row.recost_rounds - row.core_rounds)  # 2 x (17 - 2) rounds of moves, and a longer failure delay
    31
"""

from __future__ import annotations

from typing import Any, TextIO

import argparse
import csv
import statistics
import sys
from dataclasses import dataclass
from collections.abc import Iterable, Iterator, Sequence

from magicpipe.compiler.failures import expected_delay
from magicpipe.compiler.hardware import Hardware
from magicpipe.compiler.options import PAPER
from magicpipe.compiler.pareto import ParetoPoint, pareto_front
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.lattice.recost import layout_policies, recost

__all__ = ["LayoutPoint", "survey_point", "survey", "summarize", "main"]


@dataclass(frozen=True, slots=True)
class LayoutPoint:
    """One Pareto point on its floor plan. Rounds are per top-level state, with the expected failure delay."""

    distances: tuple[int, int]
    qubits: int
    buffer_slots: int
    floorplan_qubits: int
    width: int
    height: int
    core_move_rounds: int
    move_steps: int
    reuse_stalls: int
    core_rounds: float
    recost_rounds: float

    @property
    def overhead(self) -> float:
        """Floor-plan qubits over the scalar budget Q."""
        return self.floorplan_qubits / self.qubits

    @property
    def core_volume(self) -> float:
        return self.qubits * self.core_rounds

    @property
    def recost_volume(self) -> float:
        """Q times the rounds with measured moves."""
        return self.qubits * self.recost_rounds

    @property
    def layout_volume(self) -> float:
        """Floor-plan qubits times the rounds with measured moves."""
        return self.floorplan_qubits * self.recost_rounds


def survey_point(point: ParetoPoint) -> LayoutPoint:
    schedule, fp = recost(point.schedule)
    rounds = schedule.rounds + expected_delay(schedule)
    distances = (fp.low.distance, fp.high.distance)
    return LayoutPoint(distances, point.qubits, point.buffer_slots, fp.qubits, fp.width, fp.height,
                       point.schedule.move_rounds, fp.move_steps, sum(s.reuse for s in schedule.stalls),
                       point.rounds, rounds)


def grid(low: int = 3, high: int = 21) -> list[tuple[int, int]]:
    """Every pair of odd distances ``low <= d1 < d2 <= high``."""
    return [(d1, d2) for d2 in range(low + 2, high + 1, 2) for d1 in range(low, d2, 2)]


def survey(pairs: Iterable[tuple[int, int]], hardware: Hardware | None = None,
           layout_aware: bool = False) -> Iterator[tuple[ParetoPoint, LayoutPoint, bool]]:
    """For every pair, every point of its Pareto front: ``(core point, layout point, is the core's min volume)``.

    The fronts are the paper's policy with the first-stall delay; ``layout_aware`` sizes the fill by what packs
    into the idle block (:func:`~magicpipe.lattice.recost.layout_policies`).
    """
    for pair in pairs:
        pipe = Pipeline.from_distances(pair, hardware)
        policies = layout_policies(pipe, (PAPER,)) if layout_aware else PAPER
        front = pareto_front(pipe, policies, delay_model="first-stall")
        best = front.min_volume()
        for point in front.points:
            yield point, survey_point(point), point is best


def summarize(rows: Sequence[tuple[ParetoPoint, LayoutPoint, bool]]) -> dict[str, Any]:
    """The survey's headline numbers: overheads, move steps, and volumes against the core's."""
    pairs = sorted({r.distances for _, r, _ in rows})
    minvol = [r for _, r, best in rows if best]
    by_pair = {p: [r for _, r, _ in rows if r.distances == p] for p in pairs}
    layout_best = [min(v, key=lambda r: r.layout_volume) for v in by_pair.values()]
    core_best = {r.distances: r for r in minvol}
    steps: dict[int, int] = {}
    for _, r, _ in rows:
        steps[r.move_steps] = steps.get(r.move_steps, 0) + r.reuse_stalls

    def stats(xs: list[float]) -> tuple[float, float, float]:
        return (min(xs), statistics.mean(xs), max(xs))

    return {
        "pairs": len(pairs),
        "points": len(rows),
        "overhead_all": stats([r.overhead for _, r, _ in rows]),
        "overhead_min_volume": stats([r.overhead for r in minvol]),
        "over_1_1_min_volume": sorted(r.distances for r in minvol if r.overhead > 1.1),
        "overhead_layout_best": stats([r.overhead for r in layout_best]),
        "move_step_stalls": dict(sorted(steps.items())),
        "recost_over_core": stats([r.recost_volume / r.core_volume for r in minvol]),
        "layout_best_over_core_best": stats(
            [b.layout_volume / core_best[b.distances].core_volume for b in layout_best]
        ),
    }


def _write_csv(rows: Iterable[tuple[ParetoPoint, LayoutPoint, bool]], out: TextIO) -> None:
    w = csv.writer(out)
    w.writerow(["d1", "d2", "Q", "buffer", "floorplan_qubits", "width", "height", "overhead", "core_move_rounds",
                "move_steps", "reuse_stalls", "core_rounds", "recost_rounds", "core_volume", "recost_volume",
                "layout_volume", "core_min_volume"])
    for _, r, best in rows:
        w.writerow([*r.distances, r.qubits, r.buffer_slots, r.floorplan_qubits, r.width, r.height, f"{r.overhead:.4f}",
                    r.core_move_rounds, r.move_steps, r.reuse_stalls, f"{r.core_rounds:.2f}", f"{r.recost_rounds:.2f}",
                    f"{r.core_volume:.0f}", f"{r.recost_volume:.0f}", f"{r.layout_volume:.0f}", int(best)])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m magicpipe.lattice.survey [--csv FILE] [--low 3 --high 21]``: the two-level grid at p = eps = 1e-4."""
    ap = argparse.ArgumentParser(prog="python -m magicpipe.lattice.survey", description=__doc__.split("\n\n")[0])
    ap.add_argument("--low", type=int, default=3)
    ap.add_argument("--high", type=int, default=21)
    ap.add_argument("--csv", default=None, metavar="FILE", help="write one row per Pareto point")
    ap.add_argument("--layout-aware", action="store_true", help="size the fill by what packs into the idle block")
    args = ap.parse_args(argv)
    rows = list(survey(grid(args.low, args.high), layout_aware=args.layout_aware))
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            _write_csv(rows, f)
    for key, value in summarize(rows).items():
        if isinstance(value, tuple):
            value = "min {:.3f}  mean {:.3f}  max {:.3f}".format(*value)
        print(f"{key:28s} {value}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
