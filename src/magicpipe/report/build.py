"""A :class:`Report`: one dynamic schedule and both baselines on the same pipeline, measured side by side.

:func:`build_report` is pure (no files): a schedule and its pipeline in, the space-times and metrics of the
dynamic pipeline, the sequential and the parallel baselines out -- the baselines' schedules from the core
(:func:`magicpipe.compiler.baselines.sequential_schedules`, :func:`~magicpipe.compiler.baselines.parallel_schedules`)
-- with storage decay (``compiler/decay.py``) for every two-level one. Reading the inputs -- a stream, a
``plan.json``, a ``summary.json`` -- is :mod:`magicpipe.report.load`'s; writing the files is
:mod:`magicpipe.report.write`'s.

Examples:
    >>> from magicpipe.compiler import Pipeline
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> pipe = Pipeline.from_distances((5, 17))
    >>> point = pareto_front(pipe).min_volume()
    >>> r = build_report(pipe, point.schedule, model_rounds=point.rounds)
    >>> [m.name for m in r.metrics], [m.makespan for m in r.metrics]
    (['dynamic', 'sequential', 'parallel'], [242, 242, 280])
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from magicpipe.compiler.baselines import (
    parallel,
    parallel_schedules,
    sequential,
    sequential_schedules,
)
from magicpipe.compiler.check import check
from magicpipe.compiler.decay import StorageDecay, storage_decay
from magicpipe.compiler.pareto import ParetoFront
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.schedule import Schedule
from magicpipe.errors import VerificationError
from magicpipe.lattice.stream import Stream
from magicpipe.report.metrics import Metrics, ProgramRate, measure
from magicpipe.report.spacetime import Box, BufferTrace, Ledger, SpaceTime, baseline

__all__ = ["Report", "build_report", "storage_decay_of"]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the report shows.

    Attributes:
        pipeline: the levels and hardware.
        spacetimes: dynamic, sequential, parallel.
        metrics: one per space-time, same order.
        models: ``(name, qubits, rounds)`` of each cost model: the dynamic point's expected rounds, the
            baselines' formulas.
        front: the dynamic Pareto front (None when not computed).
        stream: the instruction stream, for the floor plan (None for composed pipelines).
        program: the program's demand, from a plan.
        repetition: ``(count, period)`` when the stream repeats one period.
        source: what the report was made from, e.g. ``"stream schedule.lsi"``.
        notes: caveats, one sentence each.
    """

    pipeline: Pipeline
    spacetimes: tuple[SpaceTime, ...]
    metrics: tuple[Metrics, ...]
    models: tuple[tuple[str, int, float], ...]
    front: ParetoFront | None = None
    stream: Stream | None = None
    program: ProgramRate | None = None
    repetition: tuple[int, int] | None = None
    source: str = ""
    notes: tuple[str, ...] = ()

    def metric(self, name: str) -> Metrics:
        return next(m for m in self.metrics if m.name == name)

    def __repr__(self) -> str:
        made = ", ".join(f"{m.name} Q={m.qubit_budget} T={m.makespan}" for m in self.metrics)
        return f"<Report {self.source or 'of objects'}: distances {self.pipeline.distances}; {made}>"


def storage_decay_of(schedule: Schedule, pipeline: Pipeline) -> StorageDecay | None:
    """The storage decay of ``schedule`` (:func:`magicpipe.compiler.decay.storage_decay`), or None for a
    schedule whose runs failed or were turned away: the decay charges the states a no-failure schedule takes,
    in order, and the report does not charge a sampled outcome."""
    if any(not r.success or r.discarded for r in schedule.runs):
        return None
    return storage_decay(schedule, pipeline.hardware)


def build_report(pipeline: Pipeline, schedule: Schedule | None, *, model_rounds: float | None = None,
                 front: ParetoFront | None = None, stream: Stream | None = None, program: ProgramRate | None = None,
                 repetition: tuple[int, int] | None = None, source: str = "", notes: tuple[str, ...] = ()) -> Report:
    """Measure ``schedule`` and both baselines of ``pipeline``.

    Args:
        pipeline: the levels and hardware.
        schedule: the dynamic schedule; None for a one-level pipeline, whose dynamic pipeline is its one
            factory, or when there is none (a plan's chosen source without a schedule): the sequential
            baseline stands in, renamed.
        model_rounds: the dynamic cost model's rounds per state (a front point's expected rounds).
        front, stream, program, repetition, source, notes: carried into the :class:`Report`.
    """
    seq_cost, par_cost = sequential(pipeline), parallel(pipeline)
    if len(pipeline.levels) == 1:
        views = {"dynamic": (_one_factory(pipeline, "dynamic", seq_cost.qubits), None),
                 "sequential": (_one_factory(pipeline, "sequential", seq_cost.qubits), None),
                 "parallel": (_one_factory(pipeline, "parallel", par_cost.qubits, par_cost.slots[-1]), None)}
        notes += ("one level: the dynamic pipeline is one factory fed raw states, nothing to schedule",)
    else:
        seq, par = sequential_schedules(pipeline), parallel_schedules(pipeline)
        views = {"sequential": (baseline(pipeline, "sequential"), _two_level(seq)),
                 "parallel": (baseline(pipeline, "parallel"), _two_level(par))}
        if schedule is None:
            stand_in = dataclasses.replace(views["sequential"][0], name="dynamic")
            views = {"dynamic": (stand_in, _two_level(seq)), **views}
            notes += ("no dynamic schedule: the sequential baseline stands in for the dynamic pipeline",)
        else:
            views = {"dynamic": (SpaceTime.from_schedule(schedule), schedule), **views}
            try:
                check(schedule, allow_failures=True)
            except VerificationError as e:
                notes += (f"the dynamic schedule breaks an invariant of magicpipe.compiler.check: {e}",)
    rounds = {"dynamic": model_rounds if model_rounds is not None else float(views["dynamic"][0].makespan),
              "sequential": float(seq_cost.rounds), "parallel": float(par_cost.rounds)}
    metrics = []
    for name, (view, sched) in views.items():
        decay = storage_decay_of(sched, pipeline) if sched is not None else None
        metrics.append(measure(view, pipeline=pipeline, model_rounds=rounds[name], program=program, decay=decay))
    models = (("dynamic", views["dynamic"][0].qubit_budget, rounds["dynamic"]),
              ("sequential", seq_cost.qubits, rounds["sequential"]), ("parallel", par_cost.qubits, rounds["parallel"]))
    return Report(pipeline, tuple(v for v, _ in views.values()), tuple(metrics), models, front, stream, program,
                  repetition, source, notes)


def _two_level(schedules: tuple[Schedule, ...]) -> Schedule | None:
    """A baseline's one schedule when the pipeline has two levels (storage decay reads it), else None."""
    return schedules[0] if len(schedules) == 1 else None


def _one_factory(pipeline: Pipeline, name: str, qubits: int, output_slots: int = 0) -> SpaceTime:
    """A one-level pipeline: its one factory run on raw states (with the parallel baseline's own empty slots)."""
    f = pipeline.levels[0].factory
    box = Box("L1.0", 1, 0, f.rounds, f.qubits, "static", f.protocol.outputs, True, f.protocol.inputs)
    pq = f.patch_qubits
    empty = BufferTrace(1, output_slots, pq, output_slots * pq, ((0, 0, 0),), Ledger(0, 0, 0, 0))
    slots = (empty,) if output_slots else ()
    return SpaceTime(name, pipeline.distances, qubits, pipeline.hardware.rounds_to_us(1), (box,), (), slots, f.rounds)
