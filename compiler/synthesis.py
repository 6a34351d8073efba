"""Rotation synthesis models as data: T states per arbitrary rotation at a given precision.

A model is ``ceil(a log2(1 / eps) + b)`` T states per rotation synthesised to operator-norm error ``eps``.

* ``mixed-fallback``: the expected T-count of the *mixed fallback* protocol of Kliuchnikov, Lauter, Minko,
  Paetznick and Petit, "Shorter quantum circuits via single-qubit gate approximation", Quantum 7, 1208 (2023),
  arXiv:2203.10064, Table 1, Clifford+T gate set: ``0.53 log2(1/eps) + 4.86`` for diamond-norm accuracy
  ``eps``. The protocol applies, with fixed probabilities, one of a few projective rotations (a cheap
  rotation with a measured ancilla) whose rare failure is corrected by a mixed diagonal approximation; the
  count is the mean over that mixture, rounded up per rotation.
* ``azure``: the Azure Resource Estimator's count as the estimator computes it (qdk 1.33, its output text and
  ``constants.rs``), ``ceil(0.53 log2(R / eps_syn) + 4.86)`` for ``R`` rotations sharing a synthesis budget
  ``eps_syn`` (so ``eps = eps_syn / R`` per rotation): numerically the same as ``mixed-fallback``, named apart
  for like-for-like comparisons. Beverland et al. 2022 (arXiv:2211.07629, App. C) print 5.3 as the constant,
  attributed to Kliuchnikov et al. (2023) -- the paper's Clifford+sqrt(T) intercept (its abstract:
  ``0.56 log2(1/eps) + 5.3``); the estimator's own tracker notes the difference (microsoft/qsharp#1218).
  ``azure-2022`` keeps 5.3.

Circuits counted exactly per angle use the Qiskit front end; a model here is for counts without angles, and
for comparisons made like for like with the estimators.
"""

from __future__ import annotations

from typing import Any

import math
from dataclasses import dataclass

from magicpipe.errors import SpecError

__all__ = ["SynthesisModel", "SYNTHESIS_MODELS", "get_synthesis_model"]


@dataclass(frozen=True, slots=True)
class SynthesisModel:
    """``ceil(a log2(1/eps) + b)`` T states per rotation.

    Examples:
        >>> SYNTHESIS_MODELS["mixed-fallback"].rotation_t_count(1e-3 / 3 / 5600)
        18
        >>> SYNTHESIS_MODELS["azure-2022"].rotation_t_count(1e-3 / 3 / 5600)
        19
    """

    name: str
    a: float
    b: float
    reference: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.a) and math.isfinite(self.b) and self.a > 0):
            raise SpecError(
                f"synthesis model {self.name}: needs a finite a > 0 and a finite b, got a={self.a}, b={self.b}"
            )

    def rotation_t_count(self, eps: float) -> int:
        """T states of one rotation synthesised to error ``eps`` (in (0, 1))."""
        if not (isinstance(eps, (int, float)) and 0 < eps < 1):
            raise SpecError(f"synthesis precision must lie in (0, 1), got {eps!r}")
        if eps < 1e-300:  # 1/eps would overflow (subnormal eps): no float arithmetic is meaningful there
            raise SpecError(f"synthesis precision {eps!r} is below 1e-300; raise the error budget")
        return max(1, math.ceil(self.a * math.log2(1 / eps) + self.b))

    def info(self) -> dict[str, Any]:
        return {"name": self.name, "a": self.a, "b": self.b, "reference": self.reference}


SYNTHESIS_MODELS: dict[str, SynthesisModel] = {
    "mixed-fallback": SynthesisModel(
        "mixed-fallback", 0.53, 4.86,
        "Kliuchnikov et al., Quantum 7, 1208 (2023), arXiv:2203.10064, Table 1: mixed fallback, Clifford+T, "
        "expected T-count",
    ),
    "azure": SynthesisModel("azure", 0.53, 4.86, "Azure Resource Estimator as computed by qdk 1.33"),
    "azure-2022": SynthesisModel("azure-2022", 0.53, 5.3, "Beverland et al. 2022, App. C"),
}


def get_synthesis_model(spec: str) -> SynthesisModel:
    """A shipped model by name, or ``'a,b'`` for ``a log2(1/eps) + b``."""
    if spec in SYNTHESIS_MODELS:
        return SYNTHESIS_MODELS[spec]
    parts = spec.split(",")
    if len(parts) == 2:
        try:
            a, b = float(parts[0]), float(parts[1])
        except ValueError:
            a = b = float("nan")
        if math.isfinite(a) and math.isfinite(b):
            return SynthesisModel(f"{a:g},{b:g}", a, b, "user-given a log2(1/eps) + b")
    raise SpecError(
        f"unknown synthesis model {spec!r}; use one of {sorted(SYNTHESIS_MODELS)} or 'a,b' for a log2(1/eps) + b"
    )
