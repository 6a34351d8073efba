"""The sequential baseline costed as the dynamic pipeline is: its buffer and its failures counted.

The paper's sequential baseline (:func:`~magicpipe.compiler.baselines.sequential`, ref. [7]) charges
``Q = max_l n_l Q_l`` and ``T = sum_l T_l``. Two things the dynamic pipeline pays for are free there:

* **Storage.** Level l's ``n_(l-1) M`` input states all arrive when the level below ends, and the level-l
  factories take them one step at a time. The burst goes straight into each factory's data patches (as in
  the dynamic model); the other ``N_l - N_burst`` states of each copy wait in patches at the producers'
  distance (the dynamic pipeline's slot convention, ``docs/model.md``). They fit beside the level-l copies
  only when the lower level's footprint leaves room, so phase l needs ``n_l Q_l + n_l (N_l - N_burst)
  patch(d_(l-1))`` qubits and ``Q = max(n_1 Q_1, max_l that)``.
* **Failures.** A level-l run succeeds with probability ``P_l``; with fewer successes than the level above
  takes, the level is run again (every copy that fits beside the states already made, so that the retry is as
  short as it can be) until enough states are there. The top level's own failure is not counted, as for the
  dynamic pipeline (one top-level execution from an empty pipeline).

The expected rounds are exact for two levels (a recursion on the states already made). For three or more,
level l >= 2 re-runs all its copies with a fresh lower phase each time and the states it already made are
not charged slots during a retry (where three levels are chosen the second level succeeds with probability
above 0.9999, so this changes the figures by less than 0.01%).

Without failures (``P = 1``) the rounds are the paper's ``sum T_l``; the qubits differ from the paper's
only where the higher factory is the larger one (distances far apart): at (3, 13), 5,055 + 11 x 17 = 5,242.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from collections.abc import Callable

from magicpipe.compiler.hardware import patch_qubits
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.errors import SpecError

__all__ = ["AccountedBaseline", "sequential_accounted", "expected_retry_rounds"]


@dataclass(frozen=True, slots=True)
class AccountedBaseline:
    """A baseline costed with its storage and failures (one top-level execution from an empty pipeline).

    Attributes:
        method: ``"sequential-accounted"``.
        qubits: physical qubits (factories of the largest phase and the patches its waiting states need).
        rounds: expected rounds with failed runs re-run.
        deterministic_rounds: rounds when nothing fails (the paper's ``sum T_l``).
        copies: factory copies per level, lowest first.
        slots: patches for waiting states per level boundary, lowest first (``n_l (N_l - N_burst)``).
    """

    method: str
    qubits: int
    rounds: float
    deterministic_rounds: int
    copies: tuple[int, ...]
    slots: tuple[int, ...]

    @property
    def volume(self) -> float:
        """Qubit-round volume ``Q * T``."""
        return self.qubits * self.rounds


@functools.lru_cache(maxsize=4096)
def _binomial(n: int, p: float) -> tuple[float, ...]:
    return tuple(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(n + 1))


def expected_retry_rounds(need: int, p: float, copies: Callable[[int], int], batch_rounds: float) -> float:
    """Expected rounds until ``need`` successes when each batch of ``copies(k)`` runs (``k``: successes so far)
    takes ``batch_rounds`` and each run succeeds independently with probability ``p``.

    ``E[k] = (batch + sum_(j>=1) P(j successes) E[min(k + j, need)]) / (1 - P(0))``, ``E[need] = 0``.

    Examples:
        >>> expected_retry_rounds(1, 0.5, lambda k: 1, 10.0)  # geometric: 10 / 0.5
        20.0
        >>> expected_retry_rounds(2, 1.0, lambda k: 2, 7.0)
        7.0
    """
    if need < 0 or not 0 < p <= 1 or batch_rounds < 0:
        raise SpecError(f"need >= 0, 0 < p <= 1 and batch_rounds >= 0 required, got {need}, {p}, {batch_rounds}")
    e = [0.0] * (need + 1)
    for k in range(need - 1, -1, -1):
        c = copies(k)
        if c < 1:
            raise SpecError(f"a retry with {k} states kept has room for no copy")
        dist = _binomial(c, p)
        rest = sum(dist[j] * e[min(k + j, need)] for j in range(1, c + 1))
        e[k] = (batch_rounds + rest) / (1 - dist[0])
    return e[0]


def sequential_accounted(pipeline: Pipeline, fan_out: int = 16) -> AccountedBaseline:
    """The sequential baseline with its waiting states' patches and its failed runs counted.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> s = sequential_accounted(Pipeline.from_distances((3, 13)))
        >>> s.qubits, s.deterministic_rounds, s.slots, round(s.rounds, 3)
        (5242, 176, (11,), 176.025)
        >>> sequential_accounted(Pipeline.from_distances((5, 7))).qubits  # the level-1 phase is the larger
        11760
    """
    levels = pipeline.levels
    if len(levels) < 2:
        raise SpecError(f"an accounted baseline needs two levels or more, got distances {pipeline.distances}")
    L = len(levels)
    copies = tuple(int(fan_out ** (L - lv.index)) for lv in levels)
    slots = []
    qubits = copies[0] * levels[0].qubits
    for i in range(1, L):
        proto = levels[i].factory.protocol
        waiting = copies[i] * (proto.inputs - proto.burst)
        slots.append(waiting)
        qubits = max(qubits, copies[i] * levels[i].qubits + waiting * patch_qubits(levels[i - 1].factory.distance))
    low = levels[0]
    slot1 = patch_qubits(low.factory.distance)

    def level1_copies(kept: int) -> int:
        return max(1, min(copies[0], (qubits - kept * slot1 * low.factory.protocol.outputs) // low.qubits))

    # phase(l, m): expected rounds until m outputs of level l (1-based) exist, from nothing
    def phase(index: int, m: int) -> float:
        lv = levels[index - 1]
        per_run = lv.factory.protocol.outputs
        need = math.ceil(m / per_run)
        if index == 1:
            return expected_retry_rounds(need, lv.p_succ, level1_copies, lv.rounds)
        n = copies[index - 1]
        batch = phase(index - 1, n * lv.factory.protocol.inputs) + lv.rounds
        return expected_retry_rounds(need, lv.p_succ, lambda kept: n, batch)

    top = levels[-1]
    rounds = phase(L - 1, copies[-1] * top.factory.protocol.inputs) + top.rounds
    deterministic = sum(lv.rounds for lv in levels)
    return AccountedBaseline("sequential-accounted", qubits, rounds, deterministic, copies, tuple(slots))
