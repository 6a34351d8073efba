"""The edge of the verification layer: run tasks through ``sinter.collect`` into a folder, resumably, and
write ``stats.csv``, ``summary.json`` and ``plot.png`` there.

``OUT/stats.csv`` is sinter's resume file (``save_resume_filepath``): every batch is appended as it
arrives, and a later run with the same folder counts what is there towards ``--shots`` and
``--max-errors``, so finished tasks are skipped and unfinished ones continue. Sampling goes through
:class:`~magicpipe.verification.sampling.SeededSampler`, registered for the tasks' decoder names; with one
worker it runs in this process, with the counts and the resume file one sinter worker would write.
"""

from __future__ import annotations

import json
import math
import pathlib
import sys
import time
from dataclasses import asdict, dataclass, replace
from typing import Any, cast
from collections.abc import Iterable, Sequence

import sinter

from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, Protocol
from magicpipe.errors import SpecError
from magicpipe.verification.chunks import DEFAULT_CHUNK_SHOTS, collect_chunks
from magicpipe.verification.factory import factory_distance, factory_events_task, factory_task, surgery_memory_task
from magicpipe.verification.factory_summary import summarize_factory
from magicpipe.verification.logical import logical_task
from magicpipe.verification.memory import BASES, memory_task
from magicpipe.verification.plots import plot_factory, plot_logical, plot_memory
from magicpipe.verification.sampling import DECODERS, DEFAULT_BATCH, SeededSampler, check_positive, check_seed
from magicpipe.verification.summary import summarize_logical, summarize_memory

__all__ = [
    "RunOptions", "collect", "run_factory", "run_logical", "run_memory", "write_json", "STATS_FILE", "SUMMARY_FILE",
    "PLOT_FILE",
]

STATS_FILE = "stats.csv"
SUMMARY_FILE = "summary.json"
PLOT_FILE = "plot.png"

