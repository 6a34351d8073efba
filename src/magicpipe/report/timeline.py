"""What a pipeline did, round by round, in one form for every architecture: the :class:`Timeline`.

A dynamic :class:`~magicpipe.compiler.schedule.Schedule` and the static baselines (:mod:`.static`) become the
same few records, and every metric and picture of the report reads only these:

* :class:`Box` -- one factory run holding ``qubits`` over the rounds ``[start, end)`` (a box of the paper's
  Fig. 3: width time, height qubits);
* :class:`Gap` -- a stall of a consuming factory: it holds its qubits idle, or, while it lends its ancilla
  region (``[lent_start, lent_end)``), only its data patches;
* :class:`BufferTrace` -- the states of one level waiting for the level above: occupancy after every event
  round, and the :class:`Ledger` of where every state went.

Conventions are the core's (``compiler/schedule.py``): a run yields at its end round; within a round the
deposits come first, then the takes; the burst of a launch goes straight into the consuming factory's data
patches, so the occupancy counts the states in slots.

Examples:
    >>> from magicpipe.compiler import Pipeline
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> from magicpipe.compiler.options import PAPER
    >>> t = Timeline.from_schedule(pareto_front(Pipeline.from_distances((5, 17)), PAPER).min_volume().schedule)
    >>> t.makespan, t.delivered, len(t.boxes), t.buffers[0].ledger
    (242, 1, 16, Ledger(produced=15, consumed=15, discarded=0, left=0, failed=0))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.schedule import Schedule
from magicpipe.errors import SpecError

__all__ = ["Box", "Gap", "Ledger", "BufferTrace", "Timeline", "raw_inputs"]

ROLES = ("fill", "supply", "reuse", "top", "static")
"""Why a box ran: the dynamic phases (``fill``, ``supply``, ``reuse``), the top-level factory (``top``), or a
run of a static baseline (``static``)."""


@dataclass(frozen=True, slots=True)
class Box:
    """One factory run.

    Attributes:
        name: ``L<run>`` for a low-level run, ``H<k>`` for the k-th top-level execution (the stream's names);
            ``L<level>.<k>`` in a static baseline.
        level: the pipeline level of its outputs (1 for a first-level factory).
        start, end: rounds ``[start, end)``; its outputs appear at ``end``.
        qubits: qubits it holds while it runs.
        role: one of :data:`ROLES`.
        outputs: states a successful run yields.
        success: False when its checks failed (its outputs are discarded).
        raw_inputs: raw injected states it consumes, through its own lower levels for a composed producer.
    """

    name: str
    level: int
    start: int
    end: int
    qubits: int
    role: str
    outputs: int = 1
    success: bool = True
    raw_inputs: int = 0

    @property
    def rounds(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Gap:
    """A stall of consuming factory ``name`` over ``[start, end)``.

    ``qubits`` are the factory's; while ``lent_start <= t < lent_end`` it lends ``lent_qubits`` of them
    (its ancilla region, to reuse runs) and holds the rest idle. ``lent_start == -1``: nothing is lent.
    """

    name: str
    level: int
    start: int
    end: int
    qubits: int
    lent_start: int = -1
    lent_end: int = -1
    lent_qubits: int = 0

    @property
    def rounds(self) -> int:
        return self.end - self.start

    @property
    def lent_rounds(self) -> int:
        return max(self.lent_end - self.lent_start, 0) if self.lent_start >= 0 else 0

    def idle_qubits(self, t: int) -> int:
        """Qubits the stalled factory holds idle in round ``t`` (0 outside the stall)."""
        if not self.start <= t < self.end:
            return 0
        lent = self.lent_start >= 0 and self.lent_start <= t < self.lent_end
        return self.qubits - self.lent_qubits if lent else self.qubits


@dataclass(frozen=True, slots=True)
class Ledger:
    """Where the states of one level went: ``produced = consumed + discarded + left``.

    ``produced`` counts every state a run yields, a failed run's included (the stream's ``TALLY``
    convention); ``discarded`` counts those of failed runs (``failed`` of them), those a full buffer turned
    away and those flushed; ``left`` those still held at the end.
    """

    produced: int
    consumed: int
    discarded: int
    left: int
    failed: int = 0

    @property
    def balanced(self) -> bool:
        return self.produced == self.consumed + self.discarded + self.left


@dataclass(frozen=True, slots=True)
class BufferTrace:
    """The states of ``level`` waiting for the level above.

    Attributes:
        level: the level of the held states.
        capacity: slots (None: no dedicated slots, states wait in their producers' patches).
        slot_qubits: qubits of one held state's patch.
        reserved_qubits: qubits set aside for the slots whether they are full or not.
        points: ``(round, held after the round's deposits, held after its takes)`` at every round it changes,
            starting at round 0; the occupancy is the last value until the next point.
        ledger: the states' accounting.
    """

    level: int
    capacity: int | None
    slot_qubits: int
    reserved_qubits: int
    points: tuple[tuple[int, int, int], ...]
    ledger: Ledger

    def held(self, t: int) -> int:
        """States held in slots during round ``t`` (after that round's takes)."""
        value = 0
        for time, _, after in self.points:
            if time > t:
                break
            value = after
        return value

    @property
    def peak(self) -> int:
        return max((p for _, p, _ in self.points), default=0)


@dataclass(frozen=True, slots=True)
class Timeline:
    """One pipeline's runs, stalls and buffers from round 0 to its ``makespan``.

    Attributes:
        name: ``"dynamic"``, ``"sequential"`` or ``"parallel"``.
        distances: code distance per level, lowest first.
        qubit_budget: the qubits the pipeline is charged for.
        round_us: microseconds per stabilizer round.
        boxes: every factory run, top-level executions included, by start round.
        gaps: every stall.
        buffers: one per buffered level, lowest first.
        makespan: the round the last top-level execution ends.
    """

    name: str
    distances: tuple[int, ...]
    qubit_budget: int
    round_us: float
    boxes: tuple[Box, ...]
    gaps: tuple[Gap, ...]
    buffers: tuple[BufferTrace, ...]
    makespan: int

    @property
    def levels(self) -> int:
        return len(self.distances)

    def top_boxes(self) -> tuple[Box, ...]:
        return tuple(b for b in self.boxes if b.level == self.levels)

    @property
    def delivered(self) -> int:
        """Top-level states handed to the program."""
        return sum(b.outputs for b in self.top_boxes() if b.success)

    def event_times(self) -> list[int]:
        """Every round at which some box, gap or buffer changes, from 0 to the makespan."""
        times = {0, self.makespan}
        for b in self.boxes:
            times.update((b.start, b.end))
        for g in self.gaps:
            times.update(x for x in (g.start, g.end, g.lent_start, g.lent_end) if x >= 0)
        for buf in self.buffers:
            times.update(p[0] for p in buf.points)
        return sorted(t for t in times if 0 <= t <= self.makespan)

    def running(self, t: int) -> Iterator[Box]:
        return (b for b in self.boxes if b.start <= t < b.end)

    @classmethod
    def from_schedule(cls, schedule: Schedule, name: str = "dynamic") -> "Timeline":
        """The timeline of a dynamic (two-level, or composed) schedule.

        Raises:
            SpecError: the schedule has no top-level execution.
        """
        if not schedule.tops:
            raise SpecError("the schedule has no top-level execution; simulate at least one (tops >= 1)")
        high = schedule.high
        level = max(p.level for p in schedule.producers) + 1
        distances = _distances(schedule)
        boxes = [Box(f"L{r.id}", schedule.producers[r.producer].level, r.start, r.end, r.qubits, r.role,
                     schedule.producers[r.producer].outputs, r.success, raw_inputs(schedule.producers[r.producer]))
                 for r in schedule.runs]
        boxes += [Box(f"H{t.index}", level, t.launch, t.end, high.qubits, "top", high.protocol.outputs, t.success)
                  for t in schedule.tops]
        gaps = tuple(Gap(f"H{s.top}", level, s.start, s.end, high.qubits, s.moved_out if s.reuse else -1,
                         s.reclaimed if s.reuse else -1, high.lendable_qubits if s.reuse else 0)
                     for s in schedule.stalls)
        buffer = BufferTrace(level - 1, schedule.buffer_slots, schedule.slot_qubits, schedule.buffer_qubits,
                             _points(schedule), _ledger(schedule))
        boxes.sort(key=lambda b: (b.start, b.level, b.name))
        return cls(name, distances, schedule.qubit_budget, high.hardware.rounds_to_us(1), tuple(boxes), gaps,
                   (buffer,), schedule.rounds)


def raw_inputs(producer: Producer) -> int:
    """Raw injected states one run of ``producer`` consumes: a factory's inputs, or, for a point of a lower
    pipeline's front (a composed producer), every raw state its schedule's runs consume.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> from magicpipe.compiler.pareto import level_producer
        >>> raw_inputs(level_producer(Pipeline.from_distances((5, 17)), 1))
        15
    """
    source = producer.source
    if isinstance(source, Factory):
        return source.protocol.inputs
    schedule = getattr(source, "schedule", None)
    if schedule is None:
        raise SpecError(f"producer {producer.name}: its source is neither a Factory nor a front point "
                        f"with a schedule, so its raw inputs are unknown")
    return sum(raw_inputs(schedule.producers[r.producer]) for r in schedule.runs)


def _distances(schedule: Schedule) -> tuple[int, ...]:
    source = schedule.producers[0].source
    if isinstance(source, Factory):
        return (source.distance, schedule.high.distance)
    inner = getattr(source, "schedule", None)
    if inner is not None:
        return _distances(inner) + (schedule.high.distance,)
    return (schedule.producers[0].distance, schedule.high.distance)


def _points(schedule: Schedule) -> tuple[tuple[int, int, int], ...]:
    """The core's buffer trace, kept where it changes."""
    out: list[tuple[int, int, int]] = []
    for t, peak, after in schedule.buffer_trace():
        if not out or (peak, after) != out[-1][1:] or peak != after:
            out.append((t, peak, after))
    return tuple(out)


def _ledger(schedule: Schedule) -> Ledger:
    """Count the states from the runs and the takes, and replay them for what is left."""
    produced = failed = full = 0
    changes: dict[int, int] = {}
    for r in schedule.runs:
        made = schedule.producers[r.producer].outputs
        produced += made
        if not r.success or r.outputs == 0:
            failed += made
            continue
        full += r.discarded + (made - r.outputs)
        changes[r.end] = changes.get(r.end, 0) + r.outputs - r.discarded
    consumed = 0
    for k in schedule.takes:
        consumed += k.count
        changes[k.time] = changes.get(k.time, 0) - k.count
    held = 0
    for t in sorted(changes):
        held += changes[t]
        if held < 0:
            raise SpecError(f"the schedule takes more states than it has made by round {t} (held {held})")
    return Ledger(produced, consumed, failed + full, held, failed)
