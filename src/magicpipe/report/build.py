"""A :class:`Report`: one dynamic schedule and both baselines on the same pipeline, measured side by side.

:func:`build_report` is pure (no files): a schedule and its pipeline in, timelines and metrics of the dynamic
pipeline, the sequential and the parallel baselines out, with storage decay (``compiler/decay.py``) for every
two-level timeline. Reading the inputs -- a stream, a ``plan.json``, a ``summary.json`` -- is
:mod:`magicpipe.report.load`'s; writing the files is :mod:`magicpipe.report.write`'s.

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

from dataclasses import dataclass

from magicpipe.compiler.allocator import Allocation
from magicpipe.compiler.baselines import parallel, sequential
from magicpipe.compiler.check import check
from magicpipe.compiler.decay import StorageDecay, storage_decay
from magicpipe.compiler.pareto import ParetoFront, level_producer
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.schedule import Run, Schedule, Take, TopRun
from magicpipe.errors import VerificationError
from magicpipe.lattice.stream import Stream
from magicpipe.report.metrics import Metrics, ProgramRate, measure
from magicpipe.report.static import parallel_timeline, sequential_timeline
from magicpipe.report.timeline import Timeline

__all__ = ["Report", "build_report", "storage_decay_of"]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the report shows.

    Attributes:
        pipeline: the levels and hardware.
        timelines: dynamic, sequential, parallel.
        metrics: one per timeline, same order.
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
    timelines: tuple[Timeline, ...]
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


def storage_decay_of(schedule: Schedule, pipeline: Pipeline) -> StorageDecay | None:
    """The storage decay of ``schedule`` (:func:`magicpipe.compiler.decay.storage_decay`), or None for a
    schedule whose runs failed or were turned away: the decay charges the states a no-failure schedule takes,
    in order, and the report does not charge a sampled outcome."""
    if any(not r.success or r.discarded for r in schedule.runs):
        return None
    return storage_decay(schedule, pipeline.hardware)


def baseline_schedule(timeline: Timeline, pipeline: Pipeline) -> Schedule | None:
    """A two-level static timeline as a :class:`Schedule` (runs, one execution, takes), for the core's
    per-schedule figures such as storage decay; None for other pipelines."""
    if timeline.levels != 2 or len(timeline.top_boxes()) != 1:
        return None
    producer = level_producer(pipeline, 1)
    runs = tuple(Run(k, 0, b.start, b.end, b.qubits, "fill", k, b.success, b.outputs)
                 for k, b in enumerate(x for x in timeline.boxes if x.level == 1))
    top = timeline.top_boxes()[0]
    buf = timeline.buffers[0]
    takes = tuple(Take(t, 0, 0, peak - after) for t, peak, after in buf.points if peak > after)
    none = Allocation(0, (), 0, 0)
    return Schedule(pipeline.levels[-1].factory, (producer,), timeline.qubit_budget, buf.capacity or 0,
                    buf.slot_qubits, 0, none, none, runs, (TopRun(0, top.start, top.end),), takes, (), 0)


def build_report(pipeline: Pipeline, schedule: Schedule | None, *, model_rounds: float | None = None,
                 front: ParetoFront | None = None, stream: Stream | None = None, program: ProgramRate | None = None,
                 repetition: tuple[int, int] | None = None, source: str = "", notes: tuple[str, ...] = ()) -> Report:
    """Measure ``schedule`` and both baselines of ``pipeline``.

    Args:
        pipeline: the levels and hardware.
        schedule: the dynamic schedule; None for a one-level pipeline, whose dynamic pipeline is its one
            factory (the sequential timeline stands in, renamed).
        model_rounds: the dynamic cost model's rounds per state (a front point's expected rounds).
        front, stream, program, repetition, source, notes: carried into the :class:`Report`.
    """
    seq_cost, par_cost = sequential(pipeline), parallel(pipeline)
    seq, par = sequential_timeline(pipeline), parallel_timeline(pipeline)
    if schedule is None:
        dyn = Timeline("dynamic", seq.distances, seq.qubit_budget, seq.round_us, seq.boxes, seq.gaps, seq.buffers,
                       seq.makespan)
        notes += ("one level: the dynamic pipeline is one factory fed raw states, nothing to schedule",)
    else:
        dyn = Timeline.from_schedule(schedule)
        try:
            check(schedule, allow_failures=True)
        except VerificationError as e:
            notes += (f"the dynamic schedule breaks an invariant of magicpipe.compiler.check: {e}",)
    rounds = {"dynamic": model_rounds if model_rounds is not None else float(dyn.makespan),
              "sequential": float(seq_cost.rounds), "parallel": float(par_cost.rounds)}
    timelines = (dyn, seq, par)
    metrics = []
    for tl in timelines:
        sched = schedule if tl is dyn and schedule is not None else baseline_schedule(tl, pipeline)
        decay = storage_decay_of(sched, pipeline) if sched is not None else None
        metrics.append(measure(tl, pipeline=pipeline, model_rounds=rounds[tl.name], program=program, decay=decay))
    models = (("dynamic", dyn.qubit_budget, rounds["dynamic"]), ("sequential", seq_cost.qubits, rounds["sequential"]),
              ("parallel", par_cost.qubits, rounds["parallel"]))
    return Report(pipeline, timelines, tuple(metrics), models, front, stream, program, repetition, source, notes)
