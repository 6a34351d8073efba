"""Storage decay, beyond the paper: a buffered state idles as a patch and picks up logical error.

A state that waits ``w`` rounds in a slot of distance d picks up about ``(w / d) p_L(d)`` of error (``p_L`` is
per logical cycle of d rounds, Eq. 2). Which state waits how long follows from the schedule: states leave
the buffer first in, first out; a burst state loaded at a launch waits from its deposit to the launch.

The high-level factory then distils inputs of error ``eps_in + delta_i``. Its output error is charged with
the mean added error, ``eps_out = f(eps_in + mean(delta))`` with f the protocol's formula (Eq. 3): for
15-to-1 the leading term sums the products of error triples, which the mean approximates when the delays
are alike; ``max_added`` is reported beside it for the worst state. The paper treats buffered states as
perfect.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from magicpipe.compiler.hardware import Hardware
from magicpipe.compiler.schedule import Schedule

__all__ = ["StorageDecay", "storage_decay"]


@dataclass(frozen=True, slots=True)
class StorageDecay:
    """Waits of the consumed states and what they do to the output error of each execution.

    Attributes:
        waits: rounds each consumed state spent in a slot, in the order they were taken.
        slot_distance: distance of a slot patch.
        cycle_error: p_L per logical cycle at that distance.
        eps_in: input error of the high-level factory without decay.
        mean_added: mean error a consumed state picked up while it waited.
        max_added: the largest.
        eps_out: output error without decay.
        eps_out_with_decay: output error with the mean added error charged.
    """

    waits: tuple[int, ...]
    slot_distance: int
    cycle_error: float
    eps_in: float
    mean_added: float
    max_added: float
    eps_out: float
    eps_out_with_decay: float

    @property
    def mean_wait(self) -> float:
        return sum(self.waits) / len(self.waits) if self.waits else 0.0


def storage_decay(schedule: Schedule, hardware: Hardware) -> StorageDecay:
    """Charge the waits of ``schedule``'s buffered states (FIFO) to its output error.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> from magicpipe.compiler.pareto import pareto_front
        >>> point = pareto_front(Pipeline.from_distances((5, 17))).min_volume()
        >>> d = storage_decay(point.schedule, Hardware())
        >>> d.slot_distance, len(d.waits), round(d.mean_wait, 1)
        (5, 15, 40.3)
    """
    queue: deque[int] = deque()
    deposits = sorted((r.end, r.outputs - r.discarded) for r in schedule.runs)
    takes = sorted(schedule.takes, key=lambda k: (k.time, k.step))
    waits: list[int] = []
    i = 0
    for take in takes:
        while i < len(deposits) and deposits[i][0] <= take.time:
            queue.extend([deposits[i][0]] * deposits[i][1])
            i += 1
        for _ in range(take.count):
            waits.append(take.time - queue.popleft())
    producer = schedule.producers[0]
    d = producer.distance
    cycle_error = hardware.logical_error(d)
    added = [w / d * cycle_error for w in waits]
    eps_in = producer.eps_out
    mean_added = sum(added) / len(added) if added else 0.0
    high = schedule.high
    return StorageDecay(
        tuple(waits), d, cycle_error, eps_in, mean_added, max(added, default=0.0),
        high.output_error(eps_in), high.output_error(eps_in + mean_added),
    )
