"""Factory units of the whole-program stream for the catalogue's blocks and for magic-state cultivation.

The version-2 stream (:mod:`magicpipe.lattice.whole`) runs K copies of one factory *unit*. The 15-to-1
pipelines' units are version-1 streams (``PIPELINE ...``: every launch and Pauli-product measurement). The
catalogue's factories (:mod:`magicpipe.compiler.catalogue`) and cultivation are costed by published models,
not scheduled patch by patch, so their unit is a *block body* (``BLOCK ...``): the floor plan of the factory
at its distances, its outputs and how a run is decided, which the validator checks statically
(:func:`block_checks`); the stream's operations then run it like any unit (``RUN``, ``DECIDE`` with both
branches, ``OUTPUT`` along the copy's route).

Block body lines (unit-local coordinates in qubit-pitch units, 2 qubit sites per unit square)::

    BLOCK method=litinski protocol=20-to-4 level1=6 qubits=43344 rounds=117 fill=30 outputs=4 checks=3
    REGION level1 0 (0,62,33,38) d=13          # one first-level 15-to-1 block (of level1)
    REGION routing (33,62,40,76) d=13           # the routing region between them
    REGION upper (0,13,73,69) d=23               # the upper block
    OUTPUT 0 (0,0) d=13 side=bottom              # an output patch, on the side facing the port
    OUTPUT 0 (0,0) d=9 side=bottom lanes=3       # 8-to-CCZ (kind=CCZ): one CCZ state, 3 patches side by side
    ATTEMPT rounds=1.3925 keep=0.01706           # cultivation only: one attempt's mean rounds, kept fraction
    ON keep=output reject=restart                # cultivation only: the restart policy (total: both outcomes)
    PATCH q0 (0,24,17,17) role=output z=top,bottom   # a first-level Litinski block: its protocol patch by
    STEP 1 at=0 rounds=7 storage=-ccc-               # patch (register, steps, injections, merges, readouts,
    @0 INJECT q1 rotation=+IZIII                     # corrections, checks, decision: lattice/blockops.py)

Geometry. A first-level ``(15-to-1)_{d_X,d_Z,d_m}`` block is Litinski's ``(d_X + 4 d_Z) x 3 d_X`` rectangle
with its output patch (``d_m``) below it. A two-level block (Litinski 2019, Sec. 4; footprint as
:func:`magicpipe.compiler.catalogue.upper_level` counts it) stacks, from the bottom: the output patches of the
upper block (20-to-4: four), the upper block (``w_X d_X2 + w_Z d_Z2`` by ``3 d_X2``), and above it the routing
region (``20 d_m2^2 + 2 d_X2 d_m2`` unit squares) between two columns of feeders (first-level blocks
``(d_X + 4 d_Z) x (3 d_X + d_m2 / 2)`` with their output, or cultivation patches with their strip). A
CCZ block (``kind=CCZ``: Litinski's 8-to-CCZ upper block over 15-to-1 blocks or cultivation, *Magic State
Distillation: Not as Costly as You Think*, Sec. 4) delivers one CCZ state a run, on its three output qubits:
one ``OUTPUT`` of ``lanes=3`` patches side by side, moved together to a port of three lanes. A
cultivation patch is a ``15 x ceil(qubits / 30)`` rectangle: the color code grows into the distance-15 patch
that holds the kept state, its own output patch. Every rectangle holds at least the catalogue's qubits.

Timing. A catalogue run lasts its successful run's rounds (``rounds``: the block's steps; failures are the
``DECIDE``'s reject branch, as for the 15-to-1 units); a two-level block's first run comes ``fill`` rounds
after its copy starts (the first-level blocks' first outputs). A cultivation run is a sequence of attempts
ending with a kept one: ``DECIDE ... attempts=n`` after :func:`attempt_span` ``(n, tau)`` rounds; a rejected
attempt restarts at once (``ON ... reject=restart``). The nominal stream's runs take the attempts of
:func:`nominal_attempts` -- a periodic pattern whose mean time per kept state is the plan's
``period_rounds`` (``volume / qubits``); a sampled trace draws each run's attempts from the geometric law.
"""

