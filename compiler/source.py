"""A magic-state source as the program sees it: one factory copy running continuously.

Whatever its inside -- a dynamic pipeline of several levels, a static baseline, one of Litinski's
asymmetric blocks, a magic-state cultivation patch -- a copy that runs back to back is described to the
whole-program planner (:mod:`magicpipe.compiler.program`) by a handful of numbers:

* ``qubits``: its physical footprint while it runs (buffers included);
* ``startup_rounds``: stabilizer rounds from an empty copy to its first batch of outputs;
* ``period_rounds``: mean rounds between successful batches once it runs (failed runs included, so
  ``outputs / period_rounds`` is the long-run rate of good states);
* ``outputs``: states per successful batch (20-to-4 makes 4);
* ``output_error``: error of one delivered state, storage on the way included;
* ``kind``: ``"T"`` or ``"CCZ"``: which demand the states meet.

``name`` is the block text users read, e.g. ``"(15-to-1)_{17,7,7}"`` or ``"dynamic 15-to-1 (5,17)"``;
``method`` says how it was scheduled (``"dynamic"``, ``"sequential"``, ``"parallel"``, ``"litinski"``,
``"cultivation"``); ``distances`` are the code distances per level, lowest first.
"""

from __future__ import annotations

from typing import Any

import math
from dataclasses import dataclass, field

from magicpipe.errors import SpecError

__all__ = ["Source", "KINDS"]

KINDS = ("T", "CCZ")


@dataclass(frozen=True, slots=True)
class Source:
    """One factory copy running continuously (module docstring).

    Examples:
        >>> s = Source("demo", "sequential", 4080, 132.0, 132.0, 1, 2.5e-9)
        >>> round(s.rate, 6)
        0.007576
    """

    name: str
    method: str
    qubits: int
    startup_rounds: float
    period_rounds: float
    outputs: int
    output_error: float
    kind: str = "T"
    distances: tuple[int, ...] = ()
    detail: tuple[tuple[str, object], ...] = field(default=())

    def __post_init__(self) -> None:
        if isinstance(self.qubits, bool) or not isinstance(self.qubits, int) or self.qubits <= 0:
            raise SpecError(f"source {self.name}: qubits must be a positive integer, got {self.qubits!r}")
        for label, v in (("startup_rounds", self.startup_rounds), ("period_rounds", self.period_rounds)):
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise SpecError(f"source {self.name}: {label} must be a positive finite number, got {v!r}")
        if isinstance(self.outputs, bool) or not isinstance(self.outputs, int) or self.outputs < 1:
            raise SpecError(f"source {self.name}: outputs must be a positive integer, got {self.outputs!r}")
        if not (math.isfinite(self.output_error) and 0 <= self.output_error < 1):
            raise SpecError(f"source {self.name}: output_error must lie in [0, 1), got {self.output_error!r}")
        if self.kind not in KINDS:
            raise SpecError(f"source {self.name}: kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def rate(self) -> float:
        """Good states per round in steady state."""
        return self.outputs / self.period_rounds

    def detail_dict(self) -> dict[str, Any]:
        return dict(self.detail)

    def info(self) -> dict[str, Any]:
        """JSON-able summary."""
        return {"name": self.name, "method": self.method, "qubits": self.qubits,
                "startup_rounds": self.startup_rounds, "period_rounds": self.period_rounds,
                "outputs": self.outputs, "output_error": self.output_error, "kind": self.kind,
                "distances": list(self.distances), **{k: v for k, v in self.detail}}
