"""Distillation protocols as data (paper Sec. 4, "Factory model").

A :class:`Protocol` holds everything the scheduler needs -- the input pattern (a burst at launch, then a
fixed number of inputs at the start of every step), the outputs, the error and success formulas, the
footprint in patches and how many of those patches hold data -- and everything the emitter and the
verifier need: the list of pi/8 Pauli rotations, the checks and the output qubit. Adding a protocol means
adding one more instance to :data:`PROTOCOLS`; no code path looks at a protocol's name.

The 15-to-1 protocol
--------------------
Litinski's compact block (A Game of Surface Codes, 2019; Magic State Distillation: Not as Costly as You
Think, 2019; the paper's Fig. 2 and Fig. 4(a)): 15 patches of which 5 hold data. The punctured Reed-Muller
[[15,1,3]] code becomes 15 Z-type pi/8 rotations on 5 qubits after the Cliffords are commuted to the end:
one rotation per non-zero vector v of F_2^4 on qubits 1-4, with qubit 5 (the output) included exactly when
v has even weight. Ideal rotations leave qubits 1-4 in |+> (the X checks read +1) and qubit 5 in a magic
state. The four weight-1 rotations act on single qubits and are done by initialising qubits 1-4 as magic
states: that is the burst of 4. The other 11 are multi-qubit rotations, one logical step each, each
consuming one input state: the steady demand. Errors are Eqs. 3-4 of the paper (taken from Beverland et
al. 2022): ``eps_out = 35 eps^3 + 7.1 p_L``, ``p_succ = 1 - 15 eps - 356 p_L``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from magicpipe.errors import SpecError

__all__ = ["Protocol", "FIFTEEN_TO_ONE", "PROTOCOLS", "get_protocol"]


@dataclass(frozen=True, slots=True)
class Protocol:
    """One distillation protocol.

    Attributes:
        name: registry key, e.g. ``"15-to-1"``.
        tiles: logical patches of one factory block.
        data_tiles: patches that hold protocol data from launch to the end; the others are ancillas that
            are reset every step and can be lent to other factories while the protocol stalls (Fig. 4).
        burst: input states loaded at launch (the initial single-qubit rotations).
        steps: rotation steps after launch.
        inputs_per_step: input states consumed at the start of every step.
        cycles_per_step: logical cycles (of d rounds each) per step.
        outputs: output states of a successful run.
        out_error: terms ``(c, k)`` of ``sum c eps_in^k`` in the output error.
        out_error_pl: coefficient of p_L in the output error, as published (the paper's model); planners
            take the coefficient from their error model instead (``Factory.coefficients``).
        fail: terms ``(c, k)`` of ``sum c eps_in^k`` in the failure probability.
        fail_pl: coefficient of p_L in the failure probability.
        rotations: the pi/8 Z-type rotations as Pauli strings over the protocol's logical qubits, the
            burst first, then one per input in step order.
        checks: Pauli strings measured at the end; all must read +1 for success.
        output_qubits: 0-based indices of the qubits that hold the outputs.
        reference: where the numbers come from.
    """

    name: str
    tiles: int
    data_tiles: int
    burst: int
    steps: int
    inputs_per_step: int
    cycles_per_step: int
    outputs: int
    out_error: tuple[tuple[float, int], ...]
    out_error_pl: float
    fail: tuple[tuple[float, int], ...]
    fail_pl: float
    rotations: tuple[str, ...]
    checks: tuple[str, ...]
    output_qubits: tuple[int, ...]
    reference: str = ""

    def __post_init__(self) -> None:
        if not 0 < self.data_tiles <= self.tiles:
            raise SpecError(f"protocol {self.name}: data_tiles={self.data_tiles} must lie in (0, tiles={self.tiles}]")
        if self.burst < 0 or self.steps < 1 or self.inputs_per_step < 1 or self.cycles_per_step < 1:
            raise SpecError(
                f"protocol {self.name}: burst must be >= 0 and steps, inputs_per_step, cycles_per_step >= 1"
            )
        if len(self.rotations) != self.inputs:
            raise SpecError(
                f"protocol {self.name}: {len(self.rotations)} rotations listed but the input pattern "
                f"consumes {self.inputs} states; list one rotation per input"
            )
        widths = {len(r) for r in self.rotations + self.checks}
        if len(widths) != 1:
            raise SpecError(f"protocol {self.name}: rotations and checks must act on the same number of qubits")

    @property
    def inputs(self) -> int:
        """Total input states of one run: the burst plus the steady demand."""
        return self.burst + self.steps * self.inputs_per_step

    @property
    def logical_qubits(self) -> int:
        """Qubits the rotation list acts on."""
        return len(self.rotations[0])

    def output_error(self, eps_in: float, p_l: float, out_error_pl: float | None = None) -> float:
        """Output error of a successful run (Eq. 3 for 15-to-1).

        ``out_error_pl`` replaces the literature's coefficient of p_L (:attr:`out_error_pl`); factories pass
        their error model's (:meth:`magicpipe.compiler.errormodel.ErrorModel.coefficients`).
        """
        a = self.out_error_pl if out_error_pl is None else out_error_pl
        return sum(c * eps_in**k for c, k in self.out_error) + a * p_l

    def threshold(self) -> float:
        """Largest input error the protocol improves at p_L = 0: the root of ``output_error(e, 0) = e``.

        Examples:
            >>> round(FIFTEEN_TO_ONE.threshold(), 4)  # 1 / sqrt(35)
            0.169
        """
        return _threshold(self.out_error)

    def success_probability(self, eps_in: float, p_l: float, fail_pl: float | None = None) -> float:
        """Probability that every check passes (Eq. 4 for 15-to-1); ``fail_pl`` as ``out_error_pl`` above."""
        b = self.fail_pl if fail_pl is None else fail_pl
        return 1.0 - sum(c * eps_in**k for c, k in self.fail) - b * p_l


@functools.lru_cache(maxsize=64)
def _threshold(out_error: tuple[tuple[float, int], ...]) -> float:
    def output_error(e: float) -> float:
        return sum(c * e**k for c, k in out_error)

    lo, hi = 1e-12, 1.0
    if output_error(hi) < hi:
        return 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if output_error(mid) < mid:
            lo = mid
        else:
            hi = mid
    return lo


def _fifteen_to_one_rotations() -> tuple[str, ...]:
    vectors = [v for v in range(1, 16)]

    def weight(v: int) -> int:
        return bin(v).count("1")

    ordered = sorted(vectors, key=lambda v: (weight(v) != 1, weight(v), v))

    def pauli(v: int) -> str:
        bits = ["Z" if v >> i & 1 else "I" for i in range(4)]
        return "".join(bits) + ("Z" if weight(v) % 2 == 0 else "I")

    return tuple(pauli(v) for v in ordered)


FIFTEEN_TO_ONE = Protocol(
    name="15-to-1",
    tiles=15,
    data_tiles=5,
    burst=4,
    steps=11,
    inputs_per_step=1,
    cycles_per_step=1,
    outputs=1,
    out_error=((35.0, 3),),
    out_error_pl=7.1,
    fail=((15.0, 1),),
    fail_pl=356.0,
    rotations=_fifteen_to_one_rotations(),
    checks=("XIIII", "IXIII", "IIXII", "IIIXI"),
    output_qubits=(4,),
    reference="Litinski 2019 (compact block); Beverland et al. 2022 (Eqs. 3-4 of the paper)",
)

PROTOCOLS: dict[str, Protocol] = {FIFTEEN_TO_ONE.name: FIFTEEN_TO_ONE}


def get_protocol(name: str) -> Protocol:
    """Look a protocol up by name.

    Examples:
        >>> get_protocol("15-to-1").inputs
        15
    """
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise SpecError(f"unknown protocol {name!r}; known protocols: {sorted(PROTOCOLS)}") from None
