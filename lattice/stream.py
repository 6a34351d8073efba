"""The timed lattice-surgery instruction stream as frozen data.

A :class:`Stream` is a :class:`Header` (format version, hardware, distances, budget, floor plan) and a tuple of
:class:`Instruction` s in time order. Every instruction has a time in rounds, an ``action`` from the commented
:data:`Action` list, the factory it acts on, the operands its action uses, and a :class:`Trace` naming the
schedule event it came from. ``str()`` of each is its text form (``grammar/README.md``); the parser in
:mod:`magicpipe.grammar` turns that text back into equal objects.

Factory ids: ``L<run id>`` for a low-level run, ``H<execution index>`` for a high-level execution. Data patches
of a factory are numbered from 1 like the protocol's qubits. ``program`` is the consumer of top-level outputs.

Examples:
    >>> i = Instruction(55, "OUTPUT", "L4", slot=0, trace=Trace("run", 4))
    >>> str(i)
    '@55 OUTPUT L4 slot=0 run=4'
    >>> str(Instruction(72, "MOVE", "H0", patch=3, step=1, tiles=(Tile(34, 17), Tile(34, 34)), trace=Trace("stall", 0)))
    '@72 MOVE H0.q3 step=1 path=[(34,17),(34,34)] stall=0'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args
from collections.abc import Callable, Iterable, Iterator

from magicpipe.errors import SpecError
from magicpipe.lattice.geometry import SITES_PER_UNIT, Rect, Tile

__all__ = ["Action", "ACTIONS", "TraceKind", "Trace", "Tally", "Instruction", "Region", "Header", "Stream",
           "PROGRAM", "FORMAT_VERSION", "numbered", "move_step_rounds"]

FORMAT_VERSION = 1
PROGRAM = "program"
"""The consumer of top-level outputs (``OUTPUT H0 to=program``)."""

Action = Literal[
    # Start a factory run on ``region``: ``protocol`` at ``level`` and ``distance``; ``tiles`` are the home
    # tiles of its data patches (given for the factories that may move them).
    "LAUNCH",
    # The factory takes one state for protocol ``step`` (0: the burst at launch) from buffer ``slot``, or
    # straight from the producer ``peer`` that finishes in the same round.
    "CONSUME",
    # The factory yields one state into buffer ``slot``, or straight to the consumer ``peer`` (a high-level
    # factory launching this round, or ``program``). A low-level run ends with its OUTPUTs or its DISCARD.
    "OUTPUT",
    # ``count`` states are lost: ``reason`` is ``failed`` (the run's checks failed), ``full`` (no free slot)
    # or ``flush`` (a state left in ``slot`` when a repeated body ends).
    "DISCARD",
    # Protocol ``step`` finds too few states; the factory waits (``reuse`` no) or lends its ancilla region
    # (``reuse`` yes). ``threshold`` is N'_th, ``remaining`` the rotations still to do.
    "STALL",
    # The stalled step starts: its CONSUME follows.
    "RESUME",
    # Data patch ``patch`` of the factory moves along ``tiles`` (origin first) in move step ``step``;
    # a step lasts ``move_step_rounds`` (d rounds, or the paper's one), routes of one step share no tile.
    "MOVE",
    # The stalled factory lends ``region`` (inside its block, clear of its data patches) to ``lent_to``.
    "REUSE",
    # The factory takes ``region`` back; every borrower has ended.
    "RECLAIM",
    # The factory measures the Pauli product ``paulis`` for protocol ``step`` (optional expansion,
    # :mod:`magicpipe.lattice.measure`): ``Z1 Z3 Zm`` merges data patches 1, 3 and the |m> patch through the
    # routing ``tiles``; ``Xm`` reads the |m> patch out; at step ``steps + 1`` the X checks.
    "MEASURE",
    # ``body`` runs ``count`` times, copy k shifted by ``k * period`` rounds (a long program's pipeline).
    "REPEAT",
    # The conservation law at the end: ``produced = consumed + discarded + len(left)``; ``left`` lists the
    # slots still holding a state; ``delivered`` counts top-level outputs.
    "TALLY",
]
ACTIONS: tuple[str, ...] = get_args(Action)

TraceKind = Literal["run", "top", "take", "stall"]
TRACE_KINDS: tuple[str, ...] = get_args(TraceKind)
REASONS = ("failed", "full", "flush")


@dataclass(frozen=True, slots=True)
class Trace:
    """The schedule event an instruction came from: ``Schedule.runs[index]`` for ``run``, ``.tops`` for
    ``top``, ``.takes`` for ``take``, ``.stalls`` for ``stall``."""

    kind: TraceKind
    index: int

    def __str__(self) -> str:
        return f"{self.kind}={self.index}"


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts of the buffered states (see the ``TALLY`` action)."""

    produced: int
    consumed: int
    discarded: int
    left: tuple[int, ...] = ()
    delivered: int = 0

    @property
    def balanced(self) -> bool:
        return self.produced == self.consumed + self.discarded + len(self.left)

    def __str__(self) -> str:
        left = ",".join(map(str, self.left))
        return (f"produced={self.produced} consumed={self.consumed} discarded={self.discarded} left=[{left}] "
                f"delivered={self.delivered}")


