"""A program's magic-state demand over time: states consumed per layer, run-length encoded.

A *layer* is one step of the program's T-depth: layer ``i`` holds every magic-state consumption whose
dependencies (through any gate, Clifford or not, and through classical bits) end in layers ``< i`` -- the
ASAP levels of the magic-state-consuming operations, with Clifford gates taking no time. A synthesised
rotation of T-count ``k`` is a chain of ``k`` consumptions on its qubit, one per layer.

The demand is stored as runs: run ``j`` covers ``lengths[j]`` consecutive layers, each consuming
``states[j]`` states. The number of runs is at most twice the number of magic-state-consuming operations of
the circuit, however many T states the rotations expand to, so memory follows the circuit, not the T-count.
"""

from __future__ import annotations

from typing import Any

from dataclasses import dataclass, field
from collections.abc import Iterator, Sequence

import numpy as np

from magicpipe.errors import SpecError

__all__ = ["DemandTimeline"]


@dataclass(frozen=True, slots=True)
class DemandTimeline:
    """States consumed per layer as runs ``(lengths[j] layers, states[j] states each)``.

    Examples:
        >>> tl = DemandTimeline.from_counts([2, 2, 1, 3, 3, 3])
        >>> tl.lengths, tl.states
        ((2, 1, 3), (2, 1, 3))
        >>> tl.layers, tl.total, tl.peak
        (6, 14, 3)
        >>> DemandTimeline.from_intervals([0, 0, 1], [3, 1, 2]).counts()
        [2, 2, 1]
    """

    lengths: tuple[int, ...] = ()
    states: tuple[int, ...] = ()
    # the totals, summed once: the planner simulates one timeline against hundreds of thousands of supplies
    _total: int = field(default=0, init=False, repr=False, compare=False)
    _peak: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.lengths) != len(self.states):
            raise SpecError(f"timeline has {len(self.lengths)} run lengths but {len(self.states)} state counts")
        if any(n <= 0 for n in self.lengths) or any(s < 0 for s in self.states):
            raise SpecError("timeline runs need positive lengths and non-negative state counts")
        object.__setattr__(self, "_total", sum(n * s for n, s in zip(self.lengths, self.states)))
        object.__setattr__(self, "_peak", max(self.states, default=0))

    @classmethod
    def from_counts(cls, counts: Sequence[int]) -> DemandTimeline:
        """Run-length encode a per-layer list of state counts."""
        lengths: list[int] = []
        states: list[int] = []
        for c in counts:
            if states and states[-1] == c:
                lengths[-1] += 1
            else:
                lengths.append(1)
                states.append(int(c))
        return cls(tuple(lengths), tuple(states))

    @classmethod
    def from_intervals(cls, starts: Sequence[int], ends: Sequence[int]) -> DemandTimeline:
        """The timeline of chains: chain ``i`` consumes one state in each layer of ``[starts[i], ends[i])``.

        Runs in ``O(n log n)`` for ``n`` chains with numpy; never expands a chain into its layers.
        """
        s = np.asarray(starts, dtype=np.int64)
        e = np.asarray(ends, dtype=np.int64)
        if s.size == 0:
            return cls()
        pos = np.concatenate([s, e])
        delta = np.concatenate([np.ones_like(s), -np.ones_like(e)])
        order = np.argsort(pos, kind="stable")
        pos, delta = pos[order], delta[order]
        where, first = np.unique(pos, return_index=True)
        level = np.cumsum(np.add.reduceat(delta, first))
        lengths = np.diff(where)
        values = level[:-1]
        if where[0] > 0:  # layers before the first chain consume nothing
            lengths = np.concatenate([[where[0]], lengths])
            values = np.concatenate([[0], values])
        keep = lengths > 0
        lengths, values = lengths[keep], values[keep]
        # merge neighbouring runs of equal value
        if values.size:
            boundary = np.concatenate([[True], values[1:] != values[:-1]])
            group = np.cumsum(boundary) - 1
            lengths = np.bincount(group, weights=lengths).astype(np.int64)
            values = values[boundary]
        return cls(tuple(int(x) for x in lengths), tuple(int(x) for x in values))

    @property
    def layers(self) -> int:
        """Number of layers (the T-depth)."""
        return sum(self.lengths)

    @property
    def total(self) -> int:
        """States consumed in all layers."""
        return self._total

    @property
    def peak(self) -> int:
        """Most states consumed in one layer (0 when empty)."""
        return self._peak

    def runs(self) -> Iterator[tuple[int, int, int]]:
        """``(first_layer, length, states)`` of every run."""
        first = 0
        for n, s in zip(self.lengths, self.states):
            yield first, n, s
            first += n

    def counts(self) -> list[int]:
        """The per-layer counts, expanded (for small timelines: it allocates one entry per layer)."""
        out: list[int] = []
        for n, s in zip(self.lengths, self.states):
            out.extend([s] * n)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form: ``{"layers", "total", "peak", "runs": [[length, states], ...]}``."""
        return {"layers": self.layers, "total": self.total, "peak": self.peak,
                "runs": [[n, s] for n, s in zip(self.lengths, self.states)]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DemandTimeline:
        """Inverse of :meth:`to_dict`."""
        runs = data.get("runs", [])
        return cls(tuple(int(n) for n, _ in runs), tuple(int(s) for _, s in runs))
