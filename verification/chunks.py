"""Sampling split into shot chunks, for an executor: local processes or a Dask cluster.

``sinter.collect`` runs on local processes only, and which worker takes which shots depends on timing. Here
each task's shots are cut into chunks of ``chunk_shots`` (the last one shorter), and chunk ``k`` is a pure
function of frozen inputs: :func:`~magicpipe.verification.sampling.sample_task` of the task with the seed
:func:`chunk_seed` derives from the run's seed, the task's strong id, the shots already in the resume file
and ``k``. Chunks are accepted in index order (a chunk that finishes early waits for those before it) and
added the way sinter adds its stats (``sinter.AnonTaskStats`` addition); a task stops at the first chunk
whose running total reaches its ``max_errors``. So the counts are the same on one process, on many, or on a
cluster -- given the same Stim version and SIMD width on every machine -- and the same as one
``sample_task`` call per chunk. Each accepted chunk is appended to ``stats.csv`` (sinter's CSV, the resume
file of ``magicpipe verify``) as a line of its own.

The chunk size is part of the result: the same seed with another ``chunk_shots`` samples other shots.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass
from typing import Any
from collections.abc import Sequence

import numpy as np
import sinter

from magicpipe.executor import Executor
from magicpipe.progress import Progress
from magicpipe.verification.sampling import DEFAULT_BATCH, check_positive, check_seed, sample_task

__all__ = ["ChunkJob", "chunk_seed", "sample_chunk", "collect_chunks", "DEFAULT_CHUNK_SHOTS"]

# Shots per chunk by default: about a second of a d = 5 memory task on one core.
DEFAULT_CHUNK_SHOTS = 100_000


def chunk_seed(seed: int, strong_id: str, prior_shots: int, chunk: int) -> int:
    """The seed of chunk ``chunk`` of the task ``strong_id``, in [0, 2**63) (given to ``sample_task``).

    Examples:
        >>> sid = "0" * 64
        >>> chunk_seed(1, sid, 0, 0) == chunk_seed(1, sid, 0, 0) != chunk_seed(1, sid, 0, 1)
        True
    """
    words = [int(strong_id[i : i + 8], 16) for i in range(0, 32, 8)]
    # a tag keeps these streams apart from SeededSampler's, which draw from the same words
    state = np.random.SeedSequence([check_seed(seed), *words, prior_shots, chunk, 0xC4A2]).generate_state(2, np.uint32)
    return (int(state[0]) & 0x7FFFFFFF) << 32 | int(state[1])  # 63 bits: sample_task's seed range


@dataclass(frozen=True, slots=True)
class ChunkJob:
    """One chunk: ``shots`` shots of ``task`` with the Stim seed ``seed``, in batches of ``batch_size``."""

    task: sinter.Task
    shots: int
    seed: int
    batch_size: int = DEFAULT_BATCH


def sample_chunk(job: ChunkJob) -> sinter.AnonTaskStats:
    """Sample one chunk (the task an executor runs)."""
    return sample_task(job.task, shots=job.shots, seed=job.seed, batch_size=job.batch_size)


@dataclass(slots=True)
class _TaskRun:
    """The bookkeeping of one task while its chunks run."""

    task: sinter.Task
    strong_id: str
    prior: sinter.TaskStats
    max_shots: int
    max_errors: int | None
    total: sinter.AnonTaskStats
    chunks: int  # chunks planned
    submitted: int = 0
    accepted: int = 0
    finished: bool = False

    def shots_of(self, k: int, chunk_shots: int) -> int:
        return min(chunk_shots, self.max_shots - self.prior.shots - k * chunk_shots)


def _plan(task: sinter.Task, prior: sinter.TaskStats | None, shots: int, max_errors: int | None,
          chunk_shots: int) -> _TaskRun:
    sid = task.strong_id()
    options = task.collection_options
    max_shots = options.max_shots if options.max_shots is not None else shots
    max_errors = options.max_errors if options.max_errors is not None else max_errors
    prior = prior or sinter.TaskStats(strong_id=sid, decoder=task.decoder, json_metadata=task.json_metadata)
    left = max(0, max_shots - prior.shots)
    run = _TaskRun(task, sid, prior, max_shots, max_errors, sinter.AnonTaskStats(), -(-left // chunk_shots))
    run.finished = run.chunks == 0 or (max_errors is not None and prior.errors >= max_errors)
    return run


def _accept(run: _TaskRun, stats: sinter.AnonTaskStats, csv: Any) -> None:
    run.total += stats
    run.accepted += 1
    line = sinter.TaskStats(strong_id=run.strong_id, decoder=run.task.decoder, json_metadata=run.task.json_metadata,
                            shots=stats.shots, errors=stats.errors, discards=stats.discards, seconds=stats.seconds,
                            custom_counts=stats.custom_counts)
    print(line.to_csv_line(), file=csv, flush=True)
    reached = run.max_errors is not None and run.prior.errors + run.total.errors >= run.max_errors
    run.finished = reached or run.accepted == run.chunks


def collect_chunks(
    tasks: Sequence[sinter.Task],
    csv_path: str | pathlib.Path,
    executor: Executor,
    *,
    shots: int,
    seed: int,
    max_errors: int | None = None,
    batch_size: int = DEFAULT_BATCH,
    chunk_shots: int = DEFAULT_CHUNK_SHOTS,
    progress: bool = True,
) -> list[sinter.TaskStats]:
    """Sample ``tasks`` in chunks on ``executor``, resuming from and appending to ``csv_path``.

    Args:
        tasks: sinter tasks with a decoder of :data:`~magicpipe.verification.sampling.DECODERS`; a task's
            ``collection_options`` override ``shots`` and ``max_errors``.
        csv_path: sinter's CSV; what it holds counts towards ``shots`` and ``max_errors``.
        executor: where the chunks run (:mod:`magicpipe.executor`).
        shots: most shots per task, earlier runs included.
        seed: the run's seed.
        max_errors: stop a task at the first chunk that brings its errors to this many (None: no limit).
        batch_size: shots per Stim call inside a chunk.
        chunk_shots: shots per chunk.
        progress: print chunks done / planned, rate and time left on a terminal's stderr.

    Returns:
        One aggregated ``sinter.TaskStats`` per task (earlier runs included), in task order.
    """
    check_positive("chunk_shots", chunk_shots)
    csv_path = pathlib.Path(csv_path)
    prior = {s.strong_id: s for s in sinter.stats_from_csv_files(csv_path)} if csv_path.exists() else {}
    runs = [_plan(t, prior.get(t.strong_id()), shots, max_errors, chunk_shots) for t in tasks]
    window = 1 if executor.slots == 1 else 2 * executor.slots
    flying: dict[Any, tuple[_TaskRun, int]] = {}
    waiting: dict[tuple[int, int], sinter.AnonTaskStats] = {}  # (run id, chunk) finished out of order
    total = sum(r.chunks for r in runs if not r.finished)
    with (
        csv_path.open("a") as csv,
        Progress(total, "sampling", unit="chunks", enabled=None if progress else False) as bar,
    ):
        if csv_path.stat().st_size == 0:
            print(sinter.CSV_HEADER, file=csv, flush=True)
        try:
            while True:
                _submit(runs, flying, executor, window, seed, batch_size, chunk_shots)
                if not flying:
                    break
                for f in executor.wait_any(list(flying)):
                    run, k = flying.pop(f, (None, 0))
                    if run is None or run.finished:
                        continue
                    waiting[id(run), k] = f.result()
                    while not run.finished and (id(run), run.accepted) in waiting:
                        _accept(run, waiting.pop((id(run), run.accepted)), csv)
                        bar.update()
                    if run.finished:  # chunks beyond the stop are not part of the result
                        bar.total -= run.chunks - run.accepted
                        stale = [g for g, (r, _) in flying.items() if r is run]
                        executor.cancel(stale)
                        for g in stale:
                            del flying[g]
        finally:
            executor.cancel(list(flying))
    return [r.prior + sinter.TaskStats(strong_id=r.strong_id, decoder=r.task.decoder,
                                       json_metadata=r.task.json_metadata, shots=r.total.shots,
                                       errors=r.total.errors, discards=r.total.discards, seconds=r.total.seconds,
                                       custom_counts=r.total.custom_counts) for r in runs]


def _submit(runs: list[_TaskRun], flying: dict, executor: Executor, window: int, seed: int, batch_size: int,
            chunk_shots: int) -> None:
    """Top the tasks in flight up to ``window``, one chunk per unfinished task in turn."""
    while len(flying) < window:
        open_runs = [r for r in runs if not r.finished and r.submitted < r.chunks]
        if not open_runs:
            return
        for run in open_runs:
            if len(flying) >= window:
                return
            k = run.submitted
            job = ChunkJob(run.task, run.shots_of(k, chunk_shots), chunk_seed(seed, run.strong_id, run.prior.shots, k),
                           batch_size)
            flying[executor.submit(sample_chunk, job)] = (run, k)
            run.submitted += 1
