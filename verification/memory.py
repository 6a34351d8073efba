"""Surface-code memory: Stim's rotated memory circuits, their logical error per logical cycle, and the fit of
Eq. 2, ``p_L = A (p / p_th)^((d+1)/2)``, that the planner can use instead of the paper's constants.

Circuits. ``stim.Circuit.generated("surface_code:rotated_memory_x" or "_z", distance=d, rounds=d * cycles)``
with every noise knob at ``p``: depolarisation after each Clifford and before each round on the data,
flips after resets and before measurements (the standard circuit-level model, SD6-like).

Per logical cycle. A shot runs ``cycles`` logical cycles of ``d`` rounds and fails when its observable ends
flipped. If each cycle flipped the observable independently with probability ``q``, the shot would fail with
``P = (1 - (1 - 2q)^cycles) / 2`` (an odd number of flips); we invert this,
``q = (1 - (1 - 2P)^(1/cycles)) / 2`` (``sinter.shot_error_rate_to_piece_error_rate``). For small ``P`` it is
``P / cycles``, and it is the right inverse near ``P = 1/2`` where ``1 - (1 - P)^(1/cycles)`` is not. The
first and last rounds (state preparation and readout) are counted in the shot, so more cycles dilute them.

Bases. A memory_x circuit sees Z-type logical errors, memory_z the X-type ones. A patch holding an unknown
state fails on either, so the per-patch rate is ``1 - (1 - q_X)(1 - q_Z)`` when both bases are measured:
that is what the fit uses (see :func:`patch_rate`).
"""

from __future__ import annotations

import json
import math
import pathlib
from dataclasses import dataclass
from collections.abc import Sequence

import numpy as np
import sinter
import stim

from magicpipe.compiler.hardware import ErrorModel, LogicalErrorModel
from magicpipe.errors import SpecError

__all__ = [
    "BASES",
    "Eq2Fit",
    "memory_circuit",
    "memory_task",
    "per_cycle_rate",
    "patch_rate",
    "fit_eq2",
    "load_logical_error_model",
    "check_memory_params",
]

BASES = ("x", "z")


def check_memory_params(d: int, p: float, cycles: int = 1, basis: str = "x") -> None:
    """Raise SpecError unless ``d`` is odd and >= 3, ``p`` in (0, 0.5), ``cycles`` >= 1 and ``basis`` in BASES.

    Examples:
        >>> check_memory_params(4, 1e-3)
        Traceback (most recent call last):
        ...
        magicpipe.errors.SpecError: distance must be an odd integer >= 3, got 4; use 3, 5, 7, ...
    """
    if isinstance(d, bool) or not isinstance(d, int) or d < 3 or d % 2 == 0:
        raise SpecError(f"distance must be an odd integer >= 3, got {d!r}; use 3, 5, 7, ...")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p < 0.5:
        raise SpecError(f"physical error p must lie in (0, 0.5), got {p!r}; pass e.g. --p 1e-3 2e-3")
    if isinstance(cycles, bool) or not isinstance(cycles, int) or cycles < 1:
        raise SpecError(f"cycles must be a positive integer, got {cycles!r}")
    if basis not in BASES:
        raise SpecError(f"basis must be one of {BASES}, got {basis!r}")


def memory_circuit(d: int, p: float, *, cycles: int = 1, basis: str = "x") -> stim.Circuit:
    """Stim's rotated surface-code memory at distance ``d`` for ``d * cycles`` rounds, all noise at ``p``.

    Args:
        d: code distance, odd and >= 3.
        p: physical error rate, in (0, 0.5).
        cycles: logical cycles of d rounds each.
        basis: "x" (memory_x: protects an X-basis state, sees Z errors) or "z".

    Returns:
        The circuit.

    Raises:
        SpecError: a parameter outside its domain.

    Examples:
        >>> c = memory_circuit(3, 1e-3, cycles=2)
        >>> c.num_detectors, c.num_observables  # 5 rounds x 8 stabilisers + 4 X checks at each boundary
        (48, 1)
    """
    check_memory_params(d, p, cycles, basis)
    return stim.Circuit.generated(
        f"surface_code:rotated_memory_{basis}",
        distance=d,
        rounds=d * cycles,
        after_clifford_depolarization=p,
        before_measure_flip_probability=p,
        after_reset_flip_probability=p,
        before_round_data_depolarization=p,
    )


