"""Litinski's per-rotation error model, evaluated exactly on a layout's rotation list.

The model (Litinski 2019, Sec. 3 and App. A; the same model his public code evaluates) treats each input
state's fault and each lattice-surgery fault as a wrong rotation angle or a Pauli error on a logical qubit,
and runs the protocol on the density matrix of its few logical qubits. Per rotation ``exp(i pi/8 P)``:

* with probability ``q1`` it is followed by ``P`` (a ``P_{pi/2}`` error: a Z error of the input state, or a
  fault in the ancilla that flips the measurement), with ``q2`` it turns by ``-pi/8`` instead (a ``P_{-pi/4}``
  error), with ``q3`` by ``3 pi/8`` (``P_{pi/4}``);
* an injected first-level state contributes its own ``(q1, q2, q3)`` (Litinski: ``p/3`` each);
* a distilled input contributes its output error to ``q1`` only;
* the state's trip to the block (``transport`` patch widths at distance ``d_m``) adds ``transport p_m / 2``
  to ``q1`` and to ``q2``; the ancilla of length ``L`` adds ``L (d_X / d_m) p_m / 2`` to ``q2``; a
  single-qubit rotation injected straight into a patch adds ``d_m^2 p_Z / (2 d_Z)`` to ``q1`` and
  ``d_Z p_m / 2`` to ``q2``;
* output patches the ancilla runs along take a Z error with probability ``L (d_m / d_X) p_X / 2``.

Between steps every live patch idles for ``t`` cycles: an output patch takes X and Z errors with
probability ``t p_X / 2`` each, a check patch ``t (d_Z / d_X) p_X / 2`` (X) and ``t (d_X / d_Z) p_Z / 2``
(Z); an output being consumed takes ``(d_m + 2 d_X) p_X / 2`` of each. Here ``p_X = p_L(d_X)`` is the
logical error per code cycle of a distance-``d_X`` patch, and likewise ``p_Z``, ``p_m``.

The end state is projected onto the checks' +1 outcome: the failure probability is the weight it loses, the
output error the infidelity of what remains with the ideal output. The density matrix is carried as the ideal
pure state plus a small deviation, and every channel acts on the deviation with its error terms computed
apart from the ideal part, so no result is a difference of numbers near 1: the output error comes out with a
relative error of about ``1e-16 p_fail / p_out`` (1e-8 for 15-to-1 at ``eps = 1e-4``, where ``1 - fidelity``
would leave 1e-5) instead of ``1e-16 / p_out``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from magicpipe.compiler.blocks import Layout
from magicpipe.compiler.hardware import Hardware, check_distance

from magicpipe.errors import SpecError

__all__ = ["BlockRun", "NoiseModel", "run_layout"]


@dataclass(frozen=True, slots=True)
class NoiseModel:
    """The physics inputs of the block model.

    Attributes:
        p: physical (circuit-level) error rate.
        injection: error of an injected first-level state as ``(q1, q2, q3)`` rotation errors.
        A, p_th: ``p_L(d) = A (p / p_th)^((d+1)/2)``.
        per_cycle: True when that ``p_L`` is per code cycle (Litinski: ``0.1 (100 p)^((d+1)/2)``); False
            when it is per logical cycle of ``d`` code cycles (the project's Eq. 2), divided by ``d`` here.
        source: where the constants come from.

    Examples:
        >>> m = NoiseModel.litinski(1e-3)
        >>> f"{m.cycle_error(7):.1e}", m.injection
        ('1.0e-05', (0.0003333333333333333, 0.0003333333333333333, 0.0003333333333333333))
    """

    p: float
    injection: tuple[float, float, float]
    A: float = 0.1
    p_th: float = 0.01
    per_cycle: bool = True
    source: str = "Litinski 2019"

    def __post_init__(self) -> None:
        if not 0 < self.p < self.p_th:
            raise SpecError(f"physical error p={self.p:g} must lie in (0, p_th={self.p_th:g}); lower p")
        if len(self.injection) != 3 or min(self.injection) < 0 or sum(self.injection) >= 1:
            raise SpecError(f"injection errors {self.injection} must be 3 non-negative numbers summing below 1")

    @classmethod
    def litinski(cls, p: float) -> NoiseModel:
        """Litinski's choices: ``p_L = 0.1 (100 p)^((d+1)/2)`` per code cycle, injected states ``p/3`` each."""
        return cls(p=p, injection=(p / 3, p / 3, p / 3))

    @classmethod
    def from_hardware(cls, hardware: Hardware) -> NoiseModel:
        """The project's physics: Eq. 2's ``p_L`` per ``d`` rounds, raw states of error ``eps`` split evenly."""
        eps = hardware.eps
        return cls(p=hardware.p, injection=(eps / 3, eps / 3, eps / 3), A=hardware.model.A,
                   p_th=hardware.model.p_th, per_cycle=False, source=hardware.model.source)

    def cycle_error(self, d: int) -> float:
        """Logical error of one distance-``d`` patch per code cycle."""
        check_distance(d)
        pl: float = self.A * (self.p / self.p_th) ** ((d + 1) / 2)
        return pl if self.per_cycle else pl / d


@dataclass(frozen=True, slots=True)
class BlockRun:
    """What one run of a block gives: its output's infidelity (all outputs together) and its failure rate."""

    infidelity: float
    p_fail: float


class _State:
    """Ideal pure state ``psi`` plus deviation ``delta`` of the density matrix (private engine)."""

    def __init__(self, n: int) -> None:
        size = 1 << n
        self.n = n
        self.index = np.arange(size)
        self.psi = np.full(size, size**-0.5, dtype=complex)
        self.rho = np.outer(self.psi, self.psi.conj())  # the ideal part, kept in step with psi
        self.delta = np.zeros((size, size), dtype=complex)

    def ideal(self) -> np.ndarray:
        return self.rho

    def rotate(self, mask: int, sign: int, q: tuple[float, float, float]) -> None:
        phase, f0, plus, minus = _eigen(self.n, mask, sign)
        ideal = np.exp(2j * _THETA)
        excess = sum(qk * (np.exp(2j * t) - ideal) for qk, t in zip(q, _WRONG))
        g = excess.real * plus + (1j * excess.imag) * minus  # excess where lambda_i - lambda_j = +2, conj at -2
        self.delta *= f0 + g
        self.delta += g * self.rho
        self.psi = self.psi * phase
        self.rho = f0 * self.rho

    def storage(self, px: list[float], pz: list[float]) -> None:
        """Independent X and Z errors, probability ``px[q]``, ``pz[q]`` on qubit ``q``.

        The Z channels together multiply entry ``(i, j)`` by ``F = prod_q (1 - 2 pz[q])`` over the bits where
        ``i`` and ``j`` differ; ``F - 1`` is taken as ``expm1`` of a sum of ``log1p`` terms so that tiny
        probabilities keep their digits. Each X channel mixes in ``X rho X`` (an axis flip of the tensor).
        """
        if any(pz):
            per_bit = np.array([math.log1p(-2 * prob) for prob in pz])
            log_f = (_bits(self.n) * per_bit).sum(axis=1)[_xor(self.n)]  # sum over the bits where i and j differ
            self.delta *= np.exp(log_f)
            self.delta += np.expm1(log_f) * self.rho
        for qubit, prob in enumerate(px):
            if prob > 0:
                moved = self._flip(self.delta + self.rho, qubit)
                moved -= self.rho
                moved *= prob
                self.delta *= 1 - prob
                self.delta += moved

    def _flip(self, m: np.ndarray, qubit: int) -> np.ndarray:
        """``X m X`` for X on ``qubit``: reverse that qubit's axis on both sides of the tensor."""
        axis = self.n - 1 - qubit
        return np.flip(m.reshape((2,) * (2 * self.n)), axis=(axis, self.n + axis)).reshape(m.shape)

    def project(self, checks: tuple[int, ...], what: str) -> BlockRun:
        """Project onto every check reading +1 (``X = +1``); return infidelity and failure probability."""
        trace_pd = 0.0 + 0.0j
        trace_pi = 0.0 + 0.0j
        ideal = self.ideal()
        for subset in range(1 << len(checks)):
            m = sum(1 << checks[j] for j in range(len(checks)) if subset >> j & 1)
            rows = self.index ^ m
            trace_pd += self.delta[rows, self.index].sum()
            trace_pi += ideal[rows, self.index].sum()
        trace_pd /= 1 << len(checks)
        trace_pi /= 1 << len(checks)
        if abs(trace_pi - 1) > 1e-9:
            raise SpecError(f"{what}: the ideal rotations do not leave every check at +1 (P(+1) = {trace_pi.real:.6f})")
        # <psi|delta|psi> by elementwise products and sums, not a BLAS product: at these sizes OpenBLAS's threads
        # spin on the other core for longer than the product takes (twice the CPU of a whole block run)
        overlap = (self.psi.conj() * (self.delta * self.psi).sum(axis=1)).sum()
        accept = 1 + trace_pd.real
        return BlockRun(infidelity=float((trace_pd - overlap).real / accept), p_fail=float(-trace_pd.real))


_THETA = math.pi / 8
_WRONG = (5 * math.pi / 8, -math.pi / 8, 3 * math.pi / 8)  # P_{pi/2}, P_{-pi/4}, P_{pi/4} after pi/8


@functools.lru_cache(maxsize=512)
def _eigen(n: int, mask: int, sign: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For ``sign * Z^mask``: the ideal rotation's phases, its factor on rho, and where ``lambda_i - lambda_j``
    is +2 or -2 (as ``plus = up + down`` and ``minus = up - down``)."""
    index = np.arange(1 << n)
    lam = sign * (1 - 2 * (np.bitwise_count(index & mask).astype(np.int64) & 1))
    diff = np.subtract.outer(lam, lam)
    up, down = (diff == 2).astype(float), (diff == -2).astype(float)
    ideal = np.exp(2j * _THETA)
    f0 = 1 + up * (ideal - 1) + down * (np.conj(ideal) - 1)
    return np.exp(1j * _THETA * lam), f0, up + down, up - down


@functools.lru_cache(maxsize=16)
def _bits(n: int) -> np.ndarray:
    """``B[x, q]``: bit ``q`` of ``x``, as floats."""
    return ((np.arange(1 << n)[:, None] >> np.arange(n)[None, :]) & 1).astype(float)


@functools.lru_cache(maxsize=16)
def _xor(n: int) -> np.ndarray:
    """``i ^ j`` for every entry ``(i, j)``."""
    index = np.arange(1 << n)
    return index[:, None] ^ index[None, :]


def run_layout(
    layout: Layout,
    noise: NoiseModel,
    distances: tuple[int, int, int],
    *,
    step_cycles: float,
    transport: float,
    input_error: tuple[float, float, float],
) -> BlockRun:
    """Run ``layout`` at ``(d_X, d_Z, d_m)`` under ``noise`` (module docstring).

    Args:
        layout: the block.
        noise: physics inputs.
        distances: ``(d_X, d_Z, d_m)``, odd.
        step_cycles: code cycles each patch idles between steps (``d_m`` at the first level; the time the
            feeders take to deliver a step's inputs at an upper level).
        transport: patch widths an input state travels to the block (``d_m`` at the first level).
        input_error: ``(q1, q2, q3)`` of each input state.

    Returns:
        The :class:`BlockRun`.

    Examples:
        >>> from magicpipe.compiler.blocks import FIRST_LEVEL
        >>> m = NoiseModel.litinski(1e-4)
        >>> r = run_layout(FIRST_LEVEL, m, (7, 3, 3), step_cycles=3, transport=3, input_error=m.injection)
        >>> f"{r.infidelity:.4g} {r.p_fail:.3g}"
        '4.394e-08 0.00305'
    """
    dx, dz, dm = (check_distance(d) for d in distances)
    px, pz, pm = noise.cycle_error(dx), noise.cycle_error(dz), noise.cycle_error(dm)
    state = _State(layout.qubits)
    i1, i2, i3 = input_error
    for step in layout.steps:
        z_exposure = [0.0] * layout.qubits
        for r in step.rotations:
            if r.ancilla is None:
                q = (i1 + 0.5 * dm * dm / dz * pz, i2 + 0.5 * dz * pm, i3)
            else:
                length = r.ancilla_length(dx, dz, dm)
                q = (i1 + 0.5 * transport * pm, i2 + 0.5 * transport * pm + 0.5 * length * dx / dm * pm, i3)
                for o in layout.exposed(r):
                    z_exposure[o] += 0.5 * length * dm / dx * px
            state.rotate(r.mask, r.sign, q)
        idle = [_idle(role, step_cycles, dx, dz, dm, px, pz) for role in step.storage]
        state.storage([x for x, _ in idle], [z + extra for (_, z), extra in zip(idle, z_exposure)])
    return state.project(layout.checks, f"layout {layout.protocol}")


def _idle(role: str, t: float, dx: int, dz: int, dm: int, px: float, pz: float) -> tuple[float, float]:
    """X and Z error probabilities of a patch with ``role`` idling ``t`` cycles."""
    consume = 0.5 * (dm + 2 * dx) * px
    if role == "o":
        return 0.5 * t * px, 0.5 * t * px
    if role == "c":
        return 0.5 * t * dz / dx * px, 0.5 * t * dx / dz * pz
    if role == "r":
        return consume, consume
    if role == "w":
        return 0.5 * t * px + consume, 0.5 * t * px + consume
    return 0.0, 0.0
