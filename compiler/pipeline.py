"""Multi-level pipelines: one factory per level, errors propagated level by level (paper Sec. 2.2, Table 1).

Level 1 takes raw states of error ``hardware.eps``; level l > 1 takes level l-1's outputs. Each level runs
the same protocol (the paper's problem input: "a sequence of code distances").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from collections.abc import Sequence

from magicpipe.compiler.factory import Factory
from magicpipe.compiler.hardware import Hardware, check_distance
from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, Protocol
from magicpipe.errors import SpecError

__all__ = ["Level", "Pipeline"]


@dataclass(frozen=True, slots=True)
class Level:
    """One level of a pipeline: its factory and the errors in and out.

    ``improves`` is False where the factory's output error is not below its input error (the level is
    useless: its distance is too small for its input).
    """

    index: int
    factory: Factory
    eps_in: float
    eps_out: float
    p_succ: float

    @property
    def qubits(self) -> int:
        return self.factory.qubits

    @property
    def rounds(self) -> int:
        return self.factory.rounds

    @property
    def improves(self) -> bool:
        return self.eps_out < self.eps_in


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A sequence of levels. Build it with :meth:`from_distances`.

    Examples:
        >>> pipe = Pipeline.from_distances((3, 9, 15), Hardware(p=1e-3, eps=1e-3))
        >>> [lv.qubits for lv in pipe.levels]
        [255, 2415, 6735]
        >>> [f"{lv.eps_out:.1e}" for lv in pipe.levels]
        ['2.1e-03', '2.5e-06', '2.1e-09']
    """

    levels: tuple[Level, ...]
    hardware: Hardware

    @classmethod
    def from_distances(
        cls,
        distances: Sequence[int],
        hardware: Hardware | None = None,
        protocol: Protocol = FIFTEEN_TO_ONE,
        *,
        strict: bool = False,
    ) -> Pipeline:
        """Build the pipeline with one ``protocol`` factory per distance.

        Args:
            distances: code distance of each level, lowest level first.
            hardware: physical parameters (default: p = eps = 1e-4, the paper's Sec. 6).
            protocol: the protocol every level runs.
            strict: raise if a level cannot improve its input (``eps_out >= eps_in``). Off by default:
                the paper's own Table 1 example has such a level (d = 3 at p = eps = 1e-3 gives 2.1e-3 out
                of 1e-3 in) and its Fig. 6 sweeps every distance pair. Planners pass True; others read
                :attr:`Level.improves`.

        Raises:
            SpecError: an even or non-positive distance; an empty sequence; a raw error at or above the
                protocol's distillation threshold (no distance helps); a level whose success probability is
                not positive; with ``strict``, a level that cannot improve its input.
        """
        hardware = hardware or Hardware()
        if not isinstance(hardware, Hardware):
            raise SpecError(f"hardware must be a Hardware, got {type(hardware).__name__}")
        if len(distances) == 0:
            raise SpecError("a pipeline needs at least one level; pass distances such as (5, 17)")
        key = tuple(distances)
        if all(type(d) is int for d in key):  # the searches ask for the same prefixes again and again
            return cls(_levels(key, hardware, protocol, strict), hardware)
        return cls(_levels.__wrapped__(key, hardware, protocol, strict), hardware)  # raises on the bad distance

    @property
    def distances(self) -> tuple[int, ...]:
        return tuple(lv.factory.distance for lv in self.levels)

    @property
    def output_error(self) -> float:
        """Error of the top level's output state."""
        return self.levels[-1].eps_out

    @property
    def improves(self) -> bool:
        """True when every level lowers the error."""
        return all(lv.improves for lv in self.levels)


@functools.lru_cache(maxsize=1 << 14)
def _levels(distances: tuple[int, ...], hardware: Hardware, protocol: Protocol, strict: bool) -> tuple[Level, ...]:
    """The levels of :meth:`Pipeline.from_distances` (memoised: its arguments are frozen; errors are raised
    again on every call, never stored)."""
    threshold = protocol.threshold()
    if hardware.eps >= threshold:
        raise SpecError(
            f"raw magic-state error eps={hardware.eps:.3g} is at or above the {protocol.name} "
            f"distillation threshold {threshold:.4g}: distillation cannot improve it at any distance; "
            f"lower eps"
        )
    levels = []
    eps = hardware.eps
    for i, d in enumerate(distances, start=1):
        check_distance(d)
        factory = Factory(protocol, d, hardware)
        out = factory.output_error(eps)
        succ = factory.success_probability(eps)
        if succ <= 0:
            raise SpecError(
                f"level {i} (d={d}): success probability {succ:.3g} <= 0 at input error {eps:.3g}; "
                f"lower the input error or raise the distance"
            )
        if strict and out >= eps:
            raise SpecError(
                f"level {i} (d={d}): distillation cannot improve input error {eps:.3g}: the output "
                f"error {protocol.name} gives is {out:.3g} >= input (p_L={factory.logical_error:.3g}); "
                f"raise the distance of level {i} or lower the input error"
            )
        levels.append(Level(i, factory, eps, out, succ))
        eps = out
    return tuple(levels)