def memory_task(d: int, p: float, *, cycles: int = 1, basis: str = "x") -> sinter.Task:
    """A sinter task for :func:`memory_circuit`, decoded by PyMatching.

    ``json_metadata`` is ``{"kind": "memory", "d", "p", "rounds", "cycles", "basis"}``.

    Examples:
        >>> memory_task(3, 1e-3).json_metadata
        {'kind': 'memory', 'd': 3, 'p': 0.001, 'rounds': 3, 'cycles': 1, 'basis': 'x'}
    """
    circuit = memory_circuit(d, p, cycles=cycles, basis=basis)
    return sinter.Task(
        circuit=circuit,
        decoder="pymatching",
        detector_error_model=circuit.detector_error_model(decompose_errors=True),
        json_metadata={"kind": "memory", "d": d, "p": float(p), "rounds": d * cycles, "cycles": cycles, "basis": basis},
    )


def per_cycle_rate(shot_rate: float, cycles: int) -> float:
    """Logical error per cycle ``q`` from the per-shot rate ``P`` over ``cycles`` cycles (module docstring).

    Examples:
        >>> round(per_cycle_rate(0.03, 3), 6)
        0.010207
        >>> per_cycle_rate(0.5, 3)  # at or above 1/2 the shot is scrambled; so is each cycle
        0.5
    """
    if not 0 <= shot_rate <= 1:
        raise SpecError(f"a per-shot error rate must lie in [0, 1], got {shot_rate!r}")
    if shot_rate >= 0.5:
        return 0.5
    return float(sinter.shot_error_rate_to_piece_error_rate(shot_rate, pieces=cycles))


def patch_rate(rates: Sequence[float]) -> float:
    """Per-patch rate from per-basis rates: the chance that at least one basis fails, ``1 - prod(1 - q_b)``.

    Examples:
        >>> round(patch_rate([0.01, 0.02]), 6)
        0.0298
    """
    return 1.0 - math.prod(1.0 - q for q in rates)


@dataclass(frozen=True, slots=True)
class Eq2Fit:
    """A least-squares fit of ``log p_L = log A + ((d+1)/2) (log p - log p_th)``.

    Attributes:
        A, p_th: the fitted constants.
        sigma_log_A, sigma_log_p_th: one-sigma uncertainties of ``ln A`` and ``ln p_th`` (scaled up by
            ``sqrt(chi2_red)`` when the points scatter more than their error bars allow).
        correlation: correlation of ``ln A`` and ``ln p_th`` (large: the two trade off against each other).
        chi2_red: weighted residual sum of squares per degree of freedom (nan with no spare degree).
        points: how many (d, p) points were fitted.
    """

    A: float
    p_th: float
    sigma_log_A: float
    sigma_log_p_th: float
    correlation: float
    chi2_red: float
    points: int

    @property
    def A_interval(self) -> tuple[float, float]:
        """One-sigma interval of A."""
        return (self.A * math.exp(-self.sigma_log_A), self.A * math.exp(self.sigma_log_A))

    @property
    def p_th_interval(self) -> tuple[float, float]:
        """One-sigma interval of p_th."""
        return (self.p_th * math.exp(-self.sigma_log_p_th), self.p_th * math.exp(self.sigma_log_p_th))

    def predict(self, d: int, p: float) -> float:
        """``A (p / p_th)^((d+1)/2)``."""
        return self.A * (p / self.p_th) ** ((d + 1) / 2)

    def to_model(self, source: str) -> ErrorModel:
        """The planner's error model with these constants (``LogicalErrorModel``); e.g. ``source="fit: summary.json"``.

        Raises:
            SpecError: the fitted p_th is not in (0, 1) or A is not positive (the model's own checks).
        """
        return LogicalErrorModel(A=self.A, p_th=self.p_th, source=source)


