"""Replaying a stream against the rules of :mod:`magicpipe.lattice.validate` (one method per action)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, cast, get_args

from magicpipe.compiler.factory import Factory
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.compiler.protocols import get_protocol
from magicpipe.errors import MagicpipeError
from magicpipe.lattice import measure
from magicpipe.lattice.geometry import Rect, Tile
from magicpipe.lattice.stream import PROGRAM, Header, Instruction, Tally, move_step_rounds

__all__ = ["Rule", "RULES", "Broken", "Replay"]

Rule = Literal["order", "on-floorplan", "tile-free", "qubit-budget", "slot-empty", "slot-full", "input-pattern",
               "move-path", "timing", "conservation"]
RULES: tuple[str, ...] = get_args(Rule)


class Broken(Exception):
    """A broken rule, raised inside the replay; :func:`~magicpipe.lattice.validate.audit` makes it a Violation."""

    def __init__(self, rule: Rule, message: str) -> None:
        self.rule, self.message = rule, message


@dataclass
class _Factory:
    name: str
    factory: Factory
    level: int
    region: Rect
    launch: int
    home: tuple[Tile, ...]
    data: list[Tile]
    end: int = -1            # round it yielded or discarded (-1: running)
    yielded: int = 0
    step: int = 0            # protocol step in progress
    taken: int = 0           # states taken for that step
    step_time: int = -1      # round that step started
    stall: Instruction | None = None
    lent: Rect | None = None
    lent_to: tuple[str, ...] = ()
    resumed: int = -1        # round of the last RESUME
    reclaimed: int = -1      # round of the last RECLAIM
    meas: int = 0            # MEASUREs of the step in progress (expanded streams)
    checks: int = 0          # check MEASUREs before the output
    take: int = -1           # trace of the latest CONSUME
    last_stall: Instruction | None = None

    @property
    def consumer(self) -> bool:
        """A factory above level 1 takes its inputs from the buffer and ends one step after its last."""
        return self.level > 1

    @property
    def qubits(self) -> int:
        f = self.factory
        tiles = f.protocol.data_tiles if self.lent is not None else f.protocol.tiles
        return tiles * patch_qubits(f.distance)

    def occupies(self, rect: Rect, borrower: str) -> bool:
        """Does ``rect`` clash with this factory's tiles (its block, less a region lent to ``borrower``)?"""
        if not self.region.overlaps(rect):
            return False
        if self.lent is not None and borrower in self.lent_to and self.lent.contains(rect):
            return any(Rect.square(t, self.factory.distance).overlaps(rect) for t in self.data)
        return True


