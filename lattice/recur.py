"""Long periods: the emitter's memory of the simulation's states over many layers, one fingerprint each.

The emitter (:func:`magicpipe.lattice.whole.emit_program`) finds a ``REPEAT`` by holding the operations of the
last layers with each layer's state (at most ``SHORT_LAYERS`` layers and its ``window`` of operations); a
period longer than that is never seen. :class:`Fingerprints` remembers, over a much longer horizon, only a
hash of each layer's state, the layer's index and how many operations came before it. When a state recurs
after a stretch the short search cannot hold, the emitter writes out what it held, keeps the recurring state
alone as its history and simulates one more period, holding its operations (at most ``body_limit``): if the
state then recurs exactly, that period is the ``REPEAT``'s body (the same state, so the same period again); if
not (a hash collision, or the limit), the operations are written out as they are. A period the short search
can find is left to it, so the streams it compressed are written as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SHORT_LAYERS", "Fingerprints"]

SHORT_LAYERS = 4096
"""Most layers the emitter's short search holds (with their operations) while looking for a period."""


@dataclass(slots=True)
class Fingerprints:
    """Each layer's state hash -> ``(layer, operations before it)`` over ``horizon`` layers (then forgotten).

    Examples:
        >>> f = Fingerprints(horizon=10, short=2, window=100)
        >>> [f.recur(h, layer, 5 * layer) for layer, h in enumerate([7, 8, 9, 7, 8])]
        [None, None, None, 3, 3]
    """

    horizon: int = 1 << 16
    short: int = SHORT_LAYERS
    window: int = 200_000
    seen: dict[int, tuple[int, int]] = field(default_factory=dict)

    def recur(self, state: int, layer: int, ops: int) -> int | None:
        """The period in layers when ``state`` was seen longer ago than the short search reaches (more than
        ``short`` layers, or more than ``window`` operations), else None (the state is remembered)."""
        got = self.seen.get(state)
        if got is None:
            if len(self.seen) >= self.horizon:
                self.seen.clear()
            self.seen[state] = (layer, ops)
            return None
        l0, ops0 = got
        if layer - l0 > self.short or ops - ops0 > self.window:
            return layer - l0
        return None

    def clear(self) -> None:
        self.seen.clear()
