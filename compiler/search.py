"""Choosing distances: the least-volume pipeline that meets a target error (paper Sec. 7.1, Fig. 7).

Candidates are distance sequences of 1..``max_levels`` levels, non-decreasing (the logical error must fall
level by level for a level to help, Sec. 2.2), every level improving its input. For the baselines the
volume is a closed form. For the dynamic pipeline the search is branch and bound: candidates are visited in
order of their lower bound (:mod:`~magicpipe.compiler.bounds`) and the search stops when the bound, less
a 1% margin, exceeds the best volume found (a schedule can undercut the bound only by the failed runs the
bound pays for, about 15 (1 - P_1) of level-1 volume).

A one-level pipeline is a single factory fed raw states, for every method: ``Q_1 T_1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterator, Sequence

from magicpipe.compiler.accounted import sequential_accounted
from magicpipe.compiler.baselines import parallel, sequential
from magicpipe.compiler.bounds import lower_bound
from magicpipe.compiler.dynamic import DynamicOptions
from magicpipe.compiler.hardware import Hardware
from magicpipe.compiler.pareto import ParetoPoint, pareto_front
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.errors import InfeasibleError, SpecError

__all__ = ["Choice", "best_pipeline", "candidate_pipelines", "METHODS"]

METHODS = ("dynamic", "sequential", "parallel", "sequential-accounted")
DEFAULT_DISTANCES = tuple(range(3, 48, 2))


@dataclass(frozen=True, slots=True)
class Choice:
    """The pipeline a search chose: its volume, qubits and rounds for one top-level state."""

    pipeline: Pipeline
    method: str
    qubits: int
    rounds: float
    point: ParetoPoint | None = None

    @property
    def volume(self) -> float:
        return self.qubits * self.rounds


def candidate_pipelines(
    target: float, hardware: Hardware, levels: Sequence[int] = (1, 2, 3), distances: Sequence[int] = DEFAULT_DISTANCES
) -> Iterator[Pipeline]:
    """Every non-decreasing distance sequence of the given lengths whose output error is at most ``target``.

    A sequence whose shorter prefix already meets the target is left out: another level on top only adds
    volume, for every method. Sequences with a level whose success probability is not positive are skipped.
    """
    ds_sorted = sorted(distances)
    wanted = set(levels)

    def extend(prefix: tuple[int, ...]) -> Iterator[Pipeline]:
        for d in ds_sorted:
            if prefix and d < prefix[-1]:
                continue
            ds = prefix + (d,)
            try:
                pipe = Pipeline.from_distances(ds, hardware)
            except SpecError:
                continue  # a level that always fails at this input error
            if not pipe.improves:
                continue
            if pipe.output_error <= target:
                if len(ds) in wanted:
                    yield pipe
                continue
            if len(ds) < max(wanted):
                yield from extend(ds)

    yield from extend(())


def _cost(pipe: Pipeline, method: str, options: DynamicOptions | None, max_error: float | None = None,
          grow_slots: bool = True) -> Choice:
    if len(pipe.levels) == 1:
        lv = pipe.levels[0]
        return Choice(pipe, method, lv.qubits, float(lv.rounds))
    if method == "sequential":
        c = sequential(pipe)
        return Choice(pipe, method, c.qubits, float(c.rounds))
    if method == "parallel":
        c = parallel(pipe)
        return Choice(pipe, method, c.qubits, float(c.rounds))
    if method == "sequential-accounted":
        a = sequential_accounted(pipe)
        return Choice(pipe, method, a.qubits, a.rounds)
    point = pareto_front(pipe, options, max_output_error=max_error, least_volume_only=True,
                         grow_slots=grow_slots).min_volume()
    return Choice(pipe, method, point.qubits, point.rounds, point)


def best_pipeline(
    target: float,
    hardware: Hardware | None = None,
    method: str = "dynamic",
    *,
    levels: Sequence[int] = (1, 2, 3),
    distances: Sequence[int] = DEFAULT_DISTANCES,
    options: DynamicOptions | None = None,
    storage_decay: bool = False,
    grow_slots: bool = True,
) -> Choice:
    """The least-volume pipeline of ``method`` whose output error is at most ``target``.

    Args:
        target: the largest acceptable error of a top-level state.
        hardware: physical parameters (default p = eps = 1e-4).
        method: ``"dynamic"``, ``"sequential"``, ``"parallel"`` or ``"sequential-accounted"`` (the sequential
            baseline with its waiting states' patches and failed runs counted, :mod:`~magicpipe.compiler.accounted`).
        levels: the numbers of levels to consider.
        distances: the code distances a level may use.
        options: the dynamic scheduler's policy (None: the Pareto search tries every one of ``POLICIES``).
        storage_decay: for the dynamic method, charge the storage decay of buffered states
            (:mod:`~magicpipe.compiler.decay`) and keep only configurations that still meet ``target``; this
            steers the choice toward smaller buffers. Off by default, as in the paper.
        grow_slots: with ``storage_decay``, a configuration that misses ``target`` may grow its buffer slots to a
            higher distance instead (:func:`~magicpipe.compiler.pareto.pareto_front`); False drops it.

    Raises:
        SpecError: a target outside (0, 1) or an unknown method.
        InfeasibleError: no candidate reaches the target; the message gives the best error reachable.

    Examples:
        >>> c = best_pipeline(1e-12, method="sequential", levels=(2,), distances=range(3, 16, 2))
        >>> c.pipeline.distances, c.qubits, c.rounds
        ((3, 11), 4080, 154.0)
    """
    hardware = hardware or Hardware()
    if not 0 < target < 1:
        raise SpecError(f"target error {target} must lie in (0, 1)")
    if method not in METHODS:
        raise SpecError(f"method must be one of {METHODS}, got {method!r}")
    pipes = list(candidate_pipelines(target, hardware, levels, distances))
    if not pipes:
        top = max(distances)
        best_error = Pipeline.from_distances((top,) * max(levels), hardware).output_error
        raise InfeasibleError(
            f"no pipeline of {max(levels)} levels with distances up to {top} reaches error {target:.3g} "
            f"(the best reaches {best_error:.3g}); allow more levels or larger distances, or relax the target"
        )
    if method == "sequential-accounted":
        # its qubits and rounds are at least the paper's sequential ones: visit in that volume's order and stop
        # once it exceeds the best accounted volume
        best_acc: Choice | None = None
        for pipe in sorted(pipes, key=lambda p: (sequential(p).volume if len(p.levels) > 1 else 0.0)):
            if best_acc is not None and len(pipe.levels) > 1 and sequential(pipe).volume > best_acc.volume:
                break
            c = _cost(pipe, method, options)
            if best_acc is None or (c.volume, c.qubits) < (best_acc.volume, best_acc.qubits):
                best_acc = c
        assert best_acc is not None  # pipes is not empty
        return best_acc
    if method != "dynamic":
        return min((_cost(p, method, options) for p in pipes), key=lambda c: (c.volume, c.qubits))
    best: Choice | None = None
    for pipe in sorted(pipes, key=lower_bound):
        if best is not None and 0.99 * lower_bound(pipe) > best.volume:
            break
        try:
            c = _cost(pipe, method, options, target if storage_decay else None, grow_slots)
        except InfeasibleError:
            continue  # no configuration of this sequence meets the target once decay is charged
        if best is None or (c.volume, c.qubits) < (best.volume, best.qubits):
            best = c
    if best is None:
        raise InfeasibleError(
            f"no dynamic pipeline reaches error {target:.3g} once the storage decay of its buffered states is "
            f"charged; allow larger distances or more levels"
        )
    return best