# Shots per batch of the logical circuit: it samples ~10^7 shots/s, so 1024-shot batches would be all overhead.
LOGICAL_BATCH = 1 << 16


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run a sweep: where to write, how long to sample, with which seed and how many workers.

    Attributes:
        out_dir: the output folder (created if missing); re-using it resumes.
        shots: shots per task, counting those already in the folder's ``stats.csv``.
        seed: the seed (see :mod:`magicpipe.verification.sampling`).
        max_errors: stop a task once it has this many errors (None: no limit).
        workers: worker processes; 1 samples in this process (the counts of one sinter worker, without
            starting it).
        progress: print sinter's progress to stderr.
        dask: the address of a Dask scheduler to sample on (:mod:`magicpipe.executor`); implies chunks.
        dask_timeout: seconds to wait for the Dask scheduler, and then for a worker.
        chunk_shots: sample in chunks of this many shots on the executor (:mod:`~magicpipe.verification.chunks`)
            instead of through ``sinter.collect``; the counts then do not depend on where the chunks ran.

    Raises:
        SpecError: non-positive shots, max_errors or workers, or a bad seed.

    Examples:
        >>> RunOptions("out", shots=1000, seed=1).workers
        2
    """

    out_dir: str | pathlib.Path
    shots: int
    seed: int
    max_errors: int | None = None
    workers: int = 2
    progress: bool = True
    dask: str | None = None
    chunk_shots: int | None = None
    dask_timeout: float = 10.0

    def __post_init__(self) -> None:
        check_positive("shots", self.shots)
        if self.chunk_shots is not None:
            check_positive("chunk_shots", self.chunk_shots)
        check_positive("workers", self.workers)
        check_seed(self.seed)
        if self.max_errors is not None:
            check_positive("max_errors", self.max_errors)

    @property
    def out(self) -> pathlib.Path:
        return pathlib.Path(self.out_dir)

    @property
    def chunked(self) -> bool:
        """Whether tasks are sampled in chunks on an executor rather than by ``sinter.collect``."""
        return bool(self.dask) or self.chunk_shots is not None


def collect(
    tasks: Sequence[sinter.Task], options: RunOptions, *, batch_size: int = DEFAULT_BATCH
) -> list[sinter.TaskStats]:
    """Run ``tasks`` with ``sinter.collect`` into ``options.out_dir/stats.csv``, resuming what is there.

    Args:
        tasks: sinter tasks with decoder ``"pymatching"`` or ``"postselection"``.
        options: the run's options.
        batch_size: shots per batch.

    Returns:
        One aggregated ``sinter.TaskStats`` per task (earlier runs included), in task order.

    With ``options.chunked`` the tasks run in chunks on local processes or Dask
    (:func:`~magicpipe.verification.chunks.collect_chunks`), into the same ``stats.csv``.
    """
    options.out.mkdir(parents=True, exist_ok=True)
    csv = options.out / STATS_FILE
    if options.chunked:
        from magicpipe.executor import open_executor

        with open_executor(options.workers, options.dask, options.dask_timeout) as executor:
            return collect_chunks(tasks, csv, executor, shots=options.shots, seed=options.seed,
                                  max_errors=options.max_errors, batch_size=max(batch_size, 1),
                                  chunk_shots=options.chunk_shots or DEFAULT_CHUNK_SHOTS, progress=options.progress)
    recorded = {s.strong_id: s for s in sinter.stats_from_csv_files(csv)} if csv.exists() else {}
    ids = [t.strong_id() for t in tasks]  # each a SHA-256 of the circuit's and the model's text: once per task
    if len(set(ids)) < len(ids):  # as sinter refuses it, on either path
        twice = next(t for t, i in zip(tasks, ids) if ids.count(i) > 1)
        raise SpecError(f"the same task is given twice ({twice.json_metadata}); give each task once")
    finished = [recorded.get(i) for i in ids]
    if all(s is not None and _finished(t, s, options) for t, s in zip(tasks, finished)):
        return [s for s in finished if s is not None]  # nothing to sample: no worker is started
    prior = {k: s.shots for k, s in recorded.items()}
    if options.workers == 1:  # no process to start: one worker's counts, drawn here
        sampler = SeededSampler(options.seed, prior_shots=prior, batch_size=batch_size)
        return _collect_here(tasks, ids, csv, recorded, sampler, options)
    sampler = SeededSampler(options.seed, prior_shots=prior, batch_size=batch_size, shared=True)
    stats = sinter.collect(
        num_workers=options.workers,
        tasks=list(tasks),
        save_resume_filepath=csv,
        max_shots=options.shots,
        max_errors=options.max_errors,
        print_progress=options.progress,
        custom_decoders=dict.fromkeys(DECODERS, sampler),
    )
    by_id = {s.strong_id: s for s in stats}
    return [by_id[i] for i in ids if i in by_id]


def _limits(task: sinter.Task, options: RunOptions) -> tuple[int, int]:
    """The shots and errors at which ``sinter.collect`` stops sampling ``task``: the task's own collection
    options and the run's, the smaller of each (errors never above shots)."""
    limits = task.collection_options.combine(sinter.CollectionOptions(max_shots=options.shots,
                                                                        max_errors=options.max_errors))
    shots = cast(int, limits.max_shots)  # options.shots is a positive integer
    return shots, shots if limits.max_errors is None else min(limits.max_errors, shots)


def _finished(task: sinter.Task, recorded: sinter.TaskStats, options: RunOptions) -> bool:
    """Whether ``sinter.collect`` would sample nothing more for ``task``: its recorded shots reach the shot limit,
    or its errors the error limit."""
    shots, errors = _limits(task, options)
    return recorded.shots >= shots or recorded.errors >= errors


# The longest a batch of counts waits in this process before it is appended to stats.csv (sinter's workers flush
# at least every 120 s; a run stopped here loses at most this much sampling).
FLUSH_SECONDS = 10.0


