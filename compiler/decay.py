"""Storage decay, beyond the paper: a buffered state idles as a patch and picks up logical error.

A state that waits ``w`` rounds in a slot of distance d picks up about ``(w / d) p_L(d)`` of error (``p_L`` is
per logical cycle of d rounds, Eq. 2). Which state waits how long follows from the schedule: states leave
the buffer first in, first out; a burst state loaded at a launch waits from its deposit to the launch.

Slots at a higher distance. A state can be grown into a larger patch when it is deposited: the slot's extra
qubits are initialised and the larger patch's stabilisers measured. Until ``d_s`` rounds of them are measured the
state is charged as the smaller patch, ``p_L(d) / d`` per round (a conservative reading: the grown patch's
timelike distance is only reached after ``d_s`` rounds); after that a slot of distance ``d_s > d`` decays at
``p_L(d_s) / d_s`` per round, which under the ``measured`` model is 7x or more smaller per step of 2
(docs/verification.md Sec. 4), at ``2 d_s^2 - 1`` qubits per slot instead of ``2 d^2 - 1``. A schedule records
its slots' size (``Schedule.slot_qubits``); :func:`slot_distance_of` reads their distance back,
:func:`storage_decay` takes it (or another), and :func:`slot_distance_for` chooses the smallest one that meets
an output-error target. The Pareto search grows the slots of a configuration whose decay misses the target
(:func:`~magicpipe.compiler.pareto.pareto_front`, ``grow_slots``).

The high-level factory then distils inputs of error ``eps_in + delta_i``. Its output error is charged with
the mean added error, ``eps_out = f(eps_in + mean(delta))`` with f the protocol's formula (Eq. 3): for
15-to-1 the leading term sums the products of error triples, which the mean approximates when the delays
are alike; ``max_added`` is reported beside it for the worst state. The paper treats buffered states as
perfect.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from magicpipe.compiler.hardware import Hardware, patch_qubits
from magicpipe.compiler.schedule import Schedule
from magicpipe.errors import SpecError

__all__ = ["StorageDecay", "grown_schedule", "slot_distance_for", "slot_distance_of", "storage_decay"]


@dataclass(frozen=True, slots=True)
class StorageDecay:
    """Waits of the consumed states and what they do to the output error of each execution.

    Attributes:
        waits: rounds each consumed state spent in a slot, in the order they were taken.
        slot_distance: distance of a slot patch.
        cycle_error: p_L per logical cycle at that distance.
        growth_rounds: rounds a state is charged at the producer's distance before its slot's distance counts
            (``slot_distance`` when the slots are grown, else 0).
        eps_in: input error of the high-level factory without decay.
        mean_added: mean error a consumed state picked up while it waited.
        max_added: the largest.
        eps_out: output error without decay.
        eps_out_with_decay: output error with the mean added error charged.
    """

    waits: tuple[int, ...]
    slot_distance: int
    cycle_error: float
    growth_rounds: int
    eps_in: float
    mean_added: float
    max_added: float
    eps_out: float
    eps_out_with_decay: float

    @property
    def mean_wait(self) -> float:
        return sum(self.waits) / len(self.waits) if self.waits else 0.0

    @property
    def slot_qubits(self) -> int:
        """Physical qubits of one slot patch at :attr:`slot_distance`."""
        return patch_qubits(self.slot_distance)


def slot_distance_of(schedule: Schedule) -> int:
    """Distance of ``schedule``'s buffer slots: the largest odd distance, at least the producer's, whose patch
    fits in ``slot_qubits`` (the producer's distance for slots of exactly one producer patch, or smaller).

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> from magicpipe.compiler.pareto import pareto_front
        >>> s = pareto_front(Pipeline.from_distances((5, 17))).min_volume().schedule
        >>> slot_distance_of(s), slot_distance_of(grown_schedule(s, 9))
        (5, 9)
    """
    d = schedule.producers[0].distance
    while patch_qubits(d + 2) <= schedule.slot_qubits:
        d += 2
    return d


def _check_slot_distance(d: object, least: int, whose: str) -> None:
    if isinstance(d, bool) or not isinstance(d, int) or d < least or d % 2 == 0:
        raise SpecError(f"slot distance {d!r} must be an odd distance >= {whose} {least} "
                        f"(a state is grown into its slot, never shrunk)")


def grown_schedule(schedule: Schedule, slot_distance: int) -> Schedule:
    """``schedule`` with its slots at ``slot_distance``: each slot and the budget grow by the difference of the
    patches (``buffer_slots x (patch_qubits(d_s) - slot_qubits)`` qubits). The scheduler sets the buffer's qubits
    aside before it places any factory, so every run, launch and take is the same as before (what
    :func:`~magicpipe.compiler.dynamic.simulate` gives with the larger budget and slots).

    Raises:
        SpecError: a slot distance below the schedule's, or not an odd distance.
    """
    _check_slot_distance(slot_distance, slot_distance_of(schedule), "the slots'")
    extra = schedule.buffer_slots * (patch_qubits(slot_distance) - schedule.slot_qubits)
    if extra <= 0:
        return schedule
    return replace(schedule, qubit_budget=schedule.qubit_budget + extra, slot_qubits=patch_qubits(slot_distance))


def storage_decay(schedule: Schedule, hardware: Hardware, slot_distance: int | None = None) -> StorageDecay:
    """Charge the waits of ``schedule``'s buffered states (FIFO) to its output error.

    ``slot_distance`` is the distance of the buffer's slots (default: :func:`slot_distance_of`, the producer's
    distance unless the schedule's slots were grown); it may not be below the producer's. Above it, each wait's
    first ``slot_distance`` rounds are charged at the producer's distance (the growth, module docstring).

    Raises:
        SpecError: a slot distance below the producer's, or not an odd distance.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> from magicpipe.compiler.pareto import pareto_front
        >>> point = pareto_front(Pipeline.from_distances((5, 17))).min_volume()
        >>> d = storage_decay(point.schedule, Hardware())
        >>> d.slot_distance, len(d.waits), round(d.mean_wait, 1)
        (5, 15, 40.3)
    """
    d0 = schedule.producers[0].distance
    d = slot_distance_of(schedule) if slot_distance is None else slot_distance
    _check_slot_distance(d, d0, "the producer's")
    return _decay(schedule, hardware, d, _waits(schedule))


def _waits(schedule: Schedule) -> list[int]:
    """Rounds each taken state waited in the buffer (first in, first out), in the order taken."""
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
    return waits


def _decay(schedule: Schedule, hardware: Hardware, d: int, waits: list[int]) -> StorageDecay:
    """:func:`storage_decay` at a checked slot distance ``d`` from the schedule's ``waits``."""
    d0 = schedule.producers[0].distance
    cycle_error = hardware.logical_error(d)
    growth = d if d > d0 else 0
    before = hardware.logical_error(d0) / d0 if growth else 0.0  # per round while the slot grows
    added = [min(w, growth) * before + max(w - growth, 0) / d * cycle_error for w in waits]
    eps_in = schedule.producers[0].eps_out
    mean_added = sum(added) / len(added) if added else 0.0
    high = schedule.high
    return StorageDecay(
        tuple(waits), d, cycle_error, growth, eps_in, mean_added, max(added, default=0.0),
        high.output_error(eps_in), high.output_error(eps_in + mean_added),
    )


def slot_distance_for(schedule: Schedule, hardware: Hardware, target: float, max_step: int = 3
                      ) -> StorageDecay | None:
    """The decay at the smallest slot distance (the producer's, then up by 2 at most ``max_step`` times) whose
    output error with decay is at most ``target``; None if none is. The caller pays
    ``buffer slots x StorageDecay.slot_qubits`` for the buffer (:func:`grown_schedule` is the schedule with
    them) and chooses between the options.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> from magicpipe.compiler.errormodel import load_measured
        >>> from magicpipe.compiler.pareto import pareto_front
        >>> hw = Hardware(p=1e-3, eps=1e-3, model=load_measured())
        >>> point = pareto_front(Pipeline.from_distances((7, 19), hw)).min_volume()
        >>> base = storage_decay(point.schedule, hw)
        >>> round(base.eps_out_with_decay / base.eps_out, 2)
        2.12
        >>> grown = slot_distance_for(point.schedule, hw, base.eps_out * 1.25)
        >>> grown.slot_distance, round(grown.eps_out_with_decay / base.eps_out, 2)
        (9, 1.21)
    """
    d0 = schedule.producers[0].distance
    waits = _waits(schedule)  # the same at every slot distance: only their charge changes
    for d in range(d0, d0 + 2 * max_step + 1, 2):  # odd and at least d0: valid slot distances
        decay = _decay(schedule, hardware, d, waits)
        if decay.eps_out_with_decay <= target:
            return decay
    return None