@dataclass(frozen=True, slots=True)
class Instruction:
    """One timed instruction; which operands an action uses is in the comments of :data:`Action`."""

    # Round at which the instruction happens.
    time: int
    # What happens (see :data:`Action`).
    action: Action
    # The factory acted on ("" for REPEAT and TALLY).
    target: str = ""
    # LAUNCH: protocol name, pipeline level and code distance.
    protocol: str = ""
    level: int = 0
    distance: int = 0
    # LAUNCH: the factory's block; REUSE, RECLAIM: the lent rectangle.
    region: Rect | None = None
    # LAUNCH: home tiles of the data patches; MOVE: the route; MEASURE: the routing tiles merged.
    tiles: tuple[Tile, ...] = ()
    # MEASURE: the Pauli terms, e.g. ("Z1", "Z3", "Zm").
    paulis: tuple[str, ...] = ()
    # MOVE: which data patch (1-based).
    patch: int = 0
    # CONSUME, STALL, RESUME, MEASURE: protocol step; MOVE: move step.
    step: int = -1
    # CONSUME, OUTPUT, DISCARD (flush): buffer slot.
    slot: int = -1
    # CONSUME: the producer handing a state over directly; OUTPUT: the direct consumer or ``program``.
    peer: str = ""
    # REUSE: the factories on the lent region.
    lent_to: tuple[str, ...] = ()
    # DISCARD: states lost; REPEAT: copies of the body.
    count: int = 0
    # DISCARD: failed, full or flush.
    reason: str = ""
    # STALL: N'_th, rotations remaining, whether the ancilla region is lent.
    threshold: int = 0
    remaining: int = 0
    reuse: bool = False
    # REPEAT: rounds between copies and the repeated instructions (times relative to the REPEAT).
    period: int = 0
    body: tuple[Instruction, ...] = ()
    # TALLY: the counts.
    tally: Tally | None = None
    # The schedule event this came from.
    trace: Trace | None = None
    # Source line when parsed from text (not part of equality).
    line: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise SpecError(f"unknown action {self.action!r}; actions are {', '.join(ACTIONS)}")
        if self.time < 0:
            raise SpecError(f"{self.action} at round {self.time}: times are rounds >= 0")
        if self.action == "DISCARD" and self.reason not in REASONS:
            raise SpecError(f"DISCARD reason {self.reason!r} must be one of {', '.join(REASONS)}")

    @property
    def patch_name(self) -> str:
        return f"{self.target}.q{self.patch}"

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self, indent: str = "") -> Iterator[str]:
        """The text form, one line (a REPEAT: its opening line, its body one deeper, then ``}``)."""
        head = f"{indent}@{self.time} {self.action}"
        if self.action == "REPEAT":
            yield f"{head} count={self.count} period={self.period} {{"
            for inst in self.body:
                yield from inst.lines(indent + "  ")
            yield f"{indent}}}"
            return
        parts = [head, _OPERANDS[self.action](self)]
        if self.trace is not None:
            parts.append(str(self.trace))
        yield " ".join(p for p in parts if p)


def _tiles(tiles: tuple[Tile, ...]) -> str:
    return "[" + ",".join(map(str, tiles)) + "]"


def _launch(i: Instruction) -> str:
    data = f" data={_tiles(i.tiles)}" if i.tiles else ""
    return f"{i.target} {i.protocol} level={i.level} d={i.distance} region={i.region}{data}"


def _source(i: Instruction) -> str:
    return f"slot={i.slot}" if i.slot >= 0 else f"{'from' if i.action == 'CONSUME' else 'to'}={i.peer}"


def _discard(i: Instruction) -> str:
    slot = f" slot={i.slot}" if i.slot >= 0 else ""
    return f"{i.target} count={i.count} reason={i.reason}{slot}"


_OPERANDS: dict[str, Callable[[Instruction], str]] = {
    "LAUNCH": _launch,
    "CONSUME": lambda i: f"{i.target} step={i.step} {_source(i)}",
    "OUTPUT": lambda i: f"{i.target} {_source(i)}",
    "DISCARD": _discard,
    "STALL": lambda i: (f"{i.target} step={i.step} threshold={i.threshold} remaining={i.remaining} "
                        f"reuse={'yes' if i.reuse else 'no'}"),
    "RESUME": lambda i: f"{i.target} step={i.step}",
    "MOVE": lambda i: f"{i.patch_name} step={i.step} path={_tiles(i.tiles)}",
    "REUSE": lambda i: f"{i.target} region={i.region} to=[{','.join(i.lent_to)}]",
    "RECLAIM": lambda i: f"{i.target} region={i.region}",
    "TALLY": lambda i: str(i.tally),
    "MEASURE": lambda i: (f"{i.target} step={i.step} {' '.join(i.paulis)}"
                          + (f" via={_tiles(i.tiles)}" if i.tiles else "")),
}


