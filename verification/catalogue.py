"""The catalogue's protocols at the logical level: rotation lists by state vector, statistics by enumeration.

Every check here is built from a :class:`~magicpipe.compiler.blocks.Layout`'s own rotation list, the one the
block model (:mod:`magicpipe.compiler.blockmodel`) evaluates.

* :func:`check_layout` applies the ideal rotations ``exp(i s pi/8 P)`` to ``|+>^n`` and returns the fidelity
  with the intended output: every check qubit in ``|+>`` and the outputs in ``|m>^k`` (``|m> = (|0> +
  e^{i pi/4}|1>)/sqrt2``) for a T protocol, in ``CCZ|+++>`` for 8-to-CCZ (Litinski's targets).
* :func:`enumerate_layout` counts, by weight, the patterns of faulty inputs (a faulty input is a Z flip, i.e.
  the rotation's own Pauli after it, as for twirled inputs; see :mod:`magicpipe.verification.logical` for why
  that model is exact) that pass every check, and those that also flip an output. All ``2^m`` patterns are
  enumerated with numpy bit masks (``2^20`` for 20-to-4), or only those up to a given weight.
* :func:`layout_circuit` is the same fault model as a Stim circuit (``RX``, one correlated ``E(eps)`` Z error
  per rotation on its support, ``MX``; checks as detectors, outputs as observables), and
  :func:`sample_layout` samples it with a seed, as ``verify logical`` does for 15-to-1.
* :func:`model_gap` compares the enumeration with the block model at zero Clifford noise and inputs of pure
  ``P_{pi/2}`` error ``eps``: the two are exact computations of the same quantity and must agree.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import stim
from magicpipe.compiler.blockmodel import NoiseModel, run_layout
from magicpipe.compiler.blocks import Layout
from magicpipe.verification.logical import WeightEnumerator, check_eps

from magicpipe.errors import SpecError

__all__ = ["LayoutCheck", "ModelGap", "check_layout", "enumerate_layout", "layout_circuit", "model_gap",
           "sample_layout"]

_MAX_FULL = 24


@dataclass(frozen=True, slots=True)
class LayoutCheck:
    """Result of :func:`check_layout`: fidelity of the ideal run with the intended output, and the check values."""

    protocol: str
    level: str
    fidelity: float
    check_values: tuple[float, ...]

    @property
    def ok(self) -> bool:
        return abs(self.fidelity - 1) < 1e-9 and all(abs(v - 1) < 1e-9 for v in self.check_values)


def _ideal(layout: Layout) -> np.ndarray:
    n = layout.qubits
    index = np.arange(1 << n)
    psi = np.full(1 << n, (1 << n) ** -0.5, dtype=complex)
    for r in layout.rotations:
        lam = r.sign * (1 - 2 * (np.bitwise_count(index & r.mask).astype(np.int64) & 1))
        psi = psi * np.exp(1j * math.pi / 8 * lam)
    return psi


def _target(layout: Layout) -> np.ndarray:
    """Litinski's intended output on the layout's qubits (qubit ``i`` = bit ``i`` of the index)."""
    n = layout.qubits
    index = np.arange(1 << n)
    amp = np.full(1 << n, (1 << n) ** -0.5, dtype=complex)
    if layout.kind == "T":
        for q in layout.outputs:
            amp = amp * np.where((index >> q) & 1, np.exp(1j * math.pi / 4), 1.0)
    else:
        all_ones = np.ones(index.shape, dtype=bool)
        for q in layout.outputs:
            all_ones &= ((index >> q) & 1) == 1
        amp = amp * np.where(all_ones, -1.0, 1.0)
    return amp


def check_layout(layout: Layout) -> LayoutCheck:
    """Run the ideal rotation list on ``|+>^n`` by state vector (module docstring).

    Examples:
        >>> from magicpipe.compiler.blocks import LAYOUTS
        >>> check_layout(LAYOUTS["20-to-4"]).ok, check_layout(LAYOUTS["8-to-CCZ"]).ok
        (True, True)
    """
    psi = _ideal(layout)
    fidelity = abs(np.vdot(_target(layout), psi)) ** 2
    index = np.arange(psi.size)
    values = tuple(round(float(np.real(np.vdot(psi, psi[index ^ (1 << q)]))), 12) for q in layout.checks)
    return LayoutCheck(layout.protocol, layout.level, round(float(fidelity), 12), values)


def enumerate_layout(layout: Layout, max_weight: int | None = None) -> WeightEnumerator:
    """Count accepted and output-flipping fault patterns by weight.

    Args:
        layout: the protocol.
        max_weight: enumerate only patterns of at most this many faulty inputs (counts above it are 0);
            ``None`` enumerates all ``2^m`` (at most 2^24).

    Examples:
        >>> from magicpipe.compiler.blocks import LAYOUTS
        >>> e = enumerate_layout(LAYOUTS["20-to-4"], max_weight=2)
        >>> e.accepted[:3], e.flipped[:3]  # 22 undetected pairs, all of which spoil an output
        ((1, 0, 22), (0, 0, 22))
    """
    masks = [r.mask for r in layout.rotations]
    m = len(masks)
    checks = sum(1 << q for q in layout.checks)
    outputs = sum(1 << q for q in layout.outputs)
    if max_weight is None:
        if m > _MAX_FULL:
            raise SpecError(f"full enumeration handles at most {_MAX_FULL} rotations, got {m}; pass max_weight")
        patterns = np.arange(1 << m, dtype=np.int64)
        net = np.zeros_like(patterns)
        for j, mask in enumerate(masks):
            net ^= ((patterns >> j) & 1) * mask
        weight = np.bitwise_count(patterns).astype(np.int64)
    else:
        nets, weights = [0], [0]
        for w in range(1, max_weight + 1):
            for combo in itertools.combinations(masks, w):
                net_w = 0
                for mask in combo:
                    net_w ^= mask
                nets.append(net_w)
                weights.append(w)
        net, weight = np.array(nets, dtype=np.int64), np.array(weights, dtype=np.int64)
    # X checks fire on a Z error on their own qubit: accepted iff the net error misses every check qubit
    accepted = (net & checks) == 0
    flipped = accepted & ((net & outputs) != 0)

    def count(sel: np.ndarray) -> tuple[int, ...]:
        return tuple(int(c) for c in np.bincount(weight[sel], minlength=m + 1))

    return WeightEnumerator(accepted=count(accepted), flipped=count(flipped))


@dataclass(frozen=True, slots=True)
class ModelGap:
    """Enumeration against the block model at zero Clifford noise, at one input error ``eps``."""

    protocol: str
    eps: float
    enumerated_output_error: float
    model_output_error: float
    enumerated_acceptance: float
    model_acceptance: float

    @property
    def output_error_gap(self) -> float:
        return self.model_output_error / self.enumerated_output_error - 1

    @property
    def acceptance_gap(self) -> float:
        return self.model_acceptance / self.enumerated_acceptance - 1


def model_gap(layout: Layout, eps: float, enumeration: WeightEnumerator | None = None) -> ModelGap:
    """Compare :func:`enumerate_layout` with :func:`~magicpipe.compiler.blockmodel.run_layout` at ``p_L = 0``.

    The block model's output error is the infidelity of all outputs together; for Pauli input faults that is
    the probability that some output is flipped, which is what the enumeration counts.
    """
    eps = check_eps(eps)
    enumeration = enumeration or enumerate_layout(layout)
    silent = NoiseModel(p=1e-300, injection=(0.0, 0.0, 0.0))
    run = run_layout(layout, silent, (3, 3, 3), step_cycles=0.0, transport=0.0, input_error=(eps, 0.0, 0.0))
    return ModelGap(protocol=layout.protocol, eps=eps,
                    enumerated_output_error=enumeration.output_error(eps), model_output_error=run.infidelity,
                    enumerated_acceptance=enumeration.acceptance(eps), model_acceptance=1 - run.p_fail)


def layout_circuit(layout: Layout, eps: float) -> stim.Circuit:
    """The layout with faulty inputs as a Clifford Stim circuit (module docstring).

    Examples:
        >>> from magicpipe.compiler.blocks import LAYOUTS
        >>> c = layout_circuit(LAYOUTS["20-to-4"], 0.01)
        >>> c.num_qubits, c.num_detectors, c.num_observables
        (7, 3, 4)
    """
    eps = check_eps(eps)
    n = layout.qubits
    circuit = stim.Circuit()
    circuit.append("RX", range(n))
    for r in layout.rotations:
        circuit.append("E", [stim.target_z(q) for q in range(n) if r.mask >> q & 1], eps)
    circuit.append("MX", range(n))
    for j, q in enumerate(layout.checks):
        circuit.append("DETECTOR", [stim.target_rec(q - n)], [j])
    for k, q in enumerate(layout.outputs):
        circuit.append("OBSERVABLE_INCLUDE", [stim.target_rec(q - n)], k)
    return circuit


def sample_layout(layout: Layout, eps: float, shots: int, seed: int) -> tuple[int, int]:
    """Sample :func:`layout_circuit`: ``(accepted shots, accepted shots with some output flipped)``."""
    sampler = layout_circuit(layout, eps).compile_detector_sampler(seed=seed)
    detectors, observables = sampler.sample(shots, separate_observables=True)
    accepted = ~detectors.any(axis=1)
    return int(accepted.sum()), int((accepted & observables.any(axis=1)).sum())
