"""Rotated surface-code patches on a qubit grid, and the codes lattice surgery passes through.

A *code* here is a set of data qubits on the integer grid and the plaquette checks that live on it: the
plaquette anchored at ``(x, y)`` covers the data qubits ``(x, y), (x+1, y), (x, y+1), (x+1, y+1)`` and is an
X check when ``x + y`` is even, a Z check when it is odd (one checkerboard for the whole grid). Interior
plaquettes have weight 4. At the edge of a code a plaquette keeps only its corners inside the code, and the
edge's *type* decides which truncated plaquettes are kept:

* a pair of corners on the top or bottom row of a patch tile is an **X edge** (X-type weight-2 checks; the
  patch's logical Z runs along it, horizontally);
* every other edge -- the sides of a patch, every edge of the routing bus and of the seams -- is a **Z edge**.
  Weight-3 plaquettes appear only at the concave corners where a seam meets the bus, between two Z edges,
  and are kept when they are Z checks.

So a lone patch is the standard rotated code (X edges top and bottom, Z edges left and right, ``d^2 - 1``
checks), and the merged code of a Z-type multi-patch measurement -- the patches, the seam row above the bus,
the bus, and the magic-state patch hanging below the bus -- is one planar code whose boundary alternates
X edge (the far side of each merged patch) and Z edge (everything between them). Going round it, the
logical Z of each merged patch joins two neighbouring Z edges, so only the product of all of them closes into
a stabiliser: the merge measures exactly ``Z_1 ... Z_k Z_m`` (Horsman et al. 2012, Litinski 2019).

Tiles of a block (``magicpipe.lattice.block``) sit at a pitch of ``d + 1`` data qubits: a ``d x d`` patch and
one seam row or column that a merge fills.

Measurement order. Each check has an ancilla at the plaquette's centre and four CX steps. In the ``patch``
order X checks touch NW, NE, SW, SE (hook errors are horizontal pairs, across the patches' vertical logical X)
and Z checks NW, SW, NE, SE (vertical hooks, across the horizontal logical Z) -- Stim's rotated-code order. The
``bus`` order is its transpose (X: NW, SW, NE, SE; Z: NW, NE, SW, SE), for the routing bus, where the dangerous
Z strings run vertically; the caller says which plaquettes use it (``code_checks(horizontal=...)``). Where the
two orders meet, two checks can want the same data qubit in the same step; :func:`cx_layers` splits such a
step in two and verifies that every overlapping X and Z check still commutes in the circuit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from magicpipe.errors import VerificationError

__all__ = ["Check", "Coord", "code_checks", "cx_layers", "plaquette_basis", "rectangle", "solve_gf2", "x_edges"]

Coord = tuple[int, int]

# Corner offsets by compass name, and the CX order of each (basis, style).
_CORNERS = {"NW": (0, 1), "NE": (1, 1), "SW": (0, 0), "SE": (1, 0)}
_ORDERS = {
    ("X", "patch"): ("NW", "NE", "SW", "SE"),
    ("Z", "patch"): ("NW", "SW", "NE", "SE"),
    ("X", "bus"): ("NW", "SW", "NE", "SE"),
    ("Z", "bus"): ("NW", "NE", "SW", "SE"),
}


@dataclass(frozen=True, slots=True)
class Check:
    """One plaquette check: its basis, anchor (lower-left corner) and support as ``(step, qubit)`` in CX order.

    Examples:
        >>> c = code_checks([rectangle(0, 0, 3, 3)], x_edges([rectangle(0, 0, 3, 3)]))[0]
        >>> c.basis, c.anchor, sorted(c.support)
        ('Z', (-1, 0), [(0, 0), (0, 1)])
    """

    basis: str
    anchor: Coord
    order: tuple[tuple[int, Coord], ...]
    # the qubits of ``order``, kept with the check: the circuit builders read it for every check in every round
    support: frozenset[Coord] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "support", frozenset(q for _, q in self.order))

    @property
    def key(self) -> tuple[Coord, str]:
        return (self.anchor, self.basis)


def plaquette_basis(x: int, y: int) -> str:
    """``"X"`` for the plaquette anchored at ``(x, y)`` when ``x + y`` is even, else ``"Z"``."""
    return "X" if (x + y) % 2 == 0 else "Z"


def rectangle(x: int, y: int, w: int, h: int) -> frozenset[Coord]:
    """The data qubits ``[x, x+w) x [y, y+h)``.

    Examples:
        >>> sorted(rectangle(0, 0, 2, 1))
        [(0, 0), (1, 0)]
    """
    return frozenset((x + i, y + j) for i in range(w) for j in range(h))


def x_edges(patches: Iterable[frozenset[Coord]]) -> frozenset[frozenset[Coord]]:
    """The horizontal neighbour pairs on the top and bottom rows of rectangular patches: their X edges."""
    pairs = set()
    for patch in patches:
        ys = [y for _, y in patch]
        for x, y in patch:
            if y in (min(ys), max(ys)) and (x + 1, y) in patch:
                pairs.add(frozenset({(x, y), (x + 1, y)}))
    return frozenset(pairs)


def code_checks(
    components: Sequence[frozenset[Coord]],
    x_pairs: frozenset[frozenset[Coord]],
    horizontal: frozenset[Coord] = frozenset(),
) -> tuple[Check, ...]:
    """The checks of the codes on ``components`` (module docstring): X edges are the pairs in ``x_pairs``.

    Components are separate codes that may touch: a plaquette with corners in two of them is cut into each
    one's truncated plaquette, and at most one of those may survive the edge rule (the X edge of one side
    faces the Z edge of the other, so the checkerboard gives the plaquette to one side only).

    Args:
        components: disjoint sets of data qubits, one per code (patches, or a merged region).
        x_pairs: neighbour pairs that lie on an X edge (:func:`x_edges` of the patch tiles).
        horizontal: anchors of the Z checks that use horizontal hooks (the bus order); others use vertical.

    Returns:
        The checks, sorted by anchor then basis.

    Raises:
        VerificationError: a plaquette keeps two diagonal corners, or two components both keep one.

    Examples:
        >>> patch = rectangle(0, 0, 3, 3)
        >>> checks = code_checks([patch], x_edges([patch]))
        >>> len(checks), sorted(c.basis for c in checks).count("X")  # d^2 - 1 checks, half of them X
        (8, 4)
    """
    part = {q: i for i, comp in enumerate(components) for q in comp}
    anchors = sorted({(x - dx, y - dy) for x, y in part for dx in (0, 1) for dy in (0, 1)})
    checks = []
    for ax, ay in anchors:
        basis = plaquette_basis(ax, ay)
        corners = [q for q in ((ax, ay + 1), (ax + 1, ay + 1), (ax, ay), (ax + 1, ay)) if q in part]
        kept = [c for c in (_keep([q for q in corners if part[q] == i], basis, x_pairs, (ax, ay))
                            for i in sorted({part[q] for q in corners})) if c]
        if len(kept) > 1:
            raise VerificationError(f"two codes both keep the plaquette at {(ax, ay)}: {kept}")
        if kept:
            style = "bus" if (ax, ay) in horizontal else "patch"
            order = (
                (step, (ax + _CORNERS[n][0], ay + _CORNERS[n][1])) for step, n in enumerate(_ORDERS[(basis, style)])
            )
            checks.append(Check(basis, (ax, ay), tuple((s, q) for s, q in order if q in kept[0])))
    return tuple(checks)


def _keep(corners: list[Coord], basis: str, x_pairs: frozenset[frozenset[Coord]], anchor: Coord) -> list[Coord]:
    """``corners`` if a plaquette of ``basis`` keeping just them is a check (the edge rule), else []."""
    if len(corners) < 2:
        return []
    if len(corners) == 2 and corners[0][0] != corners[1][0] and corners[0][1] != corners[1][1]:
        raise VerificationError(f"plaquette at {anchor} keeps only the diagonal corners {corners}")
    if len(corners) < 4 and (basis == "X") != (len(corners) == 2 and frozenset(corners) in x_pairs):
        return []
    return corners


def cx_layers(checks: Sequence[Check]) -> tuple[tuple[tuple[Check, Coord], ...], ...]:
    """The CX gates of one round of ``checks`` as layers in which every data qubit appears at most once.

    Step ``s`` of every check goes into the first sub-layer of step ``s`` where its data qubit is free, so a
    step splits only where two checks of different orders meet. Then every X check and Z check that share
    data qubits are verified to touch an even number of them in the order X-then-Z (else the round would not
    measure commuting operators).

    Raises:
        VerificationError: an X and a Z check share data qubits in an order that does not commute.

    Examples:
        >>> patch = rectangle(0, 0, 3, 3)
        >>> len(cx_layers(code_checks([patch], x_edges([patch]))))
        4
    """
    layers: list[list[tuple[Check, Coord]]] = []
    for step in range(4):
        subs: list[tuple[set[Coord], list[tuple[Check, Coord]]]] = []
        for check in checks:
            for s, q in check.order:
                if s != step:
                    continue
                free = next((sub for sub in subs if q not in sub[0]), None)
                if free is None:
                    free = (set(), [])
                    subs.append(free)
                free[0].add(q)
                free[1].append((check, q))
        layers.extend(gates for _, gates in subs)
    _check_commutation(layers)
    return tuple(tuple(layer) for layer in layers)


def _check_commutation(layers: list[list[tuple[Check, Coord]]]) -> None:
    when: dict[tuple[Coord, str], dict[Coord, int]] = {}
    for t, layer in enumerate(layers):
        for check, q in layer:
            when.setdefault(check.key, {})[q] = t
    by_qubit: dict[Coord, list[tuple[Coord, str]]] = {}
    for key, times in when.items():
        for q in times:
            by_qubit.setdefault(q, []).append(key)
    pairs = {(a, b) for keys in by_qubit.values() for a in keys for b in keys if a[1] == "X" and b[1] == "Z"}
    for xk, zk in sorted(pairs):
        shared = when[xk].keys() & when[zk].keys()
        if sum(when[xk][q] < when[zk][q] for q in shared) % 2:
            raise VerificationError(
                f"X check at {xk[0]} and Z check at {zk[0]} share {sorted(shared)} in a non-commuting CX order"
            )


def solve_gf2(equations: Sequence[tuple[int, int]]) -> int | None:
    """A solution ``v`` (a bit mask) of ``popcount(mask & v) % 2 == rhs`` for every ``(mask, rhs)``, or None.

    Examples:
        >>> bin(solve_gf2([(0b011, 1), (0b110, 0)]))  # v0 + v1 = 1, v1 + v2 = 0
        '0b110'
        >>> solve_gf2([(0b1, 1), (0b1, 0)]) is None
        True
    """
    pivots: dict[int, tuple[int, int]] = {}  # pivot bit -> reduced (mask, rhs)
    for mask, rhs in equations:
        for bit, (pm, pr) in pivots.items():
            if mask >> bit & 1:
                mask, rhs = mask ^ pm, rhs ^ pr
        if mask == 0:
            if rhs:
                return None
            continue
        bit = mask.bit_length() - 1
        for other, (om, orhs) in list(pivots.items()):
            if om >> bit & 1:
                pivots[other] = (om ^ mask, orhs ^ rhs)
        pivots[bit] = (mask, rhs)
    return sum(1 << bit for bit, (_, rhs) in pivots.items() if rhs)
