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

import math
from array import array
from dataclasses import dataclass, field

__all__ = ["SHORT_LAYERS", "Fingerprints"]

SHORT_LAYERS = 4096
"""Most layers the emitter's short search holds (with their operations) while looking for a period."""


@dataclass(slots=True)
class Fingerprints:
    """Each layer's state hash -> ``(layer, operations before it, turns)`` over ``horizon`` layers (then
    forgotten).

    The state hashed leaves out the zones' turns (which data patch each zone serves next): they do not change
    when anything happens, only which patches the merges name, and with many patches a zone they would make the
    period that many times longer. The turns each zone has taken so far are given apart, with the number of
    patches it turns over, so the period the short search would need (the state's times the turns') can be told
    and the recorded period made long enough for each zone to serve each of its patches.

    Examples:
        >>> f = Fingerprints(horizon=10, short=2, window=100)
        >>> [f.recur(h, layer, 5 * layer, (layer,), (1,)) for layer, h in enumerate([7, 8, 9, 7, 8])]
        [None, None, None, 3, 3]
        >>> f = Fingerprints(horizon=10, short=4, window=100)   # period 2, 2 x 3 = 6 with the turns
        >>> [f.recur(h, layer, layer, (layer,), (3,)) for layer, h in enumerate([7, 8, 7])]
        [None, None, 4]
    """

    horizon: int = 1 << 16
    short: int = SHORT_LAYERS
    window: int = 200_000
    seen: dict[int, tuple[int, int, bytes]] = field(default_factory=dict)

    def recur(self, state: int, layer: int, ops: int, turns: tuple[int, ...], sizes: tuple[int, ...]) -> int | None:
        """Layers to record when ``state`` was seen before and the short search cannot find the whole period
        (state and turns: more than ``short`` layers, or more than ``window`` operations): the least multiple
        of the state's period in which each zone that turns takes at least as many turns as it has patches.
        Else None (the state is remembered)."""
        got = self.seen.get(state)
        if got is None:
            # the turns packed, 8 bytes a zone, and at most 2^20 of them kept (many zones: a shorter horizon)
            if len(self.seen) >= min(self.horizon, max(self.short, (1 << 20) // max(1, len(turns)))):
                self.seen.clear()
            self.seen[state] = (layer, ops, array("q", turns).tobytes())
            return None
        l0, ops0, packed = got
        turns0 = array("q", packed)
        times = spread = 1   # periods of the state per period of the turns; per turn of every patch
        for t, t0, n in zip(turns, turns0, sizes):
            times = math.lcm(times, n // math.gcd((t - t0) % n, n))
            if t > t0:
                spread = max(spread, -(-n // (t - t0)))
        if (layer - l0) * times > self.short or (ops - ops0) * times > self.window:
            return (layer - l0) * spread
        return None

    def clear(self) -> None:
        self.seen.clear()
