"""The whole program's stream (format version 2): data block, K factory copies, ports, routes, consumptions.

:func:`emit_program` takes plain inputs -- the program's data patches and distance (:class:`ProgramLayout`), a
factory :class:`~magicpipe.lattice.stream2.Unit` (one run of a one-level factory, :func:`unit_one_level`, or
of a two-level dynamic pipeline, :func:`unit_from_schedule`), the number of copies, and the program's
timeline as consumption runs ``(start_round, layers, states_per_layer, layer_rounds)`` -- and returns the
header and a lazy generator of operations.

Floor plan (units of the data-qubit pitch, ``y`` upwards). The copies are split into ``G = min(n, K)``
*zones*, side by side; zone ``g`` holds data patches ``q = g, g + G, ...`` and copies ``c = g, g + G, ...``::

    +---------+---------+---------+-----
    | copy 0  | copy 3  | copy 6  |       the unit's floor plan, its output patch's column above the port
    +--[p0]---+--[p3]---+--[p6]---+-----  ports: capacity x 1 tiles at distance D
    |  bus 0 (distance D)         |       merges Z_q (x) Z_port through the bus
    +--[q0]-[q3]-[q6]-------------+-----  data patches, Z boundaries top and bottom
       zone 0                       zone 1 ...

Timing. The copies start staggered (copy ``c`` at ``c / K`` of a run and its route, as the plan's supply is)
and run their unit back to back while the states in the ports, on their way and in runs do not cover what the
program has left. A run's branch is decided at its end: rejected, its outputs are discarded; accepted, its
state moves along its route into the port in one lattice-surgery move (extend over the route's tiles and the
port's lowest free tile, split: ``d`` rounds at the output patch's distance, :func:`step_rounds`) when the port
has room for it as the move starts (``capacity`` states), else it is dropped (``IF a=0 DISCARD ...
reason=full``) and the copy keeps its pace -- the plan's fluid supply does the same, its buffer capped and the
overflow lost. A state that lands above its port's bottom tile steps down, a move of ``D`` rounds, once the
readout frees the tile. Layer ``i`` of the program starts at its round in the timeline plus the waits so far,
or later when its states are not in the ports yet (the program waits, and starts no sooner than the decisions
of the runs it waited for). The states are one pool, as the plan's: each of the layer's states is the one
whose merge can start first, from any port, its zone's bus serialising the zone's merges (``D`` rounds each,
``MEASURE Z_q Z_p``), and acts on that zone's data patches in turn; then the port patch is read out in X (1
round) and the corrections follow (``IF z=1 ROTATE ... pi/4``, ``IF x=1 FRAME ...``). The next layer starts
when the zone's last merge ends and at least ``layer_rounds`` after this one.

Periodic parts become ``REPEAT`` blocks: the emitter keeps the state of the simulation (relative to the
layer's start) per layer, and when a state recurs within a timeline run, the stretch between is one period
and is written once with its count (memory bounded by ``window`` operations and 4 096 layers). A longer period
is found by the long search (:mod:`magicpipe.lattice.recur`): a fingerprint of each layer's state without the
zones' turns, then one period recorded (at most ``long_window`` operations) and written once; such a REPEAT's
copies serve the data patches its body names. With ``seed`` the stream is one
sampled trace: every run's acceptance and every measurement outcome resolved, no conditions left.

The catalogue's factories and cultivation run block units (:mod:`magicpipe.lattice.units2`): a run of several
outputs (20-to-4) sends them down the route one move (``d`` rounds) apart; a cultivation run lasts its
attempts (a periodic pattern whose mean is the plan's period in a nominal stream, geometric draws in a
trace). A copy keeps one pace, a run and its hand-off (the route's move), whether its state reached the port
or was dropped, so steady stretches stay periodic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dataclasses
import heapq
import math
import random
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from magicpipe.compiler.factory import Factory
from magicpipe.compiler.hardware import Hardware, patch_qubits
from magicpipe.compiler.protocols import Protocol, get_protocol
from magicpipe.compiler.schedule import Schedule
from magicpipe.lattice.block import BlockLayout
from magicpipe.lattice.geometry import SITES_PER_UNIT, Rect, Tile
from magicpipe.lattice.stream2 import (
    Bus,
    Copy,
    DataPatch,
    Op,
    Port,
    ProgramHeader,
    ProgramStream,
    Segment,
    Term,
    Unit,
    step_rounds,
)

from magicpipe.errors import SpecError

if TYPE_CHECKING:
    from magicpipe.lattice.floorplan import FloorPlan

__all__ = [
    "ProgramLayout",
    "consumption_runs",
    "emit_program",
    "program_qubits",
    "qubit_parts",
    "program_stream2",
    "route_for",
    "stream_for_point",
    "unit_from_schedule",
    "unit_one_level",
]


@dataclass(frozen=True, slots=True)
class ProgramLayout:
    """The program's side: ``data_patches`` logical qubits at code distance ``distance``."""

    data_patches: int
    distance: int

    def __post_init__(self) -> None:
        if self.data_patches < 1:
            raise SpecError(f"data_patches={self.data_patches}: a program has at least one logical qubit")
        if self.distance < 3 or self.distance % 2 == 0:
            raise SpecError(f"distance={self.distance}: the program's code distance must be odd and >= 3")


def _v1_head(protocol: str, distances: Sequence[int], budget: int, slots: int, slot_qubits: int, move_rounds: int,
             width: int, height: int, regions: Iterable[str], slot_rects: Iterable[Rect]) -> list[str]:
    out = [f"PIPELINE protocol={protocol} distances={','.join(map(str, distances))}",
           f"BUDGET qubits={budget} slots={slots} slot_qubits={slot_qubits} move_rounds={move_rounds}",
           f"FLOORPLAN width={width} height={height}"]
    out += list(regions)
    out += [f"SLOT {k} {r}" for k, r in enumerate(slot_rects)]
    return out


