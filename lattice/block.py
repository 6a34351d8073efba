"""One factory block on its tile grid (the paper's Fig. 4(a)) and the moves that free its ancilla region.

A 15-to-1 block is 5 columns by 3 rows of tiles at the factory's distance. The 5 data patches fill the middle
row; the bottom row is the routing row of the multi-patch Z measurements and ends, in the corner next to the
buffer, in the ``|m>`` input port where the magic state enters; the top row holds more ancillas and, above the
port, the ``|0>`` patch of the auto-corrected rotation (Fig. 4(b)). Tile coordinates are ``(column, row)`` with
row 0 at the bottom.

On a stall with ancilla reuse (Fig. 4(c)) the data patches move aside into a corner of the block so that a
rectangle of tiles -- the *lent region* -- is free for low-level factories (Fig. 4(d)). :func:`plan_moves`
finds the moves: every route is a shortest path on the block's tile graph (networkx) through tiles no other
patch holds; moves whose routes share no tile run in the same step. A step is one lattice-surgery move, d
rounds at the block's distance d (:func:`magicpipe.lattice.recost.move_rounds`; the paper's Sec. 2.1 gives
one round, which the core's default ``move_rounds=2`` keeps). Moving back replays the steps in reverse.

Examples:
    >>> block = BlockLayout.for_protocol(FIFTEEN_TO_ONE)
    >>> block.data
    ((0, 1), (1, 1), (2, 1), (3, 1), (4, 1))
    >>> plan_moves(block, TileRect(0, 0, 5, 2)).steps  # lend the bottom two rows: all move up at once
    1
    >>> plan_moves(block, TileRect(2, 0, 3, 3)).steps  # lend a 3 x 3 square: routes overlap, two steps
    2
"""

from __future__ import annotations

from typing import Any

import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx

from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, Protocol  # noqa: F401 (FIFTEEN_TO_ONE: doctests)
from magicpipe.errors import SpecError
from magicpipe.lattice.geometry import Rect, Tile, pack

__all__ = ["BlockLayout", "TileRect", "Route", "MovePlan", "Parking", "plan_moves", "choose_parking"]

Cell = tuple[int, int]


@dataclass(frozen=True, slots=True)
class TileRect:
    """A rectangle of tiles of one block: columns ``[col, col + cols)``, rows ``[row, row + rows)``."""

    col: int
    row: int
    cols: int
    rows: int

    def cells(self) -> frozenset[Cell]:
        return frozenset(
            (c, r) for c in range(self.col, self.col + self.cols) for r in range(self.row, self.row + self.rows)
        )

    def rect(self, origin: Tile, distance: int) -> Rect:
        """The physical rectangle of these tiles in a block whose lower-left corner is ``origin``."""
        return Rect(
            origin.x + self.col * distance, origin.y + self.row * distance, self.cols * distance, self.rows * distance
        )


