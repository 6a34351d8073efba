"""The program's total error budget and how it is shared out.

A program fails if any of three things goes wrong: a logical error on its data qubits, a faulty magic state,
or an arbitrary rotation synthesised inexactly. By the union bound the three probabilities add, so the
total budget is split into three shares. The default split is the one of the Azure Resource Estimator that
the paper takes its application figures from (Beverland et al. 2022, arXiv:2211.07629, Sec. IV and App. C;
the estimator's ``errorBudget`` documentation): a third each when the program has arbitrary rotations, and
when it has none the synthesis share is given to the other two in proportion (halves by default).

Inside each share the union bound is used again:

* distillation: each of the program's ``t_count`` magic states may fail with ``budget_distill / t_count``;
  that is the planner's per-state target error;
* synthesis: each of the ``rotations`` arbitrary rotations is synthesised to operator-norm error
  ``budget_synth / rotations`` (the trace distance of the output state moves by at most that much);
* logical: the data qubits' error over the whole run, ``patches x cycles x p_L(d)``, stays below
  ``budget_logical``; this picks the program's code distance (used for the data-qubit count only).
"""

from __future__ import annotations

from typing import Any

import math

from dataclasses import dataclass

from magicpipe.errors import SpecError

__all__ = ["ErrorBudget"]

_SHARE_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class ErrorBudget:
    """A total failure probability and its shares for logical errors, distillation and synthesis.

    Args:
        total: the program's total failure probability, in (0, 1).
        logical: share of ``total`` for logical errors on the program's data qubits.
        distillation: share for faulty magic states.
        synthesis: share for inexact rotation synthesis (given to the others when there is no rotation).

    Raises:
        SpecError: ``total`` outside (0, 1), a negative share, shares not summing to 1, or no share for
            distillation.

    Examples:
        >>> b = ErrorBudget(1e-3)
        >>> [f"{x:.3g}" for x in b.split(has_rotations=True)]
        ['0.000333', '0.000333', '0.000333']
        >>> [f"{x:.3g}" for x in b.split(has_rotations=False)]
        ['0.0005', '0.0005', '0']
        >>> ErrorBudget(1.5)
        Traceback (most recent call last):
        ...
        magicpipe.errors.SpecError: error budget must lie in (0, 1), got 1.5; pass a failure probability such as 1e-3
    """

    total: float = 1e-3
    logical: float = 1 / 3
    distillation: float = 1 / 3
    synthesis: float = 1 / 3

    def __post_init__(self) -> None:
        if isinstance(self.total, bool) or not isinstance(self.total, (int, float)) or not 0 < self.total < 1:
            raise SpecError(
                f"error budget must lie in (0, 1), got {self.total!r}; pass a failure probability such as 1e-3"
            )
        shares = (self.logical, self.distillation, self.synthesis)
        if not all(isinstance(s, (int, float)) and not isinstance(s, bool) and math.isfinite(s) for s in shares):
            raise SpecError(f"error-budget shares (logical, distillation, synthesis) = {shares} must be finite numbers")
        if any(s < 0 for s in shares) or abs(sum(shares) - 1) > _SHARE_TOLERANCE:
            raise SpecError(
                f"error-budget shares (logical, distillation, synthesis) = {shares} must be >= 0 and sum to 1"
            )
        if self.distillation <= 0:
            raise SpecError("the distillation share of the error budget must be positive")

    def split(self, has_rotations: bool) -> tuple[float, float, float]:
        """Absolute budgets ``(logical, distillation, synthesis)``.

        Args:
            has_rotations: whether the program has arbitrary rotations to synthesise.

        Returns:
            Three failure probabilities summing to ``total``.
        """
        if has_rotations:
            return (self.total * self.logical, self.total * self.distillation, self.total * self.synthesis)
        rest = self.logical + self.distillation
        return (self.total * self.logical / rest, self.total * self.distillation / rest, 0.0)

    def to_dict(self) -> dict[str, Any]:
        """The fields, JSON-able."""
        return {"total": self.total, "logical": self.logical, "distillation": self.distillation,
                "synthesis": self.synthesis}
