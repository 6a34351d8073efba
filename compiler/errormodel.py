"""Error models as data: the logical error of a patch and the p_L coefficients of each protocol, together.

An :class:`ErrorModel` is everything the planner assumes about the physics below the logical level:

* the **memory model**, the logical error of one patch per logical cycle (d rounds), in the form of the
  paper's Eq. 2 with an optional per-distance factor where the model was measured,
  ``p_L(d, p) = A (p / p_th)^((d+1)/2) x f_d`` (``f_d = 1`` for distances without a factor). ``p_th`` is
  the threshold of the form: the model refuses ``p >= p_th``;
* each protocol's **p_L coefficients**, ``a`` in the output error ``... + a p_L`` and ``b`` in the success
  probability ``... - b p_L`` (Eqs. 3-4 for 15-to-1), per distance where measured. They are only
  meaningful with the p_L they were measured against, which is why they live in the same model: a factory
  asks its hardware's model for both and a measured p_L is never paired with the paper's 7.1 and 356;
* **provenance** (the command and data the numbers come from) and an **uncertainty interval**, whose
  pessimistic edge is a second model, :meth:`ErrorModel.pessimistic`.

Two models ship: :data:`PAPER` (Eq. 2 with A = 0.03, p_th = 0.01 and Eqs. 3-4 with 7.1 and 356, for
reproducing the paper and comparing with estimators that use the same formulas) and ``MEASURED``, fitted to
the project's own Stim simulations (``magicpipe verify memory`` and ``verify factory``, shipped as package
data in ``compiler/data/``). ``MEASURED`` and :func:`load_measured` read that data once, lazily; everything
else in this module is pure. Reading a model from a user's file is the edge's job
(:func:`magicpipe.error_models.resolve_error_model`); :meth:`ErrorModel.from_dict` checks what was read.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Mapping

from magicpipe.errors import SpecError

__all__ = ["ErrorModel", "ProtocolCoefficients", "PAPER", "SCHEMA", "load_measured"]

SCHEMA = "magicpipe.error_model/1"
FORM = "p_L(d, p) = A (p/p_th)^((d+1)/2) x f_d per patch per logical cycle (f_d = 1 unless listed)"


def _positive(what: str, value: Any, *, zero: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not zero):
        bound = ">= 0" if zero else "> 0"
        raise SpecError(f"{what} must be a finite number {bound}, got {value!r}")
    return float(value)


def _distance(what: str, d: Any) -> int:
    if isinstance(d, bool) or not isinstance(d, int) or d < 1 or d % 2 == 0:
        raise SpecError(f"{what} must be an odd positive code distance, got {d!r}")
    return d


@dataclass(frozen=True, slots=True)
class ProtocolCoefficients:
    """The p_L coefficients of one protocol, piecewise constant in the distance.

    ``entries`` are ``(from_distance, a, b)``, sorted: a distance d uses the entry with the largest
    ``from_distance <= d`` (below the first, the first). With entries at 3 and 5, d = 3 uses the d = 3
    measurement and every d >= 5 the d = 5 one.

    Examples:
        >>> c = ProtocolCoefficients("15-to-1", ((3, 9.5, 73.0), (5, 8.5, 62.0)))
        >>> c.at(3), c.at(15), c.at(1)
        ((9.5, 73.0), (8.5, 62.0), (9.5, 73.0))
    """

    protocol: str
    entries: tuple[tuple[int, float, float], ...]

    def __post_init__(self) -> None:
        if not self.entries:
            raise SpecError(f"coefficients of protocol {self.protocol!r} list no distance; give at least one")
        previous = 0
        for d, a, b in self.entries:
            _distance(f"protocol {self.protocol!r}: coefficient distance", d)
            if d <= previous:
                raise SpecError(f"protocol {self.protocol!r}: coefficient distances must increase, got "
                                f"{[e[0] for e in self.entries]}")
            previous = d
            _positive(f"protocol {self.protocol!r} at d >= {d}: out_error_pl (a)", a, zero=True)
            _positive(f"protocol {self.protocol!r} at d >= {d}: fail_pl (b)", b, zero=True)

    def at(self, d: int) -> tuple[float, float]:
        """``(a, b)`` at distance ``d``."""
        chosen = self.entries[0]
        for entry in self.entries:
            if entry[0] <= d:
                chosen = entry
        return chosen[1], chosen[2]

    def to_list(self) -> list[dict[str, float]]:
        return [{"from_distance": d, "out_error_pl": a, "fail_pl": b} for d, a, b in self.entries]


@dataclass(frozen=True, slots=True)
class ErrorModel:
    """A named error model (module docstring).

    Attributes:
        name: ``"paper"``, ``"measured"``, or a user's name; every plan reports it.
        A: prefactor of the memory model.
        p_th: threshold of the memory model's form; ``p >= p_th`` is refused.
        corrections: ``(d, f_d)`` factors on the form at the distances where it was measured.
        protocols: p_L coefficients per protocol.
        provenance: the command and data the numbers come from.
        edge: the pessimistic edge of the model's uncertainty interval (None: the model states none).
        regime: where the memory model was fitted, e.g. ``"d = 7-11, p <= 3e-3"`` (for reports).

    Examples:
        >>> PAPER.logical_error(3, 1e-3)
        0.0003...
        >>> PAPER.coefficients("15-to-1", 15)
        (7.1, 356.0)
    """

    name: str
    A: float
    p_th: float
    corrections: tuple[tuple[int, float], ...] = ()
    protocols: tuple[ProtocolCoefficients, ...] = ()
    provenance: str = ""
    edge: ErrorModel | None = field(default=None, compare=True)
    regime: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SpecError(f"an error model needs a non-empty name, got {self.name!r}")
        _positive(f"error model {self.name!r}: prefactor A", self.A)
        p_th = _positive(f"error model {self.name!r}: threshold p_th", self.p_th)
        if not p_th < 1:
            raise SpecError(f"error model {self.name!r}: threshold p_th must lie in (0, 1), got {p_th}")
        seen = set()
        for d, f in self.corrections:
            _distance(f"error model {self.name!r}: correction distance", d)
            _positive(f"error model {self.name!r}: correction factor at d = {d}", f)
            if d in seen:
                raise SpecError(f"error model {self.name!r}: two correction factors at d = {d}; give one")
            seen.add(d)
        names = [c.protocol for c in self.protocols]
        if len(set(names)) != len(names):
            raise SpecError(f"error model {self.name!r}: a protocol is listed twice in {names}")

    # -- the memory model ---------------------------------------------------------------------------
    @property
    def source(self) -> str:
        """Where the numbers come from (the name of older plans' ``logical_error_model.source``)."""
        return self.provenance or self.name

    def factor(self, d: int) -> float:
        """``f_d``: the measured correction at distance ``d`` (1 where none is listed)."""
        for distance, f in self.corrections:  # distances are distinct (__post_init__)
            if distance == d:
                return f
        return 1.0

    def logical_error(self, d: int, p: float) -> float:
        """Logical error per patch per logical cycle (d rounds) at distance ``d`` and physical error ``p``.

        Raises:
            SpecError: an invalid distance; ``p`` outside (0, p_th).
        """
        from magicpipe.compiler.hardware import check_distance

        check_distance(d)   # here, not in the memo: True would hit 1's entry there
        return _memory_error(self.A, self.p_th, self.factor(d), d, p, self.name)

    def check_p(self, p: float) -> None:
        """Refuse a physical error at or above this model's threshold, naming it."""
        _check_p(p, self.p_th, self.name)

    # -- protocols ----------------------------------------------------------------------------------
    def coefficients(self, protocol: Any, d: int) -> tuple[float, float]:
        """``(a, b)``, the p_L coefficients of ``protocol`` (a Protocol or its name) at distance ``d``.

        Raises:
            SpecError: the model has no coefficients for the protocol.
        """
        name = protocol if isinstance(protocol, str) else protocol.name
        for c in self.protocols:
            if c.protocol == name:
                return c.at(d)
        raise SpecError(
            f"error model {self.name!r} has no p_L coefficients for protocol {name!r} (it has "
            f"{[c.protocol for c in self.protocols]}); add them to the model file under 'protocols' -- a p_L "
            f"coefficient is only meaningful with the p_L model it was measured against"
        )

    # -- uncertainty --------------------------------------------------------------------------------
    def pessimistic(self) -> ErrorModel:
        """The pessimistic edge of the model's uncertainty interval (the model itself if it states none)."""
        return self.edge if self.edge is not None else self

    # -- data ---------------------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """The model and its parameters as JSON-able data (what plans record as ``error_model``)."""
        data: dict[str, Any] = {
            "schema": SCHEMA,
            "name": self.name,
            "memory": {"form": FORM, "A": self.A, "p_th": self.p_th,
                       "corrections": [{"distance": d, "factor": f} for d, f in self.corrections]},
            "protocols": {c.protocol: c.to_list() for c in self.protocols},
            "provenance": self.provenance,
            "regime": self.regime,
        }
        data["pessimistic"] = None if self.edge is None else self.edge.info()
        return data

    to_dict = info

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "model") -> ErrorModel:
        """Build a model from :meth:`info`'s data (a model file), checking every field.

        Raises:
            SpecError: a missing or malformed field, naming it and ``origin``.
        """
        if not isinstance(data, Mapping):
            raise SpecError(f"{origin}: an error model must be a JSON object, got {type(data).__name__}")
        missing = [k for k in ("name", "memory", "protocols") if k not in data]
        if missing:
            raise SpecError(f"{origin}: error model is missing {missing}; required keys: name, memory {{A, p_th}}, "
                            f"protocols {{NAME: [{{from_distance, out_error_pl, fail_pl}}]}}")
        memory = data["memory"]
        if not isinstance(memory, Mapping) or "A" not in memory or "p_th" not in memory:
            raise SpecError(f"{origin}: 'memory' must give 'A' and 'p_th' (p_L = A (p/p_th)^((d+1)/2))")
        try:
            corrections = tuple((c["distance"], c["factor"]) for c in memory.get("corrections") or ())
            protocols = tuple(
                ProtocolCoefficients(name, tuple((e["from_distance"], e["out_error_pl"], e["fail_pl"]) for e in rows))
                for name, rows in dict(data["protocols"]).items()
            )
        except (KeyError, TypeError, ValueError) as e:
            raise SpecError(f"{origin}: malformed 'corrections' or 'protocols' ({e!r}); corrections are "
                            f"[{{distance, factor}}], protocols {{NAME: [{{from_distance, out_error_pl, fail_pl}}]}}"
                            ) from None
        edge = data.get("pessimistic")
        return cls(
            name=data["name"], A=memory["A"], p_th=memory["p_th"], corrections=corrections, protocols=protocols,
            provenance=str(data.get("provenance", "")), regime=str(data.get("regime", "")),
            edge=None if edge is None else cls.from_dict(edge, f"{origin} (pessimistic edge)"),
        )

    def __repr__(self) -> str:
        extra = ", f_d={" + ", ".join(f"{d}: {f:.3g}" for d, f in self.corrections) + "}" if self.corrections else ""
        return f"ErrorModel(name={self.name!r}, A={self.A:.4g}, p_th={self.p_th:.4g}{extra})"


