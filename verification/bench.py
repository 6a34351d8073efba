"""Speed of the verification layer against the yardstick, a plain ``sinter.collect`` with PyMatching.

Both sides sample the same task through ``sinter.collect``; the only difference is the sampler: ours
(:class:`~magicpipe.verification.sampling.SeededSampler`, seeded, fixed batches) or sinter's built-in
pymatching path (entropy-seeded, batch sizes ramped by timing). Shots per second per core is
``shots / seconds`` with sinter's ``seconds``, the CPU-core time the workers spent sampling (so process start
and task analysis are left out; the wall time is reported beside it). Run
``python -m pytest tests/verification/bench_memory.py --benchmark-only`` for the table in docs/verification.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sinter

from magicpipe.errors import SpecError
from magicpipe.verification.sampling import DECODERS, SeededSampler, check_positive

__all__ = ["Throughput", "measure_throughput"]

SAMPLERS = ("magicpipe", "sinter")


@dataclass(frozen=True, slots=True)
class Throughput:
    """One timed ``sinter.collect`` run.

    Attributes:
        sampler: "magicpipe" (our seeded sampler) or "sinter" (sinter's built-in pymatching path).
        shots, errors: counts collected.
        core_seconds: CPU-core seconds the workers spent sampling (sinter's ``seconds``).
        wall_seconds: wall time of the whole ``sinter.collect`` call, worker start-up included.
    """

    sampler: str
    shots: int
    errors: int
    core_seconds: float
    wall_seconds: float

    @property
    def shots_per_core_second(self) -> float:
        return self.shots / self.core_seconds


def measure_throughput(task: sinter.Task, *, sampler: str, shots: int, workers: int = 1, seed: int = 0) -> Throughput:
    """Time ``sinter.collect`` on ``task`` for ``shots`` shots with our sampler or sinter's own.

    Args:
        task: a task whose decoder is "pymatching" (or "postselection", ours only).
        sampler: "magicpipe" or "sinter".
        shots: shots to take.
        workers: worker processes.
        seed: seed of our sampler (sinter's own is not seedable).

    Returns:
        The :class:`Throughput`.

    Raises:
        SpecError: an unknown sampler name, or non-positive shots.
    """
    check_positive("shots", shots)
    if sampler not in SAMPLERS:
        raise SpecError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
    ours = SeededSampler(seed, shared=True)
    custom = dict.fromkeys(DECODERS, ours) if sampler == "magicpipe" else None
    t0 = time.perf_counter()
    (stats,) = sinter.collect(num_workers=workers, tasks=[task], max_shots=shots, custom_decoders=custom)
    wall = time.perf_counter() - t0
    return Throughput(sampler, stats.shots, stats.errors, stats.seconds, wall)