def fit_eq2(
    d: Sequence[int], p: Sequence[float], p_l: Sequence[float], sigma_log: Sequence[float] | None = None
) -> Eq2Fit:
    """Fit Eq. 2 to measured logical error rates by weighted linear least squares in log space.

    With ``k = (d+1)/2``, ``log p_L - k log p = log A - k log p_th`` is linear in ``(log A, log p_th)``; each
    point is weighted by ``1 / sigma_log^2`` (for a binomial count with ``n`` errors, ``sigma_log ~ 1/sqrt(n)``).

    Args:
        d: distance of each point.
        p: physical error of each point.
        p_l: measured logical error per cycle of each point (positive).
        sigma_log: standard deviation of ``ln p_L`` of each point; None weights all points equally.

    Returns:
        The :class:`Eq2Fit`.

    Raises:
        SpecError: lengths differ, a rate is not positive, or fewer than two distinct distances are given
            (A and p_th are then not separately determined).

    Examples:
        >>> ds, ps = [3, 3, 5, 5], [1e-3, 2e-3, 1e-3, 2e-3]
        >>> fit = fit_eq2(ds, ps, [0.05 * (q / 0.008) ** ((k + 1) / 2) for k, q in zip(ds, ps)])
        >>> round(fit.A, 9), round(fit.p_th, 9)
        (0.05, 0.008)
    """
    d_arr, p_arr, pl_arr = (np.asarray(v, dtype=float) for v in (d, p, p_l))
    n = len(d_arr)
    sig = np.ones(n) if sigma_log is None else np.asarray(sigma_log, dtype=float)
    if not len(p_arr) == len(pl_arr) == len(sig) == n:
        raise SpecError(
            f"fit_eq2 needs equally long inputs, got d:{n} p:{len(p_arr)} p_l:{len(pl_arr)} sigma:{len(sig)}"
        )
    if np.any(pl_arr <= 0) or np.any(p_arr <= 0) or np.any(sig <= 0):
        raise SpecError("fit_eq2 needs positive p, p_L and sigma_log; drop points that saw no logical error")
    if len(set(d_arr.tolist())) < 2:
        raise SpecError(
            f"fit_eq2 needs points at two or more distances to separate A from p_th, "
            f"got d={sorted(set(d_arr.tolist()))}"
        )
    k = (d_arr + 1) / 2
    design = np.column_stack([np.ones(n), -k]) / sig[:, None]
    target = (np.log(pl_arr) - k * np.log(p_arr)) / sig
    theta, *_ = np.linalg.lstsq(design, target, rcond=None)
    resid = target - design @ theta
    dof = n - 2
    chi2_red = float(resid @ resid / dof) if dof > 0 else math.nan
    cov = np.linalg.inv(design.T @ design) * (max(1.0, chi2_red) if dof > 0 else 1.0)
    sa, sb = math.sqrt(cov[0, 0]), math.sqrt(cov[1, 1])
    return Eq2Fit(
        A=float(math.exp(theta[0])),
        p_th=float(math.exp(theta[1])),
        sigma_log_A=sa,
        sigma_log_p_th=sb,
        correlation=float(cov[0, 1] / (sa * sb)),
        chi2_red=chi2_red,
        points=n,
    )


def load_logical_error_model(path: str | pathlib.Path) -> ErrorModel:
    """Read the fitted constants from a ``summary.json`` written by ``magicpipe verify memory``.

    Args:
        path: the summary file.

    Returns:
        ``LogicalErrorModel(A, p_th, source="fit: <path>")``.

    Raises:
        SpecError: the file is missing, not JSON, or holds no fit (e.g. a logical-level summary).
    """
    path = pathlib.Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise SpecError(f"cannot read a logical error model from {path}: {e}") from None
    fit = data.get("fit") if isinstance(data, dict) else None
    if not isinstance(fit, dict) or "A" not in fit or "p_th" not in fit:
        raise SpecError(
            f"{path} holds no fitted 'A' and 'p_th'; write one with `magicpipe verify memory --out DIR` "
            f"over two or more distances and pass DIR/summary.json"
        )
    return LogicalErrorModel(A=float(fit["A"]), p_th=float(fit["p_th"]), source=f"fit: {path}")
