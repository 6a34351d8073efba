"""A seeded sinter sampler: Stim samples, then PyMatching decodes or every detector is post-selected.

sinter seeds Stim from system entropy, so its counts are not reproducible. :class:`SeededSampler` does the
same work as sinter's built-in pymatching path -- one compiled Stim detector sampler and one
``pymatching.Matching`` per task, bit-packed batches, ``Matching.decode_batch`` -- but seeds the Stim
sampler from ``--seed``, and takes fixed-size batches instead of sinter's time-driven ramp. Seeds are drawn
from ``numpy.random.SeedSequence`` over:

* the user's seed;
* the task's strong id (so every task has its own stream);
* the shots already recorded for the task in the resume file (so a resumed run never replays the shots of
  the run it continues);
* a ticket unique to each (worker process, sampler) pair, taken from a counter shared by sinter's workers
  (so two workers on the same task never draw the same shots);
* how many times this worker compiled the task (a worker that leaves a task and comes back gets a fresh
  stream).

With one worker every part is deterministic, so ``--workers 1`` reproduces its counts exactly and equals
:func:`sample_task` in-process (on the same machine and Stim version: Stim's streams differ between
versions and SIMD widths). With more workers the streams are still distinct, but how the shots are split
between workers depends on timing, so the counts agree only statistically.
"""

from __future__ import annotations

import collections
import multiprocessing
import time
from typing import Any
from collections.abc import Mapping

import numpy as np
import pymatching
import sinter

from magicpipe.errors import SpecError
from magicpipe.verification.logical import POSTSELECTION

__all__ = [
    "SeededSampler", "sample_task", "check_seed", "check_positive", "DECODERS", "DEFAULT_BATCH", "ERROR_COMBOS",
]

# PyMatching that also tallies, in ``custom_counts``, which observables each failing shot got wrong, with the
# key sinter's own ``count_observable_error_combos`` uses: ``obs_mistake_mask=_E__`` (observable 0 first).
ERROR_COMBOS = "pymatching-combos"

# Decoders the sampler knows: PyMatching, PyMatching with error combinations, or no decoding (every detector
# post-selected, no flip predicted).
DECODERS = ("pymatching", ERROR_COMBOS, POSTSELECTION)

# Shots per batch: sinter's own default cap on batch size (max_batch_size=1024).
DEFAULT_BATCH = 1024


def check_seed(seed: int) -> int:
    """Return ``seed`` if it is an integer in [0, 2**63), else raise SpecError.

    Examples:
        >>> check_seed(7)
        7
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise SpecError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    return int(seed)


class SeededSampler(sinter.Sampler):
    """A ``sinter.Sampler`` with seeded Stim streams; register it under the decoder names of the tasks.

    Args:
        seed: the run's seed.
        prior_shots: shots already recorded per task strong id (from the resume file); default none.
        batch_size: shots per call; sinter asks for more, the sampler returns at most this many.
        shared: whether workers take unique tickets from a counter shared across processes (True for
            ``sinter.collect``; False for in-process use, where the ticket is 0).

    Examples:
        >>> SeededSampler(seed=3, batch_size=256)
        SeededSampler(seed=3, batch_size=256, prior_tasks=0)
    """

    def __init__(
        self,
        seed: int,
        *,
        prior_shots: Mapping[str, int] | None = None,
        batch_size: int = DEFAULT_BATCH,
        shared: bool = False,
    ) -> None:
        self.seed = check_seed(seed)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise SpecError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.batch_size = batch_size
        self.prior_shots = dict(prior_shots or {})
        # A 'spawn' context: sinter starts its workers with spawn, and a lock made in the default (fork)
        # context cannot be handed to them.
        self._tickets = multiprocessing.get_context("spawn").Value("q", 0) if shared else None
        self._ticket: int | None = None
        self._compiles: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"SeededSampler(seed={self.seed}, batch_size={self.batch_size}, prior_tasks={len(self.prior_shots)})"

    def _take_ticket(self) -> int:
        if self._ticket is None:
            if self._tickets is None:
                self._ticket = 0
            else:
                with self._tickets.get_lock():
                    self._ticket = int(self._tickets.value)
                    self._tickets.value += 1
        return self._ticket

    def stim_seed(self, strong_id: str) -> int:
        """The seed of the next Stim sampler compiled for the task ``strong_id`` (counts the compile)."""
        compiles = self._compiles.get(strong_id, 0)
        self._compiles[strong_id] = compiles + 1
        words = [int(strong_id[i : i + 8], 16) for i in range(0, 32, 8)]
        material = [self.seed, *words, self.prior_shots.get(strong_id, 0), self._take_ticket(), compiles]
        state = np.random.SeedSequence(material).generate_state(2, np.uint32)
        return int(state[0]) << 32 | int(state[1])

    def compiled_sampler_for_task(self, task: sinter.Task) -> sinter.CompiledSampler:
        return self.compiled_sampler_for(task, task.strong_id())

    def compiled_sampler_for(self, task: sinter.Task, strong_id: str) -> sinter.CompiledSampler:
        """:meth:`compiled_sampler_for_task` for a caller that has the task's strong id already (hashing the
        circuit's text again costs tens of milliseconds for a factory)."""
        if task.decoder not in DECODERS:
            raise SpecError(f"SeededSampler decodes with {DECODERS}, but the task asks for {task.decoder!r}")
        return _CompiledSeededSampler(task, self.stim_seed(strong_id), self.batch_size)