def unit_one_level(protocol: Protocol | str, distance: int, hardware: Hardware = Hardware(), name: str = "U") -> Unit:
    """One run of a one-level factory (fed by injected states) as a unit: launch, its checks, its output.

    Examples:
        >>> u = unit_one_level("15-to-1", 7)
        >>> u.width, u.height, u.rounds, u.output, u.checks
        (35, 21, 77, Tile(x=28, y=7), 4)
    """
    proto = get_protocol(protocol) if isinstance(protocol, str) else protocol
    f = Factory(proto, distance, hardware)
    block = BlockLayout.for_protocol(proto)
    w, h = block.size(distance)
    rect = Rect(0, 0, w, h)
    lines = _v1_head(proto.name, (distance,), f.qubits, 0, 0, 0, w, h, [f"REGION factory {rect} d={distance}"], ())
    data = ",".join(str(block.tile(Tile(0, 0), c, distance)) for c in block.data)
    lines.append(f"@0 LAUNCH H0 {proto.name} level=1 d={distance} region={rect} data=[{data}] top=0")
    from magicpipe.lattice import measure
    for paulis in measure.check_paulis(proto):
        lines.append(f"@{f.rounds} MEASURE H0 step={proto.steps + 1} {' '.join(paulis)} top=0")
    for _ in range(proto.outputs):
        lines.append(f"@{f.rounds} OUTPUT H0 to=program top=0")
    lines.append(f"@{f.rounds} TALLY produced=0 consumed=0 discarded=0 left=[] delivered={proto.outputs}")
    out = block.tile(Tile(0, 0), block.data[proto.output_qubits[0]], distance)
    return Unit(name, proto.name, (distance,), w, h, f.qubits, f.rounds, proto.outputs, out, len(proto.checks),
                "\n".join(lines))


def unit_from_schedule(schedule: Schedule, floorplan: FloorPlan | None = None, name: str = "U") -> Unit:
    """One execution of a two-level dynamic pipeline (``schedule.tops`` of length 1) as a unit, its high-level
    factory expanded into its Pauli-product measurements.

    Raises:
        SpecError: a schedule of several executions (the lattice layer lays out one at a time; copies run it
            back to back) or a composed (three-level) one (no floor plan yet).
    """
    from magicpipe.lattice.emit import emit, header
    from magicpipe.lattice.floorplan import plan_floor

    if len(schedule.tops) != 1:
        raise SpecError(f"the schedule has {len(schedule.tops)} high-level executions; a unit is one execution "
                        f"(copies run it back to back): use the Pareto point's single-execution schedule")
    fp = floorplan or plan_floor(schedule)
    h = header(schedule, fp)
    lines = [x for x in h.lines()][2:]
    lines = [x.split("  #")[0] for x in lines]
    body = list(emit(schedule, fp, measurements=True))
    rounds = max(i.time for i in body if i.action == "OUTPUT" and i.peer == "program")
    proto = schedule.high.protocol
    lines += [str(i) for i in body]
    d_hi = schedule.high.distance
    out = fp.block.tile(Tile(0, 0), fp.block.data[proto.output_qubits[0]], d_hi)
    return Unit(name, proto.name, h.distances, fp.width, fp.height, schedule.qubit_budget, rounds, proto.outputs, out,
                len(proto.checks), "\n".join(lines))


def route_for(unit: Unit, origin: Tile, port: Port) -> tuple[Tile, ...]:
    """The output patch's column down to the unit's bottom edge, then the port's top tile."""
    d = unit.distances[-1]
    tiles = [Tile(origin.x + unit.output.x, origin.y + y) for y in range(unit.output.y, -1, -d)]
    return tuple(tiles) + (Tile(port.tile.x, port.tile.y + (port.capacity - 1) * port.d),)


def program_qubits(header: ProgramHeader) -> int:
    """Qubits of the program side and every copy: data patches, bus sites, port patches, units."""
    return sum(qubit_parts(header).values())


def qubit_parts(header: ProgramHeader) -> dict[str, int]:
    """:func:`program_qubits` by part: ``data`` (the data patches), ``bus`` (bus sites), ``ports`` (port
    patches, ``capacity x lanes`` each) and ``units`` (every copy's unit).

    The plan (:class:`magicpipe.compiler.program.ProgramPoint`) charges the same ``units`` (``factory_qubits``)
    but a data block of Litinski's layout (its routing space included) and ``peak + outputs`` buffer patches in
    place of ``data + bus + ports``: the stream's qubits are the plan's plus ``data + bus + ports - data_qubits -
    buffer_qubits`` (``docs/program.md``, "The stream of the chosen point").
    """
    units = {u.name: u for u in header.units}
    return {
        "data": sum(patch_qubits(p.d) for p in header.data),
        "bus": sum(SITES_PER_UNIT * b.rect.w * b.rect.h for b in header.buses),
        "ports": sum(p.capacity * p.lanes * patch_qubits(p.d) for p in header.ports),
        "units": sum(units[c.unit].qubits for c in header.copies if c.unit in units),
    }


def _layout(
    layout: ProgramLayout, units: Sequence[Unit], capacities: Sequence[int], zones: int
) -> tuple[tuple[DataPatch, ...], tuple[Bus, ...], tuple[Port, ...], tuple[Copy, ...], int, int]:
    """Copy ``c`` runs ``units[c]`` into a port of ``capacities[c]`` states (a CCZ unit's port is 3 lanes wide)."""
    from magicpipe.lattice.units2 import unit_lanes

    n, D = layout.data_patches, layout.distance
    copies = len(units)
    G = zones
    y_port = 2 * D
    data: list[DataPatch] = []
    buses: list[Bus] = []
    ports: list[Port] = []
    cps: list[Copy] = []
    x0 = 0
    top = 0
    for g in range(G):
        qs = list(range(g, n, G))
        cs = list(range(g, copies, G))
        pitches = [max(units[c].width, units[c].output.x + unit_lanes(units[c]) * D) for c in cs]
        # a CCZ port's lanes get the zone's next three data patches right below them (its merges then run at
        # once, their vias side by side); the other patches fill the zone from the left
        xs: dict[int, int] = {}
        x = x0
        left = list(qs)
        for c, pitch in zip(cs, pitches):
            if unit_lanes(units[c]) == 3 and len(left) >= 3:
                for j in range(3):
                    xs[left.pop(0)] = x + units[c].output.x + j * D
            x += pitch
        under = sorted(xs.values())   # the patches below CCZ lanes; the others go left to right around them
        slot = x0
        for q in left:
            while any(abs(slot - u) < D for u in under):
                slot += D
            xs[q] = slot
            slot += D
        width = max(sum(pitches), max(xs.values(), default=x0) + D - x0)
        for q in qs:
            data.append(DataPatch(q, Tile(xs[q], 0), D))
        buses.append(Bus(g, Rect(x0, D, width, D), D))
        x = x0
        for c, pitch in zip(cs, pitches):
            unit = units[c]
            origin = Tile(x, y_port + capacities[c] * D)
            port = Port(c, Tile(origin.x + unit.output.x, y_port), D, capacities[c], lanes=unit_lanes(unit))
            ports.append(port)
            cps.append(Copy(c, unit.name, origin, c, route_for(unit, origin, port)))
            top = max(top, origin.y + unit.height)
            x += pitch
        x0 += width
    data.sort(key=lambda p: p.index)
    ports.sort(key=lambda p: p.index)
    cps.sort(key=lambda c: c.index)
    return tuple(data), tuple(buses), tuple(ports), tuple(cps), x0, top


