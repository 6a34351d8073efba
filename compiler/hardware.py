"""Hardware and surface-code model (paper Sec. 2.1, Eqs. 1-2).

Time is counted in stabilizer rounds. One round lasts ``T_stab = 6 T_2q + T_meas`` (Eq. 1). The paper
prints T_2q = 50 us and T_meas = 100 us, but its Table 1 (13.2 us = 11 steps x 3 rounds x 0.4 us) only
works in nanoseconds, so the defaults here are T_2q = 50 ns, T_meas = 100 ns, T_stab = 400 ns.

A distance-d patch holds ``2 d^2 - 1`` physical qubits (d^2 data, d^2 - 1 measure qubits); a logical cycle
is d rounds; the logical error per patch per cycle is ``p_L = A (p / p_th)^((d+1)/2)`` (Eq. 2) with
A = 0.03 and p_th = 0.01 by default. Both constants are parameters because ``magicpipe verify memory``
fits them by simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from magicpipe.errors import SpecError

__all__ = ["Hardware", "LogicalErrorModel", "patch_qubits", "check_distance", "check_finite"]


def check_finite(name: str, value: object) -> float:
    """Return ``value`` if it is a finite real number (not a bool), else raise SpecError naming ``name``.

    Examples:
        >>> check_finite("t_2q_ns", 50)
        50
        >>> check_finite("t_2q_ns", float("inf"))
        Traceback (most recent call last):
        ...
        magicpipe.errors.SpecError: t_2q_ns must be a finite number, got inf
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"{name} must be a finite number, got {value!r} ({type(value).__name__})")
    if not math.isfinite(value):
        raise SpecError(f"{name} must be a finite number, got {value!r}")
    return value


def check_distance(d: int) -> int:
    """Return ``d`` if it is a valid surface-code distance (odd, positive), else raise SpecError.

    Examples:
        >>> check_distance(5)
        5
    """
    if isinstance(d, bool) or not isinstance(d, int):
        raise SpecError(f"code distance must be an odd positive integer, got {d!r}")
    if d < 1 or d % 2 == 0:
        hint = d + 1 if d > 0 else 3
        raise SpecError(f"code distance must be an odd positive integer, got {d}; use an odd distance such as {hint}")
    return d


def patch_qubits(d: int) -> int:
    """Physical qubits of one distance-d rotated surface-code patch: ``2 d^2 - 1``.

    Examples:
        >>> patch_qubits(3), patch_qubits(9), patch_qubits(15)
        (17, 161, 449)
    """
    check_distance(d)
    return 2 * d * d - 1


@dataclass(frozen=True, slots=True)
class LogicalErrorModel:
    """``p_L(d) = A (p / p_th)^((d+1)/2)``, the logical error of one patch per logical cycle (Eq. 2).

    ``source`` says where the constants come from ("paper" for Eq. 2's 0.03 and 0.01, or the file a fit
    was read from); every plan reports it.

    Examples:
        >>> LogicalErrorModel().logical_error(3, 1e-3)
        0.0003...
    """

    A: float = 0.03
    p_th: float = 0.01
    source: str = "paper Eq. 2"

    def __post_init__(self) -> None:
        check_finite("logical error prefactor A", self.A)
        check_finite("threshold p_th", self.p_th)
        if not self.A > 0:
            raise SpecError(f"logical error prefactor A must be positive, got {self.A}; the paper's Eq. 2 has 0.03")
        if not 0 < self.p_th < 1:
            raise SpecError(f"threshold p_th must lie in (0, 1), got {self.p_th}")

    def logical_error(self, d: int, p: float) -> float:
        """Logical error per patch per logical cycle (d rounds) at distance d and physical error p."""
        check_distance(d)
        if not 0 < p < self.p_th:
            raise SpecError(
                f"physical error p={p:g} must lie in (0, p_th={self.p_th:g}): at or above the code's "
                f"threshold a larger distance does not help; lower p or use a model with a higher p_th"
            )
        return self.A * (p / self.p_th) ** ((d + 1) / 2)


@dataclass(frozen=True, slots=True)
class Hardware:
    """Physical parameters: error rates and gate times.

    Args:
        p: physical (Clifford) error rate per operation.
        eps: error of a raw (injected) magic state.
        t_2q_ns: two-qubit gate time in ns.
        t_meas_ns: measurement time in ns.
        model: the logical error model of Eq. 2.

    Examples:
        >>> hw = Hardware(p=1e-3, eps=1e-3)
        >>> hw.t_stab_ns
        400.0
        >>> hw.rounds_to_us(33)
        13.2
    """

    p: float = 1e-4
    eps: float = 1e-4
    t_2q_ns: float = 50.0
    t_meas_ns: float = 100.0
    model: LogicalErrorModel = LogicalErrorModel()

    def __post_init__(self) -> None:
        for name in ("p", "eps", "t_2q_ns", "t_meas_ns"):
            check_finite(name, getattr(self, name))
        if not isinstance(self.model, LogicalErrorModel):
            raise SpecError(f"model must be a LogicalErrorModel, got {type(self.model).__name__}")
        if not 0 < self.eps < 1:
            raise SpecError(f"raw magic-state error eps must lie in (0, 1), got {self.eps}")
        if not 0 < self.p < self.model.p_th:
            raise SpecError(
                f"physical error p={self.p:g} must lie in (0, p_th={self.model.p_th:g}), the surface "
                f"code's threshold; lower p"
            )
        if not (0 < self.t_2q_ns <= 1e9 and 0 < self.t_meas_ns <= 1e9):
            raise SpecError(f"gate times must lie in (0, 1e9] ns (up to a second), got T_2q={self.t_2q_ns} ns, "
                           f"T_meas={self.t_meas_ns} ns")

    @property
    def t_stab_ns(self) -> float:
        """One stabilizer round, ``6 T_2q + T_meas`` (Eq. 1), in ns."""
        return 6 * self.t_2q_ns + self.t_meas_ns

    def rounds_to_us(self, rounds: float) -> float:
        """Convert a duration in stabilizer rounds to microseconds."""
        return round(rounds * self.t_stab_ns / 1000.0, 9)

    def logical_error(self, d: int) -> float:
        """p_L at distance d for this hardware's p (Eq. 2)."""
        return self.model.logical_error(d, self.p)
