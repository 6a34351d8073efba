"""A Litinski block's protocol run from the stream's own lines, at the logical level.

A block unit states its protocol patch by patch (:mod:`magicpipe.lattice.blockops` for a first-level block,
:mod:`magicpipe.lattice.upperops` for a two-level block's upper block, whose inputs are first-level outputs:
``|m>`` here as well). Two checks read those lines, not the layout they were written from:

* :func:`stated_layout` rebuilds a :class:`~magicpipe.compiler.blocks.Layout` from the body (qubits and roles
  from the ``PATCH`` lines, the rotations of each ``STEP`` from its ``INJECT`` and ``MEASURE r..`` lines, each
  merge's ancilla counted from its via and the patches it runs along), and :func:`block_check` runs it through
  :func:`magicpipe.verification.catalogue.check_layout` (the ideal rotations by state vector: output ``|m>``,
  every check ``|+>``);
* :func:`run_protocol` executes the lines themselves on a state vector of the register and the input patches
  in flight: an ``INJECT`` rotates its fresh ``|+>`` patch, an ``INPUT`` is ``|m> = T|+>``, a merge projects on
  its ``Z`` product with an outcome drawn by its quantum probability (seeded), the split reads the input in X,
  ``ROTATE`` applies ``exp(-i angle P)`` and ``FRAME`` the Pauli ``P`` when their condition holds, and the checks
  are read in X and the ``DECIDE`` evaluated. On every branch the checks must read +1 (the decision accepts)
  and the register must be the layout's ideal output: the corrections and their conditions are right.

No noise and no surface code here: the circuit-level factory is ``magicpipe verify factory``.

Examples:
    >>> from magicpipe.compiler.blockmodel import NoiseModel
    >>> from magicpipe.compiler.catalogue import one_level
    >>> from magicpipe.lattice.units2 import catalogue_unit
    >>> unit, _ = catalogue_unit(one_level(NoiseModel.litinski(1e-3), (5, 3, 3)).source())
    >>> block_check(unit).ok
    True
    >>> r = run_protocol(unit, shots=8, seed=1)
    >>> r.min_fidelity > 1 - 1e-9, r.accepted
    (True, 8)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

import numpy as np
from magicpipe.compiler.blocks import Layout, Rotation, Step
from magicpipe.lattice.blockops import Protocol, parse_protocol, protocol_rotations
from magicpipe.lattice.geometry import Rect
from magicpipe.lattice.units2 import parse_block
from magicpipe.verification.catalogue import LayoutCheck, _target, check_layout

from magicpipe.errors import SpecError, VerificationError

__all__ = ["ProtocolRun", "block_check", "run_protocol", "stated_layout"]


def _proto(unit: Any) -> Protocol:
    body = parse_block(unit.text)
    if not body.protocol:
        raise SpecError(f"unit {unit.name} states no protocol (PATCH, STEP and @t lines): only a Litinski "
                        f"block does")
    return parse_protocol(body.protocol)


def stated_layout(unit: Any) -> Layout:
    """The layout the unit's lines state (module docstring).

    Raises:
        SpecError: the unit states no protocol, or its lines do not make a layout (the layout's own checks).
    """
    proto = _proto(unit)
    roles = {name: role for name, _, role, _ in proto.patches}
    rects = {name: r for name, r, _, _ in proto.patches}
    outputs = tuple(int(n[1:]) for n, role in roles.items() if role == "output")
    checks = tuple(int(n[1:]) for n, role in roles.items() if role == "check")
    merges = {op.groups[-1] + f"@{op.t}": op for op in proto.ops if op.kind == "MERGE"}
    steps = []
    for (_, at, _, storage), paulis in zip(proto.steps, protocol_rotations(proto)):
        rotations = []
        for p in paulis:
            op = merges.get(f"{p}@{at}")
            pauli = p.lstrip("+")
            if op is None:
                rotations.append(Rotation(pauli, None))
                continue
            via = Rect(*map(int, op.groups[3:7]))
            # the ancilla: the patches along the via, counted by role, and a_m: the via's length beyond them in
            # d_m (the merge's rounds): 0 at the first level (the input inside the via), 1 for an upper block's leg
            along = [n for n, r in rects.items() if r.x >= via.x and r.x + r.w <= via.x + via.w]
            legs = (via.w - sum(rects[n].w for n in along)) // max(1, int(op.groups[2]))
            rotations.append(Rotation(pauli, (sum(roles[n] == "output" for n in along),
                                              sum(roles[n] == "check" for n in along), legs)))
        steps.append(Step(tuple(rotations), storage))
    n_out = sum(r.w for n, r in rects.items() if roles[n] == "output")
    dx = max((r.h for r in rects.values()), default=1)
    body = parse_block(unit.text)
    level = "upper" if body.int("level1") > 0 else "first"
    kind = body.get("kind", "T")   # a CCZ block's outputs hold one CCZ state, its target CCZ|+++>
    return Layout(protocol=unit.protocol, level=level, kind=kind, inputs=sum(len(s.rotations) for s in steps),
                  outputs=outputs, checks=checks, states=1 if kind == "CCZ" else len(outputs), steps=tuple(steps),
                  width=(n_out // dx if dx else 0, len(checks)))


def block_check(unit: Any) -> LayoutCheck:
    """:func:`~magicpipe.verification.catalogue.check_layout` on the layout the unit's lines state."""
    return check_layout(stated_layout(unit))


@dataclass(frozen=True, slots=True)
class ProtocolRun:
    """Shots of :func:`run_protocol`: the least fidelity of the register with the ideal output over them, the
    shots the decision accepted, and how often a pi/4 correction and a frame fired."""

    shots: int
    min_fidelity: float
    accepted: int
    rotations: int
    frames: int


class _Vector:
    """A state vector of ``n`` qubits, qubit ``i`` = bit ``i`` of the index."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.index = np.arange(1 << n)
        self.psi = np.zeros(1 << n, dtype=complex)
        self.psi[0] = 1.0

    def sign(self, qubits: list[int]) -> np.ndarray:
        mask = sum(1 << q for q in qubits)
        return 1 - 2 * (np.bitwise_count(self.index & mask).astype(np.int64) & 1)

    def plus(self, q: int, phase: complex = 1.0) -> None:
        """Reset qubit ``q`` (known to be ``|0>``) to ``(|0> + phase |1>)/sqrt2``."""
        one = self.index >> q & 1
        src = self.psi[self.index & ~(1 << q)]
        self.psi = np.where(one == 1, src * phase, src) / math.sqrt(2)

    def rotate(self, qubits: list[int], angle: float) -> None:
        """``exp(-i angle Z..Z)``."""
        self.psi = self.psi * np.exp(-1j * angle * self.sign(qubits))

    def pauli_z(self, qubits: list[int]) -> None:
        self.psi = self.psi * self.sign(qubits)

    def measure_z(self, qubits: list[int], rng: random.Random) -> int:
        s = self.sign(qubits)
        p1 = float(np.sum(np.abs(self.psi[s < 0]) ** 2))
        out = int(rng.random() < p1)
        keep = (s < 0) if out else (s > 0)
        self.psi = np.where(keep, self.psi, 0) / math.sqrt(p1 if out else 1 - p1)
        return out

    def measure_x(self, q: int, rng: random.Random) -> int:
        """Read ``q`` in X; it is left in ``|0>`` (reset for the next input)."""
        lo, hi = self.index & ~(1 << q), self.index | (1 << q)
        plus, minus = (self.psi[lo] + self.psi[hi]) / math.sqrt(2), (self.psi[lo] - self.psi[hi]) / math.sqrt(2)
        zero = (self.index >> q & 1) == 0
        p1 = float(np.sum(np.abs(minus[zero]) ** 2))
        out = int(rng.random() < p1)
        amp = minus if out else plus
        self.psi = np.where(zero, amp, 0) / math.sqrt(p1 if out else 1 - p1)
        return out


def _later_cycle(op: Any) -> bool:
    """An INPUT or ROUTE line of run ``r >= 1`` of a two-level block's feeder cycle (``cycle=r``)."""
    group = {"INPUT": 8, "ROUTE": 3}.get(op.kind)
    return group is not None and len(op.groups) > group and op.groups[group] is not None


def _qubits(terms: str) -> list[int]:
    return [int(t.split(":q")[1].split("@")[0]) for t in terms.split() if t.startswith("Z:q")]


def run_protocol(unit: Any, shots: int = 16, seed: int = 0) -> ProtocolRun:
    """Run the unit's protocol lines ``shots`` times on a state vector (module docstring).

    Raises:
        SpecError: the unit states no protocol.
        VerificationError: a shot whose decision rejects, or whose register is not the ideal output
            (the shot's outcomes in the message).
    """
    proto = _proto(unit)
    # one upper run: the feeder cycle's run 0 (the lines of runs r >= 1, cycle=r, name other feeders only)
    proto = Protocol(proto.patches, proto.steps, tuple(o for o in proto.ops if not _later_cycle(o)))
    layout = stated_layout(unit)
    n = layout.qubits
    target = _target(layout)
    slots = max((sum(1 for o in proto.ops if o.kind == "INPUT" and o.t == t) for t in {o.t for o in proto.ops}),
                default=0)
    rng = random.Random(seed)
    worst, accepted, rot, fr = 1.0, 0, 0, 0
    for shot in range(shots):
        v = _Vector(n + slots)
        for q in range(n):
            v.plus(q)
        where: dict[str, int] = {}
        regs: dict[str, int] = {}
        free = list(range(n, n + slots))
        for op in sorted(proto.ops, key=lambda o: o.t):   # a stable sort: the lines' order within a round
            if op.cond is not None and regs.get(op.cond[0]) != op.cond[1]:
                continue
            if op.kind == "INJECT":
                q, p = int(op.groups[0][1:]), op.groups[1]
                v.rotate([q], -math.pi / 8 * (-1 if p.startswith("-") else 1))   # exp(i s pi/8 Z)
            elif op.kind == "INPUT":
                where[op.groups[0]] = m = free.pop(0)
                v.plus(m, np.exp(1j * math.pi / 4))
            elif op.kind == "MERGE":
                m = where[next(t[2:] for t in op.groups[1].split() if t.startswith("Z:m"))]
                regs[op.groups[0]] = v.measure_z(_qubits(op.groups[1]) + [m], rng)
            elif op.kind == "READ" and op.groups[1].startswith("m"):
                m = where.pop(op.groups[1])
                regs[op.groups[0]] = v.measure_x(m, rng)
                free.append(m)
            elif op.kind == "READ":
                q = int(op.groups[1][1:])
                lo, hi = v.index & ~(1 << q), v.index | (1 << q)
                minus = np.sum(np.abs((v.psi[lo] - v.psi[hi])[(v.index >> q & 1) == 0]) ** 2) / 2
                regs[op.groups[0]] = int(rng.random() < minus)
            elif op.kind == "ROTATE":
                v.rotate(_qubits(op.groups[0]), (-1 if op.groups[1].startswith("-") else 1) * math.pi / 4)
                rot += 1
            elif op.kind == "FRAME":
                v.pauli_z(_qubits(op.groups[0]))
                fr += 1
            elif op.kind == "DECIDE":
                regs["a"] = int(any(regs[k] for k in op.groups[0].split("|")))
        if regs.get("a") != 0:
            raise VerificationError(f"unit {unit.name}: shot {shot} is rejected ({regs}): a noiseless run accepts")
        accepted += 1
        reg = v.psi.reshape(1 << slots, 1 << n)[0] if slots else v.psi
        worst = min(worst, abs(np.vdot(target, reg)) ** 2)
        if worst < 1 - 1e-9:
            raise VerificationError(f"unit {unit.name}: shot {shot} ({regs}) leaves the register at fidelity "
                                    f"{worst:.6f} with the ideal output")
    return ProtocolRun(shots, round(float(worst), 12), accepted, rot, fr)
