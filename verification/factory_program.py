"""A 15-to-1 factory's lattice-surgery instructions, read into the merges a circuit performs, and laid out on
a qubit grid.

The instructions are the lattice layer's own: :func:`factory_instructions` calls the functions the emitter
calls for ``emit(..., measurements=True)`` (``magicpipe.lattice.measure``), and
:meth:`FactoryProgram.from_instructions` reads any sequence of them back -- e.g. one factory's ``MEASURE`` lines
filtered from an emitted stream -- checking them against the protocol's rotation list:

* ``MEASURE H0 step=k Z1 Z2 Z5 Zm via=[...]`` -- a :class:`Merge`: data patches 1, 2, 5 and the ``|m>`` patch
  merged through the routing tiles ``via``;
* ``MEASURE H0 step=k Xm`` -- the split that ends it, reading the ``|m>`` patch out in the X basis;
* ``MEASURE H0 step=12 X1`` ... -- the final X checks.

Layout (:class:`FactoryLayout`). The block's tiles (``magicpipe.lattice.block.BlockLayout``: data patches in the
middle row, routing row below, ``|m>`` port at its right end) sit at a pitch of ``d + 1`` data qubits. The
port tile lies under data patch 5, and a patch cannot be merged both sideways into the bus and upwards into
patch 5 with the same boundary type, so the port tile is the bus's last routing tile and the ``|m>`` patch sits
one tile beyond it, outside the block (``BlockLayout.magic``: the lattice layer's block says so too). Every merge
therefore uses the ``via`` tiles plus the port tile, the seam row above the bus, and the seam row between the
port and the ``|m>`` patch. The bus also runs ``d - 2`` data columns past the port tile (none beyond the next
seam column at d = 3, two more at d = 5): from the corner where the ``|m>`` patch meets the bus, the strings to the
bus's right end would otherwise lose a step to hook and space-time shortcuts at d = 5
(:meth:`FactoryLayout.bus_order_anchors` gives the check order that goes with it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, Protocol
from magicpipe.lattice import measure
from magicpipe.lattice.block import BlockLayout
from magicpipe.lattice.geometry import Tile
from magicpipe.lattice.stream import Instruction
from magicpipe.verification.surgery import Coord, rectangle

from magicpipe.errors import VerificationError

__all__ = ["Cell", "FactoryLayout", "FactoryProgram", "Merge", "factory_instructions", "factory_program"]

Cell = tuple[int, int]


def factory_instructions(
    protocol: Protocol = FIFTEEN_TO_ONE, distance: int = 3, name: str = "H0"
) -> tuple[Instruction, ...]:
    """One factory's MEASURE instructions, made the way ``magicpipe.lattice.emit`` expands them.

    Step ``k >= 1`` injects its inputs' rotations (``MEASURE P Zm via=...`` then ``MEASURE Xm``); step
    ``steps + 1`` measures the checks. The block's origin is ``Tile(0, 0)``.

    Examples:
        >>> text = [str(i) for i in factory_instructions()]
        >>> text[0]
        '@0 MEASURE H0 step=1 Z1 Z2 Z5 Zm via=[(0,0),(3,0),(6,0),(9,0)]'
        >>> text[1], text[-1]
        ('@0 MEASURE H0 step=1 Xm', '@0 MEASURE H0 step=12 X4')
    """
    block = BlockLayout.for_protocol(protocol)
    out = []
    for step in range(1, protocol.steps + 1):
        for j in range(protocol.inputs_per_step):
            paulis = measure.rotation_paulis(protocol, measure.rotation_index(protocol, step, j))
            via = measure.route(block, Tile(0, 0), distance, paulis)
            out.append(Instruction(0, "MEASURE", name, step=step, paulis=paulis, tiles=via))
            out.append(Instruction(0, "MEASURE", name, step=step, paulis=measure.magic_readout()))
    for paulis in measure.check_paulis(protocol):
        out.append(Instruction(0, "MEASURE", name, step=protocol.steps + 1, paulis=paulis))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Merge:
    """One Z-type multi-patch measurement: data ``patches`` (0-based) and ``|m>`` merged through ``bus`` tiles.

    ``instruction`` is the text of the MEASURE it came from.
    """

    patches: tuple[int, ...]
    bus: tuple[Cell, ...]
    instruction: str


@dataclass(frozen=True, slots=True)
class FactoryProgram:
    """What the circuit does, read from the instructions.

    Attributes:
        protocol: the protocol's name.
        distance: the code distance.
        block: the tile layout of the block.
        burst: data patches (0-based) initialised by a burst state (a weight-1 rotation), in order.
        merges: one per injected rotation, in order; each ends with the ``|m>`` patch's X readout.
        checks: data patches of each final X check.
        outputs: the output data patches.
    """

    protocol: str
    distance: int
    block: BlockLayout
    burst: tuple[int, ...]
    merges: tuple[Merge, ...]
    checks: tuple[tuple[int, ...], ...]
    outputs: tuple[int, ...]

    @classmethod
    def from_instructions(
        cls, protocol: Protocol, distance: int, instructions: Iterable[Instruction]
    ) -> FactoryProgram:
        """Read one factory's MEASURE instructions (others are skipped) and check them against ``protocol``.

        Raises:
            VerificationError: a merge that is not the next rotation of the protocol's list, a merge not
                followed by its ``Xm`` readout, routing tiles off the block's routing row, or checks that are
                not the protocol's.
        """
        block = BlockLayout.for_protocol(protocol)
        expected = [_support(r) for r in protocol.rotations[protocol.burst :]]
        merges: list[Merge] = []
        checks: list[tuple[int, ...]] = []
        pending: Merge | None = None
        for inst in (i for i in instructions if i.action == "MEASURE"):
            terms = inst.paulis
            if any(t.endswith(measure.MAGIC) and t[0] == "Z" for t in terms):
                if pending is not None:
                    raise VerificationError(f"{inst}: a merge before the previous one's Xm readout", inst)
                pending = _merge(inst, block, distance)
                if len(merges) >= len(expected) or pending.patches != expected[len(merges)]:
                    raise VerificationError(
                        f"{inst}: rotation {len(merges) + protocol.burst} of {protocol.name} acts on "
                        f"{_names(expected[len(merges)]) if len(merges) < len(expected) else 'nothing'}", inst)
            elif terms == measure.magic_readout():
                if pending is None:
                    raise VerificationError(f"{inst}: an Xm readout without a merge", inst)
                merges.append(pending)
                pending = None
            else:
                checks.append(tuple(int(t[1:]) - 1 for t in terms))
        want = [tuple(i for i, c in enumerate(check) if c == "X") for check in protocol.checks]
        if pending is not None or len(merges) != len(expected) or checks != want:
            raise VerificationError(
                f"factory instructions give {len(merges)} complete merges and checks {checks}; protocol "
                f"{protocol.name} needs {len(expected)} merges and checks {want}")
        burst = tuple(_support(r)[0] for r in protocol.rotations[: protocol.burst])
        return cls(protocol.name, distance, block, burst, tuple(merges), tuple(checks), tuple(protocol.output_qubits))


def factory_program(protocol: Protocol = FIFTEEN_TO_ONE, distance: int = 3) -> FactoryProgram:
    """:meth:`FactoryProgram.from_instructions` of :func:`factory_instructions`.

    Examples:
        >>> program = factory_program()
        >>> program.burst, len(program.merges), program.merges[0].patches, program.merges[0].bus
        ((0, 1, 2, 3), 11, (0, 1, 4), ((0, 0), (1, 0), (2, 0), (3, 0), (4, 0)))
    """
    return FactoryProgram.from_instructions(protocol, distance, factory_instructions(protocol, distance))


def _support(pauli: str) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(pauli) if c != "I")


def _names(patches: tuple[int, ...]) -> str:
    return " ".join(f"Z{q + 1}" for q in patches) + " Zm"


def _merge(inst: Instruction, block: BlockLayout, distance: int) -> Merge:
    patches = tuple(int(t[1:]) - 1 for t in inst.paulis if t[0] == "Z" and not t.endswith(measure.MAGIC))
    cells = []
    for tile in inst.tiles:
        if tile.x % distance or tile.y % distance:
            raise VerificationError(f"{inst}: routing tile {tile} is not on the distance-{distance} tile grid", inst)
        cells.append((tile.x // distance, tile.y // distance))
    bus = tuple(sorted(set(cells) | {block.port}))
    row = block.port[1]
    cols = [c for c, _ in bus]
    if any(r != row for _, r in bus) or cols != list(range(cols[0], cols[-1] + 1)):
        raise VerificationError(f"{inst}: routing tiles {bus} are not one contiguous run of the port's row {row}", inst)
    for q in patches:
        col, r = block.data[q]
        if r != row + 1 or col not in cols:
            raise VerificationError(
                f"{inst}: data patch {q + 1} at {block.data[q]} does not touch the routing {bus}", inst
            )
    return Merge(patches, bus, str(inst))


@dataclass(frozen=True, slots=True)
class FactoryLayout:
    """Where the patches of a program sit on the data-qubit grid (pitch ``d + 1``; module docstring).

    Examples:
        >>> layout = FactoryLayout(factory_program())
        >>> sorted(layout.patch(0))[:2], layout.magic_cell
        ([(0, 4), (0, 5)], (4, -1))
    """

    program: FactoryProgram

    @property
    def d(self) -> int:
        return self.program.distance

    @property
    def pitch(self) -> int:
        return self.program.distance + 1

    @property
    def magic_cell(self) -> Cell:
        return self.program.block.magic

    def tile(self, cell: Cell) -> frozenset[Coord]:
        """The ``d x d`` data qubits of the patch on ``cell``."""
        return rectangle(cell[0] * self.pitch, cell[1] * self.pitch, self.d, self.d)

    def patch(self, q: int) -> frozenset[Coord]:
        """Data patch ``q`` (0-based)."""
        return self.tile(self.program.block.data[q])

    def magic(self) -> frozenset[Coord]:
        return self.tile(self.magic_cell)

    def seam_above(self, cell: Cell) -> frozenset[Coord]:
        """The seam row between ``cell`` and the tile above it."""
        return rectangle(cell[0] * self.pitch, cell[1] * self.pitch + self.d, self.d, 1)

    def bus(self, merge: Merge) -> frozenset[Coord]:
        """The routing bus of ``merge``: its tiles, the seam columns between them, and ``d - 2`` columns past
        the last tile (the seam column and ``d - 3`` more: see :meth:`bus_order_anchors`)."""
        (c0, row), (c1, _) = merge.bus[0], merge.bus[-1]
        return rectangle(c0 * self.pitch, row * self.pitch, (c1 - c0 + 1) * self.pitch + self.d - 3, self.d)

    def seam(self, merge: Merge) -> frozenset[Coord]:
        """The seam row above the bus, along its whole length (under merged and idle patches alike)."""
        (c0, row), (c1, _) = merge.bus[0], merge.bus[-1]
        return rectangle(c0 * self.pitch, row * self.pitch + self.d, (c1 - c0 + 1) * self.pitch + self.d - 3, 1)

    def bus_order_anchors(self, merge: Merge) -> frozenset[Coord]:
        """Anchors of the checks measured in the bus order (hooks across vertical strings; module docstring).

        These are the plaquettes inside the bus except the bottom row of the port tile (above the ``|m>``
        patch, where the logical Z of ``|m>`` runs horizontally) and the top two rows under merged patches
        (where strings between a merged patch's two sides run horizontally).
        """
        bus = self.bus(merge)
        port = self.tile(self.program.block.port)
        y0 = self.program.block.port[1] * self.pitch
        merged = {x for q in merge.patches for x, _ in self.patch(q)}
        out = set()
        for x, y in bus:
            corners = ((x, y), (x + 1, y), (x, y + 1), (x + 1, y + 1))
            if not all(q in bus for q in corners):
                continue
            if y == y0 and all(q in port for q in corners):
                continue
            if y >= y0 + self.d - 2 and x in merged and x + 1 in merged:
                continue
            out.add((x, y))
        return frozenset(out)

    def ancilla_region(self, merge: Merge) -> frozenset[Coord]:
        """Everything ``merge`` initialises and measures out: bus, seams, and the ``|m>`` patch."""
        return self.bus(merge) | self.seam(merge) | self.seam_above(self.magic_cell) | self.magic()

    def row(self, region: frozenset[Coord], which: str = "top") -> frozenset[Coord]:
        """The top (or bottom) row of a rectangular ``region``: a logical Z of a patch."""
        ys = [y for _, y in region]
        y = max(ys) if which == "top" else min(ys)
        return frozenset(q for q in region if q[1] == y)

    def column(self, region: frozenset[Coord]) -> frozenset[Coord]:
        """The leftmost column of a rectangular ``region``: a logical X of a patch."""
        x = min(x for x, _ in region)
        return frozenset(q for q in region if q[0] == x)
