"""A protocol placed at a code distance: the factory of the paper's Sec. 4.

A :class:`Factory` turns a :class:`~magicpipe.compiler.protocols.Protocol` and a distance into the figures
the scheduler works with: qubits, duration in rounds, the rounds at which it consumes inputs, and its output
error and success probability as functions of the input error.

Timing (a modelling choice the paper leaves open, see ``docs/model.md``): the burst is loaded at launch
(offset 0) straight into the factory's data patches; step k (k = 1..steps) starts at offset
``(k - 1) * cycles_per_step * d`` and consumes its inputs at its start, from the buffer; the outputs appear
at offset ``steps * cycles_per_step * d``. For 15-to-1 at d = 3 that is 4 + 1 states at round 0, one state at
rounds 3, 6, ..., 30, and the output at round 33 (13.2 us, Table 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from magicpipe.compiler.hardware import Hardware, check_distance, patch_qubits
from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, Protocol  # noqa: F401 (used by the doctest)

__all__ = ["Factory"]


@dataclass(frozen=True, slots=True)
class Factory:
    """A protocol at code distance ``distance`` on ``hardware``.

    Examples:
        >>> f = Factory(FIFTEEN_TO_ONE, 3, Hardware(p=1e-3, eps=1e-3))
        >>> f.qubits, f.rounds, f.hardware.rounds_to_us(f.rounds)
        (255, 33, 13.2)
        >>> f.step_offsets()[:3]
        (0, 3, 6)
    """

    protocol: Protocol
    distance: int
    hardware: Hardware = Hardware()

    def __post_init__(self) -> None:
        check_distance(self.distance)

    @property
    def patch_qubits(self) -> int:
        """Physical qubits of one of its patches."""
        return patch_qubits(self.distance)

    @property
    def qubits(self) -> int:
        """Physical qubits of the whole block."""
        return self.protocol.tiles * self.patch_qubits

    @property
    def data_qubits(self) -> int:
        """Qubits of the data patches, which stay with the factory during a stall."""
        return self.protocol.data_tiles * self.patch_qubits

    @property
    def lendable_qubits(self) -> int:
        """Qubits of the ancilla patches, which a stalled factory can lend (Fig. 4)."""
        return (self.protocol.tiles - self.protocol.data_tiles) * self.patch_qubits

    @property
    def step_rounds(self) -> int:
        """Rounds of one rotation step."""
        return self.protocol.cycles_per_step * self.distance

    @property
    def rounds(self) -> int:
        """Rounds of one run with no stall."""
        return self.protocol.steps * self.step_rounds

    @property
    def logical_error(self) -> float:
        """p_L per patch per logical cycle at this distance (the hardware's error model)."""
        return self.hardware.logical_error(self.distance)

    @property
    def coefficients(self) -> tuple[float, float]:
        """``(a, b)``: the p_L coefficients of output error and failure, from the same error model as p_L."""
        return self.hardware.model.coefficients(self.protocol, self.distance)

    def step_offsets(self) -> tuple[int, ...]:
        """Round offsets, from launch, at which each step starts and takes its inputs."""
        return tuple(k * self.step_rounds for k in range(self.protocol.steps))

    def output_error(self, eps_in: float) -> float:
        """Output error for input error ``eps_in`` (Eq. 3 for 15-to-1)."""
        return self.protocol.output_error(eps_in, self.logical_error, self.coefficients[0])

    def success_probability(self, eps_in: float) -> float:
        """Probability of a successful run for input error ``eps_in`` (Eq. 4 for 15-to-1)."""
        return self.protocol.success_probability(eps_in, self.logical_error, self.coefficients[1])