def _collect_here(
    tasks: Sequence[sinter.Task],
    ids: Sequence[str],
    csv: pathlib.Path,
    recorded: dict[str, sinter.TaskStats],
    sampler: SeededSampler,
    options: RunOptions,
) -> list[sinter.TaskStats]:
    """One worker's run of ``tasks`` in this process: what ``sinter.collect`` with ``num_workers=1`` samples
    (one compiled sampler per task, ticket 0, the same batches and the same stops at the shot and error limits),
    without starting a worker process, whose imports of Stim, sinter, PyMatching and this package cost about a
    second of CPU. Counts are appended to ``csv`` in sinter's format, a task's at its end and at least every
    :data:`FLUSH_SECONDS`, so a stopped run resumes like one of sinter's."""
    out = []
    progress = _Progress(len(tasks)) if options.progress else None
    new = not csv.exists()
    with csv.open("a") as f:
        if new:
            print(sinter.CSV_HEADER, file=f, flush=True)
        for i, (task, sid) in enumerate(zip(tasks, ids)):
            total = recorded.get(sid) or sinter.TaskStats(strong_id=sid, decoder=task.decoder,
                                                          json_metadata=task.json_metadata)
            shots, errors = _limits(task, options)
            if total.shots < shots and total.errors < errors:
                compiled = sampler.compiled_sampler_for(task, sid)
                pending, since, done = sinter.AnonTaskStats(), time.monotonic(), False
                while not done:
                    pending += compiled.sample(shots - total.shots - pending.shots)
                    done = total.shots + pending.shots >= shots or total.errors + pending.errors >= errors
                    if done or time.monotonic() - since >= FLUSH_SECONDS:
                        line = sinter.TaskStats(strong_id=sid, decoder=task.decoder, json_metadata=task.json_metadata,
                                                shots=pending.shots, errors=pending.errors, discards=pending.discards,
                                                seconds=pending.seconds, custom_counts=pending.custom_counts)
                        print(line.to_csv_line(), file=f, flush=True)
                        total += line
                        pending, since = sinter.AnonTaskStats(), time.monotonic()
                    if progress is not None:
                        progress.show(i, task, total.shots + pending.shots, total.errors + pending.errors, shots)
            out.append(total)
    if progress is not None:
        progress.end()
    return out


class _Progress:
    """A line on stderr after a task's first batch and then at most once a second: which task, its shots of the
    limit, its errors."""

    def __init__(self, tasks: int) -> None:
        self.tasks, self.task, self.last = tasks, -1, -math.inf

    def show(self, i: int, task: sinter.Task, done: int, errors: int, shots: int) -> None:
        now = time.monotonic()
        if i != self.task or now - self.last >= 1.0:
            self.task, self.last = i, now
            print(f"task {i + 1}/{self.tasks} {json.dumps(task.json_metadata, sort_keys=True)}: "
                  f"{done:,}/{shots:,} shots, {errors:,} errors", file=sys.stderr, flush=True)

    def end(self) -> None:
        print(f"{self.tasks} tasks sampled in this process", file=sys.stderr, flush=True)


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def write_json(data: dict[str, Any], path: str | pathlib.Path) -> None:
    """Write ``data`` as indented, strict JSON (non-finite floats become null)."""
    pathlib.Path(path).write_text(json.dumps(_finite(data), indent=2, allow_nan=False) + "\n")


def _unique(values: Iterable[Any], what: str) -> list[Any]:
    values = list(dict.fromkeys(values))
    if not values:
        raise SpecError(f"give at least one {what}")
    return values


def _write(summary: dict[str, Any], options: RunOptions, plot: Any) -> dict[str, Any]:
    if options.chunked:  # the chunk size decides which shots are drawn: needed to reproduce the counts
        summary["chunk_shots"] = options.chunk_shots or DEFAULT_CHUNK_SHOTS
    write_json(summary, options.out / SUMMARY_FILE)
    plot(summary, options.out / PLOT_FILE)
    return summary


