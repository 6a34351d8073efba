"""The validator of version-2 (whole-program) streams: static checks of the header, then a streaming replay.

Rules (:data:`RULES2`):

* ``header`` -- distances odd, data patches numbered 0..n-1 as ``PROGRAM data=n`` says, ports and copies
  numbered, each port holding at least one run's outputs, a known policy, a timeline whose states add up to
  ``t_count``.
* ``on-floorplan`` / ``tile-free`` -- data patches, buses, ports and copies on the floor plan, none overlapping.
* ``qubit-budget`` -- data patches + bus sites + every port patch (capacity included) + every copy's unit
  qubits <= ``BUDGET qubits``; a unit's qubits are its version-1 budget (buffer slots of at least a patch).
* ``unit`` -- the unit's version-1 stream passes every version-1 rule (prefixed with the unit's line), and
  its declared size, rounds, outputs, output tile and checks match what that stream does; a block body (the
  catalogue's factories, cultivation) passes :func:`magicpipe.lattice.units2.block_checks`.
* ``route`` -- a copy's route starts at its output patch, steps between tiles that share an edge, stays in
  its block until it reaches its port's top tile; routes in flight never share a tile with each other.
* ``control`` -- every ``DECIDE`` has both branches (``IF a=0 OUTPUT`` of the unit's outputs, ``IF a=1
  DISCARD`` of the same count) in its round: the policy is total; a trace resolves every outcome and takes
  the branch it names; an ``OUTPUT`` carries its unit's outputs (``count=N`` for N > 1; they arrive one a
  round, a train); ``attempts=`` only on a cultivation unit's decisions; every correction reads the register
  of its own consumption, after it is known.
* ``port-occupancy`` -- a state arrives only where the port has room; a merge takes a state that is there.
* ``measurement`` -- a consumption is ``MEASURE z<p> Z:q..@side Z:p<p>@side rounds=D via=BUS-RECT`` (sides
  Z-type and facing the via, the via inside a bus touching both), then ``MEASURE x<p> X:p<p> rounds=1`` as
  the merge ends, then ``ROTATE`` (pi/4, when z = 1) and ``FRAME`` (when x = 1) on the same data terms;
  merges in flight share no bus tile and no data patch.
* ``consumption-order`` -- layers in the timeline's order with its states per layer, never before their
  planned round nor sooner than ``rounds`` after the previous layer; every state of a layer is merged after
  its ``LAYER`` and before the next.
* ``timing`` -- times never go back; a run decides exactly ``rounds`` after it starts (a cultivation run
  :func:`~magicpipe.lattice.units2.attempt_span` of its attempts); a copy starts a run
  only after its previous run decided and its route is clear; an ``OUTPUT``'s route is one move of
  :func:`~magicpipe.lattice.stream2.step_rounds` (``d``) rounds; the X readout starts as its merge
  ends.
* ``conservation`` -- per copy and overall: accepted states = consumed + left; the
  ``TALLY`` states the replay's counts, ``delivered`` (T states) equals ``t_count`` and ``delivered_ccz``
  (CCZ states) ``ccz_count``.

CCZ states (:mod:`magicpipe.lattice.ccz`) wait in ports of ``lanes=3``, which only copies of a ``kind=CCZ``
unit feed (``header``); a layer takes its ``ccz`` states from such ports (``consumption-order``); each lane is
merged once with its own data patch and read out as its merge ends (``measurement``), and the consumption is
done when every correction of :func:`~magicpipe.lattice.ccz.ccz_corrections` has come, each conditioned on its
register or product of registers (``control``; in a trace exactly those whose condition holds).

A ``REPEAT`` body is replayed once, from the state the stream is in; its end state must equal its start state
shifted by the period (then every further copy replays identically, so the counts are multiplied and the
state shifted without replaying them). Memory is the state of the floor plan, not the program's length.
"""

from __future__ import annotations

from typing import Any

import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from magicpipe.lattice.geometry import Rect, Tile
from magicpipe.lattice.stream2 import (
    POLICY,
    SIDES,
    Copy,
    Op,
    Port,
    ProgramHeader,
    ProgramStream,
    Term,
    Unit,
    step_rounds,
)
from magicpipe.lattice.check2_ccz import CczUse
from magicpipe.lattice.units2 import attempt_span, tau_of, unit_lanes
from magicpipe.lattice.whole import program_qubits

__all__ = ["RULES2", "Audit2", "Violation2", "audit2", "check2"]

RULES2 = ("header", "on-floorplan", "tile-free", "qubit-budget", "unit", "route", "control", "port-occupancy",
          "measurement", "consumption-order", "timing", "conservation")


@dataclass(frozen=True, slots=True)
class Violation2:
    line: int
    instruction: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.rule}: {self.message}\n    {self.instruction}"


@dataclass(frozen=True, slots=True)
class Audit2:
    violations: tuple[Violation2, ...]
    operations: int
    last_round: int
    delivered: int
    runs: int
    rejected: int
    peak_in_ports: int
    qubits: int
    delivered_ccz: int = 0


class Broken2(Exception):
    def __init__(self, rule: str, message: str) -> None:
        self.rule, self.message = rule, message


def _touch(a: Rect, b: Rect) -> str:
    """The side of ``a`` along which ``b`` touches it with an edge of positive length, else ''."""
    xo = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    yo = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    if xo > 0 and b.y == a.y + a.h:
        return "top"
    if xo > 0 and b.y + b.h == a.y:
        return "bottom"
    if yo > 0 and b.x == a.x + a.w:
        return "right"
    if yo > 0 and b.x + b.w == a.x:
        return "left"
    return ""


def route_rects(c: Copy, u: Unit, p: Port) -> tuple[Rect, ...]:
    """The rectangles of copy ``c``'s route: each tile a patch of the unit's last distance, the port's top tile
    one of the port's; a CCZ state's route is its ``lanes`` patches wide."""
    d, n = u.distances[-1], p.lanes
    return tuple(Rect(t.x, t.y, n * d, d) for t in c.route[:-1]) + (Rect(c.route[-1].x, c.route[-1].y, n * p.d, p.d),)