class _CompiledSeededSampler(sinter.CompiledSampler):
    """Sample, post-select on detectors, decode, then post-select on observables (sinter's semantics: a shot
    whose prediction is wrong on a ``postselected_observables_mask`` observable is discarded) and count the
    shots still wrong on any other observable."""

    def __init__(self, task: sinter.Task, seed: int, batch_size: int) -> None:
        circuit = task.circuit
        self.sampler = circuit.compile_detector_sampler(seed=seed)
        self.batch_size = batch_size
        self.mask = task.postselection_mask
        self.obs_mask = task.postselected_observables_mask
        self.combos = task.circuit.num_observables if task.decoder == ERROR_COMBOS else 0
        self.matching = None
        if task.decoder in ("pymatching", ERROR_COMBOS):
            dem = task.detector_error_model or circuit.detector_error_model(decompose_errors=True)
            self.matching = pymatching.Matching.from_detector_error_model(dem)

    def handles_throttling(self) -> bool:
        # Fixed batches keep the stream independent of timing; sinter's ramp would make it depend on it.
        return True

    def sample(self, suggested_shots: int) -> sinter.AnonTaskStats:
        t0 = time.monotonic()
        shots = max(1, min(suggested_shots, self.batch_size))
        dets, obs = self.sampler.sample(shots, separate_observables=True, bit_packed=True)
        discards = 0
        if self.mask is not None:
            keep = ~np.any(dets & self.mask, axis=1)
            discards = shots - int(np.count_nonzero(keep))
            dets, obs = dets[keep], obs[keep]
        wrong = obs
        if self.matching is not None:
            wrong = obs ^ self.matching.decode_batch(dets, bit_packed_shots=True, bit_packed_predictions=True)
        if self.obs_mask is not None:
            reject = np.any(wrong & self.obs_mask, axis=1)
            discards += int(np.count_nonzero(reject))
            wrong = wrong[~reject]
        failed = wrong[np.any(wrong, axis=1)]
        counts = _error_combos(failed, self.combos) if self.combos else collections.Counter()
        return sinter.AnonTaskStats(shots=shots, errors=len(failed), discards=discards,
                                    seconds=time.monotonic() - t0, custom_counts=counts)


def _error_combos(failed: np.ndarray, num_obs: int) -> collections.Counter:
    """sinter's ``obs_mistake_mask=...`` tally of the bit-packed mistakes of the failing shots."""
    rows, counts = np.unique(failed, axis=0, return_counts=True)
    bits = np.unpackbits(rows, axis=1, count=num_obs, bitorder="little")
    return collections.Counter(
        {"obs_mistake_mask=" + "".join("_E"[b] for b in row): int(c) for row, c in zip(bits, counts)}
    )


def sample_task(
    task: sinter.Task, *, shots: int, seed: int, max_errors: int | None = None, batch_size: int = DEFAULT_BATCH
) -> sinter.AnonTaskStats:
    """Sample ``task`` in this process with :class:`SeededSampler`: deterministic for a given seed.

    Stops after ``shots`` shots or once ``max_errors`` errors are seen, the way one sinter worker does, so
    ``sinter.collect`` with one worker and the same seed returns the same counts.

    Args:
        task: a sinter task whose decoder is one of :data:`DECODERS`.
        shots: the most shots to take (positive).
        seed: the seed.
        max_errors: stop once this many errors are seen (None: no limit).
        batch_size: shots per batch.

    Returns:
        The counts (``seconds`` is the sampling time).

    Raises:
        SpecError: non-positive shots or max_errors, a bad seed, or an unknown decoder.

    Examples:
        >>> from magicpipe.verification.logical import logical_task
        >>> a = sample_task(logical_task(0.05), shots=2000, seed=1)
        >>> b = sample_task(logical_task(0.05), shots=2000, seed=1)
        >>> (a.shots, a.errors, a.discards) == (b.shots, b.errors, b.discards)
        True
    """
    check_positive("shots", shots)
    if max_errors is not None:
        check_positive("max_errors", max_errors)
    compiled = SeededSampler(seed, batch_size=batch_size).compiled_sampler_for_task(task)
    total = sinter.AnonTaskStats()
    while total.shots < shots and (max_errors is None or total.errors < max_errors):
        total += compiled.sample(shots - total.shots)
    return total


def check_positive(name: str, value: Any) -> int:
    """Return ``value`` if it is a positive integer, else raise SpecError naming ``name``.

    Examples:
        >>> check_positive("shots", 0)
        Traceback (most recent call last):
        ...
        magicpipe.errors.SpecError: shots must be a positive integer, got 0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise SpecError(f"{name} must be a positive integer, got {value!r}")
    return int(value)