def move_step_rounds(move_rounds: int, distance: int) -> int:
    """Rounds one move step of a distance-``distance`` data patch lasts in a stream whose header allows
    ``move_rounds`` for moving aside.

    ``distance`` when ``move_rounds >= distance``: a lattice-surgery move needs ``d`` rounds of the merged
    patch's checks, as the routes of format 2 do (:func:`magicpipe.lattice.stream2.step_rounds`) and as
    :func:`magicpipe.lattice.recost.recost` charges; otherwise 1, the paper's one-round step (Sec. 2.1) that the
    core's default ``move_rounds=2`` assumes. Step ``m`` starts ``(m - 1)`` step lengths after the stall (or
    the reclaim) and every step ends within ``move_rounds``.

    Examples:
        >>> move_step_rounds(2, 17), move_step_rounds(17, 17), move_step_rounds(34, 17), move_step_rounds(0, 3)
        (1, 17, 17, 1)
    """
    return distance if move_rounds >= distance else 1


@dataclass(frozen=True, slots=True)
class Region:
    """A named part of the floor plan: ``factory`` (the high-level block), ``buffer`` or ``low``."""

    name: str
    rect: Rect
    distance: int

    def __str__(self) -> str:
        return f"REGION {self.name} {self.rect} d={self.distance}"


@dataclass(frozen=True, slots=True)
class Header:
    """What a backend needs before the first instruction."""

    version: int
    p: float
    eps: float
    t_2q_ns: float
    t_meas_ns: float
    protocol: str
    distances: tuple[int, ...]
    qubit_budget: int
    buffer_slots: int
    slot_qubits: int
    move_rounds: int
    width: int
    height: int
    regions: tuple[Region, ...] = ()
    slots: tuple[Rect, ...] = ()
    # Line of MAGICPIPE_LSI when parsed from text (not part of equality): header lines are numbered from it.
    line: int = field(default=0, compare=False, repr=False)

    @property
    def floorplan_qubits(self) -> int:
        """Physical qubit sites of the floor plan's bounding rectangle."""
        return SITES_PER_UNIT * self.width * self.height

    @property
    def bounds(self) -> Rect:
        return Rect(0, 0, self.width, self.height)

    def lines(self) -> Iterator[str]:
        yield f"MAGICPIPE_LSI {self.version}"
        yield f"HARDWARE p={self.p!r} eps={self.eps!r} t_2q_ns={self.t_2q_ns!r} t_meas_ns={self.t_meas_ns!r}"
        yield f"PIPELINE protocol={self.protocol} distances={','.join(map(str, self.distances))}"
        yield (f"BUDGET qubits={self.qubit_budget} slots={self.buffer_slots} slot_qubits={self.slot_qubits} "
               f"move_rounds={self.move_rounds}")
        yield f"FLOORPLAN width={self.width} height={self.height}  # {self.floorplan_qubits} qubit sites"
        for r in self.regions:
            yield str(r)
        for k, s in enumerate(self.slots):
            yield f"SLOT {k} {s}"

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass(frozen=True, slots=True)
class Stream:
    """A header and its instructions."""

    header: Header
    instructions: tuple[Instruction, ...]

    def __str__(self) -> str:
        return "\n".join(self.text_lines()) + "\n"

    def text_lines(self) -> Iterator[str]:
        yield from self.header.lines()
        for inst in self.instructions:
            yield from inst.lines()

    def __repr__(self) -> str:
        """One line: the header's pipeline and budget, the instruction count and the last round (``str`` is the
        whole text form)."""
        h = self.header
        last = max((i.time for i in self.instructions), default=0)
        return (f"<Stream v{h.version} {h.protocol} distances={h.distances} qubits={h.qubit_budget} "
                f"slots={h.buffer_slots} instructions={len(self.instructions)} last_round={last}>")


def numbered(header: Header, instructions: Iterable[Instruction]) -> Iterator[tuple[int, Instruction]]:
    """``(line, instruction)`` for every top-level instruction: its parsed line, else its line in ``str()``.

    Examples:
        >>> h = Header(1, 1e-4, 1e-4, 50.0, 100.0, "15-to-1", (5, 17), 100, 1, 49, 2, 10, 10)
        >>> [n for n, _ in numbered(h, [Instruction(0, "RESUME", "H0", step=1)] * 2)]
        [6, 7]
    """
    line = sum(1 for _ in header.lines())
    for inst in instructions:
        line += 1
        yield (inst.line or line), inst
        if inst.action == "REPEAT":
            line += sum(1 for _ in inst.lines()) - 1
