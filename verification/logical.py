"""The 15-to-1 protocol at the logical level: its rotation list checked by state vector, its noisy form as a
Stim circuit, and the exact statistics of that noise by enumeration.

Everything here is built from a :class:`~magicpipe.compiler.protocols.Protocol`'s data -- its ``rotations``,
``checks`` and ``output_qubits`` -- never from a second, separately typed list, so the circuit checked here is
the one the factory model and the emitter use.

Noise model (paper Sec. 2.2; Bravyi and Kitaev 2005). Each input magic state is faulty with probability
``eps``. After Pauli twirling (Z-twirling: conjugating the magic state by the Clifford that stabilises it), a
faulty input is the ideal state followed by a Z flip with probability ``eps``; injected into its rotation
``exp(-i pi/8 P)`` the Z flip becomes the Pauli ``P`` after the ideal rotation. Every rotation P and every
error is then a Z-type operator, so all of them are diagonal and commute: the errors can be moved past the
ideal rotations to the end of the circuit. The ideal rotations leave the checks' qubits in |+> and each
output in a magic state (:func:`check_rotations` shows it), so what the X checks read and whether the output
is flipped depends on the product ``E`` of the Z errors alone: check ``C`` fires iff ``C`` anticommutes with
``E``, and the output holds ``Z^b |m>`` with ``b`` the parity of ``E`` on the output qubit. The same
statistics come out of a circuit that prepares |+> everywhere, applies ``E`` and measures every qubit in the
X basis, with ``b`` read as the output's X outcome. Dropping the ideal pi/8 rotations is therefore exact for
twirled input noise, and it turns the protocol into a Clifford circuit that Stim samples (:func:`logical_circuit`).
Clifford noise (``p_L`` in Eqs. 3-4) is not modelled here: this is Eqs. 3-4 at ``p_L = 0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sinter
import stim

from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, Protocol
from magicpipe.errors import SpecError

__all__ = [
    "POSTSELECTION",
    "RotationCheck",
    "WeightEnumerator",
    "FormulaGap",
    "check_rotations",
    "logical_circuit",
    "logical_task",
    "enumerate_errors",
    "formula_gaps",
    "check_eps",
]

# Decoder name of logical-level tasks: no decoding, every detector is post-selected and the output is
# predicted unflipped (see magicpipe.verification.sampling).
POSTSELECTION = "postselection"

# Largest rotation count the enumeration accepts (2**24 patterns is about 130 MB of int64).
_MAX_ENUMERATED_ROTATIONS = 24


def check_eps(eps: float) -> float:
    """Return ``eps`` as a float if it is a valid input error, in (0, 1); else raise SpecError.

    Examples:
        >>> check_eps(0.01)
        0.01
    """
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < 1:
        raise SpecError(f"input error eps must lie in (0, 1), got {eps!r}; pass e.g. --eps 1e-3 0.01 0.05")
    return float(eps)


def _mask(pauli: str, letter: str, what: str) -> int:
    """Bit ``i`` set where ``pauli[i] == letter``; raise SpecError on any letter other than I and ``letter``."""
    bad = set(pauli) - {"I", letter}
    if bad:
        raise SpecError(
            f"{what} {pauli!r} must contain only I and {letter}, found {sorted(bad)}; the logical-level "
            f"model handles Z-type rotations and X-type checks"
        )
    return sum(1 << i for i, c in enumerate(pauli) if c == letter)


def _masks(protocol: Protocol) -> tuple[tuple[int, ...], tuple[int, ...]]:
    rotations = tuple(_mask(r, "Z", "rotation") for r in protocol.rotations)
    checks = tuple(_mask(c, "X", "check") for c in protocol.checks)
    return rotations, checks


@dataclass(frozen=True, slots=True)
class RotationCheck:
    """Result of :func:`check_rotations`: what the ideal protocol does to ``|+>^n``.

    Attributes:
        protocol: the protocol's name.
        check_values: expectation of each check; +1 for a correct rotation list.
        output_phases: for each output qubit, the phase (in units of pi) of its density matrix's
            off-diagonal element ``rho[1, 0]``; +1/4 or -1/4 for a magic state ``(|0> + e^{+-i pi/4}|1>)/sqrt2``.
        output_coherences: ``|rho[1, 0]|`` of each output; 1/2 for any pure equator state.
        output_populations: ``rho[0, 0]`` of each output; 1/2 for an equator state.
    """

    protocol: str
    check_values: tuple[float, ...]
    output_phases: tuple[float, ...]
    output_coherences: tuple[float, ...]
    output_populations: tuple[float, ...]

    @property
    def ok(self) -> bool:
        """True iff every check is +1 with certainty and every output is a magic state (to 1e-9)."""
        tol = 1e-9
        return (
            all(abs(v - 1) < tol for v in self.check_values)
            and all(abs(abs(f) - 0.25) < tol for f in self.output_phases)
            and all(abs(c - 0.5) < tol for c in self.output_coherences)
            and all(abs(q - 0.5) < tol for q in self.output_populations)
        )


def check_rotations(protocol: Protocol = FIFTEEN_TO_ONE) -> RotationCheck:
    """Apply the ideal rotations ``exp(-i pi/8 P)`` of ``protocol`` to ``|+>^n`` by state vector (numpy).

    Qubit ``i`` is character ``i`` of each Pauli string and bit ``i`` of a basis-state index. Every rotation
    is diagonal, so it multiplies the amplitude of ``|x>`` by ``exp(-i pi/8 (-1)^{|x & P|})``.

    Args:
        protocol: a protocol with Z-type rotations and X-type checks on at most 20 qubits.

    Returns:
        A :class:`RotationCheck`; ``.ok`` says whether the rotation list distils a magic state.

    Raises:
        SpecError: a rotation is not Z-type, a check not X-type, or there are more than 20 qubits.

    Examples:
        >>> result = check_rotations()
        >>> result.ok, result.check_values
        (True, (1.0, 1.0, 1.0, 1.0))
        >>> result.output_phases  # the output is (|0> + e^{-i pi/4}|1>)/sqrt2
        (-0.25,)
    """
    n = protocol.logical_qubits
    if n > 20:
        raise SpecError(f"state-vector check needs at most 20 qubits, protocol {protocol.name} has {n}")
    rotations, checks = _masks(protocol)
    index = np.arange(1 << n)
    psi = np.full(1 << n, (1 << n) ** -0.5, dtype=complex)
    for mask in rotations:
        sign = 1 - 2 * (np.bitwise_count(index & mask) & 1)
        psi *= np.exp(-1j * math.pi / 8 * sign)
    values = tuple(round(float(np.real(np.vdot(psi, psi[index ^ mask]))), 12) for mask in checks)
    phases, coherences, populations = [], [], []
    for q in protocol.output_qubits:
        amps = psi.reshape((-1, 2, 1 << q))  # axes: qubits above q, qubit q, qubits below q
        rho = np.einsum("aib,ajb->ij", amps, amps.conj())
        phases.append(round(float(np.angle(rho[1, 0]) / math.pi), 12))
        coherences.append(round(float(abs(rho[1, 0])), 12))
        populations.append(round(float(rho[0, 0].real), 12))
    return RotationCheck(protocol.name, values, tuple(phases), tuple(coherences), tuple(populations))


def logical_circuit(eps: float, protocol: Protocol = FIFTEEN_TO_ONE) -> stim.Circuit:
    """The protocol with twirled input noise as a Stim circuit (see the module docstring for why it is exact).

    ``RX`` on every qubit; for each rotation ``P`` in order, ``E(eps) P`` (a correlated Z error on the
    rotation's support); ``MX`` on every qubit. Each check is a DETECTOR over the X outcomes of its support,
    each output qubit's outcome an OBSERVABLE_INCLUDE. A shot is accepted iff no detector fires; a logical
    error is an accepted shot whose observable flipped.

    Args:
        eps: error of each input magic state, in (0, 1).
        protocol: the protocol; its rotations must be Z-type and its checks X-type.

    Returns:
        The circuit.

    Raises:
        SpecError: eps outside (0, 1), or a rotation or check of the wrong type.

    Examples:
        >>> circuit = logical_circuit(0.01)
        >>> circuit.num_qubits, circuit.num_detectors, circuit.num_observables
        (5, 4, 1)
        >>> str(circuit).splitlines()[0:2], str(circuit).splitlines()[-1]
        (['RX 0 1 2 3 4', 'E(0.01) Z0'], 'OBSERVABLE_INCLUDE(0) rec[-1]')
    """
    eps = check_eps(eps)
    rotations, checks = _masks(protocol)
    n = protocol.logical_qubits
    circuit = stim.Circuit()
    circuit.append("RX", range(n))
    for mask in rotations:
        circuit.append("E", [stim.target_z(q) for q in range(n) if mask >> q & 1], eps)
    circuit.append("MX", range(n))
    for j, mask in enumerate(checks):
        circuit.append("DETECTOR", [stim.target_rec(q - n) for q in range(n) if mask >> q & 1], [j])
    for k, q in enumerate(protocol.output_qubits):
        circuit.append("OBSERVABLE_INCLUDE", [stim.target_rec(q - n)], k)
    return circuit


def logical_task(eps: float, protocol: Protocol = FIFTEEN_TO_ONE) -> sinter.Task:
    """A sinter task for :func:`logical_circuit`: every detector post-selected, decoder :data:`POSTSELECTION`.

    ``json_metadata`` is ``{"kind": "logical", "protocol": name, "eps": eps}``. In sinter's counts,
    ``discards`` are rejected runs and ``errors`` are accepted runs with a flipped output.

    Examples:
        >>> logical_task(0.05).json_metadata
        {'kind': 'logical', 'protocol': '15-to-1', 'eps': 0.05}
    """
    circuit = logical_circuit(eps, protocol)
    mask = np.packbits(np.ones(circuit.num_detectors, dtype=bool), bitorder="little")
    return sinter.Task(
        circuit=circuit,
        decoder=POSTSELECTION,
        detector_error_model=circuit.detector_error_model(),
        postselection_mask=mask,
        json_metadata={"kind": "logical", "protocol": protocol.name, "eps": float(eps)},
    )


def _polynomial(counts: tuple[int, ...], eps: float) -> float:
    m = len(counts) - 1
    return math.fsum(c * eps**w * (1 - eps) ** (m - w) for w, c in enumerate(counts))


@dataclass(frozen=True, slots=True)
class WeightEnumerator:
    """Error patterns of the logical-level model counted by weight: the exact statistics as polynomials.

    A pattern is a subset of the rotations whose inputs were faulty; it has probability
    ``eps^w (1 - eps)^(m - w)`` for weight ``w`` out of ``m`` rotations.

    Attributes:
        accepted: ``accepted[w]`` patterns of weight ``w`` that pass every check.
        flipped: ``flipped[w]`` accepted patterns of weight ``w`` that flip some output.
    """

    accepted: tuple[int, ...]
    flipped: tuple[int, ...]

    def acceptance(self, eps: float) -> float:
        """Exact probability that every check passes."""
        return _polynomial(self.accepted, check_eps(eps))

    def output_error(self, eps: float) -> float:
        """Exact probability that an output is flipped, given that every check passed."""
        return _polynomial(self.flipped, check_eps(eps)) / self.acceptance(eps)


def enumerate_errors(protocol: Protocol = FIFTEEN_TO_ONE) -> WeightEnumerator:
    """Enumerate all ``2^m`` error patterns of the ``m`` rotations (vectorised over bit masks).

    Bit ``j`` of a pattern says that rotation ``j``'s input was faulty; the net error is the XOR of those
    rotations' Z masks; a check fires iff it overlaps the net error on an odd number of qubits.

    Args:
        protocol: a protocol with Z-type rotations, X-type checks and at most 24 rotations.

    Returns:
        The :class:`WeightEnumerator`.

    Raises:
        SpecError: too many rotations, or a rotation or check of the wrong type.

    Examples:
        >>> enum = enumerate_errors()
        >>> enum.accepted[:5], enum.flipped[:5]  # 35 undetected weight-3 patterns, all flip the output
        ((1, 0, 0, 35, 105), (0, 0, 0, 35, 0))
        >>> round(enum.output_error(1e-3) / 35e-9, 5)
        1.00301
    """
    rotations, checks = _masks(protocol)
    m = len(rotations)
    if m > _MAX_ENUMERATED_ROTATIONS:
        raise SpecError(f"exact enumeration handles at most {_MAX_ENUMERATED_ROTATIONS} rotations, got {m}")
    patterns = np.arange(1 << m, dtype=np.int64)
    net = np.zeros_like(patterns)
    for j, mask in enumerate(rotations):
        net ^= ((patterns >> j) & 1) * mask
    weight = np.bitwise_count(patterns)
    accepted = np.ones(patterns.shape, dtype=bool)
    for mask in checks:
        accepted &= (np.bitwise_count(net & mask) & 1) == 0
    outputs = sum(1 << q for q in protocol.output_qubits)
    flipped = accepted & ((net & outputs) != 0)
    count = lambda sel: tuple(int(c) for c in np.bincount(weight[sel], minlength=m + 1))  # noqa: E731
    return WeightEnumerator(accepted=count(accepted), flipped=count(flipped))


@dataclass(frozen=True, slots=True)
class FormulaGap:
    """Eqs. 3-4 at ``p_L = 0`` against the exact values at one ``eps``.

    The gaps are relative: ``formula / exact - 1`` (positive when the formula overestimates).
    """

    eps: float
    exact_acceptance: float
    formula_acceptance: float
    exact_output_error: float
    formula_output_error: float

    @property
    def acceptance_gap(self) -> float:
        return self.formula_acceptance / self.exact_acceptance - 1

    @property
    def output_error_gap(self) -> float:
        return self.formula_output_error / self.exact_output_error - 1


def formula_gaps(
    eps_values: tuple[float, ...] | list[float], protocol: Protocol = FIFTEEN_TO_ONE
) -> tuple[FormulaGap, ...]:
    """Compare the protocol's first-order formulas (``success_probability``, ``output_error`` at ``p_L = 0``)
    with exact enumeration at each ``eps``.

    Raises:
        SpecError: an eps outside (0, 1).

    Examples:
        >>> gap = formula_gaps([1e-3])[0]
        >>> round(gap.output_error_gap, 5), round(gap.acceptance_gap, 7)
        (-0.003, -0.0001062)
    """
    enum = enumerate_errors(protocol)
    return tuple(
        FormulaGap(
            eps=check_eps(eps),
            exact_acceptance=enum.acceptance(eps),
            formula_acceptance=protocol.success_probability(eps, 0.0),
            exact_output_error=enum.output_error(eps),
            formula_output_error=protocol.output_error(eps, 0.0),
        )
        for eps in eps_values
    )
