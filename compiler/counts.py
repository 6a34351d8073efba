"""A program's logical counts: what a resource estimator is given when the circuit is too big to write out.

The fields and their JSON keys are the Azure Resource Estimator's ``logicalCounts`` (Beverland et al. 2022,
arXiv:2211.07629, App. C; the estimator's documentation of ``LogicalCounts``), so a file written by
``qsharp``/``qdk`` reads as is:

=====================  ======================  ===================================================
field                  JSON key                meaning
=====================  ======================  ===================================================
``num_qubits``         ``numQubits``           logical qubits of the algorithm
``t_count``            ``tCount``              T gates (one T state each)
``rotation_count``     ``rotationCount``       arbitrary single-qubit rotations
``rotation_depth``     ``rotationDepth``       layers of rotations (rotations of a layer run in parallel)
``ccz_count``          ``cczCount``            CCZ gates
``ccix_count``         ``ccixCount``           CCiX gates (Toffoli-class, measurement-uncomputed AND)
``measurement_count``  ``measurementCount``    single-qubit measurements
=====================  ======================  ===================================================

A count may also carry ``timeline``, the states consumed per layer (a
:class:`~magicpipe.compiler.layers.DemandTimeline`): a counted circuit has one; counts from an estimator do not,
and the planner then derives the layers by the estimator's conventions (:mod:`magicpipe.compiler.program`).
With it, ``ccz_timeline`` gives the Toffoli-class gates per layer (part of ``timeline``'s T states, at the
planner's ``toffoli_t`` each), so that a plan may meet them with CCZ states instead.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from typing import Any

from magicpipe.compiler.layers import DemandTimeline
from magicpipe.errors import SpecError

__all__ = ["LogicalCounts", "AZURE_KEYS"]

# field name -> the Azure estimator's JSON key
AZURE_KEYS: dict[str, str] = {
    "num_qubits": "numQubits",
    "t_count": "tCount",
    "rotation_count": "rotationCount",
    "rotation_depth": "rotationDepth",
    "ccz_count": "cczCount",
    "ccix_count": "ccixCount",
    "measurement_count": "measurementCount",
}
_FROM_KEY = {v: k for k, v in AZURE_KEYS.items()}
# keys the estimator writes that carry no demand; read and ignored
_IGNORED = {"numComputeQubits", "readFromMemoryCount", "writeToMemoryCount"}


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"logical counts: {name} must be a non-negative integer, got {value!r}")
    if isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise SpecError(f"logical counts: {name} must be a non-negative integer, got {value!r}")
        value = int(value)
    if value < 0:
        raise SpecError(f"logical counts: {name} must be a non-negative integer, got {value}")
    count: int = value
    return count


@dataclass(frozen=True, slots=True)
class LogicalCounts:
    """Logical counts of a program (module docstring).

    Examples:
        >>> c = LogicalCounts(num_qubits=100, t_count=10**6)
        >>> c.to_json()
        '{"numQubits": 100, "tCount": 1000000, "rotationCount": 0, "rotationDepth": 0, "cczCount": 0, "ccixCount": 0, "measurementCount": 0}'
        >>> LogicalCounts.from_json(c.to_json()) == c
        True
    """  # noqa: E501 (a doctest's expected output is one line)

    num_qubits: int
    t_count: int = 0
    rotation_count: int = 0
    rotation_depth: int = 0
    ccz_count: int = 0
    ccix_count: int = 0
    measurement_count: int = 0
    timeline: DemandTimeline | None = None
    ccz_timeline: DemandTimeline | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name not in ("timeline", "ccz_timeline"):
                object.__setattr__(self, f.name, _count(f.name, getattr(self, f.name)))
        if self.num_qubits < 1:
            raise SpecError("logical counts: numQubits must be at least 1")
        if self.rotation_count and not self.rotation_depth:
            raise SpecError(f"logical counts: {self.rotation_count} rotations need rotationDepth >= 1")
        if self.rotation_depth > self.rotation_count:
            raise SpecError(
                f"logical counts: rotationDepth {self.rotation_depth} exceeds rotationCount {self.rotation_count}; "
                f"a layer holds at least one rotation"
            )
        if self.timeline is not None and not isinstance(self.timeline, DemandTimeline):
            raise SpecError(f"logical counts: timeline must be a DemandTimeline, got {type(self.timeline).__name__}")
        tof = self.ccz_timeline
        if tof is not None and (self.timeline is None or not isinstance(tof, DemandTimeline)):
            raise SpecError("logical counts: ccz_timeline (Toffolis per layer) must be a DemandTimeline and comes "
                            "with the timeline of T states it is part of")

    @property
    def toffolis(self) -> int:
        """Toffoli-class gates: CCZ plus CCiX."""
        return self.ccz_count + self.ccix_count

    def to_dict(self) -> dict[str, int]:
        """The Azure estimator's ``logicalCounts`` object (the timeline is not part of it)."""
        return {key: getattr(self, name) for name, key in AZURE_KEYS.items()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Any) -> LogicalCounts:
        """Read the estimator's ``logicalCounts`` object (or a whole estimator result holding one).

        Raises:
            SpecError: not an object, an unknown key (named), a missing ``numQubits``, or a field that is not a
                non-negative integer.
        """
        if isinstance(data, dict) and "logicalCounts" in data and isinstance(data["logicalCounts"], dict):
            data = data["logicalCounts"]
        if not isinstance(data, dict):
            raise SpecError("logical counts must be a JSON object with keys such as numQubits and tCount")
        unknown = sorted(k for k in data if k not in _FROM_KEY and k not in _IGNORED)
        if unknown:
            raise SpecError(f"logical counts: unknown key(s) {unknown}; known keys: {sorted(_FROM_KEY)}")
        if "numQubits" not in data:
            raise SpecError("logical counts: numQubits is missing; give the algorithm's logical qubits")
        return cls(**{_FROM_KEY[k]: v for k, v in data.items() if k in _FROM_KEY})

    @classmethod
    def from_json(cls, text: str) -> LogicalCounts:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise SpecError(
                f"logical counts are not valid JSON ({e.msg} at line {e.lineno}); write a JSON object"
            ) from None
        return cls.from_dict(data)
