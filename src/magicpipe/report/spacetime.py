"""A schedule seen as the paper's Fig. 3 draws it, the same for every architecture: the :class:`SpaceTime`.

The record of what happened is the core's :class:`~magicpipe.compiler.schedule.Schedule` -- the dynamic
scheduler's, or a baseline's from :func:`magicpipe.compiler.baselines.sequential_schedules` /
:func:`~magicpipe.compiler.baselines.parallel_schedules` (one schedule per pair of adjacent levels). A
:class:`SpaceTime` is that record regrouped by what holds the qubits, so the metrics and the pictures read one
shape whatever the architecture:

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
    >>> t = SpaceTime.from_schedule(pareto_front(Pipeline.from_distances((5, 17)), PAPER).min_volume().schedule)
    >>> t.makespan, t.delivered, len(t.boxes), t.buffers[0].ledger
    (242, 1, 16, Ledger(produced=15, consumed=15, discarded=0, left=0, failed=0))
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterator, Sequence

from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.baselines import parallel, parallel_schedules, sequential_schedules
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.schedule import Ledger, Schedule
from magicpipe.errors import SpecError

__all__ = ["Box", "Gap", "Ledger", "BufferTrace", "SpaceTime", "baseline", "raw_inputs"]

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
class SpaceTime:
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
    def from_schedule(cls, schedule: Schedule, name: str = "dynamic") -> SpaceTime:
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
                             _points(schedule), schedule.ledger())
        boxes.sort(key=lambda b: (b.start, b.level, b.name))
        return cls(name, distances, schedule.qubit_budget, high.hardware.rounds_to_us(1), tuple(boxes), gaps,
                   (buffer,), schedule.rounds)

    @classmethod
    def from_schedules(cls, name: str, schedules: Sequence[Schedule], *, output_slots: int = 0) -> SpaceTime:
        """The space-time of a static baseline given as one schedule per pair of adjacent levels, lowest first
        (:func:`magicpipe.compiler.baselines.sequential_schedules`, :func:`~magicpipe.compiler.baselines.
        parallel_schedules`): ``schedules[k]``'s runs are level k + 1's, its executions level k + 2's.
        ``output_slots`` are the top level's own reserved buffer slots (the parallel baseline's), empty all along.

        Raises:
            SpecError: no schedule, or the last one has no top-level execution.
        """
        if not schedules or not schedules[-1].tops:
            raise SpecError(f"the {name} baseline has no top-level execution; give one schedule per pair of levels")
        first, last = schedules[0], schedules[-1]
        low = first.producers[0]
        boxes = [Box(f"L1.{r.id}", 1, r.start, r.end, r.qubits, "static", low.outputs, r.success, raw_inputs(low))
                 for r in first.runs]
        gaps: list[Gap] = []
        buffers: list[BufferTrace] = []
        for level, s in enumerate(schedules, start=2):
            boxes += [Box(f"L{level}.{t.index}", level, t.launch, t.end, s.high.qubits, "static",
                          s.high.protocol.outputs, t.success) for t in s.tops]
            gaps += [Gap(f"L{level}.{x.top}", level, x.start, x.end, s.high.qubits) for x in s.stalls]
            buffers.append(BufferTrace(level - 1, s.buffer_slots or None, s.slot_qubits, s.buffer_qubits, _points(s),
                                       s.ledger()))
        if output_slots:
            top = last.high
            buffers.append(BufferTrace(len(schedules) + 1, output_slots, top.patch_qubits,
                                       output_slots * top.patch_qubits, ((0, 0, 0),), Ledger(0, 0, 0, 0)))
        boxes.sort(key=lambda b: (b.start, b.level, b.name))
        gaps.sort(key=lambda g: (g.end, g.level, g.name))
        distances = tuple(s.producers[0].distance for s in schedules) + (last.high.distance,)
        return cls(name, distances, last.qubit_budget, last.high.hardware.rounds_to_us(1), tuple(boxes), tuple(gaps),
                   tuple(buffers), last.rounds)

    def __repr__(self) -> str:
        return (f"<SpaceTime {self.name} distances={self.distances} qubits={self.qubit_budget} "
                f"makespan={self.makespan} boxes={len(self.boxes)} stalls={len(self.gaps)}>")


def baseline(pipeline: Pipeline, method: str) -> SpaceTime:
    """The space-time of the ``"sequential"`` or ``"parallel"`` baseline of ``pipeline`` (two levels or more),
    from the core's schedules (:mod:`magicpipe.compiler.baselines`).

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> par = baseline(Pipeline.from_distances((5, 17)), "parallel")
        >>> par.makespan, par.qubit_budget, [(g.start, g.end) for g in par.gaps]
        (280, 17926, [(72, 110)])

    Raises:
        SpecError: another method, or a one-level pipeline.
    """
    if method == "sequential":
        return SpaceTime.from_schedules(method, sequential_schedules(pipeline))
    if method == "parallel":
        return SpaceTime.from_schedules(method, parallel_schedules(pipeline), output_slots=parallel(pipeline).slots[-1])
    raise SpecError(f"baseline {method!r}: the baselines are 'sequential' and 'parallel'")


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