# phases within a round: run ends, X readouts, corrections, layer marker, merges, launches
_END, _XREAD, _CORR, _LAYER, _MERGE, _RUN = range(6)


class _Sim:
    """The event simulation behind :func:`emit_program` (module docstring)."""

    def __init__(self, layout: ProgramLayout, header: ProgramHeader, runs: Sequence[Segment], zones: int,
                 seed: int | None, p_accept: Sequence[float], window: int, body: int = 0) -> None:
        from magicpipe.lattice.units2 import nominal_attempts, parse_block, tau_of, unit_kind, unit_lanes
        self.n, self.D = layout.data_patches, layout.distance
        D = self.D
        self.h, self.runs = header, runs
        self.K = len(header.copies)
        self.G = zones
        units = {u.name: u for u in header.units}
        # each copy's unit and kind (0: T, 1: CCZ), port capacity, outputs, lanes and route rounds
        self.units = [units[c.unit] for c in header.copies]
        self.kind = [1 if unit_kind(u) == "CCZ" else 0 for u in self.units]
        self.cap = [p.capacity for p in header.ports]
        self.outs = [u.outputs for u in self.units]
        self.lanes = [unit_lanes(u) for u in self.units]
        # the route is one lattice-surgery move (extend over every route tile, split): d rounds at the moved
        # patch's distance, whatever its length (stream2.step_rounds)
        self.steps = [step_rounds(u) for u in self.units]
        # a CCZ port's three data patches right below its lanes (its merges run at once), if it has them
        at = {p.tile: p.index for p in header.data}
        self.under: list[tuple[int, ...]] = []
        for c, port in enumerate(header.ports):
            qs = tuple(at.get(Tile(port.lane_tile(j).x, 0), -1) for j in range(self.lanes[c])) if self.lanes[c] > 1 \
                else ()
            self.under.append(qs if qs and -1 not in qs else ())
        # bus rounds of one consumption: D, or D a lane when a CCZ state's lanes are merged one after the other
        self.busy = [D if self.lanes[c] == 1 or self.under[c] else self.lanes[c] * D
                     for c in range(self.K)]
        self.far = max(self.steps)
        self.rng = random.Random(seed) if seed is not None else None
        self.p_accept = p_accept
        self.window_limit = window
        self.body_limit = max(window, body)
        self.zone_copies = [list(range(g, self.K, self.G)) for g in range(self.G)]
        self.queue: list[deque[int]] = [deque() for _ in range(self.K)]
        self.ready = [0] * self.K
        self.free = [0] * self.K          # round each port is free of its last consumption
        self.read_prev = [-1] * self.K    # the readout of each port's consumption before its last
        self.heap: list[tuple[Any, ...]] = []
        self.seq = 0
        self.count = {"runs": 0, "accepted": 0, "rejected": 0, "consumed": 0, "dropped": 0, "ccz": 0}
        self.pend: list[int | None] = [None] * self.K    # start of each copy's run not decided yet
        self.gone: list[deque[int]] = [deque() for _ in range(self.K)]   # rounds consumed states leave the port
        self.prev_seg = -1                # timeline run of the previous layer
        self.zone_patches = [list(range(g, self.n, self.G)) for g in range(self.G)]
        # one pool per kind (T, CCZ): the program takes the earliest states of any copy of the kind (the plan's
        # supply is pooled), and the copies run while the states in their ports, on their way and in their runs
        # do not cover what is left
        self.zone_rem = [sum(s.layers * s.states for s in runs), sum(s.layers * s.ccz for s in runs)]
        self.zone_owned = [0, 0]
        self.zone_pend = [0, 0]
        self.zone_next = [0] * self.G     # each zone's data patch for its next state (its patches in turn)
        self.turns = tuple(len(z) for z in self.zone_patches)
        self.served = [0] * self.G        # the turns each zone has taken so far
        # a cultivation unit: runs of attempts (lattice/units2.py); the nominal stream cycles through a pattern
        self.taus = [tau_of(u) for u in self.units]
        self.pattern: dict[str, tuple[int, ...]] = {}
        self.keep: dict[str, float] = {}
        for u in units.values():
            tau = tau_of(u)
            if tau is not None:
                keep = parse_block(u.text).attempt[1]   # type: ignore[index]
                self.pattern[u.name] = nominal_attempts(tau, keep, tau / keep)
                self.keep[u.name] = keep
        self.nth = [0] * self.K           # each copy's runs so far, modulo the pattern
        self.span = [u.rounds for u in self.units]   # the rounds of each copy's run in progress
        self.tries = [0] * self.K         # the attempts of each copy's run in progress

    def push(self, t: int, phase: int, op: Op) -> None:
        sig = (op.action, op.copy, op.port, op.reg, op.cond, op.terms, op.via, op.outcome)
        heapq.heappush(self.heap, (t, phase, self.seq, op, sig))
        self.seq += 1

    # -- copies -----------------------------------------------------------------------------------
    def launch(self, c: int, t: int) -> None:
        """Start a run of copy ``c`` at round ``t`` (or when it is free) if it has none and its kind's pool still
        needs states; the run's branch is decided when its end is reached (:meth:`settle`)."""
        g = self.kind[c]   # the pool's account
        if self.pend[c] is not None or self.zone_owned[g] + self.zone_pend[g] >= self.zone_rem[g]:
            return
        t = max(t, self.ready[c])
        self.push(t, _RUN, Op(t, "RUN", copy=c))
        self.count["runs"] += 1
        tau = self.taus[c]
        if tau is not None:
            from magicpipe.lattice.units2 import attempt_span

            name = self.units[c].name
            if self.rng is None:
                pattern = self.pattern[name]
                n = pattern[self.nth[c]]
                self.nth[c] = (self.nth[c] + 1) % len(pattern)
            else:   # attempts until one is kept: a geometric draw
                keep = self.keep[name]
                u = 1.0 - self.rng.random()
                n = 1 + math.floor(math.log(u) / math.log1p(-keep)) if keep < 1 else 1
            self.tries[c] = n
            self.span[c] = attempt_span(n, tau)
        end = t + self.span[c]
        self.pend[c] = t
        self.zone_pend[g] += self.outs[c]
        if self.rng is None:
            checks = self.units[c].checks
            self.push(end, _END, Op(end, "DECIDE", copy=c, reg=f"a{c}", checks=checks, attempts=self.tries[c]))
            self.push(end, _END, Op(end, "DISCARD", copy=c, count=self.outs[c], reason="rejected",
                                    cond=(f"a{c}", 1)))

    def settle(self, c: int, before: int | None = None) -> None:
        """Decide copy ``c``'s runs that end before round ``before`` (``None``: its run in progress, whenever it
        ends): a rejected run is dropped; an accepted one sends its state to the port when the port has room at
        its arrival, else drops it (``reason=full``: the copy keeps its pace, as the plan's fluid, whose buffer
        drops the overflow); the copy starts its next run at once."""
        g = self.kind[c]   # the pool's account
        out = self.outs[c]
        step = self.steps[c]
        first = True
        while (started := self.pend[c]) is not None:
            end = started + self.span[c]
            if before is not None and end >= before or before is None and not first:
                return
            first = False
            self.pend[c] = None
            self.zone_pend[g] -= out
            # a cultivation run ends with its kept attempt (its rejected attempts restarted within it)
            accept = self.rng is None or self.taus[c] is not None or self.rng.random() < self.p_accept[g]
            if self.rng is not None:
                self.push(end, _END, Op(end, "DECIDE", copy=c, reg=f"a{c}", checks=self.units[c].checks,
                                        outcome=0 if accept else 1, attempts=self.tries[c]))
            cond = (f"a{c}", 0) if self.rng is None else None
            arrive = end + step
            # the move grows the state onto the port's lowest free tile: a tile is free for it when the
            # readout that frees it is done by the step's start (``gone``: readout round + 1)
            while self.gone[c] and self.gone[c][0] <= arrive - step + 1:
                self.gone[c].popleft()
            room = len(self.queue[c]) + len(self.gone[c]) + out <= self.cap[c]
            if not accept:
                self.push(end, _END, Op(end, "DISCARD", copy=c, count=out, reason="rejected"))
                self.count["rejected"] += 1
                self.ready[c] = end
            elif room:
                self.push(end, _END, Op(end, "OUTPUT", copy=c, port=c, rounds=step, cond=cond,
                                        count=out if out > 1 else 0))
                self.count["accepted"] += out
                # several outputs leave along the route one step apart, a train
                self.queue[c].extend(arrive + j * step for j in range(out))
                self.zone_owned[g] += out
                self.ready[c] = arrive + (out - 1) * step
            else:
                self.push(end, _END, Op(end, "DISCARD", copy=c, count=out, reason="full", cond=cond))
                self.count["dropped"] += 1
                # the copy keeps one pace, a run and its hand-off (the route's rounds), whether its state went
                # to the port or was dropped: its runs stay periodic, so the stream's long stretches are REPEATs
                self.ready[c] = arrive + (out - 1) * step
            if accept and not room:
                # a state dropped at a full port: the run it stood for goes first to a copy of its kind the demand
                # rule kept idle whose port has room (else the program could wait on full ports for ever)
                for k in range(self.K):
                    if self.kind[k] == g and self.pend[k] is None and len(self.queue[k]) + self.outs[k] <= self.cap[k]:
                        self.launch(k, end)
            self.launch(c, self.ready[c])

    def outcome(self) -> int:
        return -1 if self.rng is None else self.rng.randrange(2)

    # -- the program ------------------------------------------------------------------------------
    def layer(self, E: int, seg: int) -> tuple[int, int]:
        """Place one layer not before round ``E``; returns its start and its duration."""
        s = self.runs[seg]
        D = self.D
        K, G = self.K, self.G
        need = (s.states, s.ccz)
        waited = -1                        # the last decision the layer waited for
        while True:
            short = {k for k in (0, 1) if sum(len(self.queue[c]) for c in range(K) if self.kind[c] == k) < need[k]}
            if not short:
                break
            # the states still in runs: decide the run of a kind in short supply that ends first
            c = min((c for c in range(K) if self.pend[c] is not None and self.kind[c] in short),
                    key=lambda c: (self.pend[c] + self.span[c], c), default=None)   # type: ignore[operator]
            if c is None:
                raise AssertionError("the ports ran out of states: the launch rule keeps the demand covered")
            waited = max(waited, self.pend[c] + self.span[c])   # type: ignore[operator]
            self.settle(c)
        nxt = [0] * K                      # each port's next state not taken yet
        taken = [0] * G                    # bus rounds taken on each zone's bus so far (a merge: D each)
        picks: list[list[tuple[int, int]]] = [[] for _ in range(G)]
        for kind in (0, 1):
            for _ in range(need[kind]):
                # the state whose merge can start first, its zone's bus serialising the merges
                best: tuple[int, int, int] | None = None
                for c in range(K):
                    if self.kind[c] == kind and nxt[c] < len(self.queue[c]):
                        a = max(self.bottom(c, nxt[c]), E)
                        cost = max(a, E + taken[c % G])
                        if best is None or cost < best[0]:
                            best = (cost, c, a)
                if best is None:
                    raise AssertionError("the ports ran out of states: the launch rule keeps the demand covered")
                _, c, a = best
                picks[c % G].append((a, c))
                nxt[c] += 1
                taken[c % G] += self.busy[c]
        # a port used twice in the layer needs its readout and its next state's step down (D rounds) between the
        # two consumptions; a CCZ state's three lanes are merged one after the other (D rounds each)
        extra = [D if len({c for _, c in ch}) < len(ch) else 0 for ch in picks]
        offsets: list[list[int]] = []
        for g, ch in enumerate(picks):
            at, row = 0, []
            for _, c in ch:
                row.append(at)
                at += self.busy[c] + extra[g]
            offsets.append(row)
        # a layer that waited for runs starts no sooner than their decisions: those decided whether their state
        # had room in its port before this layer's merges (which may free it) were known
        T = max(E, waited)
        for g, ch in enumerate(picks):
            for (a, _), off in zip(ch, offsets[g]):
                T = max(T, a - off)
        self.push(T, _LAYER, Op(T, "LAYER", states=s.states, ccz=s.ccz))
        longest = 0
        for g, ch in enumerate(picks):
            for (_, c), off in zip(ch, offsets[g]):
                longest = max(longest, off + self.busy[c] + extra[g])
                qs = list(self.under[c])
                while len(qs) < self.lanes[c]:
                    qs.append(self.zone_patches[g][self.zone_next[g]])
                    self.zone_next[g] = (self.zone_next[g] + 1) % len(self.zone_patches[g])
                    self.served[g] += 1
                if self.lanes[c] == 1:
                    self.merge(T + off, qs[0], c, g)
                else:
                    self.merge_ccz(T + off, qs, c, together=bool(self.under[c]))
        return T, max(s.rounds, longest)

    def bottom(self, c: int, k: int) -> int:
        """The round port ``c``'s ``k``-th state (0: the oldest) can be merged: it is on the port's bottom tile.

        A state lands on the bottom tile when that tile is free as its route's move starts (the previous
        state's readout done, ``free`` - 1); else it lands above and steps down, a move of ``D`` rounds, once the
        readout frees the tile. A later state of a layer is taken as waiting above (its predecessor is merged in
        this layer)."""
        A = self.queue[c][k]
        if k > 0:
            return A + self.D
        read = self.free[c] - 1
        return A if read <= A - self.steps[c] else max(A, read) + self.D

    def merge(self, t: int, q: int, c: int, g: int) -> None:
        D = self.D
        data = self.h.data[q].tile
        port = self.h.ports[c].tile
        x0, x1 = min(data.x, port.x), max(data.x, port.x) + D
        via = Rect(x0, D, x1 - x0, D)
        zz, xx = f"z{c}", f"x{c}"
        terms = (Term("Z", "q", q, "top"), Term("Z", "p", c, "bottom"))
        o1, o2 = self.outcome(), self.outcome()
        self.push(t, _MERGE, Op(t, "MEASURE", reg=zz, terms=terms, rounds=D, via=via, outcome=o1))
        self.push(t + D, _XREAD, Op(t + D, "MEASURE", reg=xx, terms=(Term("X", "p", c),), rounds=1, outcome=o2))
        corr = (Term("Z", "q", q),)
        free = t + D + 1
        self.read_prev[c] = self.free[c] - 1
        self.free[c] = free
        self.gone[c].append(free)
        if self.rng is None:
            self.push(free, _CORR, Op(free, "ROTATE", terms=corr, angle="pi/4", cond=(zz, 1)))
            self.push(free, _CORR, Op(free, "FRAME", terms=corr, cond=(xx, 1)))
        else:
            if o1 == 1:
                self.push(free, _CORR, Op(free, "ROTATE", terms=corr, angle="pi/4"))
            if o2 == 1:
                self.push(free, _CORR, Op(free, "FRAME", terms=corr))
        self.taken(c)

    def merge_ccz(self, t: int, qs: Sequence[int], c: int, together: bool) -> None:
        """Consume port ``c``'s CCZ state on data patches ``qs``: its lanes merged at once (``together``: the
        patches right below them) or one after the other, each read out in X as its merge ends, then the
        Clifford corrections (:mod:`magicpipe.lattice.ccz`)."""
        from magicpipe.lattice.ccz import ccz_corrections, holds

        D = self.D
        port = self.h.ports[c]
        values: dict[str, int] = {}
        for j, q in enumerate(qs):
            s = t if together else t + j * D
            data, lane = self.h.data[q].tile, port.lane_tile(j)
            x0, x1 = min(data.x, lane.x), max(data.x, lane.x) + D
            o1, o2 = self.outcome(), self.outcome()
            values[f"z{c}.{j}"], values[f"x{c}.{j}"] = o1, o2
            terms = (Term("Z", "q", q, "top"), Term("Z", "p", c, "bottom", lane=j))
            self.push(s, _MERGE, Op(s, "MEASURE", reg=f"z{c}.{j}", terms=terms, rounds=D, via=Rect(x0, D, x1 - x0, D),
                                    outcome=o1))
            self.push(s + D, _XREAD, Op(s + D, "MEASURE", reg=f"x{c}.{j}", terms=(Term("X", "p", c, lane=j),),
                                        rounds=1, outcome=o2))
        free = t + (1 if together else len(qs)) * D + 1
        self.read_prev[c] = self.free[c] - 1
        self.free[c] = free
        self.gone[c].append(free)
        for reg, action, fix, angle in ccz_corrections(c, qs):
            if self.rng is None:
                self.push(free, _CORR, Op(free, action, terms=fix, angle=angle, cond=(reg, 1)))
            elif holds(reg, values):
                self.push(free, _CORR, Op(free, action, terms=fix, angle=angle))
        self.count["ccz"] += 1
        self.taken(c)

    def taken(self, c: int) -> None:
        """Port ``c``'s oldest state is consumed."""
        self.queue[c].popleft()
        self.zone_owned[self.kind[c]] -= 1
        self.zone_rem[self.kind[c]] -= 1
        self.count["consumed"] += 1
        self.launch(c, self.free[c])

    # -- compression ------------------------------------------------------------------------------
    def key(self, E: int, seg: int, prev: tuple[int, int]) -> tuple[Any, ...]:
        # the step-down rule (``bottom``) reads a port's last readout R = free - 1 only when R > E - D - s, and
        # then its states' arrivals only above E - D - 2 s (as the validator's fixed point does)
        # A readout in round E itself is still to come for the validator (its snapshot precedes the round's
        # operations), which then sees the one before: both are part of the state
        far, cut = self.D + 2 * self.far, E - self.D - self.far
        copies = tuple(
            (max(self.ready[c] - E, 0), self.free[c] - 1 - E if self.free[c] - 1 > cut else None,
             tuple(max(a - E, -far) for a in self.queue[c]),
             None if (p := self.pend[c]) is None else p - E, tuple(max(a - E, 0) for a in self.gone[c]),
             self.nth[c], self.span[c], self.tries[c])
            + ((self.read_prev[c] - E if self.read_prev[c] > cut else None,) if self.free[c] - 1 >= E else ())
            for c in range(self.K)
        )
        pend = frozenset(Counter((t - E, ph, sig) for t, ph, _, _, sig in self.heap).items())
        return seg, self.prev_seg, tuple(self.zone_next), prev[0] - E, prev[1], copies, pend

    def shift(self, by: int) -> None:
        self.ready = [r + by for r in self.ready]
        self.free = [r + by for r in self.free]
        self.read_prev = [r + by for r in self.read_prev]
        self.queue = [deque(a + by for a in q) for q in self.queue]
        self.pend = [None if a is None else a + by for a in self.pend]
        self.gone = [deque(a + by for a in q) for q in self.gone]
        self.heap = [
            (t + by, ph, s, dataclasses.replace(op, time=op.time + by), sig) for t, ph, s, op, sig in self.heap
        ]
        heapq.heapify(self.heap)