# -- static checks of the header -------------------------------------------------------------------------
def _header_checks(h: ProgramHeader) -> Iterator[tuple[str, str, str]]:
    """(rule, message, header line text) for every broken header rule."""
    D = h.data_distance
    if D < 3 or D % 2 == 0:
        yield "header", f"the program's distance d={D} must be odd and >= 3", "PROGRAM"
    n = len(h.data) if h.data_count < 0 else h.data_count
    got = sorted(p.index for p in h.data)
    if got != list(range(n)):
        missing = sorted(set(range(n)) - set(got))
        dup = sorted({i for i in got if got.count(i) > 1})
        yield "header", (f"PROGRAM data={n} but the DATA lines number {got[:8]}{'...' if len(got) > 8 else ''}"
                         f" (missing {missing[:5]}, repeated {dup[:5]})"), "PROGRAM"
    for p in h.data:
        if p.d != D:
            yield "header", f"data patch {p.index} has d={p.d}; the program runs at d={D}", str(p)
        if sorted(p.z) not in (["bottom", "top"], ["left", "right"]):
            yield "header", f"data patch {p.index}: Z boundaries {p.z} must be two opposite sides", str(p)
    if tuple(h.policy) != POLICY:
        yield "control", (f"POLICY {' '.join(f'{k}={v}' for k, v in h.policy)} is not one this version defines "
                          f"({' '.join(f'{k}={v}' for k, v in POLICY)})"), "POLICY"
    total = sum(s.layers * s.states for s in h.timeline)
    if total != h.t_count:
        yield "header", f"the TIMELINE runs hold {total} states but PROGRAM t_count={h.t_count}", "TIMELINE"
    total = sum(s.layers * s.ccz for s in h.timeline)
    if total != h.ccz_count:
        yield "header", f"the TIMELINE runs hold {total} CCZ states but PROGRAM ccz_count={h.ccz_count}", "TIMELINE"
    for s in h.timeline:
        if s.rounds < 1 or s.layers < 1 or s.states + s.ccz < 1:
            yield "header", f"{s}: runs need layers, states and rounds >= 1", str(s)
    for a, b in zip(h.timeline, h.timeline[1:]):
        if b.start < a.start + a.layers * a.rounds:
            yield "header", f"{b} starts before the previous run's last layer is done", str(b)
    names = [u.name for u in h.units]
    if len(set(names)) != len(names):
        yield "header", f"unit names repeat: {names}", "UNIT"
    for u in h.units:
        for d in u.distances:
            if d < 3 or d % 2 == 0:
                yield "header", f"unit {u.name}: distance {d} must be odd and >= 3", f"UNIT {u.name}"
    if sorted(p.index for p in h.ports) != list(range(len(h.ports))):
        yield "header", "ports must be numbered 0, 1, ... once each", "PORT"
    if sorted(c.index for c in h.copies) != list(range(len(h.copies))):
        yield "header", "copies must be numbered 0, 1, ... once each", "COPY"
    if not h.copies:
        yield "header", "the stream has no factory copy", "COPY"
    for port in h.ports:
        if port.capacity < 1 or port.d != D:
            yield "header", f"port {port.index}: capacity >= 1 at the program's distance d={D}", str(port)
    outs = {u.name: u.outputs for u in h.units}
    caps = {p.index: p.capacity for p in h.ports}
    lanes = {p.index: p.lanes for p in h.ports}
    kinds = {u.name: unit_lanes(u) for u in h.units}
    for c in h.copies:
        if c.port in lanes and c.unit in kinds and lanes[c.port] != kinds[c.unit]:
            yield "header", (f"port {c.port} has lanes={lanes[c.port]}; copy {c.index}'s unit {c.unit} makes states "
                             f"of {kinds[c.unit]} patch(es) (a CCZ state: 3)"), str(c)
    for c in h.copies:
        if caps.get(c.port, 0) < outs.get(c.unit, 1) and c.port in caps:
            yield "header", (f"port {c.port} holds {caps[c.port]} states; copy {c.index}'s runs deliver "
                             f"{outs[c.unit]} at once"), str(c)
    ports_of = [c.port for c in h.copies]
    if len(set(ports_of)) != len(ports_of) or any(not 0 <= x < len(h.ports) for x in ports_of):
        yield "header", "every copy needs a port of its own", "COPY"
    for bus in h.buses:
        if bus.d != D or bus.rect.h % D or bus.rect.w % D and bus.rect.h != D:
            pass
    yield from _geometry(h)
    need = program_qubits(h)
    if need > h.qubit_budget:
        yield (
            "qubit-budget",
            (
                f"{need} qubits: {len(h.data)} data patches, {sum(b.rect.w * b.rect.h for b in h.buses) * 2} "
                f"bus sites, {sum(p.capacity * p.lanes for p in h.ports)} port patches and {len(h.copies)} copies "
                f"exceed BUDGET qubits={h.qubit_budget}"
            ),
            f"BUDGET qubits={h.qubit_budget}",
        )