@dataclass(frozen=True, slots=True)
class BlockLayout:
    """Where the patches of one factory block sit, in tile coordinates ``(column, row)``."""

    cols: int
    rows: int
    data: tuple[Cell, ...]
    zero: Cell
    port: Cell

    @classmethod
    def for_protocol(cls, protocol: Protocol) -> BlockLayout:
        """The Fig. 4(a) layout: data in the middle row of a 3-row block, input port bottom right, ``|0>`` top right.

        Raises:
            SpecError: the protocol's tiles do not fill 3 rows, or its data patches do not fit one row.
        """
        cols, rest = divmod(protocol.tiles, 3)
        if rest or protocol.data_tiles > cols or cols < 2:
            raise SpecError(
                f"protocol {protocol.name}: no 3-row block layout for {protocol.tiles} tiles with "
                f"{protocol.data_tiles} data patches; give it a tile count divisible by 3 with at most a "
                f"third of them data"
            )
        first = (cols - protocol.data_tiles) // 2
        data = tuple((first + k, 1) for k in range(protocol.data_tiles))
        return cls(cols, 3, data, (cols - 1, 2), (cols - 1, 0))

    @property
    def cells(self) -> frozenset[Cell]:
        return frozenset(itertools.product(range(self.cols), range(self.rows)))

    def size(self, distance: int) -> tuple[int, int]:
        """Width and height of the block in qubit-pitch units."""
        return self.cols * distance, self.rows * distance

    def tile(self, origin: Tile, cell: Cell, distance: int) -> Tile:
        """The physical tile of ``cell`` in a block whose lower-left corner is ``origin``."""
        return Tile(origin.x + cell[0] * distance, origin.y + cell[1] * distance)

    @property
    def magic(self) -> Cell:
        """Where the ``|m>`` patch sits while an injection merges it: one tile beyond the port, on the side away
        from the data row, outside the block. The port tile itself is the routing row's last tile, so a merge
        reaches every data patch, the one above (or below) the port included; this is the geometry the circuits
        of ``magicpipe.verification`` simulate (``verify factory``, the whole-stream circuit).

        Examples:
            >>> BlockLayout.for_protocol(FIFTEEN_TO_ONE).magic
            (4, -1)
            >>> BlockLayout.for_protocol(FIFTEEN_TO_ONE).flipped().magic
            (4, 3)
        """
        col, row = self.port
        return (col, row - 1) if row < self.data[0][1] else (col, row + 1)

    def flipped(self) -> BlockLayout:
        """The same block with the port and the ``|0>`` patch swapped (the port on the other routing row)."""
        return BlockLayout(self.cols, self.rows, self.data, self.port, self.zero)


@dataclass(frozen=True, slots=True)
class Route:
    """Data patch ``patch`` (0-based) moves along ``path`` (tile cells, origin first) in one move step."""

    patch: int
    path: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class MovePlan:
    """The moves that clear ``lent``: ``moves[k]`` are the routes of step k + 1, pairwise tile-disjoint."""

    lent: TileRect
    moves: tuple[tuple[Route, ...], ...]
    parked: tuple[Cell, ...]

    @property
    def steps(self) -> int:
        """Move steps to move the data aside (and again to move it back); each lasts d rounds."""
        return len(self.moves)

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(r for step in self.moves for r in step)


@functools.lru_cache(maxsize=8)
def _graph(cols: int, rows: int) -> nx.Graph:
    return nx.grid_2d_graph(cols, rows)


def _route(graph: nx.Graph, blocked: set[Cell], start: Cell, goal: Cell) -> tuple[Cell, ...] | None:
    view = nx.restricted_view(graph, blocked - {start}, [])
    try:
        return tuple(nx.shortest_path(view, start, goal))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None


def _pack_steps(block: BlockLayout, goal: dict[int, Cell], order: tuple[int, ...]) -> list[list[Route]] | None:
    """Greedy: each step routes the pending patches in ``order`` through tiles not yet used this step."""
    graph = _graph(block.cols, block.rows)
    pos = dict(enumerate(block.data))
    pending = [i for i in order if pos[i] != goal[i]]
    steps: list[list[Route]] = []
    while pending:
        used: set[Cell] = set()
        step: list[Route] = []
        for i in pending:
            blocked = (set(pos.values()) - {pos[i]}) | used
            path = _route(graph, blocked, pos[i], goal[i])
            if path is not None:
                step.append(Route(i, path))
                used.update(path)
        if not step:
            return None
        for r in step:
            pos[r.patch] = r.path[-1]
        pending = [i for i in pending if pos[i] != goal[i]]
        steps.append(step)
    return steps