PAPER = ErrorModel(
    name="paper",
    A=0.03,
    p_th=0.01,
    protocols=(ProtocolCoefficients("15-to-1", ((1, 7.1, 356.0),)),),
    provenance="paper Eq. 2 (A = 0.03, p_th = 0.01) and Eqs. 3-4 (7.1 p_L, 356 p_L; Beverland et al. 2022)",
    regime="as printed",
)


@functools.lru_cache(maxsize=1)
def load_measured() -> ErrorModel:
    """The ``measured`` model, read once from the package data ``compiler/data/measured.json``."""
    from importlib import resources

    text = resources.files("magicpipe.compiler").joinpath("data/measured.json").read_text()
    return ErrorModel.from_dict(json.loads(text)["model"], "magicpipe.compiler data/measured.json")


def __getattr__(name: str) -> Any:  # MEASURED is read lazily, on first use
    if name == "MEASURED":
        return load_measured()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.lru_cache(maxsize=4096)
def _memory_error(a: float, p_th: float, factor: float, d: int, p: float, name: str) -> float:
    """``ErrorModel.logical_error``'s value at a checked distance (a pure function of the model's numbers; the
    planner asks for the same few distances hundreds of thousands of times a plan)."""
    _check_p(p, p_th, name)
    p_l: float = a * (p / p_th) ** ((d + 1) / 2) * factor
    return p_l


def _check_p(p: float, p_th: float, name: str) -> None:
    if not 0 < p < p_th:
        raise SpecError(
            f"physical error p={p:g} must lie in (0, p_th={p_th:g}), the threshold of error model {name!r}: at or "
            f"above it a larger distance does not help; lower p or use a model with a higher threshold"
        )
