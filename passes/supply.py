"""How many pipeline copies a program needs: Eq. 14 of the paper, and sized for the actual timeline.

Eq. 14 (paper Sec. 6, "Metrics")
    A pipeline delivering one state every ``T`` rounds makes ``floor(T_prog / T)`` states while the program
    runs, so ``ceil(M / floor(T_prog / T))`` copies meet a demand of ``M`` states. Only the mean rate
    ``M / T_prog`` enters. When the program is shorter than one run (``floor = 0``) every state needs its own
    copy; we take ``M`` copies there.

Timeline sizing (beyond the paper)
    Each of ``c`` copies delivers one top-level state every ``T`` rounds, at rounds ``T, 2T, ...`` (``T`` is
    the Pareto point's expected rounds per state, failure delay included, used here as a period). The
    program starts after a head start ``h`` and runs layer ``i`` at ``h + i tau``. ``h = T`` is the earliest
    start at which the first states exist; a ``max_wait`` allows ``h`` up to ``T + max_wait`` (default 0: no
    slowdown, the paper's assumption). Delivered states wait in buffer patches (of the top level's
    distance) until a layer consumes them. With ``S_j`` the states consumed before round ``(j + 1) T``, the
    program never waits iff ``S_j <= c j`` for every ``j``, so the fewest copies is ``max_j ceil(S_j / j)``.
    For a given ``c`` the smallest buffer comes from producing as late as possible (copies idle while the
    buffer holds what the next layers need): ``max_{k <= j} (S_j - S_(k-1) - c (j - k))``. More copies
    shrink the buffer, so ``c`` is scanned upward (with the least head start each needs) and the count of
    least ``c Q + b q_slot`` physical qubits is kept.

What the comparison with Eq. 14 shows. With no wait, the timeline can need fewer copies than Eq. 14 only
through rounding and the head-start run (Eq. 14 floors ``T_prog / T`` and ignores the run the program must
wait for anyway); a demand heavier early than its mean needs *more* copies than Eq. 14, whose copies would
keep the program waiting (``start_delay_needed`` measures how long). Buffers pay off when the program may
start later: one buffered state costs a patch, one copy a whole pipeline, so a head start spent filling
the buffer replaces copies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from magicpipe.compiler.copies import eq14_copies

from magicpipe.errors import SpecError
from magicpipe.passes.timeline import Timeline

__all__ = ["Supply", "eq14_copies", "slot_demand", "size_for_timeline", "start_delay_needed"]

_EPS = 1e-9
_MAX_SCAN = 256


@dataclass(frozen=True, slots=True)
class Supply:
    """Copies of one pipeline and the output buffer that feed a program.

    Attributes:
        method: ``"eq14"`` or ``"timeline"``.
        copies: pipeline copies.
        buffer_states: output-buffer patches (0 for Eq. 14, which has none).
        qubits: ``copies * pipeline_qubits + buffer_states * slot_qubits``.
        head_start_rounds: rounds the copies run before the program starts.
    """

    method: str
    copies: int
    buffer_states: int
    qubits: int
    head_start_rounds: float

    def to_dict(self) -> dict:
        return {"method": self.method, "copies": self.copies, "buffer_states": self.buffer_states,
                "qubits": self.qubits, "head_start_rounds": self.head_start_rounds}


class _Cumulative:
    """``C(i)``, the states consumed in layers ``0..i``, evaluated for many ``i`` at once."""

    def __init__(self, timeline: Timeline) -> None:
        self.lengths = np.asarray(timeline.lengths, dtype=np.int64)
        self.states = np.asarray(timeline.states, dtype=np.int64)
        self.first = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        self.before = np.concatenate([[0], np.cumsum(self.lengths * self.states)[:-1]]).astype(np.int64)
        self.layers = int(self.lengths.sum())

    def __call__(self, i: np.ndarray) -> np.ndarray:
        i = np.clip(i, -1, self.layers - 1)
        r = np.clip(np.searchsorted(self.first, i, side="right") - 1, 0, None)
        out = self.before[r] + self.states[r] * (i - self.first[r] + 1)
        return np.where(i < 0, 0, out)


def _slot_cumulative(cum: _Cumulative, tau: float, period: float, head: float) -> np.ndarray:
    """``S_j``: states consumed before round ``(j + 1) T``, for every slot up to the program's end."""
    if cum.layers == 0:
        return np.zeros(1, dtype=np.int64)
    slots = math.floor((head + (cum.layers - 1) * tau) / period + _EPS) + 1
    ends = (np.arange(1, slots + 1) * period - head) / tau
    last = np.ceil(ends - _EPS).astype(np.int64) - 1  # layers strictly before the slot's end
    return cum(last)


def slot_demand(timeline: Timeline, layer_rounds: float, run_rounds: float, head_start: float) -> np.ndarray:
    """States consumed in each delivery interval ``[k T, (k + 1) T)``, ``k = 0, 1, ...``.

    Examples:
        >>> slot_demand(Timeline.from_counts([1, 2, 3, 4]), 1.0, 2.0, 2.0).tolist()
        [0, 3, 7]
    """
    if layer_rounds <= 0 or run_rounds <= 0:
        raise SpecError(f"layer time ({layer_rounds}) and run time ({run_rounds}) must be positive rounds")
    s = _slot_cumulative(_Cumulative(timeline), layer_rounds, run_rounds, head_start)
    return np.diff(s, prepend=0)