def run_logical(
    eps_values: Sequence[float], options: RunOptions, *, protocol: Protocol = FIFTEEN_TO_ONE
) -> dict[str, Any]:
    """``magicpipe verify logical``: sample the logical-level protocol at each eps; write the three files.

    Returns:
        The summary (:func:`~magicpipe.verification.summary.summarize_logical`).

    Raises:
        SpecError: an eps outside (0, 1).
    """
    tasks = [logical_task(eps, protocol) for eps in _unique(eps_values, "eps")]
    stats = collect(tasks, options, batch_size=LOGICAL_BATCH)
    return _write(summarize_logical(stats, seed=options.seed), options, plot_logical)


def run_memory(
    distances: Sequence[int],
    ps: Sequence[float],
    options: RunOptions,
    *,
    cycles: int = 3,
    bases: Sequence[str] = BASES,
    min_fit_errors: int = 20,
) -> dict[str, Any]:
    """``magicpipe verify memory``: sample memory circuits over distances x p x bases; write the three files.

    Returns:
        The summary (:func:`~magicpipe.verification.summary.summarize_memory`), with the fit when two or
        more distances have enough errors.

    Raises:
        SpecError: a bad distance, p, cycles or basis.
    """
    check_positive("min_fit_errors", min_fit_errors)
    tasks = [
        memory_task(d, p, cycles=cycles, basis=b)
        for d in _unique(distances, "distance")
        for p in _unique(ps, "p")
        for b in _unique(bases, "basis")
    ]
    stats = collect(tasks, options)
    return _write(summarize_memory(stats, min_fit_errors=min_fit_errors, seed=options.seed), options, plot_memory)


def run_factory(
    distances: Sequence[int],
    ps: Sequence[float],
    eps_values: Sequence[float],
    options: RunOptions,
    *,
    twin: bool = True,
    memory_cycles: int = 3,
) -> dict[str, Any]:
    """``magicpipe verify factory``: the circuit-level factory over distances x p x eps, with the memory of
    one patch of its layout at each (d, p) (both bases: the ``p_L`` of the fit) and, with ``twin``, the error
    events of the factory and of its Z twin at each (d, p) (what the ``|+>`` stand-in carries and what it
    cannot). Checks each distance's graph-like
    distance first. Writes the three files. ``max_errors`` applies per task (ten times it to the event tallies,
    whose failing runs are common).

    Returns:
        The summary (:func:`~magicpipe.verification.factory_summary.summarize_factory`).

    Raises:
        SpecError: a distance other than 3, 5 or 7, p outside [0, 0.5), eps outside [0, 1), or bad cycles.
    """
    ds, grid, eps_list = _unique(distances, "distance"), _unique(ps, "p"), _unique(eps_values, "eps")
    tasks = [factory_task(d, p, e) for d in ds for p in grid for e in eps_list]
    tasks += [
        surgery_memory_task(d, p, cycles=memory_cycles, basis=b) for d in ds for p in grid if p > 0 for b in BASES
    ]
    events = [factory_events_task(d, p, b) for d in ds for p in grid if p > 0 for b in ("x", "z")] if twin else []
    if options.max_errors:  # a wrong observable is common in these (~15% at d = 3, p = 1e-3): ten times the errors
        for task in tasks:
            task.collection_options = sinter.CollectionOptions(max_errors=options.max_errors)
        for task in events:
            task.collection_options = sinter.CollectionOptions(max_errors=10 * options.max_errors)
    tasks += events
    distance = {d: asdict(found) | {"ok": found.ok} for d in ds for found in [factory_distance(d)]}
    stats = collect(tasks, replace(options, max_errors=None))
    summary = summarize_factory(stats, distances=distance, seed=options.seed)
    return _write(summary, options, plot_factory)