@dataclass
class Replay:
    header: Header
    factories: dict[str, _Factory] = field(default_factory=dict)   # running, or ended this round
    ended: dict[str, int] = field(default_factory=dict)             # name -> launch round, ended before
    slots: list[bool] = field(default_factory=list)
    direct: list[tuple[str, str, int]] = field(default_factory=list)   # (producer, consumer, round)
    routes: dict[int, list[tuple[str, Rect]]] = field(default_factory=dict)
    time: int = 0
    produced: int = 0
    consumed: int = 0
    discarded: int = 0
    delivered: int = 0
    tallied: bool = False
    peak: int = 0
    moves: int = 0
    deferred: Broken | None = None
    measured: bool = False                                            # the stream expands its measurements
    traces: dict[tuple[str, int, str], str] = field(default_factory=dict)  # (kind, index, suffix) -> factory it names
    last_take: dict[str, int] = field(default_factory=dict)
    take_of: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    stall_ids: set[tuple[int, str]] = field(default_factory=set)

    def defer(self, broken: Broken) -> None:
        """Note a broken rule but finish the action, so that one error does not cascade into many."""
        if self.deferred is None:
            self.deferred = broken

    def __post_init__(self) -> None:
        self.slots = [False] * self.header.buffer_slots

    # -- helpers --------------------------------------------------------------------------------------
    def running(self, name: str) -> _Factory:
        f = self.factories.get(name)
        if f is None:
            if name in self.ended:
                raise Broken("order", f"{name} has ended")
            raise Broken("order", f"{name} was never launched")
        if f.end >= 0 and f.end != self.time:
            raise Broken("order", f"{name} ended at round {f.end}")
        return f

    def qubits(self) -> int:
        return self.header.buffer_slots * self.header.slot_qubits + sum(
            f.qubits for f in self.factories.values() if f.end < 0)

    def slot(self, k: int) -> int:
        if not 0 <= k < len(self.slots):
            raise Broken("on-floorplan", f"slot {k} does not exist: the header declares slots 0-{len(self.slots) - 1}")
        return k

    def on_plan(self, rect: Rect, what: str) -> None:
        h = self.header
        inside = [r for r in h.regions if r.rect.contains(rect)] if h.regions else [h.bounds]
        if not h.bounds.contains(rect) or not inside:
            raise Broken("on-floorplan", f"{what} {rect} is off the floor plan ({h.width} x {h.height}, regions "
                          f"{', '.join(f'{r.name} {r.rect}' for r in h.regions)})")

    def clash(self, rect: Rect, who: str) -> None:
        for k, s in enumerate(self.header.slots):
            if s.overlaps(rect):
                raise Broken("tile-free", f"{who} at {rect} overlaps buffer slot {k} at {s}")
        for f in self.factories.values():
            if f.name != who and f.end < 0 and f.occupies(rect, who):
                lent = f" (it lent {f.lent} to {', '.join(f.lent_to) or 'nobody'} only)" if f.lent is not None else ""
                raise Broken("tile-free", f"{who} at {rect} overlaps {f.name} at {f.region}, running since round "
                              f"{f.launch}{lent}")

    # -- the actions ----------------------------------------------------------------------------------
    def LAUNCH(self, i: Instruction) -> None:
        if i.target in self.factories or i.target in self.ended:
            first = self.factories[i.target].launch if i.target in self.factories else self.ended[i.target]
            raise Broken("order", f"{i.target} is launched twice (first at round {first})")
        try:
            factory = Factory(get_protocol(i.protocol), i.distance)
        except MagicpipeError as e:
            raise Broken("order", str(e)) from None
        levels = self.header.distances
        if not 1 <= i.level <= len(levels):
            self.defer(Broken("order", f"{i.target} is launched at level {i.level}; the PIPELINE has levels 1-"
                                       f"{len(levels)} (distances {','.join(map(str, levels))})"))
        elif i.distance != levels[i.level - 1]:
            self.defer(Broken("order", f"{i.target} runs level {i.level} at d={i.distance}; the PIPELINE gives "
                                       f"level {i.level} d={levels[i.level - 1]}"))
        if i.protocol != self.header.protocol:
            self.defer(Broken("order", f"{i.target} runs {i.protocol}; the PIPELINE runs {self.header.protocol}"))
        if i.tiles:
            if len(i.tiles) != factory.protocol.data_tiles:
                self.defer(Broken("tile-free", f"{i.target} lists {len(i.tiles)} data tiles; {i.protocol} has "
                                               f"{factory.protocol.data_tiles} data patches"))
            rects = [Rect.square(t, i.distance) for t in i.tiles]
            for a in range(len(rects)):
                for b in range(a):
                    if rects[a].overlaps(rects[b]):
                        self.defer(Broken("tile-free", f"data patches {b + 1} and {a + 1} of {i.target} overlap at "
                                                       f"{i.tiles[b]} and {i.tiles[a]}"))
        elif i.level > 1:
            self.defer(Broken("input-pattern", f"{i.target} consumes states but lists no data tiles (data=[...])"))
        self.trace_name(i)
        region = cast(Rect, i.region)  # a LAUNCH carries its region
        try:
            self.on_plan(region, i.target)
            w, h = factory.protocol.tiles * i.distance * i.distance, region.area
            if h < w:
                raise Broken("tile-free", f"{i.target} needs {factory.protocol.tiles} tiles of {i.distance} x "
                              f"{i.distance} ({w} units) but its region {i.region} has {h}")
            for t in i.tiles:
                if not region.contains(Rect.square(t, i.distance)):
                    raise Broken("on-floorplan", f"data tile {t} of {i.target} lies outside its region {i.region}")
            self.clash(region, i.target)
        except Broken as e:
            self.defer(e)
        self.factories[i.target] = _Factory(i.target, factory, i.level, region, i.time, i.tiles, list(i.tiles))
        self.budget(i, f"launching {i.target}")

    def budget(self, i: Instruction, after: str) -> None:
        used = self.qubits()
        self.peak = max(self.peak, used)
        if used > self.header.qubit_budget:
            raise Broken("qubit-budget", f"{used} qubits in use at round {i.time} after {after}, above the budget "
                          f"of {self.header.qubit_budget}")

    def trace_name(self, i: Instruction) -> None:
        """``run=k`` names ``L<k>``, ``top=k`` names ``H<k>`` and each index one factory."""
        t = i.trace
        if t is None:
            return
        if t.kind in ("run", "top"):
            want = f"{'L' if t.kind == 'run' else 'H'}{t.index}"
            base = i.target.rsplit("_", 1)[0] if "_" in i.target else i.target
            if base != want:
                self.defer(Broken("order", f"{i.target} carries trace {t}, which names {want}"))
        elif t.kind in ("take", "stall"):
            key = (t.kind, t.index, i.target.rsplit("_", 1)[1] if "_" in i.target else "")
            owner = self.traces.setdefault(key, i.target)
            if owner != i.target:
                self.defer(Broken("order", f"trace {t} belongs to {owner}, not {i.target}"))

    _TRACE_KINDS = {"LAUNCH": ("run", "top"), "OUTPUT": ("run", "top"), "DISCARD": ("run", "top"),
                    "CONSUME": ("take",), "STALL": ("stall",), "RESUME": ("stall",), "MOVE": ("stall",),
                    "REUSE": ("stall",), "RECLAIM": ("stall",), "MEASURE": ("take", "top")}

    def cross_check(self, i: Instruction) -> None:
        """The trace names the schedule event the instruction belongs to: the right kind for its action, the
        factory it names, the take of the factory's latest CONSUME, the stall of its current STALL."""
        t = i.trace
        kinds = self._TRACE_KINDS.get(i.action)
        if kinds is None or (i.action == "DISCARD" and i.reason == "flush"):
            return
        if t is None or t.kind not in kinds:
            self.defer(Broken("order", f"{i.action} carries trace {t}; it comes from a {' or '.join(kinds)} event"))
            return
        if t.kind in ("run", "top"):
            self.trace_name(i)
            return
        f = self.factories.get(i.target)
        if f is None or i.action in ("CONSUME", "STALL"):
            return
        if t.kind == "take" and i.action == "MEASURE" and (t.index, f.step) != (f.take, i.step):
            self.defer(Broken("order", f"{f.name}'s MEASURE carries take={t.index}; its latest CONSUME was "
                                       f"take={f.take} for step {f.step}"))
        if t.kind == "stall":
            current = f.stall if f.stall is not None else f.last_stall
            if current is None or current.trace is None or current.trace.index != t.index:
                self.defer(Broken("order", f"{i.action} of {f.name} carries stall={t.index}; its stall is "
                                           f"{current.trace if current is not None else 'none'}"))

    def CONSUME(self, i: Instruction) -> None:
        f = self.running(i.target)
        if i.trace is not None and i.trace.kind == "take":
            last = self.last_take.get(i.target, -1)
            if i.trace.index < last or (i.trace.index > last + 1 and last >= 0):
                self.defer(Broken("order", f"take={i.trace.index} after take={last}: a factory's takes are numbered "
                                           f"in order, one after another"))
            self.last_take[i.target] = i.trace.index
            seen = self.take_of.setdefault((i.target, i.trace.index), (i.step, i.time))
            if seen != (i.step, i.time):
                self.defer(Broken("order", f"take={i.trace.index} of {i.target} is step {seen[0]} at round "
                                           f"{seen[1]}, not step {i.step} at round {i.time}"))
            f.take = i.trace.index
        elif i.trace is not None:
            self.defer(Broken("order", f"a CONSUME carries trace {i.trace}; it comes from a take"))
        self.trace_name(i)
        proto = f.factory.protocol
        if f.stall is not None:
            raise Broken("timing", f"{f.name} consumes for step {i.step} while stalled since round {f.stall.time}")
        away = [k + 1 for k, (a, b) in enumerate(zip(f.data, f.home)) if a != b]
        if away:
            raise Broken("input-pattern", f"{f.name} consumes with data patches {away} away from home")
        self.advance(f, i)
        per = proto.burst if i.step == 0 else proto.inputs_per_step
        if f.taken >= per:
            raise Broken("input-pattern", f"{f.name} step {i.step} takes more than its {per} input(s)")
        f.taken += 1
        self.consumed += 1
        if i.slot >= 0:
            if not self.slots[self.slot(i.slot)]:
                raise Broken("slot-empty", f"slot {i.slot} is empty at round {i.time}")
            self.slots[i.slot] = False
        elif (i.peer, f.name, i.time) in self.direct:
            self.direct.remove((i.peer, f.name, i.time))
        else:
            raise Broken("input-pattern", f"{i.peer} handed no state to {f.name} at round {i.time}")

    def advance(self, f: _Factory, i: Instruction) -> None:
        """Check that ``i`` continues step ``f.step`` or starts the next one on time."""
        proto, rounds = f.factory.protocol, f.factory.step_rounds
        if f.step_time == i.time and i.step == f.step:
            return
        if f.step_time < 0:
            expected = 0 if proto.burst else 1
        else:
            need = proto.burst if f.step == 0 else proto.inputs_per_step
            self.measured_step(f)
            if f.taken < need:
                self.defer(Broken("input-pattern", f"{f.name} starts step {i.step} after {f.taken} input(s) of "
                                   f"step {f.step}, which needs {need}"))
            expected = f.step + 1
        if i.step != expected:
            self.defer(Broken("input-pattern", f"{f.name} consumes for step {i.step} where step {expected} is "
                               f"next; steps run 0 (the burst of {proto.burst}) to {proto.steps} in order"))
        due = f.launch if i.step <= 1 else f.step_time + rounds
        if i.time != due and f.resumed != i.time:
            self.defer(Broken("timing", f"{f.name} step {i.step} starts at round {i.time}; due at round {due} "
                               f"({rounds} rounds after step {i.step - 1}) unless a STALL delays it"))
        f.step, f.taken, f.step_time, f.meas = i.step, 0, i.time, 0

    def measured_step(self, f: _Factory) -> None:
        """In an expanded stream, every input of a step >= 1 has its product and its X readout."""
        if self.measured and f.consumer and f.step >= 1 and f.meas != 2 * f.taken:
            self.defer(Broken("input-pattern", f"{f.name} step {f.step} has {f.meas} MEASUREs for {f.taken} "
                                               f"input(s); each input is measured as its product, then Xm"))

    def OUTPUT(self, i: Instruction) -> None:
        f = self.running(i.target)
        self.finish(f, i, 1)
        if i.peer == PROGRAM:
            top = len(self.header.distances)
            if f.level != top:
                self.defer(Broken("order", f"{f.name} delivers to the program at level {f.level}; the top level of "
                                           f"the PIPELINE is {top}"))
            self.delivered += 1
            return
        self.produced += 1
        if i.slot >= 0:
            if self.slots[self.slot(i.slot)]:
                raise Broken("slot-full", f"slot {i.slot} already holds a state at round {i.time}")
            self.slots[i.slot] = True
        else:
            self.direct.append((f.name, i.peer, i.time))

    def finish(self, f: _Factory, i: Instruction, count: int) -> None:
        proto = f.factory.protocol
        if f.consumer:
            due = f.step_time + f.factory.step_rounds
            if f.step != proto.steps or f.taken < proto.inputs_per_step:
                raise Broken("input-pattern", f"{f.name} yields after step {f.step} of {proto.steps}")
            if f.yielded == 0:
                self.measured_step(f)
                if self.measured and f.checks != len(proto.checks):
                    self.defer(Broken("input-pattern", f"{f.name} yields after {f.checks} of its "
                                                       f"{len(proto.checks)} check MEASUREs"))
        else:
            due = f.launch + f.factory.rounds
        if i.time != due:
            self.defer(Broken("timing", f"{f.name} yields at round {i.time}; a {proto.name} run at "
                               f"d={f.factory.distance} launched at round {f.launch} ends at round {due}"))
        f.yielded += count
        if f.yielded > proto.outputs:
            raise Broken("conservation", f"{f.name} yields {f.yielded} states; {proto.name} yields {proto.outputs}")
        f.end = i.time

    def DISCARD(self, i: Instruction) -> None:
        if i.reason == "flush":
            if not self.slots[self.slot(i.slot)]:
                raise Broken("slot-empty", f"flushing slot {i.slot}, which is empty at round {i.time}")
            self.slots[i.slot] = False
            self.discarded += i.count
            return
        f = self.running(i.target)
        self.finish(f, i, i.count)
        if f.consumer:
            return
        if i.reason == "full" and not all(self.slots):
            raise Broken("slot-full", f"{i.count} state(s) discarded as buffer-full while slot "
                          f"{self.slots.index(False)} is free")
        self.produced += i.count
        self.discarded += i.count

    def STALL(self, i: Instruction) -> None:
        f = self.running(i.target)
        self.trace_name(i)
        if i.threshold < 1 or i.remaining != f.factory.protocol.steps - i.step + 1:
            self.defer(Broken("timing", f"{f.name} stalls step {i.step} with threshold={i.threshold} and "
                                        f"remaining={i.remaining}; it has {f.factory.protocol.steps - i.step + 1} "
                                        f"rotation step(s) left and needs at least one state"))
        if i.trace is not None and i.trace.kind == "stall":
            key = (i.trace.index, i.target.rsplit("_", 1)[1] if "_" in i.target else "")
            if key in self.stall_ids:
                self.defer(Broken("order", f"stall={i.trace.index} is used by an earlier STALL"))
            self.stall_ids.add(key)
        if f.stall is not None:
            if not f.stall.reuse or f.reclaimed < f.stall.time:
                raise Broken("order", f"{f.name} stalls step {i.step} again while its stall of round "
                                      f"{f.stall.time} has not finished a reuse cycle")
            if f.stall.step != i.step or f.lent is not None or f.data != list(f.home):
                raise Broken("order", f"{f.name} stalls step {i.step} while stalled on step {f.stall.step} since "
                              f"round {f.stall.time}; only a finished reuse cycle of the same step may stall again")
        else:
            due = f.step_time + f.factory.step_rounds
            if i.step != f.step + 1 or i.time != due:
                raise Broken("timing", f"{f.name} stalls step {i.step} at round {i.time}; only step {f.step + 1}, "
                              f"due at round {due}, can stall")
        f.stall = f.last_stall = i

    def RESUME(self, i: Instruction) -> None:
        f = self.running(i.target)
        if f.stall is None or f.stall.step != i.step:
            raise Broken("order", f"{f.name} resumes step {i.step}, which did not stall")
        stall = f.stall
        f.stall, f.resumed = None, i.time  # resume even when broken, so one error does not cascade
        if not stall.reuse and sum(self.slots) < stall.threshold:
            raise Broken("timing", f"{f.name} resumes step {i.step} with {sum(self.slots)} state(s) in the buffer; "
                                   f"its STALL waits for threshold={stall.threshold}")
        if stall.reuse and f.reclaimed >= stall.time and i.time != f.reclaimed + self.header.move_rounds:
            raise Broken("timing", f"{f.name} resumes at round {i.time}; it reclaimed its region at round "
                                   f"{f.reclaimed} and moving back takes move_rounds={self.header.move_rounds}")
        if f.lent is not None:
            raise Broken("timing", f"{f.name} resumes at round {i.time} before reclaiming {f.lent}")
        away = [k + 1 for k, (a, b) in enumerate(zip(f.data, f.home)) if a != b]
        if away:
            f.data = list(f.home)
            raise Broken("move-path", f"{f.name} resumes with data patches {away} not moved back home")

    def MOVE(self, i: Instruction) -> None:
        f = self.running(i.target)
        d = f.factory.distance
        if f.stall is None or not f.stall.reuse:
            raise Broken("move-path", f"{i.patch_name} moves while {f.name} is not in a reuse stall")
        if not 1 <= i.patch <= len(f.data):
            raise Broken("move-path", f"{f.name} has data patches 1-{len(f.data)}, not {i.patch}")
        if i.tiles[0] != f.data[i.patch - 1]:
            raise Broken("move-path", f"{i.patch_name} is at {f.data[i.patch - 1]}, not at {i.tiles[0]}")
        start = f.reclaimed if f.reclaimed >= f.stall.time else f.stall.time
        length = move_step_rounds(self.header.move_rounds, d)
        if i.step < 1 or i.time != start + (i.step - 1) * length or i.step * length > self.header.move_rounds:
            self.defer(Broken("timing", f"{i.patch_name}'s move step {i.step} at round {i.time}: move step m happens "
                                        f"at round {start} + (m - 1) x {length} and ends within "
                                        f"move_rounds={self.header.move_rounds}"))
        this_round = self.routes.setdefault(i.time, [])
        try:
            self.route(f, i, this_round)
        except Broken as e:
            self.defer(e)
        this_round.extend((i.patch_name, Rect.square(t, d)) for t in i.tiles)
        self.moves += 1
        f.data[i.patch - 1] = i.tiles[-1]

    def route(self, f: _Factory, i: Instruction, this_round: list[tuple[str, Rect]]) -> None:
        d = f.factory.distance
        if any(name == i.patch_name for name, _ in this_round):
            raise Broken("move-path", f"{i.patch_name} moves twice in round {i.time}; a move step takes a round")
        for a, b in zip(i.tiles, i.tiles[1:]):
            if abs(a.x - b.x) + abs(a.y - b.y) != d or (a.x != b.x and a.y != b.y):
                raise Broken("move-path", f"{a} to {b} is not a step to a neighbouring d={d} tile")
        others = [(f"{f.name}.q{k + 1}", Rect.square(t, d)) for k, t in enumerate(f.data) if k != i.patch - 1]
        for t in i.tiles:
            r = Rect.square(t, d)
            if not f.region.contains(r):
                raise Broken("move-path", f"route tile {t} leaves {f.name}'s block {f.region}")
            for name, o in others:
                if o.overlaps(r):
                    raise Broken("move-path", f"route tile {t} of {i.patch_name} is held by {name}")
            for name, o in this_round:
                if o.overlaps(r):
                    raise Broken("move-path", f"route tile {t} of {i.patch_name} is on the route of {name} in "
                                  f"the same round {i.time}; routes of one move step share no tile")
            if f.lent is not None and f.lent.overlaps(r):
                raise Broken("move-path", f"route tile {t} crosses the region {f.lent} lent out")

    def REUSE(self, i: Instruction) -> None:
        region = cast(Rect, i.region)  # a REUSE names the region it lends
        f = self.running(i.target)
        if f.stall is None or not f.stall.reuse:
            raise Broken("order", f"{f.name} lends {i.region} outside a reuse stall")
        if f.lent is not None:
            raise Broken("order", f"{f.name} lends {i.region} while {f.lent} is still lent")
        if i.time != f.stall.time + self.header.move_rounds:
            self.defer(Broken("timing", f"{f.name} lends its region at round {i.time}; it stalled at round "
                                        f"{f.stall.time} and moving aside takes move_rounds={self.header.move_rounds}"))
        if not f.region.contains(region):
            raise Broken("on-floorplan", f"{f.name} lends {i.region}, outside its block {f.region}")
        for k, t in enumerate(f.data):
            if Rect.square(t, f.factory.distance).overlaps(region):
                raise Broken("tile-free", f"{f.name} lends {i.region} while data patch {k + 1} is on it at {t}")
        f.lent, f.lent_to = i.region, i.lent_to

    def RECLAIM(self, i: Instruction) -> None:
        f = self.running(i.target)
        if f.lent is None:
            raise Broken("order", f"{f.name} reclaims a region it did not lend")
        if i.region != f.lent:
            self.defer(Broken("order", f"{f.name} reclaims {i.region}; it lent {f.lent}"))
        busy = [g.name for g in self.factories.values() if g.end < 0 and g is not f and g.region.overlaps(f.lent)]
        if busy:
            raise Broken("tile-free", f"{f.name} reclaims {f.lent} while {', '.join(busy)} still run on it")
        f.lent, f.lent_to = None, ()
        f.reclaimed = i.time
        self.budget(i, f"{f.name} reclaims its ancilla region")

    def MEASURE(self, i: Instruction) -> None:
        f = self.running(i.target)
        proto = f.factory.protocol
        self.measured = True
        if i.step == proto.steps + 1:
            due = f.step_time + f.factory.step_rounds if f.consumer else f.launch + f.factory.rounds
            if f.checks >= len(proto.checks):
                raise Broken("input-pattern", f"{f.name} measures check {f.checks + 1}; {proto.name} has "
                                              f"{len(proto.checks)} checks")
            allowed = (measure.check_paulis(proto)[f.checks],)
            what = f"check {f.checks + 1}"
            if i.time != due:
                self.defer(Broken("timing", f"{f.name} measures its checks at round {i.time}; they are measured in "
                                            f"its output round {due}"))
            f.checks += 1
        elif i.step == f.step and f.step_time == i.time and i.step >= 1 and f.taken >= 1:
            if f.meas >= 2 * f.taken:
                raise Broken("input-pattern", f"{f.name} measures {' '.join(i.paulis)} for step {i.step} after both "
                                              f"measurements of its {f.taken} input(s): a MEASURE too many")
            index = measure.rotation_index(proto, i.step, f.meas // 2)
            if f.meas % 2 == 0:
                allowed = (measure.rotation_paulis(proto, index),)
                what = f"the injection of rotation {index + 1} ({proto.rotations[index]})"
            else:
                allowed = (measure.magic_readout(),)
                what = f"the readout after rotation {index + 1}"
            f.meas += 1
        else:
            raise Broken("input-pattern", f"{f.name} measures {' '.join(i.paulis)} for step {i.step} outside that "
                          f"step's round (step {f.step} started at round {f.step_time})")
        if tuple(i.paulis) not in allowed:
            raise Broken("input-pattern", f"{f.name} measures {' '.join(i.paulis)} for step {i.step}; {what} "
                          f"measures {' or '.join(' '.join(p) for p in allowed)}")
        for t in i.tiles:
            r = Rect.square(t, f.factory.distance)
            if not f.region.contains(r) or (f.lent is not None and f.lent.overlaps(r)):
                raise Broken("tile-free", f"routing tile {t} of the measurement is not {f.name}'s to use")
        if any(p.endswith(measure.MAGIC) for p in i.paulis) and len(i.paulis) > 1:
            self.route_of(f, i)

    def route_of(self, f: _Factory, i: Instruction) -> None:
        """A merge's routing tiles: one row of the block, contiguous, from the leftmost data patch involved to the
        column before the input port (the block's last column)."""
        d = f.factory.distance
        cols = [f.data[int(p[1:]) - 1].x for p in i.paulis if p[1:].isdigit() and 0 < int(p[1:]) <= len(f.data)]
        port_x = f.region.x + f.region.w - d
        want = list(range(min(cols), port_x, d)) if cols else []
        xs = [t.x for t in i.tiles]
        rows = {t.y for t in i.tiles}
        if xs != want or len(rows) > 1 or (rows and rows.pop() not in (f.region.y, f.region.y + f.region.h - d)):
            raise Broken("move-path", f"{f.name}'s merge {' '.join(i.paulis)} is routed through "
                                      f"{', '.join(map(str, i.tiles)) or 'no tile'}; it needs the tiles of a routing "
                                      f"row at x = {', '.join(map(str, want)) or 'none'} from its leftmost data patch "
                                      f"to the port")

    def TALLY(self, i: Instruction) -> None:
        t = cast(Tally, i.tally)  # a TALLY carries its tally
        left = tuple(k for k, full in enumerate(self.slots) if full)
        mine = (self.produced, self.consumed, self.discarded, left, self.delivered)
        claimed = (t.produced, t.consumed, t.discarded, t.left, t.delivered)
        self.tallied = True
        if mine != claimed or not t.balanced:
            raise Broken("conservation", f"the stream produced {self.produced} states, consumed {self.consumed}, "
                          f"discarded {self.discarded}, left {list(left)} in slots and delivered {self.delivered}; "
                          f"the TALLY claims {t}")

    def REPEAT(self, i: Instruction) -> None:
        if any(f.end < 0 for f in self.factories.values()) or any(self.slots):
            raise Broken("order", "a REPEAT starts while factories run or slots hold states; it needs an empty floor")
        late = [
            x for x in i.body if x.time > i.period or (x.time == i.period and x.action not in ("OUTPUT", "DISCARD"))
        ]
        if late:
            raise Broken("timing", f"the repeated body has {late[0].action} at round {late[0].time}; only outputs "
                          f"and discards may share round {i.period} (the period) with the next copy's launches")
        inner = Replay(self.header)
        for inst in i.body:
            inner.apply(inst)
        inner.close(i.period)
        self.time = i.time + i.count * i.period
        for name in ("produced", "consumed", "discarded", "delivered"):
            setattr(self, name, getattr(self, name) + i.count * getattr(inner, name))

    # -- driver ---------------------------------------------------------------------------------------
    def apply(self, i: Instruction) -> None:
        if i.time < self.time:
            raise Broken("order", f"round {i.time} comes after round {self.time}; instructions are in time order")
        if i.time > self.time:
            self.flush_round()
        self.time = i.time
        if self.tallied:
            raise Broken("order", "an instruction after the TALLY; the TALLY is the last instruction")
        self.cross_check(i)
        getattr(self, i.action)(i)
        if self.deferred is not None:
            broken, self.deferred = self.deferred, None
            raise broken

    def flush_round(self) -> None:
        if self.direct:
            (p, c, t), self.direct = self.direct[0], []
            raise Broken("input-pattern", f"{p} handed a state to {c} at round {t} that {c} never took")
        self.routes.pop(self.time, None)
        for name in [n for n, f in self.factories.items() if f.end >= 0]:
            self.ended[name] = self.factories.pop(name).launch

    def close(self, period: int | None = None) -> None:
        self.flush_round()
        open_ = [f.name for f in self.factories.values() if f.end < 0]
        if open_:
            raise Broken("timing", f"{', '.join(open_[:5])} never yield{'s' if len(open_) == 1 else ''}")
        if period is not None:
            if any(self.slots):
                raise Broken("conservation", f"slots {[k for k, s in enumerate(self.slots) if s]} still hold states "
                              f"when the body repeats; flush them with DISCARD reason=flush")
        elif not self.tallied:
            raise Broken("conservation", "the stream has no TALLY stating produced = consumed + discarded + left")