def _geometry(h: ProgramHeader) -> Iterator[tuple[str, str, str]]:
    units = {u.name: u for u in h.units}
    items: list[tuple[str, Rect, str]] = []
    items += [(f"data patch {p.index}", p.rect, str(p)) for p in h.data]
    items += [(f"bus {b.index}", b.rect, str(b)) for b in h.buses]
    items += [(f"port {p.index}", p.rect, str(p)) for p in h.ports]
    for c in h.copies:
        u = units.get(c.unit)
        if u is None:
            yield "header", f"copy {c.index} runs unit {c.unit}, which is not declared", str(c)
            continue
        items.append((f"copy {c.index}", Rect(c.origin.x, c.origin.y, u.width, u.height), str(c)))
    for name, r, text in items:
        if r.w <= 0 or r.h <= 0 or not h.bounds.contains(r):
            yield "on-floorplan", f"{name} at {r} is off the floor plan ({h.width} x {h.height})", text
    cell = max(1, h.data_distance * 4)
    grid: dict[tuple[int, int], list[int]] = {}
    for k, (name, r, text) in enumerate(items):
        seen = set()
        for gx in range(r.x // cell, (r.x + max(r.w, 1) - 1) // cell + 1):
            for gy in range(r.y // cell, (r.y + max(r.h, 1) - 1) // cell + 1):
                for j in grid.get((gx, gy), ()):
                    if j not in seen and items[j][1].overlaps(r):
                        seen.add(j)
                        yield "tile-free", f"{name} at {r} overlaps {items[j][0]} at {items[j][1]}", text
                grid.setdefault((gx, gy), []).append(k)
    ports = {p.index: p for p in h.ports}
    for c in h.copies:
        u = units.get(c.unit)
        p = ports.get(c.port)
        if u is None or p is None:
            continue
        yield from _route_checks(c, u, p, h)


def _route_checks(c: Copy, u: Unit, p: Port, h: ProgramHeader) -> Iterator[tuple[str, str, str]]:
    text = str(c)
    if len(c.route) < 2:
        yield "route", f"copy {c.index}: a route needs its output patch and the port", text
        return
    if c.route[0] != Tile(c.origin.x + u.output.x, c.origin.y + u.output.y):
        yield "route", (f"copy {c.index}'s route starts at {c.route[0]}, not at its output patch "
                        f"{Tile(c.origin.x + u.output.x, c.origin.y + u.output.y)}"), text
    block = Rect(c.origin.x, c.origin.y, u.width, u.height)
    top = Tile(p.tile.x, p.tile.y + (p.capacity - 1) * p.d)
    if c.route[-1] != top:
        yield "route", f"copy {c.index}'s route ends at {c.route[-1]}, not at port {p.index}'s top tile {top}", text
    rects = list(route_rects(c, u, p))
    for t, r in zip(c.route[:-1], rects[:-1]):
        if not block.contains(r):
            yield "route", f"copy {c.index}'s route tile {t} leaves its block {block}", text
    for a, b, ta, tb in zip(rects, rects[1:], c.route, c.route[1:]):
        if not _touch(a, b):
            yield "route", f"copy {c.index}'s route jumps from {ta} to {tb}: consecutive tiles must share an edge", text


# -- the unit ----------------------------------------------------------------------------------------------
def _unit_checks(h: ProgramHeader, u: Unit) -> Iterator[tuple[str, str]]:
    from magicpipe.grammar.parser import parse
    from magicpipe.lattice.validate import audit

    from magicpipe.errors import ParseError

    from magicpipe.lattice.units2 import block_checks, is_block

    if is_block(u):
        for message in block_checks(u):
            yield f"unit {u.name}: {message}", f"UNIT {u.name}"
        return
    pre = f"MAGICPIPE_LSI 1\nHARDWARE p={h.p!r} eps={h.eps!r} t_2q_ns={h.t_2q_ns!r} t_meas_ns={h.t_meas_ns!r}\n"
    try:
        s = parse(pre + u.text)
    except ParseError as e:
        yield f"unit {u.name}: its version-1 stream does not parse: {str(e).splitlines()[0]}", f"UNIT {u.name}"
        return
    a = audit(s)
    for v in a.violations:
        yield f"unit {u.name}, its line {v.line - 2}: {v.rule}: {v.message}", v.instruction
    hd = s.header
    outs = [i for i in s.instructions if i.action == "OUTPUT" and i.peer == "program"]
    rounds = max((i.time for i in outs), default=-1)
    tops = [i for i in s.instructions if i.action == "LAUNCH" and i.target in {o.target for o in outs}]
    checks = sum(1 for i in s.instructions if i.action == "MEASURE" and tops and i.target == tops[0].target
                 and i.step == _steps(tops[0].protocol) + 1)
    tally = next((i.tally for i in s.instructions if i.action == "TALLY"), None)
    claims = [("rounds", u.rounds, rounds), ("outputs", u.outputs, len(outs)), ("qubits", u.qubits, hd.qubit_budget),
              ("size", (u.width, u.height), (hd.width, hd.height)), ("distances", u.distances, hd.distances),
              ("protocol", u.protocol, hd.protocol), ("checks", u.checks, checks)]
    if tally is not None:
        claims.append(("outputs (its TALLY)", u.outputs, tally.delivered))
    for what, said, did in claims:
        if said != did:
            yield f"unit {u.name} declares {what}={said} but its stream has {did}", f"UNIT {u.name}"
    if tops:
        top = tops[0]
        if u.output not in top.tiles:
            yield (f"unit {u.name}'s output {u.output} is not a data patch of its top-level factory "
                   f"{top.target} ({', '.join(map(str, top.tiles))})"), f"UNIT {u.name}"


def _steps(protocol: str) -> int:
    from magicpipe.compiler.protocols import get_protocol

    try:
        return get_protocol(protocol).steps
    except Exception:  # noqa: BLE001 - an unknown protocol is reported by the version-1 replay
        return -10


# -- the replay --------------------------------------------------------------------------------------------
@dataclass
class _Consumption:
    q_terms: tuple[Any, ...]
    merge_end: int
    x_time: int = -1
    z: int = -1
    x: int = -1
    need: set[str] = field(default_factory=set)    # corrections still to come: "ROTATE", "FRAME"


class Replay2:
    def __init__(self, h: ProgramHeader) -> None:
        self.h = h
        self.D = h.data_distance
        self.units = {u.name: u for u in h.units}
        self.tau = {u.name: t for u in h.units if (t := tau_of(u)) is not None}   # cultivation units
        self.copies = {c.index: c for c in h.copies}
        self.ports = {p.index: p for p in h.ports}
        self.data = {p.index: p for p in h.data}
        self.trace = h.mode == "trace"
        self.time = 0
        # copies
        self.run_start: dict[int, int] = {}          # running copies: start round
        self.ready: dict[int, int] = {}               # earliest round of the next RUN
        self.deciding: dict[int, list[Any]] = {}           # copy -> [round, outcome, branches seen]
        # ports
        self.present: dict[int, int] = {p: 0 for p in self.ports}
        self.landed: dict[int, list[int]] = {p: [] for p in self.ports}   # arrival rounds of the states present
        self.read_at: dict[int, int] = {}             # each port's last X readout
        # rounds of a route step into each port (a move at its copy's output distance)
        owner = {c.port: self.units.get(c.unit) for c in h.copies}
        self.step = {p: step_rounds(u) if (u := owner.get(p)) is not None else 1 for p in self.ports}
        self.arriving: dict[int, list[int]] = {p: [] for p in self.ports}
        self.arrivals: list[tuple[int, int]] = []     # heap of (round, port)
        self.busy: dict[int, _Consumption | CczUse] = {}
        # merges and routes in flight: (end, rect, who)
        self.merges: list[tuple[int, Rect, int]] = []
        self.routes: list[tuple[int, tuple[Rect, ...], int]] = []
        # program
        self.seg = 0
        self.in_seg = 0          # layers done in the segment
        self.layer_time = -1
        self.layer_rounds = 0
        self.layer_states = 0
        self.layer_seen = 0
        self.layer_ccz = 0       # CCZ states of the current layer
        self.seen_ccz = 0
        self.layers = 0
        self.count = {"runs": 0, "accepted": 0, "rejected": 0, "consumed": 0, "ccz": 0}
        self.per_copy: dict[int, list[int]] = {c: [0, 0, 0] for c in self.copies}   # accepted, consumed, rejected
        self.peak_ports = 0
        self.tallied = False
        self.deferred: Broken2 | None = None

    # -- helpers --------------------------------------------------------------------------------------
    def copy(self, k: int) -> Copy:
        c = self.copies.get(k)
        if c is None:
            raise Broken2("header", f"copy {k} is not declared")
        return c

    def unit(self, k: int) -> Unit:
        return self.units[self.copy(k).unit]

    def advance(self, t: int) -> None:
        """Everything that happens by round ``t``: arrivals, ends of merges and routes, complete decisions."""
        for c, (when, outcome, seen) in list(self.deciding.items()):
            if when < t:
                del self.deciding[c]
                self.require_branches(c, when, outcome, seen)
        while self.arrivals and self.arrivals[0][0] <= t:
            _, p = heapq.heappop(self.arrivals)
            arr = self.arriving[p]
            cap = self.ports[p].capacity
            while arr and arr[0] <= t:
                a = arr.pop(0)
                self.present[p] += 1
                self.landed[p].append(a)
                # the move grew the state onto a port tile from round a - step on: the tile a consumption
                # holds counts until its readout, if that came after the move began
                began = a - self.step[p]
                reading = p in self.busy and self.busy[p].x_time < 0 or self.read_at.get(p, began) > began
                held = self.present[p] + (1 if reading else 0)
                self.peak_ports = max(self.peak_ports, held)
                if held > cap:
                    self.defer(Broken2("port-occupancy", f"port {p} holds {held} states at round {a} (its move "
                                                         f"began at round {a - self.step[p]}); its "
                                                         f"capacity is {cap}"))
        if self.merges and min(m[0] for m in self.merges) <= t:
            self.merges = [m for m in self.merges if m[0] > t]
        if self.routes and min(r[0] for r in self.routes) <= t:
            self.routes = [r for r in self.routes if r[0] > t]

    def require_branches(self, c: int, when: int, outcome: int, seen: set[int]) -> None:
        want = {0, 1} if outcome < 0 else {outcome}
        if seen != want:
            missing = sorted(want - seen)
            self.defer(Broken2("control", f"copy {c}'s decision at round {when} has no branch for outcome(s) "
                                          f"{missing}: the controller's policy must say what each outcome does"))

    def defer(self, b: Broken2) -> None:
        if self.deferred is None:
            self.deferred = b

    # -- operations -----------------------------------------------------------------------------------
    def RUN(self, o: Op) -> None:
        self.copy(o.copy)
        if o.copy in self.run_start:
            raise Broken2("timing", f"copy {o.copy} starts a run at round {o.time} while its run from round "
                                    f"{self.run_start[o.copy]} has not decided")
        if o.time < self.ready.get(o.copy, 0):
            raise Broken2("timing", f"copy {o.copy} starts a run at round {o.time}; its previous run's decision "
                                    f"or route keeps it busy until round {self.ready[o.copy]}")
        self.run_start[o.copy] = o.time
        self.count["runs"] += 1

    def DECIDE(self, o: Op) -> None:
        u = self.unit(o.copy)
        start = self.run_start.pop(o.copy, None)
        if start is None:
            raise Broken2("timing", f"copy {o.copy} decides at round {o.time} without a run")
        tau = self.tau.get(u.name)
        if tau is not None:   # a cultivation run: its attempts set its length
            if o.attempts < 1:
                raise Broken2("control", f"copy {o.copy}'s cultivation run decides without its attempts (attempts=n)")
            span = attempt_span(o.attempts, tau)
            if o.time != start + span:
                self.defer(Broken2("timing", f"copy {o.copy}'s run from round {start} of {o.attempts} attempts of "
                                             f"{tau:g} rounds decides at round {o.time}, not {start + span}"))
        elif o.attempts:
            raise Broken2("control", f"attempts={o.attempts}: only cultivation units count attempts")
        elif o.time != start + u.rounds:
            self.defer(Broken2("timing", f"copy {o.copy}'s run from round {start} decides at round {o.time}; "
                                         f"unit {u.name} takes {u.rounds} rounds (round {start + u.rounds})"))
        if o.reg != f"a{o.copy}" or o.checks != u.checks:
            self.defer(Broken2("control", f"copy {o.copy} decides into register a{o.copy} from its unit's "
                                          f"{u.checks} checks, not {o.reg} from {o.checks}"))
        if self.trace != (o.outcome >= 0) or o.outcome > 1:
            self.defer(Broken2("control", "a trace resolves every decision (outcome=0|1); a nominal stream "
                                          "leaves it to the IF branches"))
        self.deciding[o.copy] = [o.time, o.outcome if self.trace else -1, set()]
        self.ready[o.copy] = o.time

    def branch(self, o: Op, value: int) -> bool:
        """Check an OUTPUT/DISCARD is a branch of its copy's decision this round; True if it is taken."""
        d = self.deciding.get(o.copy)
        if d is None or d[0] != o.time:
            raise Broken2("control", f"{o.action} of copy {o.copy} at round {o.time} follows no decision of that round")
        when, outcome, seen = d
        if self.trace:
            if o.cond is not None:
                self.defer(Broken2("control", "a trace writes the taken branch without IF"))
            if outcome != value:
                raise Broken2(
                    "control", f"copy {o.copy}'s decision read {outcome}; {o.action} is the branch of {value}"
                )
        elif o.cond != (f"a{o.copy}", value):
            raise Broken2("control", f"{o.action} of copy {o.copy} must be conditioned IF a{o.copy}={value}")
        if value in seen:
            raise Broken2("control", f"copy {o.copy}'s decision at round {when} has two branches for outcome {value}")
        seen.add(value)
        return self.trace or value == 0

    def OUTPUT(self, o: Op) -> None:
        taken = self.branch(o, 0)
        c = self.copy(o.copy)
        u = self.unit(o.copy)
        if o.port != c.port:
            raise Broken2("route", f"copy {o.copy} delivers to port {o.port}; its route leads to port {c.port}")
        step = step_rounds(u)
        if o.rounds != step:
            self.defer(Broken2("timing", f"copy {o.copy}'s route is one lattice-surgery move of d={step} rounds "
                                         f"(extend over its tiles, split), not rounds={o.rounds}"))
        n = o.count or 1
        if n != u.outputs:
            raise Broken2("control", f"copy {o.copy}'s run delivers its unit's {u.outputs} state(s), not {n}")
        if not taken:
            return
        rects = route_rects(c, u, self.ports[c.port])
        # several states leave one step apart along the route (a train): it is busy until the last arrives
        end = o.time + max(o.rounds, 1) + (n - 1) * step
        for e, other, who in self.routes:
            if any(a.overlaps(b) for a in rects for b in other):
                self.defer(Broken2("route", f"copy {o.copy}'s route crosses copy {who}'s, in flight until round {e}"))
        self.routes.append((end, rects, o.copy))
        for j in range(n):
            self.arriving[c.port].append(o.time + o.rounds + j * step)
            heapq.heappush(self.arrivals, (o.time + o.rounds + j * step, c.port))
        self.arriving[c.port].sort()
        self.ready[o.copy] = end
        self.count["accepted"] += n
        self.per_copy[o.copy][0] += n

    def DISCARD(self, o: Op) -> None:
        # reason=rejected is the branch of a failed run; reason=full the branch of an accepted run whose port has
        # no room when its state would arrive (the copy keeps its pace and drops the state)
        full = o.reason == "full"
        taken = self.branch(o, 0 if full else 1)
        u = self.unit(o.copy)
        if o.count != u.outputs or o.reason not in ("rejected", "full"):
            self.defer(Broken2("control", f"a run of copy {o.copy} discards its {u.outputs} output(s) "
                                          f"(reason=rejected or full), not {o.count} ({o.reason})"))
        if full and taken:
            port = self.copy(o.copy).port
            room = self.present.get(port, 0) + len(self.arriving.get(port, ())) + (1 if port in self.busy else 0)
            if room + u.outputs <= self.ports[port].capacity:
                self.defer(Broken2("control", f"copy {o.copy} drops a state at round {o.time} (reason=full) while "
                                              f"its port holds {room} of {self.ports[port].capacity}"))
        if taken and not full:
            self.count["rejected"] += 1
            self.per_copy[o.copy][2] += 1

    def LAYER(self, o: Op) -> None:
        self.close_layer()
        tl = self.h.timeline
        if self.seg >= len(tl):
            raise Broken2("consumption-order", f"layer {self.layers} at round {o.time}: the timeline has "
                                               f"{self.layers} layers")
        s = tl[self.seg]
        planned = s.start + self.in_seg * s.rounds
        if o.states != s.states or o.ccz != s.ccz:
            ccz = (f" and {o.ccz} CCZ states", f" and {s.ccz}") if o.ccz or s.ccz else ("", "")
            self.defer(Broken2("consumption-order", f"layer {self.layers} consumes {o.states} states{ccz[0]}; the "
                                                    f"program's timeline gives {s.states}{ccz[1]}"))
        if o.time < planned:
            self.defer(Broken2("consumption-order", f"layer {self.layers} starts at round {o.time}, before its "
                                                    f"planned round {planned}"))
        if self.layer_time >= 0 and o.time < self.layer_time + self.layer_rounds:
            self.defer(Broken2("consumption-order", f"layer {self.layers} starts at round {o.time}, "
                                                    f"{o.time - self.layer_time} rounds after the previous layer, "
                                                    f"which takes {self.layer_rounds}"))
        self.layer_time, self.layer_rounds, self.layer_states, self.layer_seen = o.time, s.rounds, s.states, 0
        self.layer_ccz, self.seen_ccz = s.ccz, 0
        self.layers += 1
        self.in_seg += 1
        if self.in_seg == s.layers:
            self.seg, self.in_seg = self.seg + 1, 0

    def close_layer(self) -> None:
        if self.layer_time >= 0 and self.layer_seen != self.layer_states:
            self.layer_time = -1
            raise Broken2("consumption-order", f"layer {self.layers - 1} merged {self.layer_seen} of its "
                                               f"{self.layer_states} states")
        if self.layer_time >= 0 and self.seen_ccz != self.layer_ccz:
            self.layer_time = -1
            raise Broken2("consumption-order", f"layer {self.layers - 1} took {self.seen_ccz} of its "
                                               f"{self.layer_ccz} CCZ states")

    def MEASURE(self, o: Op) -> None:
        ports = [t for t in o.terms if t.kind == "p"]
        data = [t for t in o.terms if t.kind == "q"]
        if len(ports) != 1:
            raise Broken2("measurement", f"{o.reg}: a measurement acts on exactly one magic patch (a port)")
        pt = ports[0]
        port = self.ports.get(pt.index)
        if port is None:
            raise Broken2("measurement", f"port {pt.index} is not declared")
        if self.trace != (o.outcome >= 0) or o.outcome > 1:
            self.defer(
                Broken2("control", "a trace resolves every measurement (outcome=0|1); a nominal stream does not")
            )
        if data:
            self.merge(o, port, pt, data)
        else:
            self.readout(o, port, pt)

    def merge(self, o: Op, port: Port, pt: Term, data: list[Term]) -> None:
        p = port.index
        if port.lanes > 1 or pt.lane >= 0:
            from magicpipe.lattice.check2_ccz import merge_lane

            merge_lane(self, o, port, pt, data)
            return
        if o.reg != f"z{p}":
            self.defer(Broken2("control", f"the merge with port {p} writes register z{p}, not {o.reg}"))
        self.take(o, p, ccz=False)
        end = self.place(o, port, pt, data, Rect.square(port.tile, port.d))
        self.busy[p] = _Consumption(tuple((t.basis, t.index) for t in data), end, z=o.outcome)

    def take(self, o: Op, p: int, ccz: bool) -> None:
        """A consumption's first merge takes port ``p``'s oldest state, on the bottom tile, within a layer that
        still needs a state of its kind."""
        if p in self.busy:
            raise Broken2("port-occupancy", f"port {p} is still in the consumption of round "
                                            f"{self.busy[p].merge_end - o.rounds}")
        if self.present[p] < 1:
            raise Broken2("port-occupancy", f"port {p} holds no state at round {o.time}")
        a, read = self.landed[p][0], self.read_at.get(p)
        if read is not None and read > a - self.step[p] and o.time < max(a, read) + self.D:
            # it landed above the bottom tile (held by the previous state as its move began) and steps down
            raise Broken2("port-occupancy", f"port {p}'s state (arrived at round {a}) reaches the bottom tile at "
                                            f"round {max(a, read) + self.D} (a step down of d={self.D} rounds after "
                                            f"the readout at round {read}), not {o.time}")
        if self.layer_time < 0:
            raise Broken2("consumption-order", f"a merge at round {o.time} comes before the first LAYER")
        seen, want = (self.seen_ccz, self.layer_ccz) if ccz else (self.layer_seen, self.layer_states)
        if seen >= want:
            raise Broken2("consumption-order", f"a merge at round {o.time} is one more than layer {self.layers - 1}'s "
                                               f"{want} {'CCZ ' if ccz else ''}states")
        self.present[p] -= 1
        self.landed[p].pop(0)
        if ccz:
            self.seen_ccz += 1
        else:
            self.layer_seen += 1

    def place(self, o: Op, port: Port, pt: Term, data: list[Term], port_rect: Rect) -> int:
        """Check a merge's geometry (Z sides facing its via, the via in a bus and free, the data patches free) and
        hold its via and data patches until it ends; returns its end."""
        p = port.index
        if o.rounds != self.D:
            self.defer(
                Broken2("measurement", f"a merge at the program's distance takes d={self.D} rounds, not {o.rounds}")
            )
        for t in o.terms:
            if t.basis != "Z":
                raise Broken2("measurement", f"{t}: a consumption merges Z-type boundaries (Z_q x Z_m)")
        via = o.via
        if via is None or not any(b.rect.contains(via) for b in self.h.buses):
            raise Broken2("measurement", f"the merge's via {via} does not lie inside a bus")
        for t in data + [pt]:
            patch = self.data.get(t.index) if t.kind == "q" else port
            if patch is None:
                raise Broken2("measurement", f"data patch {t.index} is not declared")
            rect = patch.rect if t.kind == "q" else port_rect
            if t.side not in SIDES or t.side not in patch.z:
                raise Broken2("measurement", f"{t}: the merge must name a Z-boundary side of the patch "
                                             f"({', '.join(patch.z)})")
            if _touch(rect, via) != t.side:
                raise Broken2("measurement", f"{t}: the via {via} does not touch the patch's {t.side} side")
        for e, rect, who in self.merges:
            if rect.overlaps(via):
                raise Broken2(
                    "measurement", f"the via {via} overlaps the merge of port {who} in flight until round {e}"
                )
        busy_q = {q for _, _, q in self.merges if q < 0}
        for t in data:
            if -1 - t.index in busy_q:
                raise Broken2("measurement", f"data patch {t.index} is already in a merge at round {o.time}")
        end = o.time + o.rounds
        self.merges.append((end, via, p))
        for t in data:
            self.merges.append((end, Rect(0, 0, 0, 0), -1 - t.index))
        return end

    def readout(self, o: Op, port: Port, pt: Term) -> None:
        p = port.index
        if port.lanes > 1 or pt.lane >= 0:
            from magicpipe.lattice.check2_ccz import readout_lane

            readout_lane(self, o, port, pt)
            return
        c = self.busy.get(p)
        if c is None or c.x_time >= 0:
            raise Broken2("measurement", f"port {p} is read out in X at round {o.time} with no merge before it")
        if pt.basis != "X" or o.rounds != 1 or o.reg != f"x{p}":
            raise Broken2("measurement", f"the readout of port {p} is MEASURE x{p} X:p{p} rounds=1")
        if o.time != c.merge_end:
            self.defer(
                Broken2("timing", f"port {p}'s X readout at round {o.time}; its merge ends at round {c.merge_end}")
            )
        c.x_time, c.x = o.time, o.outcome
        self.read_at[p] = o.time
        if self.trace:
            c.need = ({"ROTATE"} if c.z == 1 else set()) | ({"FRAME"} if c.x == 1 else set())
        else:
            c.need = {"ROTATE", "FRAME"}
        if not c.need:
            self.done(p)

    def correction(self, o: Op, kind: str, reg: str) -> None:
        name = (o.cond[0] if o.cond else "")
        p = None
        for q, c in self.busy.items():
            if c.x_time >= 0 and kind in c.need and (o.cond is None or name == f"{reg}{q}") and \
                    tuple((t.basis, t.index) for t in o.terms if t.kind == "q") == c.q_terms:
                p = q
                break
        if p is None:
            from magicpipe.lattice.check2_ccz import ccz_correction

            if ccz_correction(self, o, kind):
                return
            raise Broken2("control", f"{kind} {' '.join(map(str, o.terms))} corrects no consumption waiting for it")
        c = self.busy[p]
        if self.trace:
            if o.cond is not None:
                self.defer(Broken2("control", "a trace writes resolved corrections without IF"))
        elif o.cond != (f"{reg}{p}", 1):
            raise Broken2("control", f"the {kind} of port {p}'s consumption is conditioned IF {reg}{p}=1")
        if o.time < c.x_time + 1:
            raise Broken2(
                "timing", f"{kind} at round {o.time} before the readout of port {p} is known (round {c.x_time + 1})"
            )
        if kind == "ROTATE" and o.angle != "pi/4":
            raise Broken2("measurement", f"an injected pi/8 rotation is corrected by pi/4, not {o.angle}")
        if any(t.kind != "q" or t.basis != "Z" for t in o.terms):
            raise Broken2("measurement", f"{kind} acts on the merged data terms")
        c.need.discard(kind)
        if not c.need:
            self.done(p)

    def ROTATE(self, o: Op) -> None:
        self.correction(o, "ROTATE", "z")

    def FRAME(self, o: Op) -> None:
        self.correction(o, "FRAME", "x")

    def done(self, p: int) -> None:
        if self.ports[p].lanes > 1:
            self.count["ccz"] += 1
        del self.busy[p]
        self.count["consumed"] += 1
        owner = next((c.index for c in self.h.copies if c.port == p), None)
        if owner is not None:
            self.per_copy[owner][1] += 1

    def left(self) -> int:
        return sum(self.present.values()) + sum(len(a) for a in self.arriving.values())

    def TALLY(self, o: Op) -> None:
        self.close_layer()
        self.tallied = True
        c = self.count
        mine: tuple[int, ...] = (c["runs"], c["accepted"], c["rejected"], c["consumed"], self.left(),
                                 c["consumed"] - c["ccz"])
        if self.h.ccz_count:
            mine += (c["ccz"],)
        if tuple(o.tally) != mine:
            ccz = f" delivered_ccz={c['ccz']}" if self.h.ccz_count else ""
            raise Broken2("conservation", f"the replay counts runs={mine[0]} accepted={mine[1]} rejected={mine[2]} "
                                          f"consumed={mine[3]} left={mine[4]} delivered={mine[5]}{ccz}; the TALLY "
                                          f"claims {' '.join(map(str, o.tally))}")
        for k, (acc, used, _) in self.per_copy.items():
            port = self.copies[k].port
            held = self.present.get(port, 0) + len(self.arriving.get(port, ())) + (1 if port in self.busy else 0)
            if acc != used + held:
                raise Broken2("conservation", f"copy {k} delivered {acc} accepted states; {used} were consumed and "
                                              f"{held} are left in its port")
        if c["consumed"] - c["ccz"] != self.h.t_count:
            raise Broken2(
                "conservation", f"the program consumed {c['consumed'] - c['ccz']} T states; PROGRAM "
                                f"t_count={self.h.t_count}"
            )
        if c["ccz"] != self.h.ccz_count:
            raise Broken2("conservation", f"the program consumed {c['ccz']} CCZ states; PROGRAM "
                                          f"ccz_count={self.h.ccz_count}")

    # -- REPEAT: one replay and a fixed point ---------------------------------------------------------
    def snapshot(self, t0: int) -> tuple[Any, ...]:
        def rel(x: int) -> int:
            return max(x - t0, 0)

        # the step-down rule (``merge``, ``advance``) reads a port's last readout R only when R > t0 - D - s for
        # a merge or arrival from t0 on, and then a landed state's round a only above t0 - D - 2 s: older rounds
        # act alike
        s = max(self.step.values(), default=1)

        def near(x: int) -> int:
            return max(x - t0, -(self.D + 2 * s))

        return (
            tuple(sorted((c, s - t0) for c, s in self.run_start.items())),
            tuple(sorted((c, rel(r)) for c, r in self.ready.items() if rel(r) > 0)),
            tuple(sorted((c, d[0] - t0, d[1], tuple(sorted(d[2]))) for c, d in self.deciding.items())),
            tuple(sorted(self.present.items())),
            tuple((p, tuple(near(a) for a in arr)) for p, arr in sorted(self.landed.items()) if arr),
            tuple(sorted((p, r - t0) for p, r in self.read_at.items() if r > t0 - self.D - s)),
            tuple((p, tuple(a - t0 for a in arr)) for p, arr in sorted(self.arriving.items()) if arr),
            tuple(sorted((p, c.q_terms, c.merge_end - t0, c.x_time - t0 if c.x_time >= 0 else None,
                          tuple(sorted(c.need)), c.state(t0) if isinstance(c, CczUse) else ())
                         for p, c in self.busy.items())),
            tuple(sorted((e - t0, str(r), w) for e, r, w in self.merges)),
            tuple(sorted((e - t0, w) for e, _, w in self.routes)),
            (self.layer_time - t0 if self.layer_time >= 0 else None, self.layer_rounds, self.layer_states,
             self.layer_seen, self.layer_ccz, self.seen_ccz),
        )

    def shift(self, by: int) -> None:
        self.run_start = {c: s + by for c, s in self.run_start.items()}
        self.ready = {c: r + by for c, r in self.ready.items()}
        for d in self.deciding.values():
            d[0] += by
        self.arriving = {p: [a + by for a in arr] for p, arr in self.arriving.items()}
        self.landed = {p: [a + by for a in arr] for p, arr in self.landed.items()}
        self.read_at = {p: r + by for p, r in self.read_at.items()}
        self.arrivals = [(a + by, p) for a, p in self.arrivals]
        for c in self.busy.values():
            if isinstance(c, CczUse):
                c.shift(by)
                continue
            c.merge_end += by
            if c.x_time >= 0:
                c.x_time += by
        self.merges = [(e + by, r, w) for e, r, w in self.merges]
        self.routes = [(e + by, r, w) for e, r, w in self.routes]
        if self.layer_time >= 0:
            self.layer_time += by

    def REPEAT(self, o: Op, sink: Callable[[Op, int], None]) -> None:
        if o.count < 1 or o.period < 1:
            raise Broken2("timing", f"REPEAT count={o.count} period={o.period}: both must be >= 1")
        late = [b for b in o.body if b.time >= o.period or b.action == "TALLY"]
        if late:
            raise Broken2(
                "timing", f"the body's {late[0].action} at round {late[0].time} is not inside the period {o.period}"
            )
        t0 = o.time
        self.advance(t0)
        before = self.snapshot(t0)
        counts = dict(self.count)
        per = {c: list(v) for c, v in self.per_copy.items()}
        layers0, seg0, in0 = self.layers, self.seg, self.in_seg
        for b in o.body:
            sink(b, t0)
        end = t0 + o.period
        self.advance(end)
        if self.deferred is not None:
            return
        after = self.snapshot(end)
        if after != before:
            diff = next(k for k, (x, y) in enumerate(zip(before, after)) if x != y)
            what = ("running copies", "copy readiness", "decisions", "ports' states", "when the ports' states landed",
                    "the ports' last readouts", "states on their way",
                    "consumptions", "merges", "routes", "the current layer")[diff]
            raise Broken2("timing", f"the REPEAT body does not return to its starting state ({what} differ after "
                                    f"one period of {o.period} rounds), so its copies are not identical; expand it")
        if o.count == 1:
            return
        lb = self.layers - layers0
        if lb and self.seg != seg0 and not (self.seg == seg0 + 1 and self.in_seg == 0):
            raise Broken2("consumption-order", "a REPEAT body's layers cross from one timeline run into the next")
        s = self.h.timeline[seg0] if seg0 < len(self.h.timeline) else None
        extra = o.count - 1
        if lb:
            if s is None or in0 + lb * o.count > s.layers:
                raise Broken2("consumption-order", f"the REPEAT's {o.count} copies of {lb} layers overrun the "
                                                   f"timeline run of {s.layers if s else 0} layers")
            if o.period < lb * s.rounds:
                raise Broken2("consumption-order", f"the REPEAT fits {lb} layers of {s.rounds} rounds into "
                                                   f"{o.period} rounds: later copies would start layers early")
            self.layers += extra * lb
            self.in_seg = in0 + lb * o.count
            self.seg = seg0
            if self.in_seg == s.layers:
                self.seg, self.in_seg = seg0 + 1, 0
        for k in self.count:
            self.count[k] += extra * (self.count[k] - counts[k])
        for c, v in self.per_copy.items():
            for j in range(3):
                v[j] += extra * (v[j] - per[c][j])
        self.shift(extra * o.period)
        self.time = end + extra * o.period


def _line_count(op: Op) -> int:
    """Lines ``op`` takes in the text (:meth:`Op.lines`): one, or a REPEAT's opening and closing lines around its
    body's."""
    return 1 if op.action != "REPEAT" else 2 + sum(map(_line_count, op.body))


def _flat(ops: Iterable[Op], first_line: int) -> Iterator[tuple[int, Op]]:
    line = first_line
    for op in ops:
        yield (op.line or line), op
        line += _line_count(op)


def audit2(
    stream: ProgramStream, ops: Iterable[Op] | None = None, *, header_lines: dict[str, Any] | None = None
) -> Audit2:
    """Check a version-2 stream (header statically, operations by a streaming replay)."""
    h = stream.header
    out: list[Violation2] = []
    head_text = list(h.lines())

    off = h.line - 1 if h.line else 0

    def where(text: str) -> int:
        for k, line in enumerate(head_text, start=1):
            if line.startswith(text):
                found: int = (header_lines or {}).get(line.split("#")[0].strip(), k + off)
                return found
        return 1 + off

    for rule, message, text in _header_checks(h):
        out.append(Violation2(where(text), text, rule, message))
    for u in h.units:
        for message, text in _unit_checks(h, u):
            out.append(Violation2(where(f"UNIT {u.name}"), text, "unit", message))
    r = Replay2(h)
    n = 0
    state: dict[str, Any] = {"line": len(head_text), "op": None}

    def op_text() -> str:  # the first line of the operation being replayed, for a violation's message
        return "" if state["op"] is None else next(state["op"].lines())

    def apply(op: Op, shift: int, line: int) -> None:
        t = op.time + shift
        if t < r.time:
            raise Broken2("timing", f"round {t} comes after round {r.time}; operations are in time order")
        r.advance(t)
        r.time = t
        if op.action == "REPEAT":
            def inner(b: Op, base: int) -> None:
                return apply(b, base, line)

            shifted = op if shift == 0 else Op(t, "REPEAT", count=op.count, period=op.period, body=op.body)
            r.REPEAT(shifted, inner)
        else:
            if shift:
                op = _shifted(op, shift)
            getattr(r, op.action)(op)
        if r.deferred is not None:
            b, r.deferred = r.deferred, None
            raise b

    for line, op in _flat(stream.ops if ops is None else ops, len(head_text) + 1):
        n += 1
        state["line"], state["op"] = line, op
        try:
            apply(op, 0, line)
        except Broken2 as e:
            out.append(Violation2(line, op_text(), e.rule, e.message))
        except (KeyError, IndexError, ValueError, TypeError, AttributeError, ZeroDivisionError) as e:
            out.append(Violation2(line, op_text(), "header", f"the operation names what the header does not "
                                                             f"declare consistently ({type(e).__name__}: {e})"))
    try:
        r.close_layer()
        r.advance(r.time + 1)
        if r.deferred is not None:
            raise r.deferred
        if r.busy:
            raise Broken2(
                "measurement", f"the consumption at port {min(r.busy)} never completes (readout or corrections missing)"
            )
        if r.run_start:
            raise Broken2(
                "timing", f"copy {min(r.run_start)}'s run from round {r.run_start[min(r.run_start)]} never decides"
            )
        if r.seg < len(h.timeline):
            raise Broken2("consumption-order", f"the stream ends after {r.layers} layers; the timeline has "
                                               f"{sum(s.layers for s in h.timeline)}")
        if not r.tallied:
            raise Broken2("conservation", "the stream has no TALLY")
    except Broken2 as e:
        out.append(Violation2(state["line"], op_text(), e.rule, e.message))
    return Audit2(tuple(out), n, r.time, r.count["consumed"] - r.count["ccz"], r.count["runs"], r.count["rejected"],
                  r.peak_ports, program_qubits(h), r.count["ccz"])


def _shifted(op: Op, by: int) -> Op:
    from dataclasses import replace

    return replace(op, time=op.time + by)


def check2(stream: ProgramStream, ops: Iterable[Op] | None = None) -> list[Violation2]:
    return list(audit2(stream, ops).violations)