def emit_program(layout: ProgramLayout, unit: Unit | None, copies: int,
                 consumption: Iterable[tuple[float, ...]], *,
                 hardware: Hardware = Hardware(), capacity: int | None = None, qubit_budget: int | None = None,
                 seed: int | None = None, p_accept: float | None = None,
                 window: int = 200_000, long_window: int = 1_000_000, fill: int = 0,
                 ccz_unit: Unit | None = None, ccz_copies: int = 0,
                 ccz_fill: int = 0, ccz_p_accept: float | None = None) -> tuple[ProgramHeader, Iterator[Op]]:
    """The whole program's version-2 stream: its header and a lazy generator of its operations.

    Args:
        layout: data patches and the program's code distance.
        unit: one factory run (:func:`unit_one_level`, :func:`unit_from_schedule`); None when ``copies`` is 0.
        copies: K, the copies of the unit.
        consumption: the program's timeline as runs ``(start_round, layers, states_per_layer, layer_rounds)``
            (``ProgramPoint.consumption()``; fields after the fourth are ignored, but with ``ccz_unit`` the fifth
            is the run's CCZ states per layer); layers with no state are skipped by their runs' starts;
            fractional rounds are rounded (starts up), and a run never starts before the previous one's last
            layer.
        hardware: written to the header (p, eps, gate times).
        capacity: states a T port holds (default: a layer's most states per copy, at least 1).
        qubit_budget: the header's budget (default: exactly what the layout uses).
        seed: write one sampled trace (acceptance with ``p_accept``, outcomes uniformly random) instead of the
            nominal stream with conditions.
        p_accept: acceptance probability of a run in a sampled trace (default 1).
        window: most operations held back while looking for a period.
        long_window: most operations of one period held back when a state recurs after more layers or
            operations than that search holds (:mod:`magicpipe.lattice.recur`).
        fill: rounds before the copies' first runs (a two-level block's first-level blocks filling).
        ccz_unit, ccz_copies, ccz_fill, ccz_p_accept: the CCZ factories of a mixed point (an 8-to-CCZ block,
            :func:`magicpipe.lattice.units2.catalogue_unit`), numbered after the T copies; their states wait in
            ports of three lanes and each is consumed on three data patches of its zone
            (:mod:`magicpipe.lattice.ccz`), so the zones hold at least three data patches each.

    Raises:
        SpecError: no copies, an empty timeline, a run with states but no layers, a kind of state with demand
            and no copy, or CCZ states for fewer than three data patches.
    """
    if copies + ccz_copies < 1 or copies < 0 or ccz_copies < 0:
        raise SpecError(f"copies={copies}: the program needs at least one factory copy")
    runs_list: list[Segment] = []
    for r in consumption:
        ccz = int(r[4]) if ccz_unit is not None and len(r) > 4 else 0
        if r[1] > 0 and (r[2] > 0 or ccz > 0):
            start = math.ceil(r[0])
            if runs_list:   # rounded layer times never make a run start inside the previous one
                prev = runs_list[-1]
                start = max(start, prev.start + prev.layers * prev.rounds)
            runs_list.append(Segment(start, int(r[1]), int(r[2]), max(1, round(r[3])), ccz))
    runs = tuple(runs_list)
    if not runs:
        raise SpecError("the consumption timeline has no state: nothing to deliver")
    for seg in runs:
        if seg.rounds < 1 or seg.start < 0:
            raise SpecError(f"timeline run {seg}: layers need rounds >= 1 and a start >= 0")
    peak_t, peak_c = max(r.states for r in runs), max(r.ccz for r in runs)
    if peak_t and (copies < 1 or unit is None) or peak_c and (ccz_copies < 1 or ccz_unit is None):
        raise SpecError(f"the timeline asks for {'T' if peak_t and copies < 1 else 'CCZ'} states and no copy makes "
                        f"them: give copies of a unit of that kind")
    if peak_c and layout.data_patches < 3:
        raise SpecError(f"{layout.data_patches} data patches: a CCZ state acts on three")
    units: list[Unit] = []
    caps: list[int] = []
    if copies:
        assert unit is not None
        capacity = _capacity(layout.distance, unit, copies, peak_t, capacity)
        units += [unit] * copies
        caps += [capacity] * copies
    if ccz_copies:
        assert ccz_unit is not None
        if ccz_unit.name in {u.name for u in units}:
            raise SpecError(f"the T and CCZ units are both named {ccz_unit.name!r}: name them apart")
        units += [ccz_unit] * ccz_copies
        caps += [_capacity(layout.distance, ccz_unit, ccz_copies, peak_c, None, lanes=3)] * ccz_copies
    # zones: one a copy up to one a data patch (a CCZ state needs three data patches in its zone)
    zones = max(1, min(layout.data_patches // 3, len(units))) if peak_c else min(layout.data_patches, len(units))
    data, buses, ports, cps, width, height = _layout(layout, units, caps, zones)
    t_count = sum(r.layers * r.states for r in runs)
    head = ProgramHeader("nominal" if seed is None else "trace", seed or 0, hardware.p, hardware.eps,
                         hardware.t_2q_ns, hardware.t_meas_ns, t_count, layout.distance, 0, width, height,
                         timeline=runs, data=data, buses=buses, ports=ports,
                         units=tuple(dict.fromkeys(units)), copies=cps,
                         data_count=layout.data_patches, ccz_count=sum(r.layers * r.ccz for r in runs))
    need = program_qubits(head)
    head = dataclasses.replace(head, qubit_budget=qubit_budget if qubit_budget is not None else need)
    accept = (1.0 if p_accept is None else p_accept, 1.0 if ccz_p_accept is None else ccz_p_accept)
    sim = _Sim(layout, head, runs, zones, seed, accept, window, long_window)
    return head, _ops(sim, (fill, ccz_fill))


def _capacity(D: int, unit: Unit, copies: int, peak: int, capacity: int | None, lanes: int = 1) -> int:
    """States each of ``copies`` ports of ``unit`` holds (``capacity``, checked, or the least that works)."""
    worst = -(-peak // copies)
    # a port holds its share of the largest layer and, while it waits for the rest, one more run's outputs
    # but one (else a multi-output copy alone could drop its runs for ever)
    least = max(unit.outputs, worst + unit.outputs - 1)
    if capacity is not None and capacity < least:
        raise SpecError(f"capacity={capacity}: the {copies} copies' ports cannot gather the largest layer's "
                        f"{peak} states (each port needs at least {least}); raise capacity or add copies")
    if capacity is None:
        capacity = least
        # a port is busy D + 1 rounds a consumption (3 D + 1 for a CCZ state's lanes): a unit that runs faster
        # than twice that (cultivation) needs room for the states that arrive meanwhile, or it drops them
        busy, cycle = lanes * D + 1, unit.rounds + 1
        if cycle < 2 * busy:
            capacity = max(capacity, unit.outputs * (1 + -(-busy // cycle)))
    if capacity < unit.outputs:
        raise SpecError(f"capacity={capacity}: a port holds at least the {unit.outputs} states of one run")
    return capacity


def _ops(sim: _Sim, fills: tuple[int, int] = (0, 0)) -> Iterator[Op]:
    # the copies start staggered, one cycle (a run and its route) spread over the K of them, as the plan's
    # supply is: copy c's states come c / K of a cycle after copy 0's, in the order the program takes them;
    # a two-level block's copies first fill their first-level blocks (``fill`` rounds)
    for kind in (0, 1):
        mine = [c for c in range(sim.K) if sim.kind[c] == kind]
        for i, copy in enumerate(mine):
            cycle = sim.units[copy].rounds + sim.steps[copy]
            sim.launch(copy, fills[kind] + i * cycle // len(mine))
    from magicpipe.lattice.recur import SHORT_LAYERS, Fingerprints

    window: list[Op] = []
    history: dict[tuple[Any, ...], Any] = {}
    # the long search (lattice/recur.py): a state seen again after more than the short search holds starts the
    # recording of one period, ``until`` the layer where it must recur
    prints = Fingerprints(short=SHORT_LAYERS, window=sim.window_limit)
    until: int | None = None
    popped = 0
    prev = (0, 0)   # (start, duration) of the previous layer
    delay = 0
    for seg, s in enumerate(sim.runs):
        layer = 0
        while layer < s.layers:
            planned = s.start + layer * s.rounds
            E = max(planned + delay, prev[0] + prev[1])
            due = True
            while due:   # the runs a settled run's launches started may end before E too
                for c in range(sim.K):
                    sim.settle(c, E)
                due = any(p is not None and p + sim.span[c] < E for c, p in enumerate(sim.pend))
            while sim.heap and sim.heap[0][0] < E:
                window.append(heapq.heappop(sim.heap)[3])
                popped += 1
            if sim.rng is None and s.layers >= 32 and s.layers - layer >= 4:
                key = sim.key(E, seg, prev)
                # the long search's state leaves the zones' turns out (lattice/recur.py): a REPEAT it finds
                # repeats its body's data patches, each copy starting the zones' turns where the first did
                state = key[:2] + key[3:]
                if until is not None:
                    key = state
                seen = history.get(key)
                if until is not None and layer < until:
                    seen = None   # the recorded period is a whole number of the state's, each patch served
                if seen is not None:
                    l0, E0, w0, counts0, rem0 = seen
                    Lb, p = layer - l0, E - E0
                    per = {k: sim.count[k] - counts0[k] for k in sim.count}
                    extra = (s.layers - layer) // Lb
                    for g in (0, 1):
                        used = rem0[g] - sim.zone_rem[g]
                        cushion = sum(sim.cap[c] + sim.outs[c] for c in range(sim.K) if sim.kind[c] == g)
                        if used:
                            extra = min(extra, max(0, (sim.zone_rem[g] - cushion - used) // used))
                    if extra >= 1:
                        yield from window[:w0]
                        body = tuple(dataclasses.replace(op, time=op.time - E0) for op in window[w0:])
                        yield Op(E0, "REPEAT", count=extra + 1, period=p, body=body)
                        window.clear()
                        history.clear()
                        prints.clear()
                        until = None
                        by = extra * p
                        sim.shift(by)
                        for k in sim.count:
                            sim.count[k] += extra * per[k]
                        for g in (0, 1):
                            sim.zone_rem[g] -= extra * (rem0[g] - sim.zone_rem[g])
                        layer += extra * Lb
                        prev = (prev[0] + by, prev[1])
                        delay += by - extra * Lb * s.rounds
                        continue
                if until is None and (period := prints.recur(hash(state), layer, popped, tuple(sim.served),
                                                             sim.turns)):
                    yield from window   # a long period: hold this state alone and record one period
                    window.clear()
                    history.clear()
                    until = layer + period
                    key = state
                if until is None or not history:
                    history[key] = (layer, E, len(window), dict(sim.count), list(sim.zone_rem))
                full = len(history) > SHORT_LAYERS or len(window) > sim.window_limit
                if until is not None:
                    full = layer >= until or len(window) > sim.body_limit
                if full:
                    yield from window
                    window.clear()
                    history.clear()
                    until = None
            T, dur = sim.layer(E, seg)
            sim.prev_seg = seg
            delay = T - planned
            prev = (T, dur)
            layer += 1
    for c in range(sim.K):
        sim.settle(c)
    while sim.heap:
        window.append(heapq.heappop(sim.heap)[3])
    yield from window
    last = max((op.time for op in window), default=prev[0] + prev[1])
    left = sum(len(q) for q in sim.queue)
    n = sim.count
    tally = (n["runs"], n["accepted"], n["rejected"], n["consumed"], left, n["consumed"] - n["ccz"])
    yield Op(last, "TALLY", tally=tally + ((n["ccz"],) if sim.h.ccz_count else ()))


def _hits(offset: int, count: int, q: int, n: int) -> int:
    """How many of the ``count`` states from data patch ``offset`` on (cyclically) act on patch ``q``."""
    first = (q - offset) % n
    return 0 if first >= count else 1 + (count - 1 - first) // n


def program_stream2(*args: Any, **kwargs: Any) -> ProgramStream:
    """:func:`emit_program` collected into a :class:`ProgramStream` (small programs; tests)."""
    head, ops = emit_program(*args, **kwargs)
    return ProgramStream(head, tuple(ops))


def consumption_runs(lengths: Sequence[int], states: Sequence[int], layer_rounds: int,
                     start: int = 0) -> tuple[tuple[int, int, int, int], ...]:
    """A run-length timeline (``DemandTimeline.lengths``/``.states``) as consumption runs
    ``(start_round, layers, states_per_layer, layer_rounds)``, one layer every ``layer_rounds`` from ``start``
    (layers without a state keep their time and are left out).

    Examples:
        >>> consumption_runs((2, 1, 3), (2, 0, 3), 15, start=100)
        ((100, 2, 2, 15), (145, 3, 3, 15))
    """
    out = []
    t = start
    for n, s in zip(lengths, states):
        if s > 0:
            out.append((t, n, s, layer_rounds))
        t += n * layer_rounds
    return tuple(out)


def stream_for_point(point: Any, data_patches: int | None = None, hardware: Hardware | None = None, *,
                     seed: int | None = None, p_accept: float | None = None,
                     capacity: int | None = None, kinds: Any = None) -> tuple[ProgramHeader, Iterator[Op]]:
    """The whole-program stream of a planned point (duck-typed on ``magicpipe.compiler.program.ProgramPoint``).

    Reads ``point.copies``, ``point.distances``, ``point.schedule`` (a two-level ``Schedule``, or None),
    ``point.source.method`` when there is one, the data block ``point.data`` (``.distance``,
    ``.logical_qubits``; or ``point.data_distance``) and ``point.consumption()``, whose runs start
    ``(first_layer_round, layers, states_per_layer, layer_rounds, ...)``. The stream's runs start at the
    timeline's own times (after the layers before them, empty ones included), not at the plan's: the plan's
    waits are left out, since the stream's waits come from its own simulation of the copies (handing it the
    plan's times counted every wait twice). A catalogue source (``litinski``, ``cultivation``,
    ``cultivation+P``) runs its block unit (:func:`magicpipe.lattice.units2.catalogue_unit`). Otherwise the unit
    is the schedule's execution (a steady-state schedule of several executions is re-simulated with one,
    :func:`single_execution`), or a one-level 15-to-1 factory at ``distances[0]``.

    Args:
        data_patches: the program's data patches (default: ``point.data.logical_qubits``).
        hardware: written to the header (default: the schedule's, else ``Hardware()``).
        seed, p_accept: a sampled trace; ``p_accept`` defaults to the top level's success probability.
        capacity: states each port holds (default: :func:`emit_program`'s).
        kinds: a mixed point's layers by kind (``Compilation.demand.kinds``): its ``ccz_copies`` of
            ``ccz_source`` (an 8-to-CCZ block) run beside its T copies (:func:`_mixed_stream`).

    A pipeline of three or more levels with its (composed) schedule runs a composed block unit
    (:func:`magicpipe.lattice.composed.composed_unit`: its lower pipelines, buffer and top factory as regions).

    Raises:
        SpecError: a source that is none of a 15-to-1 pipeline with its schedule (or of one level), a catalogue
            block or cultivation (:mod:`magicpipe.lattice.units2`); or a mixed point without its kinds.
    """
    from magicpipe.compiler.pipeline import Pipeline

    if getattr(point, "ccz_source", None) is not None:  # a mixed point (magicpipe.compiler.mixed)
        return _mixed_stream(point, data_patches, hardware, seed, capacity, kinds)
    distances = tuple(getattr(point, "distances", ()))
    schedule = getattr(point, "schedule", None)
    source = getattr(point, "source", None)
    method = getattr(source, "method", "dynamic" if schedule is not None else "single")
    fill = 0
    composed = schedule is not None and len(distances) >= 3 and source is not None
    if not composed and schedule is not None and len(getattr(schedule, "tops", ())) > 1:
        schedule = single_execution(schedule)
    if composed and schedule is not None:
        # a three-level (composed) pipeline: its lower pipelines and the top factory as regions of a block unit
        from magicpipe.lattice.composed import composed_unit

        hardware = hardware or schedule.high.hardware
        p_top = Pipeline.from_distances(distances, schedule.high.hardware).levels[-1].p_succ
        unit, fill = composed_unit(source, schedule, p_top)
    elif method == "cultivation" or method.startswith(("litinski", "cultivation+")):
        from magicpipe.lattice.units2 import catalogue_unit

        unit, fill = catalogue_unit(source)
        hardware = hardware or Hardware()
        if seed is not None and p_accept is None:
            p_accept = 1.0 - float(dict(getattr(source, "detail", ())).get("p_fail", 0.0))
    elif schedule is not None and len(getattr(schedule, "tops", ())) == 1:
        unit = unit_from_schedule(schedule)
        hardware = hardware or schedule.high.hardware
    elif len(distances) == 1 and method in ("single", "sequential", "parallel", "dynamic"):
        hardware = hardware or Hardware()
        unit = unit_one_level("15-to-1", distances[0], hardware)
    else:
        name = getattr(source, "name", method)
        raise SpecError(f"the chosen source {name!r} ({method}, distances {distances}) is not laid out as a factory "
                        f"unit: whole-program streams are written for one-level factories, dynamic pipelines with "
                        f"their schedule (three-level ones as composed units), the catalogue's blocks and "
                        f"cultivation")
    data: Any = getattr(point, "data", None)
    distance = getattr(point, "data_distance", None) or data.distance
    n = data_patches if data_patches is not None else data.logical_qubits
    # the timeline's own times, without the plan's waits: the stream's waits come from its own copies (run i
    # starts after the layers of the runs before it, empty ones included)
    runs: list[Any] = []
    start = 0.0
    for r in point.consumption():
        runs.append((start, r[1], r[2], r[3]))
        start += r[1] * r[3]
    if seed is not None and p_accept is None:
        p_accept = Pipeline.from_distances(distances or unit.distances, hardware).levels[-1].p_succ
    return emit_program(ProgramLayout(max(n, 1), distance), unit, point.copies, runs, hardware=hardware, seed=seed,
                        p_accept=p_accept, capacity=capacity, fill=fill)


def single_execution(schedule: Schedule) -> Schedule:
    """The one-execution schedule of the same configuration as a steady-state ``schedule`` (several executions,
    :func:`magicpipe.compiler.steady.steady_state`): the unit its copies run back to back."""
    from magicpipe.compiler.dynamic import DynamicOptions, simulate

    opts = schedule.options if isinstance(schedule.options, DynamicOptions) else DynamicOptions()
    return simulate(schedule.high, schedule.producers, schedule.qubit_budget, schedule.buffer_slots,
                    schedule.slot_qubits, opts, tops=1)


def _mixed_stream(point: Any, data_patches: int | None, hardware: Hardware | None, seed: int | None,
                  capacity: int | None, kinds: Any) -> tuple[ProgramHeader, Iterator[Op]]:
    """A mixed point's stream: its T copies (a catalogue block or cultivation unit ``U``, none when the program
    has no T state besides its Toffolis) and its CCZ copies (the 8-to-CCZ block unit ``C``)."""
    from magicpipe.lattice.ccz import mixed_runs
    from magicpipe.lattice.units2 import catalogue_unit

    runs = mixed_runs(point, kinds)
    ccz_unit, ccz_fill = catalogue_unit(point.ccz_source, name="C")
    unit, fill, p_t = None, 0, 1.0
    if point.copies:
        source = point.source
        if source.method == "cultivation" or source.method.startswith(("litinski", "cultivation+")):
            unit, fill = catalogue_unit(source)
            p_t = 1.0 - float(dict(getattr(source, "detail", ())).get("p_fail", 0.0))
        elif len(source.distances) == 1:   # a one-level 15-to-1 factory
            from magicpipe.compiler.pipeline import Pipeline

            unit = unit_one_level("15-to-1", source.distances[0], hardware or Hardware())
            p_t = Pipeline.from_distances(source.distances, hardware or Hardware()).levels[-1].p_succ
        else:
            raise SpecError(f"the mixed point's T source {source.name!r} ({source.method}, distances "
                            f"{source.distances}) has no unit beside CCZ factories: a mixed stream lays out the "
                            f"catalogue's T blocks, cultivation and one-level 15-to-1 factories")
    p_c = 1.0 - float(dict(getattr(point.ccz_source, "detail", ())).get("p_fail", 0.0))
    n = data_patches if data_patches is not None else point.data.logical_qubits
    return emit_program(ProgramLayout(max(n, 1), point.data.distance), unit, point.copies, runs,
                        hardware=hardware or Hardware(), seed=seed, p_accept=p_t if seed is not None else None,
                        capacity=capacity, fill=fill, ccz_unit=ccz_unit, ccz_copies=point.ccz_copies,
                        ccz_fill=ccz_fill, ccz_p_accept=p_c if seed is not None else None)