from __future__ import annotations

from typing import Any

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from magicpipe.lattice.geometry import SITES_PER_UNIT, Rect, Tile
from magicpipe.lattice.stream2 import Unit

from magicpipe.errors import SpecError

__all__ = ["BlockBody", "Region", "attempt_span", "block_checks", "catalogue_unit", "is_block", "nominal_attempts",
           "parse_block", "unit_kind", "unit_lanes"]

_NAME = re.compile(r"^\((?P<low>[^)]+)\)(?:\^(?P<n>[0-9]+))?_\{[0-9,]+\}(?: x \((?P<up>[^)]+)\)_\{[0-9,]+\})?$")
_CULT_QUBITS = {3: 454, 5: 463}     # the published circuits' footprints (compiler/cultivation.py)
_D2 = 15                            # cultivation's escape distance


def attempt_span(attempts: int, tau: float) -> int:
    """Rounds of a cultivation run of ``attempts`` attempts of ``tau`` rounds each (at least 1).

    Examples:
        >>> attempt_span(58, 1.3925), attempt_span(1, 0.4)
        (81, 1)
    """
    return max(1, math.floor(attempts * tau + 0.5))


def nominal_attempts(tau: float, keep: float, period: float, most: int = 8) -> tuple[int, ...]:
    """The nominal stream's attempts per run, one period of the pattern (its runs cycle through it).

    Over ``q`` runs the pattern spreads ``round(q / keep)`` attempts as evenly as it can; ``q <= most`` is the
    one whose mean run (:func:`attempt_span` rounds) is nearest to ``period`` (the plan's rounds per kept
    state), the shortest on a tie. A short period keeps the stream's long stretches periodic (``REPEAT``).

    Examples:
        >>> nominal_attempts(1.3925, 0.01706, 81.68)
        (58, 59, 59)
    """
    best: tuple[float, int, tuple[int, ...]] | None = None
    for q in range(1, most + 1):
        total = max(q, round(q / keep))
        pattern = tuple((k + 1) * total // q - k * total // q for k in range(q))
        mean = sum(attempt_span(n, tau) for n in pattern) / q
        key = (abs(mean - period), q, pattern)
        if best is None or key[:2] < best[:2]:
            best = key
    assert best is not None
    return best[2]


@dataclass(frozen=True, slots=True)
class Region:
    kind: str
    index: int
    rect: Rect
    d: int


@dataclass(frozen=True, slots=True)
class BlockBody:
    """A parsed block body (module docstring)."""

    fields: tuple[tuple[str, str], ...]
    regions: tuple[Region, ...]
    outputs: tuple[tuple[Tile, int, str], ...]
    attempt: tuple[float, float] | None = None      # (rounds, keep)
    on: tuple[tuple[str, str], ...] = ()
    lanes: tuple[int, ...] = ()                     # patches of each output (1 a T state, 3 a CCZ state)
    protocol: tuple[str, ...] = ()                  # a first-level block's PATCH, STEP and @t lines (blockops)

    def get(self, key: str, default: str = "") -> str:
        return dict(self.fields).get(key, default)

    def int(self, key: str, default: int = 0) -> int:
        v = self.get(key)
        return int(v) if v else default


def is_block(unit: Unit) -> bool:
    """Whether the unit's body is a block body (else a version-1 stream)."""
    return unit.text.startswith("BLOCK ")


_RECT = r"\((-?[0-9]+),(-?[0-9]+),([0-9]+),([0-9]+)\)"
_TILE = r"\((-?[0-9]+),(-?[0-9]+)\)"
_KV = re.compile(r"([a-z_0-9]+)=(\S+)")


def parse_block(text: str) -> BlockBody:
    """Parse a block body.

    Raises:
        SpecError: a line that is none of BLOCK, REGION, OUTPUT, ATTEMPT, ON (its number in the body).
    """
    fields: list[tuple[str, str]] = []
    regions: list[Region] = []
    outputs: list[tuple[Tile, int, str]] = []
    lanes: list[int] = []
    attempt: tuple[float, float] | None = None
    on: list[tuple[str, str]] = []
    protocol: list[str] = []
    for k, line in enumerate(text.splitlines(), start=1):
        word = line.split(" ", 1)[0]
        if word in ("PATCH", "STEP") or word.startswith("@"):
            protocol.append(line)
            continue
        if word == "BLOCK" and k == 1:
            fields = [(m.group(1), m.group(2)) for m in _KV.finditer(line)]
            continue
        m = re.fullmatch(r"REGION ([a-z0-9_]+)(?: ([0-9]+))? " + _RECT + r" d=([0-9]+)", line)
        if word == "REGION" and m:
            x, y, w, h = (int(m.group(i)) for i in range(3, 7))
            regions.append(Region(m.group(1), int(m.group(2) or 0), Rect(x, y, w, h), int(m.group(7))))
            continue
        m = re.fullmatch(r"OUTPUT ([0-9]+) " + _TILE + r" d=([0-9]+) side=(left|right|top|bottom)(?: lanes=([0-9]+))?",
                         line)
        if word == "OUTPUT" and m:
            outputs.append((Tile(int(m.group(2)), int(m.group(3))), int(m.group(4)), m.group(5)))
            lanes.append(int(m.group(6) or 1))
            continue
        m = re.fullmatch(r"ATTEMPT rounds=([0-9.eE+-]+) keep=([0-9.eE+-]+)", line)
        if word == "ATTEMPT" and m and attempt is None:
            try:
                attempt = (float(m.group(1)), float(m.group(2)))
            except ValueError:
                raise SpecError(f"block body line {k}: {line!r}: rounds and keep are numbers") from None
            continue
        if word == "ON" and not on:
            on = [(m.group(1), m.group(2)) for m in _KV.finditer(line)]
            continue
        raise SpecError(f"block body line {k}: {line!r} is not a BLOCK (first), REGION, OUTPUT, ATTEMPT, ON, PATCH, "
                        f"STEP or @t line")
    if not fields:
        raise SpecError("a block body starts with its BLOCK line")
    return BlockBody(tuple(fields), tuple(regions), tuple(outputs), attempt, tuple(on), tuple(lanes), tuple(protocol))


def unit_kind(unit: Unit) -> str:
    """``"CCZ"`` for a block unit whose BLOCK line says ``kind=CCZ``, else ``"T"``."""
    if not is_block(unit):
        return "T"
    first = unit.text.split("\n", 1)[0]
    return "CCZ" if " kind=CCZ" in f" {first} " else "T"


def unit_lanes(unit: Unit) -> int:
    """Patches of one output state: 3 for a CCZ unit, else 1."""
    return 3 if unit_kind(unit) == "CCZ" else 1


def block_checks(unit: Unit) -> Iterator[str]:
    """Every way the block ``unit`` breaks the rules of its body (module docstring); nothing if it is sound.

    The rectangle holds the declared qubits (2 sites per unit square); regions lie in it and do not overlap;
    the outputs are ``unit.outputs`` patches of the unit's last distance, inside the rectangle, on its bottom
    edge (the side facing the port), disjoint, the first at the declared ``output``; the declared checks,
    outputs, qubits and rounds match the BLOCK line; a cultivation unit states one attempt (rounds > 0, kept
    fraction in (0, 1]), its restart policy for both outcomes (``ON keep=output reject=restart``), and
    ``rounds`` = its mean rounds per kept state, rounded.
    """
    try:
        b = parse_block(unit.text)
    except SpecError as e:
        yield str(e)
        return
    box = Rect(0, 0, unit.width, unit.height)
    if SITES_PER_UNIT * unit.width * unit.height < unit.qubits:
        yield (f"its rectangle {unit.width} x {unit.height} holds {SITES_PER_UNIT * unit.width * unit.height} "
               f"qubit sites, fewer than its {unit.qubits} qubits")
    for what, said in (("qubits", unit.qubits), ("outputs", unit.outputs), ("checks", unit.checks),
                       ("rounds", unit.rounds)):
        if b.int(what, -1) != said:
            yield f"the UNIT line says {what}={said}, its BLOCK line {what}={b.get(what) or 'nothing'}"
    if b.get("protocol") != unit.protocol:
        yield f"the UNIT line says protocol={unit.protocol}, its BLOCK line protocol={b.get('protocol')}"
    for r in b.regions:
        if r.rect.w <= 0 or r.rect.h <= 0 or not box.contains(r.rect):
            yield f"region {r.kind} {r.index} at {r.rect} is outside the unit's rectangle {box}"
    for i, r in enumerate(b.regions):
        for s in b.regions[i + 1:]:
            if r.rect.overlaps(s.rect):
                yield f"regions {r.kind} {r.index} and {s.kind} {s.index} overlap ({r.rect}, {s.rect})"
    for level in ("level1", "level2"):   # level2: a composed (three-level) unit's lower pipelines
        n = b.int(level)
        if n != sum(1 for r in b.regions if r.kind == level):
            yield f"the BLOCK line says {level}={n}, the body has {sum(1 for r in b.regions if r.kind == level)}"
    d = unit.distances[-1]
    if len(b.outputs) != unit.outputs:
        yield f"{len(b.outputs)} OUTPUT lines for outputs={unit.outputs}"
    squares: list[Rect] = []
    want = 3 if b.get("kind", "T") == "CCZ" else 1
    if b.get("kind", "T") not in ("T", "CCZ"):
        yield f"kind={b.get('kind')}: a block makes T or CCZ states"
    for k, (t, od, side) in enumerate(b.outputs):
        lanes = b.lanes[k] if k < len(b.lanes) else 1
        sq = Rect(t.x, t.y, od * lanes, od)
        if lanes != want:
            yield (f"output {k} has lanes={lanes}: a {b.get('kind', 'T')} state occupies {want} patch(es) side by "
                   f"side")
        if od != d or side != "bottom" or t.y != 0 or not box.contains(sq):
            yield (f"output {k} at {t} d={od} side={side}: outputs are patches of d={d} on the unit's bottom edge "
                   f"(the side facing its port), inside its rectangle")
        if any(sq.overlaps(o) for o in squares):
            yield f"output {k} at {t} overlaps another output"
        squares.append(sq)
    if b.outputs and b.outputs[0][0] != unit.output:
        yield f"the UNIT line's output {unit.output} is not its first OUTPUT {b.outputs[0][0]}"
    if b.get("method") == "cultivation":
        if b.attempt is None:
            yield "a cultivation unit states its ATTEMPT (rounds, keep)"
        else:
            tau, keep = b.attempt
            if not (tau > 0 and 0 < keep <= 1):
                yield f"ATTEMPT rounds={tau} keep={keep}: rounds > 0 and keep in (0, 1]"
            elif unit.rounds != attempt_span(1, tau / keep):
                yield (f"rounds={unit.rounds} is not the mean rounds per kept state, rounds / keep = "
                       f"{tau / keep:.4g}, rounded")
        if dict(b.on) != {"keep": "output", "reject": "restart"} or len(b.on) != 2:
            yield (f"the restart policy ON {' '.join(f'{k}={v}' for k, v in b.on) or '(none)'} is not total: "
                   f"ON keep=output reject=restart")
    elif b.attempt is not None or b.on:
        yield "ATTEMPT and ON lines belong to cultivation units only"
    yield from _protocol_checks(unit, b)


def _protocol_checks(unit: Unit, b: BlockBody) -> Iterator[str]:
    """A first-level Litinski block states its protocol patch by patch (:mod:`magicpipe.lattice.blockops`), so
    does the upper block of a two-level block (T states or one CCZ state) (:mod:`magicpipe.lattice.upperops`)."""
    from magicpipe.lattice.blockops import body_checks

    litinski = b.get("method") == "litinski"
    first = litinski and b.int("level1") == 0 and b.get("protocol") == "15-to-1"
    fed = litinski or b.get("method").startswith("cultivation+")
    upper = fed and b.int("level1") > 0
    if upper:
        yield from _upper_protocol(unit, b)
        return
    block = [r.rect for r in b.regions if r.kind == "block"]
    yield from body_checks(unit, first, block, b.protocol)


def _upper_protocol(unit: Unit, b: BlockBody) -> Iterator[str]:
    from magicpipe.compiler.blocks import get_layout
    from magicpipe.lattice.blockops import parse_protocol
    from magicpipe.lattice.upperchecks import upper_checks
    from magicpipe.lattice.upperops import floor_of

    region = [r for r in b.regions if r.kind == "upper"]
    try:
        step = float(b.get("step"))
    except ValueError:
        step = 0.0
    feed = b.int("feed")
    kinds = [r.kind for r in b.regions]
    if not b.protocol or len(region) != 1 or len(unit.distances) < 5 or step <= 0 or feed <= 0 or \
            (kinds.count("corridor"), kinds.count("lane"), kinds.count("routing")) != (1, 2, 1):
        yield ("a two-level Litinski block states its upper block patch by patch (BLOCK step= feed=, REGION upper, "
               "routing, corridor and two lanes, PATCH, STEP and @t lines: lattice/upperops.py)")
        return
    if b.get("method") == "litinski" and feed != 6 * unit.distances[2]:
        yield f"feed={feed}: a first-level feeder's run is its 6 steps of d_m = {6 * unit.distances[2]} rounds"
    try:
        proto = parse_protocol(b.protocol)
        layout = get_layout(b.get("protocol"))
    except SpecError as e:
        yield str(e)
        return
    dx2, dz2, dm2 = unit.distances[-3:]
    # each output qubit's OUTPUT patch: a CCZ state's OUTPUT holds three, side by side
    squares = [Rect(t.x + j * d, t.y, d, d) for (t, d, _), n in zip(b.outputs, b.lanes) for j in range(n)]
    feeders = [r for r in b.regions if r.kind == "level1"]
    if [r.index for r in feeders] != list(range(len(feeders))):
        yield f"REGION level1 lines number {' '.join(str(r.index) for r in feeders)}: the feeders are 0..n-1 in order"
        return
    get = {r.kind: r.rect for r in b.regions}
    lanes_of = sorted((r for r in b.regions if r.kind == "lane"), key=lambda r: r.rect.x)
    if [r.index for r in lanes_of] != [0, 1]:
        yield (f"REGION lane lines number {' '.join(str(r.index) for r in lanes_of)}: the outer lanes are lane 0 "
               f"(left) and lane 1 (right)")
        return
    lanes = [r.rect for r in lanes_of]
    floor = floor_of([r.rect for r in b.regions if r.kind == "level1"], get["routing"], get["corridor"],
                     (lanes[0], lanes[1]), dm2)
    keep = feed if b.get("method") == "litinski" else 0
    cycle = b.int("cycle", 1)
    if not 1 <= cycle <= 64:
        yield f"cycle={cycle}: a feeder assignment repeats after 1 to 64 upper runs"
        return
    yield from upper_checks(layout, (dx2, dz2, dm2), unit.rounds, step, b.int("fill"), floor, feed,
                            region[0].rect, squares, proto, keep, cycle)


def tau_of(unit: Unit) -> float | None:
    """A cultivation unit's attempt rounds (None for any other unit or a body that does not parse)."""
    if not is_block(unit):
        return None
    try:
        b = parse_block(unit.text)
    except SpecError:
        return None
    return b.attempt[0] if b.get("method") == "cultivation" and b.attempt else None


# -- building units from the planner's sources -----------------------------------------------------------
def _head(unit_fields: dict[str, Any]) -> str:
    return "BLOCK " + " ".join(f"{k}={v}" for k, v in unit_fields.items())


def _cultivation_rect(qubits: int) -> tuple[int, int]:
    return _D2, -(-qubits // (SITES_PER_UNIT * _D2))


def catalogue_unit(source: Any, name: str = "U") -> tuple[Unit, int]:
    """The unit of a catalogue source (``source.method`` ``litinski``, ``cultivation`` or ``cultivation+P``;
    duck-typed on :class:`magicpipe.compiler.Source`) and the rounds before a copy's first run (``fill``).

    Raises:
        SpecError: a source this module does not lay out (a CCZ factory, a name it cannot read).
    """
    from magicpipe.compiler.blocks import get_layout
    from magicpipe.lattice.blockops import protocol_lines
    from magicpipe.lattice.upperops import feed_cycle, floor_of, output_squares, upper_lines, upper_plan

    method = str(getattr(source, "method", ""))
    detail = dict(getattr(source, "detail", ()))
    qubits = int(source.qubits)
    kind = str(getattr(source, "kind", "T"))
    if kind != "T" and (method == "cultivation" or " x " not in str(source.name)):
        raise SpecError(f"the source {source.name!r} makes {kind} states; the stream lays out CCZ states from "
                        f"two-level 8-to-CCZ blocks only")
    if method == "cultivation":
        d1 = int(source.distances[0])
        tau, keep = float(detail["attempt_rounds"]), float(detail["acceptance"])
        w, h = _cultivation_rect(qubits)
        rounds = attempt_span(1, tau / keep)
        lines = [_head({"method": "cultivation", "protocol": "cultivation", "level1": 0, "qubits": qubits,
                        "rounds": rounds, "outputs": 1, "checks": 1, "d1": d1}),
                 f"REGION patch {Rect(0, 0, w, h)} d={_D2}",
                 f"OUTPUT 0 {Tile(0, 0)} d={_D2} side=bottom",
                 f"ATTEMPT rounds={tau!r} keep={keep!r}",
                 "ON keep=output reject=restart"]
        return Unit(name, "cultivation", (d1, _D2), w, h, qubits, rounds, 1, Tile(0, 0), 1, "\n".join(lines)), 0
    m = _NAME.match(str(source.name))
    if not method.startswith(("litinski", "cultivation+")) or m is None:
        raise SpecError(f"the source {source.name!r} ({method}) is not a catalogue block this layer lays out")
    ds = tuple(int(d) for d in source.distances)
    if not ds:   # a source written by hand: its name carries its distances
        ds = tuple(int(d) for group in re.findall(r"_\{([0-9,]+)\}", str(source.name)) for d in group.split(","))
    first = get_layout("15-to-1", "first")
    if m.group("up") is None:     # one first-level block
        if len(ds) != 3:
            raise SpecError(f"the block {source.name!r} has distances {ds}; a first-level block has (d_X, d_Z, d_m)")
        dx, dz, dm = ds
        w1 = first.patch_widths(dx, dz)
        width, height = max(w1, dm), dm + 3 * dx
        rounds = max(1, round(float(source.startup_rounds)))
        lines = [_head({"method": method, "protocol": "15-to-1", "level1": 0, "qubits": qubits, "rounds": rounds,
                        "outputs": 1, "checks": len(first.checks)}),
                 f"REGION block {Rect(0, dm, w1, 3 * dx)} d={dx}",
                 f"OUTPUT 0 {Tile(0, 0)} d={dm} side=bottom"]
        if rounds != len(first.steps) * dm:
            raise SpecError(f"the block {source.name!r} says {rounds} rounds a run; its layout's steps take "
                            f"{len(first.steps)} x d_m = {len(first.steps) * dm}")
        lines += protocol_lines(first, (dx, dz, dm))
        return Unit(name, "15-to-1", ds, width, height, qubits, rounds, 1, Tile(0, 0), len(first.checks),
                    "\n".join(lines)), 0
    upper = get_layout(m.group("up"))
    n = int(m.group("n") or 1)
    dx2, dz2, dm2 = ds[-3:]
    if method == "litinski":
        dx, dz, dm = ds[:3]
        w1 = first.patch_widths(dx, dz)
        each = SITES_PER_UNIT * (w1 * (3 * dx + dm2 / 2) + 2 * dm)
        d_low = dx
    else:   # cultivation patches feed the upper block
        w1 = _D2
        each = _CULT_QUBITS.get(int(ds[0]), 463) + _D2 * dm2
        d_low = _D2
    h1 = math.ceil(each / (SITES_PER_UNIT * w1))
    per_side = -(-n // 2)
    hc = per_side * h1
    wr = math.ceil((20 * dm2 * dm2 + 2 * dx2 * dm2) / hc)
    wu, hu = upper.patch_widths(dx2, dz2), 3 * dx2
    states = upper.states
    lanes = 3 if upper.kind == "CCZ" else 1
    wr = max(wr, 2 * dm2)   # two lanes down the routing region, one to each end of the upper block
    # the upper region (stated patch by patch, upperops): an entry leg at each end; beside it an outer lane at
    # each end, a corridor above
    x_up = dm2
    legs = 2 * dm2
    width = max(2 * w1 + wr, wu + 2 * legs, states * lanes * dm2)
    height = dm2 + hu + hc + dm2
    y0 = height - hc
    p_fail = float(detail.get("p_fail", 0.0))
    run = float(source.period_rounds) * (1 - p_fail)
    fill = max(0, round(float(source.startup_rounds) - run))
    level1 = [Rect(0 if k < per_side else w1 + wr, y0 + (k % per_side) * h1, w1, h1) for k in range(n)]
    routing = Rect(w1, y0, wr, hc)
    upper_rect = Rect(x_up, dm2, wu + legs, hu)
    corridor = Rect(0, dm2 + hu, width, dm2)
    outer = (Rect(0, dm2, dm2, hu), Rect(x_up + wu + legs, dm2, dm2, hu))
    # a feeder's run: a first-level block's steps, or a cultivation patch's mean rounds per kept state (down)
    feed = len(first.steps) * ds[2] if method == "litinski" else \
        max(1, math.floor(float(source.startup_rounds) - run))
    # the feeders' step time; a source written by hand without it: its run is inputs / 2 steps
    step = float(detail.get("step_cycles", run / (upper.inputs / 2)))
    floor = floor_of(level1, routing, corridor, outer, dm2)
    keep = feed if method == "litinski" else 0   # a cultivation patch holds its kept state in itself
    protocol, rounds, early = upper_lines(upper, (dx2, dz2, dm2), step, floor, feed, (x_up, dm2), keep)
    # feeders short of whole runs a run: deal the inputs round robin over the feeders from run to run
    cycle = feed_cycle(upper, floor.sides)
    if cycle > 1:
        try:
            turned = upper_lines(upper, (dx2, dz2, dm2), step, floor, feed, (x_up, dm2), keep, cycle)
        except SpecError:
            turned = None
        if turned is not None and turned[1] < rounds:
            protocol, rounds, early = turned
        else:
            cycle = 1
    fill = max(fill, early)
    squares = output_squares(upper, upper_plan(upper, (dx2, dz2, dm2), dm2, x_up))
    outs = [Tile(r.x, 0) for r in squares[::lanes]]    # a CCZ state: one OUTPUT, its first lane
    head = {"method": method, "protocol": upper.protocol, "level1": n, "qubits": qubits, "rounds": rounds,
            "fill": fill, "outputs": states, "checks": len(upper.checks), "step": repr(step), "feed": feed}
    if cycle > 1:
        head["cycle"] = cycle
    if lanes > 1:
        head["kind"] = upper.kind
    lines = [_head(head)]
    lines += [f"REGION level1 {k} {r} d={d_low}" for k, r in enumerate(level1)]
    lines.append(f"REGION routing {routing} d={dm2}")
    lines.append(f"REGION upper {upper_rect} d={dx2}")
    lines.append(f"REGION corridor {corridor} d={dm2}")
    lines += [f"REGION lane {k} {r} d={dm2}" for k, r in enumerate(outer)]
    tail = f" lanes={lanes}" if lanes > 1 else ""
    lines += [f"OUTPUT {j} {t} d={dm2} side=bottom{tail}" for j, t in enumerate(outs)]
    return Unit(name, upper.protocol, ds, width, height, qubits, rounds, states, outs[0], len(upper.checks),
                "\n".join(lines + protocol)), fill
