"""From a schedule and its floor plan to the timed instruction stream, lazily.

:func:`emit` is a generator: it sorts the schedule's events once and yields the instructions round by round,
so a writer can stream them to a file. Within a round the order is fixed: the low-level runs that end yield
(deposits come first, as in the schedule's buffer convention), the high-level output, RECLAIM, STALL, the
moves, RESUME, the high-level LAUNCH with its burst, the step's CONSUME, REUSE, then the low-level LAUNCHes.

Slots: a state goes to the lowest free slot; a step consumes from the lowest filled slot. In a launch round the
burst takes the states that arrive that round straight into the data patches (``OUTPUT L3 to=H0`` then
``CONSUME H0 step=0 from=L3``) and the rest from slots. The stream ends with a ``TALLY``.

Examples:
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> from magicpipe.compiler.pipeline import Pipeline
    >>> from magicpipe.compiler.options import PAPER
    >>> s = pareto_front(Pipeline.from_distances((5, 17)), PAPER).min_volume().schedule
    >>> text = [str(i) for i in emit(s, plan_floor(s))]
    >>> text[0]
    '@0 LAUNCH L0 15-to-1 level=1 d=5 region=(0,0,25,15) run=0'
    >>> text[-1]
    '@242 TALLY produced=15 consumed=15 discarded=0 left=[] delivered=1'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from magicpipe.compiler.schedule import Run, Schedule, Stall, Take, TopRun
from magicpipe.errors import InfeasibleError
from magicpipe.lattice import measure
from magicpipe.lattice.block import Route
from magicpipe.lattice.floorplan import FloorPlan, Site, place, plan_floor
from magicpipe.lattice.geometry import Tile
from magicpipe.lattice.stream import (FORMAT_VERSION, PROGRAM, Header, Instruction, Stream, Tally, Trace,
                                      move_step_rounds)

__all__ = ["emit", "header", "build_stream", "low_id", "high_id"]

(_END, _OUT, _RECLAIM, _STALL, _MOVE, _RESUME, _LAUNCH_TOP, _STEP, _REUSE, _LAUNCH) = range(10)


def low_id(run_id: int) -> str:
    return f"L{run_id}"


def high_id(index: int) -> str:
    return f"H{index}"


def header(schedule: Schedule, floorplan: FloorPlan) -> Header:
    """The stream header of ``schedule`` laid out on ``floorplan``."""
    hw = schedule.high.hardware
    distances = (floorplan.low.distance, schedule.high.distance)
    return Header(FORMAT_VERSION, hw.p, hw.eps, hw.t_2q_ns, hw.t_meas_ns, schedule.high.protocol.name, distances,
                  schedule.qubit_budget, schedule.buffer_slots, schedule.slot_qubits, schedule.move_rounds,
                  floorplan.width, floorplan.height, floorplan.regions, floorplan.slots)


def build_stream(schedule: Schedule, floorplan: FloorPlan | None = None, *, measurements: bool = False) -> Stream:
    """The whole stream in memory (use :func:`emit` to stream it)."""
    floorplan = floorplan or plan_floor(schedule)
    return Stream(header(schedule, floorplan), tuple(emit(schedule, floorplan, measurements=measurements)))


def emit(schedule: Schedule, floorplan: FloorPlan, *, measurements: bool = False) -> Iterator[Instruction]:
    """Yield the instructions of ``schedule`` on ``floorplan`` in time order.

    Args:
        schedule, floorplan: what to emit, and where.
        measurements: also expand the high-level factory into its Pauli-product measurements
            (:mod:`magicpipe.lattice.measure`): after each CONSUME of a step, ``MEASURE P Zm`` and ``MEASURE Xm``;
            before the output, the checks.

    Raises:
        InfeasibleError: the floor plan's moves take more rounds than the schedule allows
            (re-cost it with :func:`magicpipe.lattice.recost`), or a run finds no site.
    """
    step = move_step_rounds(schedule.move_rounds, floorplan.high.distance)
    if any(s.reuse for s in schedule.stalls) and floorplan.move_steps * step > schedule.move_rounds:
        raise InfeasibleError(
            f"moving the data patches aside takes {floorplan.move_steps} step(s) of {step} round(s) on this floor "
            f"plan but the schedule allows move_rounds={schedule.move_rounds}; re-simulate with "
            f"DynamicOptions(move_rounds={floorplan.move_steps * floorplan.high.distance}) "
            "(magicpipe.lattice.recost does it)"
        )
    return _Emitter(schedule, floorplan, place(schedule, floorplan), measurements).run()


class _Emitter:
    def __init__(self, schedule: Schedule, floorplan: FloorPlan, sites: tuple[Site, ...], measurements: bool) -> None:
        self.s, self.fp, self.sites, self.measure = schedule, floorplan, sites, measurements
        self.slots: list[bool] = [False] * schedule.buffer_slots
        self.level = max(p.level for p in schedule.producers) + 1
        self.produced = self.consumed = self.discarded = self.delivered = 0
        self.burst_at = {schedule.tops[k.top].launch: k.count for k in schedule.takes if k.step == 0}
        self.direct: list[str] = []

    # -- events ------------------------------------------------------------------------------------
    def events(self) -> dict[int, list[tuple[Any, ...]]]:
        s = self.s
        ev: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for r in s.runs:
            ev[r.start].append((_REUSE + 1 if r.role != "reuse" else _REUSE, r.id, self.launch_low, r))
            ev[r.end].append((_END, r.id, self.end_low, r))
        for t in s.tops:
            ev[t.launch].append((_LAUNCH_TOP, t.index, self.launch_top, t))
            ev[t.end].append((_OUT, t.index, self.end_top, t))
        for k, take in enumerate(s.takes):
            if take.step > 0:
                ev[take.time].append((_STEP, k, self.take, (k, take)))
        for k, st in enumerate(s.stalls):
            ev[st.start].append((_STALL, k, self.stall, (k, st)))
            if st.resumed:
                ev[st.end].append((_RESUME, k, self.resume, (k, st)))
            if st.reuse:
                self.reuse_events(ev, k, st)
        return ev

    def reuse_events(self, ev: dict[int, list[tuple[Any, ...]]], k: int, st: Stall) -> None:
        ev[st.moved_out].append((_REUSE, -1, self.reuse, (k, st)))
        ev[st.reclaimed].append((_RECLAIM, k, self.reclaim, (k, st)))
        plan = self.fp.moves
        length = move_step_rounds(self.s.move_rounds, self.fp.high.distance)
        for j, step in enumerate(plan.moves if plan else ()):
            ev[st.start + j * length].append((_MOVE, k, self.moves, (k, st, j + 1, step, False)))
        back = tuple(reversed(plan.moves)) if plan else ()
        for j, step in enumerate(back):
            ev[st.reclaimed + j * length].append((_MOVE, k, self.moves, (k, st, j + 1, step, True)))

    def run(self) -> Iterator[Instruction]:
        ev = self.events()
        last = 0
        for t in sorted(ev):
            last = t
            for _, _, handler, payload in sorted(ev[t], key=lambda e: (e[0], e[1])):
                yield from handler(t, payload)
        left = tuple(k for k, full in enumerate(self.slots) if full)
        tally = Tally(self.produced, self.consumed, self.discarded, left, self.delivered)
        yield Instruction(last, "TALLY", tally=tally)

    # -- slots ---------------------------------------------------------------------------------------
    def fill_slot(self, t: int) -> int:
        for k, full in enumerate(self.slots):
            if not full:
                self.slots[k] = True
                return k
        staging = [(a.end, b.launch) for a, b in zip(self.s.tops, self.s.tops[1:]) if a.end <= t < b.launch]
        if staging:
            raise InfeasibleError(
                f"round {t}: a state finds all {len(self.slots)} buffer slots full between two executions "
                f"(rounds {staging[0][0]}-{staging[0][1]}), where the scheduler stages up to a burst of states in "
                f"the next execution's data patches; the lattice layer does not lay out staging yet: emit "
                f"single-execution schedules (tops=1) and repeat them (magicpipe.lattice.program)"
            )
        raise InfeasibleError(
            f"round {t}: a state finds all {len(self.slots)} buffer slots full although the schedule records no "
            f"discard; the schedule breaks its buffer convention (Schedule.buffer_trace)"
        )

    def empty_slot(self, t: int) -> int:
        for k, full in enumerate(self.slots):
            if full:
                self.slots[k] = False
                return k
        raise InfeasibleError(f"round {t}: a step finds the buffer empty")

    # -- handlers ------------------------------------------------------------------------------------
    def launch_low(self, t: int, run: Run) -> Iterator[Instruction]:
        p = self.s.producers[run.producer]
        f = self.fp.low
        yield Instruction(t, "LAUNCH", low_id(run.id), protocol=f.protocol.name, level=p.level, distance=f.distance,
                          region=self.sites[run.id].rect, trace=Trace("run", run.id))

    def end_low(self, t: int, run: Run) -> Iterator[Instruction]:
        name, trace = low_id(run.id), Trace("run", run.id)
        made = self.s.producers[run.producer].outputs
        self.produced += made
        if not run.success or run.outputs == 0:
            self.discarded += made
            yield Instruction(t, "DISCARD", name, count=made, reason="failed", trace=trace)
            return
        for _ in range(run.outputs - run.discarded):
            if len(self.direct) < self.burst_at.get(t, 0):
                self.direct.append(name)
                top = next(x.index for x in self.s.tops if x.launch == t)
                yield Instruction(t, "OUTPUT", name, peer=high_id(top), trace=trace)
            else:
                yield Instruction(t, "OUTPUT", name, slot=self.fill_slot(t), trace=trace)
        lost = run.discarded + (made - run.outputs)
        if lost:
            self.discarded += lost
            yield Instruction(t, "DISCARD", name, count=lost, reason="full", trace=trace)

    def launch_top(self, t: int, top: TopRun) -> Iterator[Instruction]:
        f, name = self.s.high, high_id(top.index)
        yield Instruction(t, "LAUNCH", name, protocol=f.protocol.name, level=self.level, distance=f.distance,
                          region=self.fp.high_rect, tiles=self.fp.data_tiles(), trace=Trace("top", top.index))
        for k, take in enumerate(self.s.takes):
            if take.top == top.index and take.step == 0:
                for _ in range(take.count):
                    yield self.consume(t, name, 0, k)
        self.direct = []

    def consume(self, t: int, name: str, step: int, k: int) -> Instruction:
        self.consumed += 1
        trace = Trace("take", k)
        if step == 0 and self.direct:
            return Instruction(t, "CONSUME", name, step=0, peer=self.direct.pop(0), trace=trace)
        return Instruction(t, "CONSUME", name, step=step, slot=self.empty_slot(t), trace=trace)

    def take(self, t: int, payload: tuple[int, Take]) -> Iterator[Instruction]:
        k, take = payload
        name, proto = high_id(take.top), self.s.high.protocol
        for j in range(take.count):
            yield self.consume(t, name, take.step, k)
            if self.measure:
                paulis = measure.rotation_paulis(proto, measure.rotation_index(proto, take.step, j))
                via = measure.route(self.fp.block, Tile(0, 0), self.s.high.distance, paulis)
                yield Instruction(t, "MEASURE", name, step=take.step, paulis=paulis, tiles=via, trace=Trace("take", k))
                yield Instruction(
                    t, "MEASURE", name, step=take.step, paulis=measure.magic_readout(), trace=Trace("take", k)
                )

    def end_top(self, t: int, top: TopRun) -> Iterator[Instruction]:
        name, trace = high_id(top.index), Trace("top", top.index)
        proto = self.s.high.protocol
        outputs = proto.outputs
        if self.measure:
            for paulis in measure.check_paulis(proto):
                yield Instruction(t, "MEASURE", name, step=proto.steps + 1, paulis=paulis, trace=trace)
        if top.success:
            self.delivered += outputs
            for _ in range(outputs):
                yield Instruction(t, "OUTPUT", name, peer=PROGRAM, trace=trace)
        else:
            yield Instruction(t, "DISCARD", name, count=outputs, reason="failed", trace=trace)

    def stall(self, t: int, payload: tuple[int, Stall]) -> Iterator[Instruction]:
        k, st = payload
        yield Instruction(t, "STALL", high_id(st.top), step=st.step, threshold=st.threshold, remaining=st.remaining,
                          reuse=st.reuse, trace=Trace("stall", k))

    def resume(self, t: int, payload: tuple[int, Stall]) -> Iterator[Instruction]:
        k, st = payload
        yield Instruction(t, "RESUME", high_id(st.top), step=st.step, trace=Trace("stall", k))

    def moves(self, t: int, payload: tuple[int, Stall, int, tuple[Route, ...], bool]) -> Iterator[Instruction]:
        k, st, number, step, back = payload
        fp = self.fp
        for route in step:
            path = route.path[::-1] if back else route.path
            tiles = tuple(fp.block.tile(Tile(0, 0), c, fp.high.distance) for c in path)
            yield Instruction(t, "MOVE", high_id(st.top), patch=route.patch + 1, step=number, tiles=tiles,
                              trace=Trace("stall", k))

    def borrowers(self, st: Stall) -> tuple[str, ...]:
        return tuple(
            low_id(r.id)
            for r in self.s.runs
            if r.role == "reuse" and self.sites[r.id].kind == "lent" and st.moved_out <= r.start < st.reclaimed
        )

    def reuse(self, t: int, payload: tuple[int, Stall]) -> Iterator[Instruction]:
        k, st = payload
        yield Instruction(t, "REUSE", high_id(st.top), region=self.fp.lent_rect, lent_to=self.borrowers(st),
                          trace=Trace("stall", k))

    def reclaim(self, t: int, payload: tuple[int, Stall]) -> Iterator[Instruction]:
        k, st = payload
        yield Instruction(t, "RECLAIM", high_id(st.top), region=self.fp.lent_rect, trace=Trace("stall", k))
