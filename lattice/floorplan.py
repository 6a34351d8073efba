"""The floor plan of a two-level dynamic pipeline and the placement of every run of its schedule.

Three layouts of one strip (qubit-pitch units, :mod:`.geometry`) are tried; the smallest that hosts every run
wins. The first::

    +------------------------+---+----------------------+
    |  (low-level blocks or  | b |  low-level area      |
    |   spare slot tiles)    | u |  columns of 5 x 3-   |
    +------------------------+ f |  tile blocks at      |
    |  high-level block      |   |  d_low, either way   |
    |  5 x 3 tiles at d_high |   |  round; spare tiles  |
    |  (Fig. 4(a))       |m> |   |  on top hold slots   |
    +------------------------+---+----------------------+

Slots (tiles at d_low) take the spare tiles nearest the input port ``|m>`` first, then buffer columns between
the block and the low-level area, so every slot is beside its consumer and its producers; the fill runs use the
idle block. The other two (``_build_shared``) put the buffer in rows on top (port in the block's top row) or in
columns on the right, and pack the fill runs across the idle block *and* the low-level area together (a
``fill`` region), which pays when few low-level blocks fit in the high-level block. In all three the height is
the block's or one that low-level blocks fill exactly, and the low-level area is as narrow as the schedule
allows: :func:`plan_floor` widens it until :func:`place` finds a site for every run.

Sites for low-level runs (:class:`Site`): ``low`` sites in the low-level area, always usable; ``block`` sites
packing the high-level block (or the fill region), usable while no high-level execution runs (the fill
phase); ``lent`` sites packing the lent region of a stalled block, usable inside a reuse window. Runs go to the
first free site in the order their role prefers (fill: block, low; supply: low, block; reuse: lent, low, block).

Examples:
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> from magicpipe.compiler.pipeline import Pipeline
    >>> s = pareto_front(Pipeline.from_distances((5, 17))).min_volume().schedule
    >>> fp = plan_floor(s)
    >>> fp.width, fp.height, fp.qubits, s.qubit_budget
    (105, 51, 10710, 9782)
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from dataclasses import dataclass
from typing import Literal, cast
from collections.abc import Sequence

from magicpipe.compiler.decay import slot_distance_of
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.schedule import Run, Schedule
from magicpipe.errors import InfeasibleError, SpecError
from magicpipe.lattice.block import BlockLayout, MovePlan, Parking, choose_parking
from magicpipe.lattice.geometry import SITES_PER_UNIT, Rect, Tile, pack_rects
from magicpipe.lattice.stream import Region

__all__ = ["Site", "FloorPlan", "plan_floor", "place", "low_factory"]

SiteKind = Literal["block", "lent", "low"]
_PREFERENCE: dict[str, tuple[SiteKind, ...]] = {
    "fill": ("block", "low"),
    "supply": ("low", "block"),
    "reuse": ("lent", "low", "block"),
}


@dataclass(frozen=True, slots=True)
class Site:
    """A place for one low-level block."""

    index: int
    rect: Rect
    kind: SiteKind


@dataclass(frozen=True, slots=True)
class FloorPlan:
    """Where everything of one two-level schedule sits.

    Attributes:
        high: the high-level factory; its block's lower-left corner is ``(0, 0)``.
        low: the low-level factory every producer runs.
        block: the tile layout of the high-level block.
        parking: the lent region and the moves that clear it (None when the schedule never reuses).
        width, height: the bounding strip.
        slots: buffer slot tiles, slot 0 next to the input port.
        sites: places for low-level blocks.
        regions: the named parts, for the stream header.
    """

    high: Factory
    low: Factory
    block: BlockLayout
    parking: Parking | None
    width: int
    height: int
    slots: tuple[Rect, ...]
    sites: tuple[Site, ...]
    regions: tuple[Region, ...]

    @property
    def qubits(self) -> int:
        """Physical qubit sites of the strip."""
        return SITES_PER_UNIT * self.width * self.height

    @property
    def high_rect(self) -> Rect:
        w, h = self.block.size(self.high.distance)
        return Rect(0, 0, w, h)

    @property
    def move_steps(self) -> int:
        """Rounds to move the data patches aside (0 without a parking)."""
        return self.parking.steps if self.parking else 0

    @property
    def lent_rect(self) -> Rect | None:
        return self.parking.lent.rect(Tile(0, 0), self.high.distance) if self.parking else None

    def data_tiles(self) -> tuple[Tile, ...]:
        """Home tiles of the high-level block's data patches."""
        return tuple(self.block.tile(Tile(0, 0), c, self.high.distance) for c in self.block.data)

    def overhead(self, qubit_budget: int) -> float:
        """Floor-plan qubits over the schedule's scalar budget Q."""
        return self.qubits / qubit_budget

    @property
    def moves(self) -> MovePlan | None:
        return self.parking.plan if self.parking else None