def _min_copies(cum_slots: np.ndarray) -> int | None:
    """Fewest copies with ``S_j <= c j`` for all j, or None when states are needed before the first run."""
    if cum_slots[0] > 0:
        return None
    if len(cum_slots) == 1:
        return 0
    j = np.arange(1, len(cum_slots))
    return int(max(0, np.max(np.ceil(cum_slots[1:] / j - _EPS))))


def _min_buffer(cum_slots: np.ndarray, copies: int) -> int:
    """``max_{1 <= k <= j} (S_j - S_(k-1) - c (j - k))``: the peak buffer with late production."""
    if len(cum_slots) < 2:
        return 0
    j = np.arange(len(cum_slots))
    a = cum_slots - copies * j
    prev = np.concatenate([[0], cum_slots[:-1]])
    b = np.minimum.accumulate(prev - copies * j)
    return int(max(0, np.max((a - b)[1:])))


def _least_head(cum: _Cumulative, copies: int, tau: float, period: float) -> float:
    """Least head start (rounds, to 1e-3) with which ``copies`` copies never keep the program waiting."""
    def ok(h: float) -> bool:
        c = _min_copies(_slot_cumulative(cum, tau, period, h))
        return c is not None and c <= copies

    total = int(cum(np.asarray([cum.layers - 1]))[0])
    lo, hi = 0.0, math.ceil(total / copies) * period + period
    while hi - lo > 1e-3:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return round(hi, 3)


def size_for_timeline(
    timeline: Timeline,
    layer_rounds: float,
    run_rounds: float,
    pipeline_qubits: int,
    slot_qubits: int,
    max_wait: float = 0.0,
) -> Supply:
    """Copies and output buffer of least physical qubits that run ``timeline`` without waiting.

    Args:
        timeline: states per layer.
        layer_rounds: rounds per layer (``tau``).
        run_rounds: rounds per state of one pipeline copy (``T``).
        pipeline_qubits: physical qubits of one copy (``Q``).
        slot_qubits: physical qubits of one output-buffer patch.
        max_wait: rounds the program may start later than one run (default 0: no slowdown, as in the
            paper). A longer head start lets fewer copies fill the buffer before the program begins.

    Raises:
        SpecError: a negative wait or non-positive times.

    Examples:
        >>> tl = Timeline.from_counts([0] * 9 + [4])  # all demand at the end
        >>> s = size_for_timeline(tl, 1.0, 2.0, 100, 10)
        >>> s.copies, s.buffer_states, s.qubits
        (1, 4, 140)
        >>> front = Timeline.from_counts([4] + [0] * 9)  # all demand at the start
        >>> [size_for_timeline(front, 1.0, 2.0, 100, 10, wait).copies for wait in (0.0, 6.0)]
        [4, 1]
    """
    if max_wait < 0:
        raise SpecError(f"the longest wait must be >= 0 rounds, got {max_wait}")
    if layer_rounds <= 0 or run_rounds <= 0:
        raise SpecError(f"layer time ({layer_rounds}) and run time ({run_rounds}) must be positive rounds")
    if timeline.total == 0:
        return Supply("timeline", 0, 0, 0, run_rounds)
    cum = _Cumulative(timeline)
    at_once = _slot_cumulative(cum, layer_rounds, run_rounds, run_rounds)
    low = _min_copies(_slot_cumulative(cum, layer_rounds, run_rounds, run_rounds + max_wait))
    high = max(_min_copies(at_once) or 0, int(np.diff(at_once, prepend=0).max()))
    assert low is not None  # a head start of one run never needs states before the first run
    best = None
    step = max(1, (high - low) // _MAX_SCAN)
    for c in range(max(low, 1), max(high, low, 1) + 1, step):
        head = run_rounds
        if max_wait > 0:
            head = max(run_rounds, _least_head(cum, c, layer_rounds, run_rounds))
        b = _min_buffer(_slot_cumulative(cum, layer_rounds, run_rounds, head), c)
        q = c * pipeline_qubits + b * slot_qubits
        if best is None or q < best.qubits:
            best = Supply("timeline", c, b, q, head)
    assert best is not None
    return best


def start_delay_needed(timeline: Timeline, copies: int, layer_rounds: float, run_rounds: float) -> float:
    """Least head start (rounds, to 1e-3) with which ``copies`` copies run ``timeline`` without waiting.

    Examples:
        >>> tl = Timeline.from_counts([3, 3])
        >>> start_delay_needed(tl, 3, 1.0, 2.0), start_delay_needed(tl, 2, 1.0, 2.0)
        (3.0, 5.0)
    """
    if timeline.total == 0:
        return 0.0
    if copies <= 0:
        raise SpecError(f"need at least one pipeline copy for {timeline.total} states, got {copies}")
    return _least_head(_Cumulative(timeline), copies, layer_rounds, run_rounds)