@functools.lru_cache(maxsize=512)
def plan_moves(block: BlockLayout, lent: TileRect) -> MovePlan:
    """The fewest-step moves that take every data patch out of ``lent`` into the rest of the block.

    Patches already outside ``lent`` stay; the others try every assignment to free tiles outside it, cheapest
    (Manhattan) first, and every order of routing, stopping at the first plan of the least possible steps.

    Raises:
        SpecError: ``lent`` leaves fewer tiles than data patches, or no moves clear it.
    """
    inside = lent.cells()
    outside = sorted(block.cells - inside)
    if len(outside) < len(block.data):
        raise SpecError(f"lending {lent} leaves {len(outside)} tiles for {len(block.data)} data patches")
    movers = [i for i, c in enumerate(block.data) if c in inside]
    free = [c for c in outside if c not in block.data]
    goal0 = dict(enumerate(block.data))

    def dist(a: tuple[int, int], b: tuple[int, int]) -> int:
        return abs(a[0] - b[0]) + abs(a[1] - b[1])

    assignments = sorted(itertools.permutations(free, len(movers)),
                         key=lambda ts: (sum(dist(block.data[i], t) for i, t in zip(movers, ts)), ts))
    best: tuple[Any, ...] | None = None
    for targets in assignments:
        goal = {**goal0, **dict(zip(movers, targets))}
        for order in itertools.permutations(movers):
            steps = _pack_steps(block, goal, order)
            if steps is None:
                continue
            key = (len(steps), sum(len(r.path) for s in steps for r in s))
            if best is None or key < best[0]:
                best = (key, steps, goal)
            if key[0] <= 1:
                break
        if best is not None and best[0][0] <= 1:
            break
    if best is None:
        raise SpecError(f"no moves clear {lent} of the data patches")
    _, steps, goal = best
    moves = tuple(tuple(sorted(s, key=lambda r: r.patch)) for s in steps)
    return MovePlan(lent, moves, tuple(goal[i] for i in range(len(block.data))))


@dataclass(frozen=True, slots=True)
class Parking:
    """The lent region chosen for a block at ``distance`` and the low-level blocks it holds."""

    plan: MovePlan
    capacity: int

    @property
    def lent(self) -> TileRect:
        return self.plan.lent

    @property
    def steps(self) -> int:
        return self.plan.steps


def _candidates(block: BlockLayout, max_tiles: int) -> Iterator[TileRect]:
    for rows in range(1, block.rows + 1):
        for cols in range(1, block.cols + 1):
            if rows * cols > max_tiles:
                continue
            for row in range(block.rows - rows + 1):
                for col in range(block.cols - cols + 1):
                    yield TileRect(col, row, cols, rows)


def choose_parking(block: BlockLayout, distance: int, low_size: tuple[int, int], needed: int | None = None) -> Parking:
    """The lent region for a block at ``distance`` hosting low-level blocks of ``low_size`` (w, h units).

    The goal is to hold ``needed`` low-level blocks, or as many as any region holds when that is fewer (or
    ``needed`` is None). Among the regions that reach the goal: fewest move steps, then most blocks, then most
    tiles, then lowest row and column. When no region holds a block the goal is 0 and the choice is a region
    that needs no move (the stream still shows the stall lending it, to nobody).

    Examples:
        >>> block = BlockLayout.for_protocol(FIFTEEN_TO_ONE)
        >>> p = choose_parking(block, 17, (25, 15))
        >>> p.capacity, p.steps, p.lent
        (6, 1, TileRect(col=0, row=0, cols=5, rows=2))
        >>> p = choose_parking(block, 17, (25, 15), needed=2)  # the bottom ancilla row holds 3: no move
        >>> p.capacity, p.steps, p.lent
        (3, 0, TileRect(col=0, row=0, cols=5, rows=1))
    """
    a, b = low_size
    free_tiles = block.cols * block.rows - len(block.data)
    scored = [(pack(lent.cols * distance, lent.rows * distance, a, b), lent) for lent in _candidates(block, free_tiles)]
    most = max(cap for cap, _ in scored)
    goal = most if needed is None or needed > most else needed
    fits = [(cap, lent) for cap, lent in scored if cap >= goal]

    def key(item: tuple[int, TileRect]) -> tuple[int, int, int, int, int]:
        cap, lent = item
        return (plan_moves(block, lent).steps, -cap, -lent.cols * lent.rows, lent.row, lent.col)

    cap, lent = min(fits, key=key)
    return Parking(plan_moves(block, lent), cap)
