"""Schedules: what the dynamic scheduler decided, round by round, as frozen data.

A :class:`Schedule` lists every low-level factory run (:class:`Run`), every execution of the high-level
factory (:class:`TopRun`), every consumption of buffered states (:class:`Take`) and every stall
(:class:`Stall`). Derived traces -- buffer occupancy and qubits in use at each event time -- are computed
from these, so the invariants the tests check are checked on the same data the lattice emitter reads.

Buffer convention (``docs/model.md``): states a run yields enter the buffer at its end round; within a round
the deposits come first, then the high-level factory takes what it needs. The burst loaded at a launch goes
straight into the high-level factory's data patches and never occupies a slot; every other state sits in a
slot at least during the round it is taken. So the occupancy that must fit the buffer is the one after the
round's deposits, less the burst.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterator

from magicpipe.compiler.allocator import Allocation, Producer
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.options import DynamicOptions

from magicpipe.errors import SpecError

__all__ = ["Run", "TopRun", "Take", "Stall", "Ledger", "Schedule", "ROLES"]

ROLES = ("fill", "supply", "reuse")
"""Why a low-level run was launched: ``fill`` before the high-level launch (phase 1), ``supply`` beside the
running high-level factory (phase 2), ``reuse`` on the ancilla region of a stalled one (phase 3)."""


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a low-level factory: ``producer`` indexes :attr:`Schedule.producers`.

    ``lane`` numbers the copy within its role (supply lanes are reused run after run), ``outputs`` is what
    it deposited (0 when it failed), ``discarded`` how many of those the full buffer could not take.
    """

    id: int
    producer: int
    start: int
    end: int
    qubits: int
    role: str
    lane: int
    success: bool = True
    outputs: int = 1
    discarded: int = 0


@dataclass(frozen=True, slots=True)
class TopRun:
    """One execution of the high-level factory, from its launch to its output round."""

    index: int
    launch: int
    end: int
    success: bool = True


@dataclass(frozen=True, slots=True)
class Take:
    """The high-level factory takes ``count`` states at ``time``: step 0 is the burst, 1.. the rotations."""

    time: int
    top: int
    step: int
    count: int


@dataclass(frozen=True, slots=True)
class Stall:
    """Step ``step`` of execution ``top`` found too few states at ``start`` and began at ``end``.

    With ``reuse`` the data patches were aside from ``moved_out`` on, the ancilla region hosted reuse runs
    until ``reclaimed``, and the data patches were back at ``end``. ``threshold`` is N'_th (Eq. 6 or its exact
    form) and ``remaining`` the rotations still to do (n_rot). ``resumed`` is False when the reuse cycle ended
    (data patches back at ``end``) short of states -- possible only when runs fail -- and another stall record
    for the same step follows from ``end``.
    """

    top: int
    step: int
    start: int
    end: int
    reuse: bool
    threshold: int
    remaining: int
    moved_out: int = -1
    reclaimed: int = -1
    resumed: bool = True


