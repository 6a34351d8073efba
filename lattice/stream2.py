"""The whole-program stream, format version 2: frozen data and its text form (``grammar/README.md``).

A version-2 stream is what a backend runs for a whole program: the program's data patches, a routing bus,
the ports where magic states wait, the factory *unit* (the version-1 stream of one factory run, written once)
and the copies that run it, then timed operations (:class:`Op`): factory runs, their accept decisions with
both branches, routes into the ports, the program's layers and every consumption as a Pauli-product
measurement between data patches and the magic patch, with its outcome-conditioned corrections.

Classical values live in named registers: ``a3`` is the accept bit of copy 3's latest run, ``z5`` / ``x5``
the outcomes of the two measurements of the state consumed from port 5. A register is written by the
``DECIDE`` or ``MEASURE`` that names it and read by the ``IF`` lines that follow; a port holds one
consumption at a time, so its registers are never overwritten before they are read.

Examples:
    >>> print(Op(40, "MEASURE", reg="z5", terms=(Term("Z", "q", 3, "top"), Term("Z", "p", 5, "bottom")),
    ...          rounds=15, via=Rect(0, 15, 90, 15)))
    @40 MEASURE z5 Z:q3@top Z:p5@bottom rounds=15 via=(0,15,90,15)
    >>> print(Op(56, "FRAME", cond=("x5", 1), terms=(Term("Z", "q", 3),)))
    @56 IF x5=1 FRAME Z:q3

A CCZ state (an 8-to-CCZ factory's output, three patches side by side) waits in a port of ``lanes=3``; its
consumption merges each lane ``j`` with one data patch (``Z:p5.1``, registers ``z5.1`` / ``x5.1``) and its
Clifford corrections read one register or the product of two (``IF z5.0&z5.1=1``)::

    >>> print(Op(70, "FRAME", cond=("z5.0&z5.1", 1), terms=(Term("Z", "q", 2),)))
    @70 IF z5.0&z5.1=1 FRAME Z:q2
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from magicpipe.lattice.geometry import SITES_PER_UNIT, Rect, Tile

from magicpipe.errors import SpecError

__all__ = [
    "OPS",
    "POLICY",
    "SIDES",
    "VERSION2",
    "Bus",
    "Copy",
    "DataPatch",
    "Op",
    "Port",
    "ProgramHeader",
    "ProgramStream",
    "Segment",
    "Term",
    "Unit",
    "expand_repeats",
    "step_rounds",
]

VERSION2 = 2
OPS = ("RUN", "DECIDE", "OUTPUT", "DISCARD", "LAYER", "MEASURE", "ROTATE", "FRAME", "REPEAT", "TALLY")
SIDES = ("left", "right", "top", "bottom")
POLICY = (("reject", "discard"), ("relaunch", "at-once"), ("program", "wait"))
"""The controller's policy on a rejected factory run, the only one this version defines: the run's outputs
are discarded, the copy starts its next run in the same round, and the program waits for the next accepted
state (it takes states in the order they reach the ports)."""


@dataclass(frozen=True, slots=True)
class Term:
    """One factor of a Pauli product: basis X/Y/Z on data patch ``q<k>`` or port ``p<k>``, merged on ``side``."""

    basis: str
    kind: str          # "q" data patch, "p" port
    index: int
    side: str = ""
    lane: int = -1     # a CCZ port's patch 0, 1 or 2 (-1: a one-patch port or a data patch)

    def __str__(self) -> str:
        lane = f".{self.lane}" if self.lane >= 0 else ""
        return f"{self.basis}:{self.kind}{self.index}{lane}" + (f"@{self.side}" if self.side else "")


@dataclass(frozen=True, slots=True)
class Op:
    """One timed operation of a version-2 stream (the table of ``grammar/README.md``).

    ``cond`` = (register, value) makes it conditional (``IF a3=0 OUTPUT ...``); ``outcome`` >= 0 is a resolved
    outcome in a sampled trace.
    """

    time: int
    action: str
    copy: int = -1          # RUN, DECIDE, OUTPUT, DISCARD
    reg: str = ""           # DECIDE, MEASURE
    port: int = -1          # OUTPUT
    rounds: int = 0         # OUTPUT (route), MEASURE
    count: int = 0          # DISCARD, REPEAT
    reason: str = ""        # DISCARD
    states: int = 0         # LAYER: T states
    ccz: int = 0            # LAYER: CCZ states
    checks: int = 0         # DECIDE: check measurements of the run that decide it
    terms: tuple[Term, ...] = ()   # MEASURE, ROTATE, FRAME
    via: Rect | None = None        # MEASURE: the bus rectangle merged
    angle: str = ""         # ROTATE
    cond: tuple[str, int] | None = None
    outcome: int = -1
    period: int = 0         # REPEAT
    body: tuple[Op, ...] = ()
    tally: tuple[int, ...] = ()    # TALLY: runs, accepted, rejected, consumed, left, delivered
    attempts: int = 0       # DECIDE of a cultivation run: attempts it made (0: not a cultivation unit)
    line: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.action not in OPS:
            raise SpecError(f"unknown operation {self.action!r}; version 2 has {', '.join(OPS)}")
        if self.time < 0:
            raise SpecError(f"{self.action} at round {self.time}: times are rounds >= 0")

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self, indent: str = "") -> Iterator[str]:
        head = f"{indent}@{self.time} "
        if self.cond is not None:
            head += f"IF {self.cond[0]}={self.cond[1]} "
        a = self.action
        if a == "REPEAT":
            yield f"{head}REPEAT count={self.count} period={self.period} {{"
            for op in self.body:
                yield from op.lines(indent + "  ")
            yield f"{indent}}}"
            return
        out = _OPERANDS[a](self)
        if self.outcome >= 0:
            out += f" outcome={self.outcome}"
        yield f"{head}{a} {out}".rstrip()


def _terms(op: Op) -> str:
    return " ".join(map(str, op.terms))


_TALLY = ("runs", "accepted", "rejected", "consumed", "left", "delivered")
_OPERANDS: dict[str, Callable[[Op], str]] = {
    "RUN": lambda o: f"C{o.copy}",
    "DECIDE": lambda o: f"C{o.copy} reg={o.reg} checks={o.checks}" + (f" attempts={o.attempts}" if o.attempts else ""),
    "OUTPUT": lambda o: f"C{o.copy} port={o.port} rounds={o.rounds}" + (f" count={o.count}" if o.count else ""),
    "DISCARD": lambda o: f"C{o.copy} count={o.count} reason={o.reason}",
    "LAYER": lambda o: f"states={o.states}" + (f" ccz={o.ccz}" if o.ccz else ""),
    "MEASURE": lambda o: f"{o.reg} {_terms(o)} rounds={o.rounds}" + (f" via={o.via}" if o.via is not None else ""),
    "ROTATE": lambda o: f"{_terms(o)} angle={o.angle}",
    "FRAME": _terms,
    "TALLY": lambda o: " ".join(f"{k}={v}" for k, v in zip(_TALLY + ("delivered_ccz",), o.tally)),
}
TALLY_FIELDS = _TALLY
"""A TALLY's counts; a stream with CCZ states adds ``delivered_ccz`` (``consumed`` counts both kinds,
``delivered`` the T states)."""


@dataclass(frozen=True, slots=True)
class DataPatch:
    """A program data patch on ``tile`` at distance ``d``; ``z`` names its two Z-boundary sides."""

    index: int
    tile: Tile
    d: int
    z: tuple[str, str] = ("top", "bottom")

    @property
    def rect(self) -> Rect:
        return Rect.square(self.tile, self.d)

    def __str__(self) -> str:
        return f"DATA {self.index} {self.tile} d={self.d} z={','.join(self.z)}"


@dataclass(frozen=True, slots=True)
class Bus:
    """A routing strip tiled at distance ``d``: merges run through rectangles inside it."""

    index: int
    rect: Rect
    d: int

    def __str__(self) -> str:
        return f"BUS {self.index} {self.rect} d={self.d}"


@dataclass(frozen=True, slots=True)
class Port:
    """Where magic states wait for the program: ``capacity`` states stacked on ``capacity`` rows above ``tile``,
    each ``lanes`` patches wide (1 for T states, 3 for a CCZ state's three patches)."""

    index: int
    tile: Tile
    d: int
    capacity: int = 1
    z: tuple[str, str] = ("top", "bottom")
    lanes: int = 1

    @property
    def rect(self) -> Rect:
        return Rect(self.tile.x, self.tile.y, self.d * self.lanes, self.d * self.capacity)

    def lane_tile(self, lane: int, row: int = 0) -> Tile:
        """The tile of patch ``lane`` of the state on ``row`` (0: the bottom row, the one merged)."""
        return Tile(self.tile.x + lane * self.d, self.tile.y + row * self.d)

    def __str__(self) -> str:
        lanes = f" lanes={self.lanes}" if self.lanes != 1 else ""
        return f"PORT {self.index} {self.tile} d={self.d} capacity={self.capacity}{lanes} z={','.join(self.z)}"


@dataclass(frozen=True, slots=True)
class Unit:
    """One factory run as a version-1 stream (``text``: its header lines from PIPELINE on, and instructions),
    with what the program level needs: its rectangle, qubits, rounds, outputs, the output tile (unit-local)
    and the number of check measurements that decide acceptance."""

    name: str
    protocol: str
    distances: tuple[int, ...]
    width: int
    height: int
    qubits: int
    rounds: int
    outputs: int
    output: Tile
    checks: int
    text: str

    def lines(self) -> Iterator[str]:
        yield (f"UNIT {self.name} protocol={self.protocol} distances={','.join(map(str, self.distances))} "
               f"size=({self.width},{self.height}) qubits={self.qubits} rounds={self.rounds} outputs={self.outputs} "
               f"output={self.output} checks={self.checks} {{")
        for line in self.text.splitlines():
            yield "  " + line
        yield "}"


def expand_repeats(ops: Iterable[Op], shift: int = 0) -> Iterator[Op]:
    """The operations with every ``REPEAT`` block written out, each at its absolute round (lazily)."""
    for op in ops:
        if op.action == "REPEAT":
            for k in range(op.count):
                yield from expand_repeats(op.body, shift + op.time + k * op.period)
        else:
            yield replace(op, time=op.time + shift)


def step_rounds(unit: Unit) -> int:
    """Rounds of a state's move along its copy's route into its port: one lattice-surgery move of the output
    patch (extend over every tile of the route and the port's lowest free tile, then split off and read out all
    but that tile), which needs ``d`` rounds of the merged patch's checks at the moved patch's distance ``d``
    (the unit's last), as any merge does, whatever the route's length (Litinski, *A Game of Surface Codes*: one
    time step a move). A state stepping down its port is such a move too. With fewer rounds, one measurement
    error on a seam flips the state's Z: the whole-stream circuit's Z twin has graph-like distance equal to the
    move's rounds (``docs/lattice.md``).

    Examples:
        >>> step_rounds(Unit("U", "15-to-1", (5, 13), 1, 1, 1, 1, 1, Tile(0, 0), 4, ""))
        13
    """
    return unit.distances[-1]


@dataclass(frozen=True, slots=True)
class Copy:
    """Copy ``index`` of the unit, its lower-left corner at ``origin``, delivering into ``port`` along ``route``."""

    index: int
    unit: str
    origin: Tile
    port: int
    route: tuple[Tile, ...]

    def __str__(self) -> str:
        return (f"COPY {self.index} unit={self.unit} origin={self.origin} port={self.port} "
                f"route=[{','.join(map(str, self.route))}]")


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the program's timeline: ``layers`` layers of ``states`` each, one every ``rounds`` rounds from
    ``start`` (the planned times; the stream's may be later when the program waits); ``states`` T states and
    ``ccz`` CCZ states a layer."""

    start: int
    layers: int
    states: int
    rounds: int
    ccz: int = 0

    def __str__(self) -> str:
        ccz = f" ccz={self.ccz}" if self.ccz else ""
        return f"TIMELINE start={self.start} layers={self.layers} states={self.states} rounds={self.rounds}{ccz}"


@dataclass(frozen=True, slots=True)
class ProgramHeader:
    """Everything a backend needs before the first operation of a version-2 stream."""

    mode: str                   # "nominal" or "trace"
    seed: int
    p: float
    eps: float
    t_2q_ns: float
    t_meas_ns: float
    t_count: int
    data_distance: int
    qubit_budget: int
    width: int
    height: int
    policy: tuple[tuple[str, str], ...] = POLICY
    timeline: tuple[Segment, ...] = ()
    data: tuple[DataPatch, ...] = ()
    buses: tuple[Bus, ...] = ()
    ports: tuple[Port, ...] = ()
    units: tuple[Unit, ...] = ()
    copies: tuple[Copy, ...] = ()
    data_count: int = -1    # PROGRAM data=N as written (-1: the number of DATA lines)
    ccz_count: int = 0      # CCZ states the program consumes (its Toffolis met by CCZ factories)
    line: int = field(default=0, compare=False, repr=False)   # line of MAGICPIPE_LSI when parsed

    @property
    def floorplan_qubits(self) -> int:
        return SITES_PER_UNIT * self.width * self.height

    @property
    def bounds(self) -> Rect:
        return Rect(0, 0, self.width, self.height)

    def lines(self) -> Iterator[str]:
        yield f"MAGICPIPE_LSI {VERSION2}"
        yield "MODE nominal" if self.mode == "nominal" else f"MODE trace seed={self.seed}"
        yield f"HARDWARE p={self.p!r} eps={self.eps!r} t_2q_ns={self.t_2q_ns!r} t_meas_ns={self.t_meas_ns!r}"
        n = len(self.data) if self.data_count < 0 else self.data_count
        ccz = f" ccz_count={self.ccz_count}" if self.ccz_count else ""
        yield f"PROGRAM t_count={self.t_count} data={n} d={self.data_distance}{ccz}"
        yield f"BUDGET qubits={self.qubit_budget}"
        yield f"FLOORPLAN width={self.width} height={self.height}  # {self.floorplan_qubits} qubit sites"
        yield "POLICY " + " ".join(f"{k}={v}" for k, v in self.policy)
        for s in self.timeline:
            yield str(s)
        for group in (self.data, self.buses, self.ports):
            for x in group:
                yield str(x)
        for u in self.units:
            yield from u.lines()
        for c in self.copies:
            yield str(c)

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass(frozen=True, slots=True)
class ProgramStream:
    """A version-2 header and its operations (``ops`` may be any iterable; tuples compare equal)."""

    header: ProgramHeader
    ops: tuple[Op, ...]

    def text_lines(self) -> Iterator[str]:
        yield from self.header.lines()
        for op in self.ops:
            yield from op.lines()

    def __str__(self) -> str:
        return "\n".join(self.text_lines()) + "\n"
