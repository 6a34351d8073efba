"""Hardware and surface-code model (paper Sec. 2.1, Eqs. 1-2).

Time is counted in stabilizer rounds. One round lasts ``T_stab = 6 T_2q + T_meas`` (Eq. 1). The paper
prints T_2q = 50 us and T_meas = 100 us, but its Table 1 (13.2 us = 11 steps x 3 rounds x 0.4 us) only
works in nanoseconds, so the defaults here are T_2q = 50 ns, T_meas = 100 ns, T_stab = 400 ns.

A distance-d patch holds ``2 d^2 - 1`` physical qubits (d^2 data, d^2 - 1 measure qubits); a logical cycle
is d rounds; the logical error per patch per cycle is ``p_L = A (p / p_th)^((d+1)/2)`` (Eq. 2) with
A = 0.03 and p_th = 0.01 by default. The constants, and the protocols' p_L coefficients that go with them,
are an :class:`~magicpipe.compiler.errormodel.ErrorModel` (``Hardware.model``) because ``magicpipe verify``
measures them by simulation.

A ``Hardware`` built without a model plans here with the paper's (so the paper's tables reproduce in the core)
but remembers that no model was chosen (:attr:`Hardware.model_chosen`): the public entry points
(``magicpipe.compile``, the Qiskit passes) then put the project's default model in its place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from magicpipe.compiler.errormodel import PAPER, ErrorModel
from magicpipe.errors import SpecError

__all__ = ["Hardware", "ErrorModel", "LogicalErrorModel", "patch_qubits", "check_distance", "check_finite"]


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
    if type(d) is int and d > 0 and d & 1:   # the planner's millions of calls: an odd positive int
        return d
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


def LogicalErrorModel(A: float = 0.03, p_th: float = 0.01, source: str = "paper Eq. 2") -> ErrorModel:
    """An :class:`~magicpipe.compiler.errormodel.ErrorModel` from Eq. 2's two constants (the older interface).

    ``A = 0.03, p_th = 0.01`` is :data:`~magicpipe.compiler.errormodel.PAPER` (with the paper's 7.1 and 356).
    Any other pair is a calibrated p_L (e.g. a fit of ``magicpipe verify memory``): it gets the p_L
    coefficients of the ``measured`` model, which are per measured p_L, never the paper's, and the name
    ``"custom"``. ``source`` becomes the model's provenance.

    Examples:
        >>> LogicalErrorModel().logical_error(3, 1e-3)
        0.0003...
        >>> m = LogicalErrorModel(0.05, 0.006, "fit: out/summary.json")
        >>> m.name, m.source, m.coefficients("15-to-1", 3) == PAPER.coefficients("15-to-1", 3)
        ('custom', 'fit: out/summary.json', False)
    """
    if (A, p_th) == (PAPER.A, PAPER.p_th):
        return PAPER if source == "paper Eq. 2" else replace(PAPER, provenance=source)
    from magicpipe.compiler.errormodel import load_measured

    return ErrorModel("custom", A, p_th, protocols=load_measured().protocols, provenance=source)


# The default of ``Hardware.model``: the paper's model by value, but its own object, so that a model left unchosen
# (this object, kept by ``dataclasses.replace``, copies and pickles) is told from an explicit ``model=PAPER``.
_UNCHOSEN = replace(PAPER)


def _rebuild(kwargs: dict[str, Any]) -> Hardware:
    return Hardware(**kwargs)


@dataclass(frozen=True, slots=True)
class Hardware:
    """Physical parameters: error rates and gate times.

    Args:
        p: physical (Clifford) error rate per operation.
        eps: error of a raw (injected) magic state.
        t_2q_ns: two-qubit gate time in ns.
        t_meas_ns: measurement time in ns.
        model: the error model: p_L per patch per logical cycle and each protocol's p_L coefficients
            (default: none chosen, which the core plans as :data:`~magicpipe.compiler.errormodel.PAPER` so
            that the paper's tables reproduce, while the command line, ``magicpipe.compile`` and the Qiskit
            passes put the project's default, ``measured``, in its place; an explicit model, ``PAPER``
            included, is always used).

    Examples:
        >>> hw = Hardware(p=1e-3, eps=1e-3)
        >>> hw.t_stab_ns
        400.0
        >>> hw.rounds_to_us(33)
        13.2
        >>> hw.model.name, hw.model_chosen, Hardware(model=PAPER).model_chosen
        ('paper', False, True)
    """

    p: float = 1e-4
    eps: float = 1e-4
    t_2q_ns: float = 50.0
    t_meas_ns: float = 100.0
    model: ErrorModel = _UNCHOSEN

    def __post_init__(self) -> None:
        for name in ("p", "eps", "t_2q_ns", "t_meas_ns"):
            check_finite(name, getattr(self, name))
        if not 0 < self.eps < 1:
            raise SpecError(f"raw magic-state error eps must lie in (0, 1), got {self.eps}")
        if not isinstance(self.model, ErrorModel):
            raise SpecError(f"Hardware.model must be an ErrorModel, got {type(self.model).__name__}; use "
                            f"magicpipe.compiler.errormodel.PAPER or resolve_error_model('measured')")
        self.model.check_p(self.p)
        if not (0 < self.t_2q_ns <= 1e9 and 0 < self.t_meas_ns <= 1e9):
            raise SpecError(f"gate times must lie in (0, 1e9] ns (up to a second), got T_2q={self.t_2q_ns} ns, "
                            f"T_meas={self.t_meas_ns} ns")

    @property
    def model_chosen(self) -> bool:
        """Whether a model was given (False: the default, planned by the core as the paper's model)."""
        return self.model is not _UNCHOSEN

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # copies and pickles keep an unchosen model unchosen (the default object is not rebuilt by value)
        kwargs = {f.name: getattr(self, f.name) for f in fields(self)}
        if not self.model_chosen:
            del kwargs["model"]
        return _rebuild, (kwargs,)

    @property
    def t_stab_ns(self) -> float:
        """One stabilizer round, ``6 T_2q + T_meas`` (Eq. 1), in ns."""
        return 6 * self.t_2q_ns + self.t_meas_ns

    def rounds_to_us(self, rounds: float) -> float:
        """Convert a duration in stabilizer rounds to microseconds."""
        return round(rounds * self.t_stab_ns / 1000.0, 9)

    def logical_error(self, d: int) -> float:
        """p_L per patch per logical cycle at distance d for this hardware's p (the model's Eq. 2 form)."""
        return self.model.logical_error(d, self.p)
