"""A factory's internal Pauli-product measurements, from its protocol's rotation list (for circuit-level checks).

Each input state after the burst performs one pi/8 rotation ``exp(-i pi/8 P)`` of the protocol's list by
magic-state injection (Litinski, A Game of Surface Codes, Fig. 11): measure ``P (x) Z_m`` -- the data patches in
P's support and the ``|m>`` patch merged through the block's routing row -- then measure the ``|m>`` patch in X;
the outcomes fix a Pauli-frame / pi/4 correction that the verification folds into its observables. The burst's
states initialise the data patches of the single-qubit rotations directly. After the last step the checks are
measured (all must read +1) and the output qubits hold the result.

Labels: ``Z3`` is Z on data patch 3 (1-based, the protocol's qubit order), ``Zm`` / ``Xm`` act on the ``|m>``
patch at the block's input port. The merge route is the routing row (the port's row) from the leftmost data
patch involved to the port.

Examples:
    >>> from magicpipe.compiler.protocols import FIFTEEN_TO_ONE
    >>> rotation_paulis(FIFTEEN_TO_ONE, 4), rotation_paulis(FIFTEEN_TO_ONE, 14)
    (('Z1', 'Z2', 'Z5', 'Zm'), ('Z1', 'Z2', 'Z3', 'Z4', 'Z5', 'Zm'))
    >>> check_paulis(FIFTEEN_TO_ONE)
    (('X1',), ('X2',), ('X3',), ('X4',))
"""

from __future__ import annotations

from magicpipe.compiler.protocols import Protocol
from magicpipe.lattice.block import BlockLayout
from magicpipe.lattice.geometry import Tile

__all__ = ["MAGIC", "rotation_paulis", "magic_readout", "check_paulis", "rotation_index", "route"]

MAGIC = "m"
"""The label of the ``|m>`` patch in Pauli terms (``Zm``, ``Xm``)."""


def _terms(pauli: str, letter: str) -> tuple[str, ...]:
    return tuple(f"{p}{q + 1}" for q, p in enumerate(pauli) if p == letter)


def rotation_paulis(protocol: Protocol, index: int) -> tuple[str, ...]:
    """The product measured to inject rotation ``index`` of the list: Z on its support, and ``Zm``."""
    return _terms(protocol.rotations[index], "Z") + (f"Z{MAGIC}",)


def magic_readout() -> tuple[str, ...]:
    """The X measurement of the ``|m>`` patch that completes an injection."""
    return (f"X{MAGIC}",)


def check_paulis(protocol: Protocol) -> tuple[tuple[str, ...], ...]:
    """The final X-type checks, one product each."""
    return tuple(_terms(c, "X") for c in protocol.checks)


def rotation_index(protocol: Protocol, step: int, input_number: int) -> int:
    """Index into ``protocol.rotations`` of input ``input_number`` (0-based) of ``step`` (>= 1)."""
    return protocol.burst + (step - 1) * protocol.inputs_per_step + input_number


def route(block: BlockLayout, origin: Tile, distance: int, paulis: tuple[str, ...]) -> tuple[Tile, ...]:
    """Routing tiles merged for ``paulis``: the port's row, from the leftmost data patch involved to the port.

    Examples:
        >>> from magicpipe.compiler.protocols import FIFTEEN_TO_ONE
        >>> block = BlockLayout.for_protocol(FIFTEEN_TO_ONE)
        >>> [str(t) for t in route(block, Tile(0, 0), 17, ("Z2", "Z5", "Zm"))]
        ['(17,0)', '(34,0)', '(51,0)']
    """
    qubits = [int(p[1:]) - 1 for p in paulis if p[1:] != MAGIC]
    col, row = block.port
    first = min((block.data[q][0] for q in qubits), default=col)
    return tuple(block.tile(origin, (c, row), distance) for c in range(first, col))
