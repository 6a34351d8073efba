"""The static baselines as timelines: what the sequential and parallel pipelines do for one top-level state.

:mod:`magicpipe.compiler.baselines` gives each baseline's cost, ``(Q, T)``, from the paper's formulas. To show
the same figures for every architecture, this module runs each baseline's fixed structure from an empty
pipeline, round by round, with the factory timing of :class:`~magicpipe.compiler.factory.Factory` (the burst
and step 1 at launch, step k one step later, unless the buffer is empty: then the factory stalls until a
state arrives) and no failures:

* **sequential** -- level l runs its ``n_l = 16^(L-l)`` copies once, all at round ``T_1 + ... + T_(l-1)``,
  on the same qubits. This is exactly the cost model: the last output is at ``sum T_l``. The copies of a
  level yield 16 states per 15 the level above takes, so a state per consumer is left over.
* **parallel** -- every level keeps its rate-matched ``n_l`` copies and its buffers; a level's copy starts a
  run when the level above still needs states (counting those held and in flight) and, above level 1, its
  burst and first input are held. The cost model's ``T = T_L`` is a steady-state period (the paper calls
  it optimistic); from an empty pipeline the first state takes longer, and the top-level factory stalls
  when the rate-matched supply falls behind its burst-then-steady demand.

Examples:
    >>> from magicpipe.compiler import Pipeline
    >>> pipe = Pipeline.from_distances((5, 17))
    >>> seq, par = sequential_timeline(pipe), parallel_timeline(pipe)
    >>> seq.makespan, seq.qubit_budget, seq.buffers[0].ledger.left
    (242, 11760, 1)
    >>> par.makespan, par.qubit_budget, len(par.gaps)
    (280, 17926, 1)
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from magicpipe.compiler.baselines import parallel, sequential
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.report.timeline import Box, BufferTrace, Gap, Ledger, Timeline

__all__ = ["sequential_timeline", "parallel_timeline"]


@dataclass
class _Run:
    """A running copy of a consuming level (level >= 2)."""

    name: str
    level: int
    start: int
    step: int = 0  # last step taken
    due: int = 0  # round the next step is due
    stalled: int = -1  # round the current stall began (-1: not stalled)


@dataclass
class _Level:
    index: int
    copies: int
    runs_left: int | None  # sequential: runs still to launch; None: as many as the level above needs
    earliest: int
    busy: int = 0
    launched: int = 0
    held: int = 0
    in_flight: int = 0
    events: dict = field(default_factory=dict)  # round -> [deposited, taken]


class _Static:
    def __init__(self, pipeline: Pipeline, copies, runs_left, earliest):
        self.pipe = pipeline
        self.L = len(pipeline.levels)
        self.levels = [_Level(i + 1, c, r, e) for i, (c, r, e) in enumerate(zip(copies, runs_left, earliest))]
        self.heap: list[int] = []
        self.boxes: list[Box] = []
        self.gaps: list[Gap] = []
        self.ends: dict[int, list[tuple[int, int, str]]] = {}  # round -> (level, start, name)
        self.running: list[_Run] = []

    def factory(self, level: int):
        return self.pipe.levels[level - 1].factory

    def note(self, level: int, t: int, deposited: int = 0, taken: int = 0) -> None:
        ev = self.levels[level - 1].events.setdefault(t, [0, 0])
        ev[0] += deposited
        ev[1] += taken

    def run(self) -> int:
        heapq.heappush(self.heap, 0)
        for lv in self.levels:
            heapq.heappush(self.heap, lv.earliest)
        while self.heap:
            t = heapq.heappop(self.heap)
            while self.heap and self.heap[0] == t:
                heapq.heappop(self.heap)
            self.step(t)
            if self.levels[-1].launched and not self.levels[-1].busy:
                return t
        raise AssertionError("the static pipeline stopped before its top-level output")

    def step(self, t: int) -> None:
        for level, start, name in self.ends.pop(t, []):
            f = self.factory(level)
            self.boxes.append(Box(name, level, start, t, f.qubits, "static", f.protocol.outputs, True,
                                  f.protocol.inputs if level == 1 else 0))
            lv = self.levels[level - 1]
            lv.busy -= 1
            if level < self.L:
                lv.in_flight -= f.protocol.outputs
                lv.held += f.protocol.outputs
                self.note(level, t, deposited=f.protocol.outputs)
        for r in list(self.running):
            if r.due == t or (r.stalled >= 0 and r.due < t):
                self.advance(r, t)
        need = self.future_runs()
        for lv in self.levels:
            self.launch(lv, t, need[lv.index - 1])

    def advance(self, r: _Run, t: int) -> None:
        f = self.factory(r.level)
        below = self.levels[r.level - 2]
        if below.held < f.protocol.inputs_per_step:
            if r.stalled < 0:
                r.stalled = t
            return
        if r.stalled >= 0:
            self.gaps.append(Gap(r.name, r.level, r.stalled, t, f.qubits))
            r.stalled = -1
        self.take(below, t, f.protocol.inputs_per_step)
        r.step += 1
        if r.step == f.protocol.steps:
            self.running.remove(r)
            self.ends.setdefault(t + f.step_rounds, []).append((r.level, r.start, r.name))
            heapq.heappush(self.heap, t + f.step_rounds)
        else:
            r.due = t + f.step_rounds
            heapq.heappush(self.heap, r.due)

    def take(self, lv: _Level, t: int, n: int) -> None:
        lv.held -= n
        self.note(lv.index, t, taken=n)

    def future_runs(self) -> list[int]:
        """Runs each level still has to start for the one top-level state, top down."""
        need = [0] * self.L
        need[-1] = 1 - self.levels[-1].launched
        for i in range(self.L - 2, -1, -1):
            above = self.factory(i + 2).protocol
            pending = sum(above.inputs_per_step * (above.steps - r.step) for r in self.running if r.level == i + 2)
            demand = pending + need[i + 1] * above.inputs
            lv = self.levels[i]
            outputs = self.factory(i + 1).protocol.outputs
            need[i] = max(0, math.ceil((demand - lv.held - lv.in_flight) / outputs))
        return need

    def launch(self, lv: _Level, t: int, need: int) -> None:
        if t < lv.earliest:
            return
        f = self.factory(lv.index)
        count = lv.copies - lv.busy if lv.runs_left is not None else min(lv.copies - lv.busy, need)
        if lv.runs_left is not None:
            count = min(count, lv.runs_left)
        for _ in range(count):
            if lv.index > 1:
                below = self.levels[lv.index - 2]
                first = f.protocol.burst + f.protocol.inputs_per_step
                if below.held < first:
                    return
                self.take(below, t, first)
                r = _Run(f"L{lv.index}.{lv.launched}", lv.index, t, step=1, due=t + f.step_rounds)
                self.running.append(r)
                heapq.heappush(self.heap, r.due)
            else:
                self.ends.setdefault(t + f.rounds, []).append((1, t, f"L1.{lv.launched}"))
                heapq.heappush(self.heap, t + f.rounds)
            if lv.index < self.L:
                lv.in_flight += f.protocol.outputs
            lv.launched += 1
            lv.busy += 1
            if lv.runs_left is not None:
                lv.runs_left -= 1

    def buffers(self, capacities, reserved) -> tuple[BufferTrace, ...]:
        out = []
        for lv in self.levels:
            if lv.index == self.L and not reserved[-1]:
                continue
            points, held, produced, consumed = [], 0, 0, 0
            for t in sorted(lv.events):
                dep, took = lv.events[t]
                produced, consumed = produced + dep, consumed + took
                points.append((t, held + dep, held + dep - took))
                held += dep - took
            d = self.factory(lv.index).distance
            out.append(BufferTrace(lv.index, capacities[lv.index - 1], 2 * d * d - 1, reserved[lv.index - 1],
                                   tuple(points) or ((0, 0, 0),), Ledger(produced, consumed, 0, held)))
        return tuple(out)


def _timeline(name: str, pipeline: Pipeline, sim: _Static, qubits: int, capacities, reserved) -> Timeline:
    end = sim.run()
    boxes = tuple(sorted(sim.boxes, key=lambda b: (b.start, b.level, b.name)))
    hw = pipeline.hardware
    return Timeline(name, pipeline.distances, qubits, hw.rounds_to_us(1), boxes, tuple(sim.gaps),
                    sim.buffers(capacities, reserved), end)


def sequential_timeline(pipeline: Pipeline, fan_out: int = 16) -> Timeline:
    """The sequential baseline (ref. [7]) from an empty pipeline; its makespan is the cost model's ``T``."""
    cost = sequential(pipeline, fan_out)
    starts = [sum(lv.rounds for lv in pipeline.levels[:i]) for i in range(len(pipeline.levels))]
    sim = _Static(pipeline, cost.copies, cost.copies, starts)
    L = len(pipeline.levels)
    return _timeline("sequential", pipeline, sim, cost.qubits, [None] * L, [0] * L)


def parallel_timeline(pipeline: Pipeline, buffer_patches: tuple[int, int] = (4, 8)) -> Timeline:
    """The parallel baseline (ref. [78]) from an empty pipeline: rate-matched copies, per-factory buffers."""
    cost = parallel(pipeline, buffer_patches)
    L = len(pipeline.levels)
    sim = _Static(pipeline, cost.copies, [None] * L, [0] * L)
    caps = [n * (buffer_patches[0] if i == 0 else buffer_patches[1]) for i, n in enumerate(cost.copies)]
    reserved = [c * lv.factory.patch_qubits for c, lv in zip(caps, pipeline.levels)]
    return _timeline("parallel", pipeline, sim, cost.qubits, caps, reserved)