def low_factory(schedule: Schedule) -> Factory:
    """The factory behind the schedule's producers.

    Raises:
        SpecError: a producer is not a single factory (a composed, three-level menu), or producers differ.
    """
    sources = {p.source for p in schedule.producers}
    if len(sources) != 1 or not isinstance(next(iter(sources)), Factory):
        raise SpecError(
            "floor plans are laid out for two-level schedules whose producers are one factory type; this "
            f"schedule's producers are {[p.name for p in schedule.producers]}"
        )
    return cast(Factory, next(iter(sources)))  # checked just above


def _low_size(low: Factory, block: BlockLayout) -> tuple[int, int]:
    w, h = block.size(low.distance)
    return w, h


def _reuse_demand(schedule: Schedule) -> int:
    """The most reuse runs any stall runs at once."""
    most = 0
    for s in schedule.stalls:
        if s.reuse:
            runs = [r for r in schedule.runs if r.role == "reuse" and s.moved_out <= r.start < s.reclaimed]
            starts = {r.start for r in runs}
            most = max([most] + [sum(1 for r in runs if r.start <= t < r.end) for t in starts])
    return most


def _free_tiles(region: Rect, taken: Sequence[Rect], d: int) -> list[Rect]:
    """The ``d x d`` tiles of ``region`` (aligned to its corner) that no rectangle of ``taken`` overlaps."""
    columns, rows = region.w // d, region.h // d
    blocked: set[tuple[int, int]] = set()
    for r in taken:  # tile i spans [x + i d, x + (i + 1) d): it overlaps r when r.x - d < x + i d < r.x + r.w
        i0, i1 = max((r.x - region.x) // d, 0), min(-((region.x - r.x - r.w) // d), columns)
        j0, j1 = max((r.y - region.y) // d, 0), min(-((region.y - r.y - r.h) // d), rows)
        blocked.update((i, j) for i in range(i0, i1) for j in range(j0, j1))
    return [Rect(region.x + i * d, region.y + j * d, d, d) for i in range(columns) for j in range(rows)
            if (i, j) not in blocked]


def _build(schedule: Schedule, high: Factory, low: Factory, block: BlockLayout, parking: Parking | None,
           height: int, low_width: int) -> FloorPlan:
    d_hi, d_lo = high.distance, low.distance
    d_s = slot_distance_of(schedule)  # the slots' own distance: the producer's unless the planner grew them
    a, b = _low_size(low, block)
    block_w, block_h = block.size(d_hi)
    high_rect = Rect(0, 0, block_w, block_h)
    above = Rect(0, block_h, block_w, height - block_h)
    per_col = max(height // d_s, 1)
    for buf_cols in range(math.ceil(schedule.buffer_slots / per_col) + 1):
        x_low = block_w + buf_cols * d_s
        low_rect = Rect(x_low, 0, low_width, height)
        low_sites = pack_rects(above, a, b) + pack_rects(low_rect, a, b)
        columns = [Rect(block_w + k * d_s, 0, d_s, height) for k in range(buf_cols)]
        spare = [t for r in columns + [above, low_rect] for t in _free_tiles(r, low_sites, d_s)]
        if len(spare) >= schedule.buffer_slots:
            break
    port = block.tile(Tile(0, 0), block.port, d_hi)
    slots = tuple(
        sorted(spare, key=lambda t: (abs(t.x - port.x - d_hi) + abs(t.y - port.y), t.x, t.y))[: schedule.buffer_slots]
    )
    rects: list[tuple[Rect, SiteKind]] = [(r, "low") for r in low_sites]
    rects += [(r, "block") for r in pack_rects(high_rect, a, b)]
    if parking is not None:
        rects += [(r, "lent") for r in pack_rects(parking.lent.rect(Tile(0, 0), d_hi), a, b)]
    sites = tuple(Site(i, r, kind) for i, (r, kind) in enumerate(rects))
    regions: tuple[Region, ...] = (Region("factory", high_rect, d_hi),)
    if buf_cols:
        regions += (Region("buffer", Rect(block_w, 0, buf_cols * d_s, height), d_lo),)
    if above.h:
        regions += (Region("low", above, d_lo),)
    if low_width:
        regions += (Region("low", low_rect, d_lo),)
    return FloorPlan(high, low, block, parking, x_low + low_width, height, slots, sites, regions)


def _build_shared(schedule: Schedule, high: Factory, low: Factory, block: BlockLayout, parking: Parking | None,
                  height: int, low_width: int, side: str = "top") -> FloorPlan:
    """The other layout: buffer rows on top (or columns on the right), fill runs packed across the idle block
    and the low-level area."""
    d_hi, d_lo = high.distance, low.distance
    d_s = slot_distance_of(schedule)
    if side == "top":  # the port faces the buffer rows: swap it with |0>
        block = dataclasses.replace(block, zero=block.port, port=block.zero)
    a, b = _low_size(low, block)
    block_w, block_h = block.size(d_hi)
    width = block_w + low_width
    high_rect, low_rect = Rect(0, 0, block_w, block_h), Rect(block_w, 0, low_width, height)
    above = Rect(0, block_h, block_w, height - block_h)
    across = (width if side == "top" else height) // d_s
    lines = math.ceil(schedule.buffer_slots / max(across, 1))
    buffer = Rect(0, height, width, lines * d_s) if side == "top" else Rect(width, 0, lines * d_s, height)
    port = block.tile(Tile(0, 0), block.port, d_hi)
    spots = _free_tiles(buffer, (), d_s)
    slots = tuple(
        sorted(spots, key=lambda t: (abs(t.x - port.x) + abs(t.y - port.y), t.x, t.y))[: schedule.buffer_slots]
    )
    rects: list[tuple[Rect, SiteKind]] = [(r, "low") for r in pack_rects(above, a, b) + pack_rects(low_rect, a, b)]
    rects += [(r, "block") for r in pack_rects(Rect(0, 0, width, height), a, b)]
    if parking is not None:
        rects += [(r, "lent") for r in pack_rects(parking.lent.rect(Tile(0, 0), d_hi), a, b)]
    sites = tuple(Site(i, r, kind) for i, (r, kind) in enumerate(rects))
    regions: tuple[Region, ...] = (
        Region("factory", high_rect, d_hi),
        Region("buffer", buffer, d_lo),
        Region("fill", Rect(0, 0, width, height), d_lo),
    )
    if above.h:
        regions += (Region("low", above, d_lo),)
    if low_width:
        regions += (Region("low", low_rect, d_lo),)
    return FloorPlan(high, low, block, parking, max(width, buffer.x + buffer.w), max(height, buffer.y + buffer.h),
                     slots, sites, regions)


def _build_right(schedule: Schedule, high: Factory, low: Factory, block: BlockLayout, parking: Parking | None,
                 height: int, low_width: int) -> FloorPlan:
    return _build_shared(schedule, high, low, block, parking, height, low_width, side="right")


@functools.lru_cache(maxsize=256)  # plan_floor asks for the same widths for every layout and strip height
def _sums(a: int, b: int, low: int, high: int) -> list[int]:
    """Sums ``i a + j b`` in ``[low, high]``, ascending: the widths and heights low-level blocks fill (a list the
    callers only read)."""
    return sorted({i * a + j * b for i in range(high // a + 1) for j in range((high - i * a) // b + 1)
                   if i * a + j * b >= low})


def _heights(block_h: int, a: int, b: int) -> list[int]:
    """Strip heights worth trying: the block's, and those up to one low-level block taller that blocks fill."""
    return sorted({max(block_h, min(a, b))} | set(_sums(a, b, block_h, block_h + max(a, b))))


def plan_floor(schedule: Schedule, *, block: BlockLayout | None = None) -> FloorPlan:
    """The smallest strip (:mod:`this module <magicpipe.lattice.floorplan>`) that hosts every run.

    For each candidate height (the high-level block's, or one that low-level blocks fill exactly), the
    narrowest low-level area in which :func:`place` finds a site for every run; the plan of least area wins
    (ties: the lower strip).

    Args:
        schedule: a two-level schedule whose producers are one factory type.
        block: the high-level block's tile layout (default: Fig. 4(a) for its protocol).

    Returns:
        The floor plan; :func:`place` gives each run its site.

    Raises:
        SpecError: a composed (three-level) schedule.
    """
    high, low = schedule.high, low_factory(schedule)
    block = block or BlockLayout.for_protocol(high.protocol)
    a, b = _low_size(low, block)
    parking = None
    if any(s.reuse for s in schedule.stalls):
        parking = choose_parking(block, high.distance, (a, b), _reuse_demand(schedule))
    limit = (len(schedule.runs) + 1) * max(a, b)
    best: FloorPlan | None = None
    for build, height in itertools.product(
        (_build, _build_shared, _build_right), _heights(block.size(high.distance)[1], a, b)
    ):
        for width in [0] + _sums(a, b, 1, limit):
            if best is not None and SITES_PER_UNIT * (block.size(high.distance)[0] + width) * height >= best.qubits:
                break
            fp = build(schedule, high, low, block, parking, height, width)
            if best is not None and fp.qubits >= best.qubits:
                break
            try:
                place(schedule, fp)
            except InfeasibleError:
                continue
            best = fp
            break
    assert best is not None, "a low-level area with a column per run always fits"
    return best


def _windows(schedule: Schedule) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    busy = [(t.launch, t.end) for t in schedule.tops]
    lent = [(s.moved_out, s.reclaimed) for s in schedule.stalls if s.reuse]
    return busy, lent


def _allowed(kind: SiteKind, run: Run, busy: list[tuple[int, int]], lent: list[tuple[int, int]]) -> bool:
    if kind == "low":
        return True
    if kind == "block":
        return all(run.end <= a or run.start >= b for a, b in busy)
    return any(a <= run.start and run.end <= b for a, b in lent)


def place(schedule: Schedule, floorplan: FloorPlan) -> tuple[Site, ...]:
    """The site of every run (indexed by run id): the first free one in its role's order of kinds.

    Raises:
        InfeasibleError: some run finds no free site (the floor plan is too small for the schedule).
    """
    sites = floorplan.sites
    near = [[j for j, t in enumerate(sites) if s.rect.overlaps(t.rect)] for s in sites]
    taken: list[list[tuple[int, int]]] = [[] for _ in sites]
    busy, lent = _windows(schedule)
    out: dict[int, Site] = {}
    for run in sorted(schedule.runs, key=lambda r: (r.start, r.id)):
        out[run.id] = _first_free(run, sites, near, taken, busy, lent)
        taken[out[run.id].index].append((run.start, run.end))
    return tuple(out[r.id] for r in schedule.runs)


def _first_free(run: Run, sites: Sequence[Site], near: list[list[int]], taken: list[list[tuple[int, int]]],
                busy: list[tuple[int, int]], lent: list[tuple[int, int]]) -> Site:
    for kind in _PREFERENCE.get(run.role, ("low",)):
        for site in sites:
            if site.kind != kind or not _allowed(kind, run, busy, lent):
                continue
            if all(e <= run.start or s >= run.end for j in near[site.index] for s, e in taken[j]):
                return site
    raise InfeasibleError(f"no free site for run {run.id} ({run.role}, rounds {run.start}-{run.end})")
