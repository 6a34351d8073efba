"""Rectangles on the floor plan, in qubit-pitch units, and the packing of factory blocks into them.

Coordinates are integers in units of the data-qubit pitch of the physical lattice: the unit square holds two
physical qubit sites (one data, one measure qubit), so a distance-d patch sits on a ``d x d`` tile of ``2 d^2``
sites and uses ``2 d^2 - 1`` of them. Patches of different distances therefore share one coordinate system and
one floor plan. ``x`` grows to the right, ``y`` upwards; a rectangle is its lower-left corner and its size.

Examples:
    >>> a, b = Rect(0, 0, 10, 5), Rect(9, 4, 3, 3)
    >>> a.overlaps(b), a.contains(Rect(1, 1, 2, 2)), a.sites
    (True, True, 100)
    >>> str(a), Rect.parse_tuple((0, 0, 10, 5)) == a
    ('(0,0,10,5)', True)
    >>> pack(51, 51, 15, 25)  # 5 x 3-tile blocks at d=5 into a 3 x 3-tile region at d=17
    6
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = ["Rect", "Tile", "SITES_PER_UNIT", "pack", "pack_rects"]

SITES_PER_UNIT = 2
"""Physical qubit sites per unit square of the floor plan (one data and one measure qubit)."""


@dataclass(frozen=True, slots=True, order=True)
class Tile:
    """The lower-left corner of a patch's square tile; its size is the patch's distance."""

    x: int
    y: int

    def __str__(self) -> str:
        return f"({self.x},{self.y})"


@dataclass(frozen=True, slots=True, order=True)
class Rect:
    """An axis-aligned rectangle ``[x, x + w) x [y, y + h)`` of the floor plan."""

    x: int
    y: int
    w: int
    h: int

    @classmethod
    def parse_tuple(cls, values: tuple[int, int, int, int]) -> Rect:
        return cls(*values)

    @classmethod
    def square(cls, tile: Tile, size: int) -> Rect:
        """The tile of a distance-``size`` patch whose corner is ``tile``."""
        return cls(tile.x, tile.y, size, size)

    def __str__(self) -> str:
        return f"({self.x},{self.y},{self.w},{self.h})"

    @property
    def area(self) -> int:
        return self.w * self.h

    @property
    def sites(self) -> int:
        """Physical qubit sites inside (``SITES_PER_UNIT`` per unit square)."""
        return SITES_PER_UNIT * self.area

    def overlaps(self, other: Rect) -> bool:
        """True when the interiors intersect (touching edges do not overlap)."""
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)

    def contains(self, other: Rect) -> bool:
        return (self.x <= other.x and other.x + other.w <= self.x + self.w
                and self.y <= other.y and other.y + other.h <= self.y + self.h)

    def shifted(self, dx: int, dy: int) -> Rect:
        return Rect(self.x + dx, self.y + dy, self.w, self.h)


def _shelf(width: int, height: int, a: int, b: int) -> tuple[int, int, int]:
    """Best split of ``width`` into columns of ``a``-wide and ``b``-wide blocks: (count, n_a, n_b).

    A column of width ``a`` stacks ``height // b`` blocks of size ``a x b``; one of width ``b`` stacks
    ``height // a`` blocks turned by a quarter.
    """
    per_a, per_b = height // b, height // a
    best = (0, 0, 0)
    for n_a in range(width // a + 1):
        n_b = (width - n_a * a) // b
        count = n_a * per_a + n_b * per_b
        if count > best[0]:
            best = (count, n_a, n_b)
    return best


@functools.lru_cache(maxsize=4096)
def _best_shelf(width: int, height: int, a: int, b: int) -> tuple[bool, int, int, int]:
    """The better of column shelves and row shelves: (transposed, count, n_a, n_b)."""
    cols = _shelf(width, height, a, b)
    rows = _shelf(height, width, a, b)
    if rows[0] > cols[0]:
        return (True, *rows)
    return (False, *cols)


def pack(width: int, height: int, a: int, b: int) -> int:
    """How many ``a x b`` blocks (either way round) :func:`pack_rects` fits into ``width x height``.

    Two-stage shelf packing: the region is cut into columns (or rows), each holding blocks of one orientation.

    Examples:
        >>> pack(85, 34, 15, 25), pack(85, 51, 15, 25), pack(10, 10, 11, 3)
        (6, 11, 0)
    """
    return _best_shelf(width, height, a, b)[1]


def pack_rects(region: Rect, a: int, b: int) -> tuple[Rect, ...]:
    """The positions of :func:`pack`'s blocks in ``region``, column by column (row by row if transposed).

    Examples:
        >>> [str(r) for r in pack_rects(Rect(0, 0, 40, 25), 15, 25)]
        ['(0,0,15,25)', '(15,0,25,15)']
    """
    transposed, _, n_a, n_b = _best_shelf(region.w, region.h, a, b)
    length, across = (region.h, region.w) if transposed else (region.w, region.h)
    out: list[tuple[int, int, int, int]] = []  # (offset along, offset across, size along, size across)
    pos = 0
    for size_along, size_across, n in ((a, b, n_a), (b, a, n_b)):
        for _ in range(n):
            for k in range(across // size_across):
                out.append((pos, k * size_across, size_along, size_across))
            pos += size_along
    assert pos <= length
    if transposed:
        return tuple(Rect(region.x + c, region.y + p, sa, sl) for p, c, sl, sa in out)
    return tuple(Rect(region.x + p, region.y + c, sl, sa) for p, c, sl, sa in out)