@dataclass(frozen=True, slots=True)
class Ledger:
    """Where the buffered states went: ``produced = consumed + discarded + left`` -- the one conservation record.

    ``produced`` counts every state a run yields, a failed run's included; ``discarded`` counts those of failed
    runs (``failed`` of them), those a full buffer turned away and those flushed; ``left`` those still held at
    the end. A stream's ``TALLY`` is this record in text, with the slots of the states left
    (the lattice's ``Tally``); the report shows it per level.
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
class Schedule:
    """A complete schedule of a two-level (or composed) dynamic pipeline."""

    high: Factory
    producers: tuple[Producer, ...]
    qubit_budget: int
    buffer_slots: int
    slot_qubits: int
    launch_threshold: int
    supply: Allocation
    fill: Allocation
    runs: tuple[Run, ...]
    tops: tuple[TopRun, ...]
    takes: tuple[Take, ...]
    stalls: tuple[Stall, ...]
    move_rounds: int
    options: DynamicOptions | None = None

    def __hash__(self) -> int:
        # the planner memoises per schedule (storage decay, expected delay): hash its configuration and shape, not
        # every run and take (equal schedules hash alike; equality still compares every field)
        return hash((self.high.distance, self.qubit_budget, self.buffer_slots, self.slot_qubits, self.launch_threshold,
                     len(self.runs), len(self.takes), len(self.stalls), self.tops, self.options))

    @property
    def policy(self) -> DynamicOptions:
        """The options the schedule was made with (the paper's defaults when none were recorded)."""
        return self.options if self.options is not None else DynamicOptions()

    @property
    def rounds(self) -> int:
        """Round at which the last high-level execution yields its output."""
        return max(t.end for t in self.tops)

    @property
    def buffer_qubits(self) -> int:
        return self.buffer_slots * self.slot_qubits

    @property
    def discarded(self) -> int:
        """States lost because the buffer was full (0 in a well-formed deterministic schedule)."""
        return sum(r.discarded for r in self.runs)

    def event_times(self) -> list[int]:
        times = {0}
        for r in self.runs:
            times.update((r.start, r.end))
        for t in self.tops:
            times.update((t.launch, t.end))
        for s in self.stalls:
            times.update(x for x in (s.start, s.end, s.moved_out, s.reclaimed) if x >= 0)
        times.update(k.time for k in self.takes)
        return sorted(times)

    def buffer_trace(self) -> Iterator[tuple[int, int, int]]:
        """``(time, slots filled after deposits less the burst, slots filled after the takes)`` at every event time.

        Between two executions (steady state) up to a burst of states wait in the next execution's data
        patches and are not counted in slots.
        """
        deposits: dict[int, int] = {}
        for r in self.runs:
            deposits[r.end] = deposits.get(r.end, 0) + r.outputs - r.discarded
        bursts: dict[int, int] = {}
        steady: dict[int, int] = {}
        for k in self.takes:
            target = bursts if k.step == 0 else steady
            target[k.time] = target.get(k.time, 0) + k.count
        # between two executions the next one's data patches hold up to a burst of states (no slot needed)
        staging = [(a.end, b.launch) for a, b in zip(self.tops, self.tops[1:])]
        burst = self.high.protocol.burst
        level = 0
        for t in self.event_times():
            peak = level + deposits.get(t, 0) - bursts.get(t, 0)
            level = peak - steady.get(t, 0)
            staged = min(burst, peak) if any(a <= t < b for a, b in staging) else 0
            yield t, peak - staged, level - min(staged, max(level, 0))  # a negative level stays visible to check

    def qubits_in_use(self, t: int) -> int:
        """Qubits occupied during round ``t``: buffer, running high-level factory, running low-level runs.

        A run occupies its qubits over ``[start, end)``; a high-level execution over ``[launch, end)``. During a
        reuse stall the high-level factory keeps only its data patches while reuse runs hold the rest; between two
        executions (steady state) the next one's data patches are held for the burst states.
        """
        used = self.buffer_qubits
        for a, b in zip(self.tops, self.tops[1:]):
            if a.end <= t < b.launch:  # between executions the next one's data patches take burst states
                used += self.high.data_qubits
        for top in self.tops:
            if top.launch <= t < top.end:
                lent = any(s.top == top.index and s.moved_out <= t < s.reclaimed for s in self.stalls if s.reuse)
                used += self.high.data_qubits if lent else self.high.qubits
        for r in self.runs:
            if r.start <= t < r.end:
                used += r.qubits
        return used

    def peak_qubits(self) -> int:
        """Largest :meth:`qubits_in_use` over every event time."""
        return max(self.qubits_in_use(t) for t in self.event_times())

    def ledger(self) -> Ledger:
        """Count the states from the runs and the takes, and replay them for what is left.

        Raises:
            SpecError: some round takes more states than the runs have made by then.
        """
        produced = failed = full = 0
        changes: dict[int, int] = {}
        for r in self.runs:
            made = self.producers[r.producer].outputs
            produced += made
            if not r.success or r.outputs == 0:
                failed += made
                continue
            full += r.discarded + (made - r.outputs)
            changes[r.end] = changes.get(r.end, 0) + r.outputs - r.discarded
        consumed = 0
        for k in self.takes:
            consumed += k.count
            changes[k.time] = changes.get(k.time, 0) - k.count
        held = 0
        for t in sorted(changes):
            held += changes[t]
            if held < 0:
                raise SpecError(f"the schedule takes more states than it has made by round {t} (held {held})")
        return Ledger(produced, consumed, failed + full, held, failed)

    def __repr__(self) -> str:
        """One line: producer and consumer, budget, buffer and what was run (the fields are the data)."""
        low = "+".join(p.name for p in self.producers)
        end = max((t.end for t in self.tops), default=0)
        return (f"<Schedule {low} -> {self.high.protocol.name}@d{self.high.distance}: {self.qubit_budget} qubits, "
                f"{self.buffer_slots} slots, {len(self.runs)} runs, {len(self.tops)} executions, "
                f"{len(self.stalls)} stalls, {end} rounds>")
