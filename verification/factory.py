"""The 15-to-1 factory at circuit level: built from its lattice-surgery instructions, decoded by PyMatching.

:func:`factory_circuit` reads one factory's MEASURE instructions (:mod:`~magicpipe.verification.factory_program`)
and turns them into a Stim circuit of rotated surface-code patches at distance ``d``
(:mod:`~magicpipe.verification.factory_circuit`, :mod:`~magicpipe.verification.surgery`): every ``MEASURE P Zm``
is a merge of the data patches in ``P`` and the ``|m>`` patch through the routing bus for ``d`` rounds, every
``MEASURE Xm`` the split that reads ``|m>`` out, the final ``MEASURE X1 .. X4`` the checks. Circuit-level noise
``p`` is everywhere (Stim's generated-circuit model); each magic state is ``|+>`` with a logical Z of
probability ``eps`` (the twirled input error of the logical level, ``magicpipe.verification.logical``).

What a sample means (:func:`factory_task`): PyMatching predicts the flips of observables 0 (the output's X) and
1-4 (the X checks). A shot whose corrected checks are not all +1 is rejected (sinter's
``postselected_observables_mask``: counted as a discard); an accepted shot whose corrected output is flipped is
an output error. So ``acceptance = 1 - discards / shots`` and ``output error = errors / (shots - discards)``:
Eqs. 4 and 3 with both input and Clifford noise.

The stand-in's limits. ``|+>`` is a stabiliser state: X and Y errors leave it unchanged, so an X-type logical
error anywhere -- on a data patch, or on ``|m>`` before its readout, or a wrong merge outcome (which in the real
protocol selects the pi/4 correction) -- does nothing in this circuit, although in the real protocol it is a
non-Pauli error. :func:`factory_events_task` measures those errors on the Z twin: the same merges with every
patch in ``|0>``, one observable per data patch and one per merge outcome, and
:mod:`magicpipe.verification.stand_in` turns their rates into what they would cost the real protocol.

Examples:
    >>> circuit = factory_circuit(3, 1e-3, 1e-3)
    >>> circuit.num_observables, circuit.num_detectors > 3000
    (5, True)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import sinter
import stim
from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, Protocol
from magicpipe.lattice.stream import Instruction
from magicpipe.verification.factory_circuit import (
    BASES,
    ForcedError,
    build_factory,
    build_memory,
)
from magicpipe.verification.factory_program import (
    FactoryLayout,
    FactoryProgram,
    factory_instructions,
)
from magicpipe.verification.sampling import ERROR_COMBOS, check_positive

from magicpipe.errors import SpecError

__all__ = [
    "MAX_DISTANCE",
    "FactoryDistance",
    "ForcedError",
    "check_factory_params",
    "factory_circuit",
    "factory_distance",
    "factory_events_task",
    "factory_layout",
    "factory_task",
    "surgery_memory_task",
]

# Distances the circuit is built for: 3, 5 and 7. The layout's graph-like distance is d in both bases at d = 3
# and 5; at d = 7 it is 6 for the factory itself (Z-type errors: a hook-assisted chain from the bus's left edge
# to the corner of patch 1 in a merge's first round) and 7 for its Z twin (docs/verification.md, Sec. 3).
MAX_DISTANCE = 7


def check_factory_params(d: int, p: float, eps: float) -> None:
    """Raise SpecError unless ``d`` is 3, 5 or 7, ``p`` in [0, 0.5) and ``eps`` in [0, 1).

    Examples:
        >>> check_factory_params(9, 1e-3, 1e-3)
        Traceback (most recent call last):
        ...
        magicpipe.errors.SpecError: factory distance must be 3, 5 or 7 (the layouts built and checked), got 9
    """
    if isinstance(d, bool) or not isinstance(d, int) or d not in range(3, MAX_DISTANCE + 1, 2):
        raise SpecError(f"factory distance must be 3, 5 or 7 (the layouts built and checked), got {d!r}")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 0.5:
        raise SpecError(f"physical error p must lie in [0, 0.5), got {p!r}; pass e.g. --p 1e-3 2e-3")
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 <= eps < 1:
        raise SpecError(f"input error eps must lie in [0, 1), got {eps!r}; pass e.g. --eps 1e-3 0.01")


def _program(protocol: Protocol, d: int, instructions: Iterable[Instruction] | None) -> FactoryProgram:
    found = factory_instructions(protocol, d) if instructions is None else instructions
    return FactoryProgram.from_instructions(protocol, d, found)


def factory_layout(d: int = 3, protocol: Protocol = FIFTEEN_TO_ONE) -> FactoryLayout:
    """Where the factory's patches sit on the qubit grid (for placing forced errors).

    Examples:
        >>> layout = factory_layout(3)
        >>> sorted(layout.row(layout.patch(4)))  # a logical Z of the output patch
        [(16, 6), (17, 6), (18, 6)]
    """
    return FactoryLayout(_program(protocol, d, None))


def factory_circuit(
    d: int = 3,
    p: float = 1e-3,
    eps: float = 1e-3,
    *,
    basis: str = "x",
    protocol: Protocol = FIFTEEN_TO_ONE,
    instructions: Iterable[Instruction] | None = None,
    forced: Iterable[ForcedError] = (),
) -> stim.Circuit:
    """The factory as a Stim circuit (module docstring).

    Args:
        d: code distance (3, 5 or 7).
        p: circuit-level noise strength, in [0, 0.5).
        eps: error of each input magic state, in [0, 1) (``basis="x"`` only).
        basis: ``"x"`` the factory; ``"z"`` its Z twin (module docstring).
        protocol: the protocol (its rotations must be Z-type, its checks X-type).
        instructions: one factory's MEASURE instructions (default: :func:`factory_instructions`); they are
            checked against the protocol's rotation list.
        forced: Pauli errors to insert (tests of what the detectors and observables see).

    Returns:
        The circuit. Basis x: observables are the outputs, then the checks. Basis z: the data patches' logical
        Z, then one per merge outcome.

    Raises:
        SpecError: a parameter outside its domain.
        VerificationError: instructions that do not implement the protocol.
    """
    check_factory_params(d, p, eps)
    if basis not in BASES:
        raise SpecError(f"basis must be one of {BASES}, got {basis!r}")
    forced = tuple(forced)
    if instructions is None and not forced:  # the standard circuit: built once per process, handed out as a copy
        return _standard_circuit(protocol, d, float(p), float(eps), basis.lower()).copy()
    return build_factory(_program(protocol, d, instructions), float(p), float(eps), basis.lower(), forced)


@functools.lru_cache(maxsize=32)  # a command builds the same circuit for its task, its distance and its twin
def _standard_circuit(protocol: Protocol, d: int, p: float, eps: float, basis: str) -> stim.Circuit:
    return build_factory(_program(protocol, d, None), p, eps, basis, ())


@functools.lru_cache(maxsize=32)  # a command's resumed run, and its twin, ask for the same model again
def _standard_dem(protocol: Protocol, d: int, p: float, eps: float, basis: str) -> stim.DetectorErrorModel:
    return _standard_circuit(protocol, d, p, eps, basis).detector_error_model(decompose_errors=True)


def factory_task(d: int, p: float, eps: float, protocol: Protocol = FIFTEEN_TO_ONE) -> sinter.Task:
    """A sinter task of the factory: PyMatching, the checks' observables post-selected.

    ``json_metadata`` is ``{"kind": "factory", "protocol", "d", "p", "eps", "basis": "x"}``; sinter's
    ``discards`` are rejected runs, ``errors`` accepted runs with a flipped output.

    Examples:
        >>> task = factory_task(3, 1e-3, 1e-2)
        >>> mask = np.unpackbits(task.postselected_observables_mask, bitorder="little")
        >>> task.json_metadata["kind"], mask[:5].tolist()
        ('factory', [0, 1, 1, 1, 1])
    """
    circuit = factory_circuit(d, p, eps, protocol=protocol)
    outputs = len(protocol.output_qubits)
    mask = np.zeros(circuit.num_observables, dtype=bool)
    mask[outputs:] = True
    return sinter.Task(
        circuit=circuit,
        decoder="pymatching",
        detector_error_model=_standard_dem(protocol, d, float(p), float(eps), "x").copy(),
        postselected_observables_mask=np.packbits(mask, bitorder="little"),
        json_metadata={"kind": "factory", "protocol": protocol.name, "d": d, "p": float(p), "eps": float(eps),
                       "basis": "x"},
    )


def factory_events_task(d: int, p: float, basis: str = "z", protocol: Protocol = FIFTEEN_TO_ONE) -> sinter.Task:
    """A sinter task that tallies which observables each decoded run gets wrong (no post-selection, eps = 0).

    ``basis="z"``: the Z twin (observables 0-4: data patches 1-5's logical Z, flipped by X-type errors; 5-15:
    merges 1-11's outcome ``P Z_m``) -- the errors the ``|+>`` stand-in cannot carry. ``basis="x"``: the
    factory itself, so that the Z-type errors it does carry can be counted the same way (observables: the output
    patch, then patches 1-4). ``json_metadata`` is ``{"kind": "factory_events", "protocol", "d", "p",
    "basis"}``; ``errors`` counts runs with any wrong observable, ``custom_counts`` each combination (sinter's
    ``obs_mistake_mask=...``).
    """
    circuit = factory_circuit(d, p, 0.0, basis=basis, protocol=protocol)
    return sinter.Task(
        circuit=circuit,
        decoder=ERROR_COMBOS,
        detector_error_model=_standard_dem(protocol, d, float(p), 0.0, basis.lower()).copy(),
        json_metadata={"kind": "factory_events", "protocol": protocol.name, "d": d, "p": float(p), "basis": basis},
    )


def surgery_memory_task(d: int, p: float, *, cycles: int = 3, basis: str = "x") -> sinter.Task:
    """A memory of one patch of the factory's layout, with the factory's check order and noise.

    Its logical error per cycle is the ``p_L`` that the fit of Eqs. 3-4 divides by.
    ``json_metadata`` is ``{"kind": "factory_memory", "d", "p", "rounds", "cycles", "basis"}``.

    Examples:
        >>> surgery_memory_task(3, 1e-3).circuit.num_detectors  # 9 rounds of 8 checks, 4 X checks at each end
        72
    """
    check_factory_params(d, p, 0.0)
    check_positive("cycles", cycles)
    if basis not in BASES:
        raise SpecError(f"basis must be one of {BASES}, got {basis!r}")
    circuit = build_memory(_program(FIFTEEN_TO_ONE, d, None), float(p), d * cycles, basis)
    return sinter.Task(
        circuit=circuit,
        decoder="pymatching",
        detector_error_model=circuit.detector_error_model(decompose_errors=True),
        json_metadata={"kind": "factory_memory", "d": d, "p": float(p), "rounds": d * cycles, "cycles": cycles,
                       "basis": basis},
    )


@dataclass(frozen=True, slots=True)
class FactoryDistance:
    """Graph-like distance of the factory circuit in each basis (``shortest_graphlike_error``, eps = 0).

    Attributes:
        d: the code distance the layout is built for.
        x: distance of the factory itself (Z-type errors flipping a check or the output).
        z: distance of its Z twin (X-type errors, wrong merge outcomes).
    """

    d: int
    x: int
    z: int

    @property
    def ok(self) -> bool:
        return self.x == self.d and self.z == self.d


@functools.lru_cache(maxsize=8)
def factory_distance(d: int = 3, protocol: Protocol = FIFTEEN_TO_ONE) -> FactoryDistance:
    """The circuit's graph-like distance, without the input errors (each is a weight-1 logical by design).
    Cached: the circuit is deterministic.

    Examples:
        >>> factory_distance(3)
        FactoryDistance(d=3, x=3, z=3)
    """
    return FactoryDistance(
        d,
        *(len(factory_circuit(d, 1e-3, 0.0, basis=b, protocol=protocol).shortest_graphlike_error()) for b in BASES),
    )
