"""The factory as a Stim circuit: every merge a real lattice-surgery merge and split of surface-code patches.

:class:`CircuitBuilder` turns a :class:`~magicpipe.verification.factory_program.FactoryProgram` into rounds of
stabiliser measurements with circuit-level noise, detectors and observables.

Noise at strength ``p``, placed as in Stim's generated surface-code circuits: ``DEPOLARIZE1(p)`` on every
active data qubit before each round, after each Hadamard, ``DEPOLARIZE2(p)`` after each CX, a flip of
probability ``p`` after every reset and before every measurement (ancillas and data).

Timeline (``basis="x"``, the factory itself):

1. all five data patches are reset in ``|+>``; each burst state's faultiness is ``E(eps)`` on a logical Z (a
   full row) of its patch, right after the reset;
2. per merge: the bus, the seams and the ``|m>`` patch are reset in ``|+>`` and ``E(eps)`` puts a logical Z on
   the ``|m>`` patch (the stand-in for a faulty magic state); ``d`` rounds of the merged code; the split
   measures all of them in the X basis (the ``Xm`` readout);
3. every data patch is measured in the X basis: the X checks and the output.

Detectors. A check measured twice compares with its previous value, corrected by the X (Z) outcomes of data
qubits that left its support or were measured and re-prepared in between; a check whose qubits were all just
reset in its basis is compared with nothing; where neither holds (a check made random by a merge) there is no
detector. Stim verifies every detector is deterministic when it builds the error model.

Observables and the Pauli frame. With ``|+>`` in place of the magic state, injecting rotation ``P`` is: measure
``P Z_m`` (outcome random and unused: the pi/4 correction it would select is the identity for a ``|+>``
input), then ``X_m``; an outcome ``-1`` leaves the Pauli ``P`` on the data, i.e. flips the X readout of every
patch in ``P``. Lattice surgery spreads ``X_m`` over the split: the operator conserved by the merge is
``X_k X_m`` times X on a path of bus and seam qubits, found by linear algebra over GF(2) for each merged patch
``k`` (:func:`frame_path`). Its split outcomes join the observables of every check and output on patch ``k``.
Observable 0.. are the outputs, then one per check (post-selected by the sampler).

``basis="z"`` (the *Z twin*) runs the same merges on patches prepared in ``|0>`` (and ``|m>`` in ``|0>``),
reads the data in the Z basis, and has one observable per data patch (its logical Z: X-type errors) and one
per merge (the product ``P Z_m`` read in its first merged round: the outcome that chooses the pi/4
correction in the real protocol). These are the errors the ``|+>`` stand-in cannot carry (see
``magicpipe.verification.factory``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import stim
from magicpipe.verification.factory_program import FactoryLayout, FactoryProgram, Merge
from magicpipe.verification.surgery import (
    Check,
    Coord,
    code_checks,
    cx_layers,
    solve_gf2,
    x_edges,
)

from magicpipe.errors import VerificationError

__all__ = ["BASES", "CircuitBuilder", "ForcedError", "frame_path", "merge_product"]

BASES = ("x", "z")


@dataclass(frozen=True, slots=True)
class ForcedError:
    """A Pauli ``pauli`` (``"X"``, ``"Y"`` or ``"Z"``) on data ``qubits``, applied with certainty just before
    round ``before_round`` (0-based)."""

    before_round: int
    pauli: str
    qubits: tuple[Coord, ...]


@dataclass(frozen=True, slots=True)
class _Event:
    moment: int
    kind: str  # "R" reset or "M" measure
    basis: str
    rec: int


def _arg(arg: float | tuple[float, ...]) -> str:
    return "(" + ",".join(repr(float(a)) for a in (arg if isinstance(arg, tuple) else (arg,))) + ")"


class CircuitBuilder:
    """Builds one circuit; use :meth:`factory` or :meth:`memory` (via the functions of ``factory``).

    Instructions are added as stim program text (:meth:`append`): ``stim.Circuit.append`` costs tens of
    microseconds a call, its text form under one; ``repr`` of a float parses back to the same float, so the
    circuit is the same."""

    def __init__(self, p: float, forced: tuple[ForcedError, ...] = ()) -> None:
        self.p = p
        self.forced = forced
        self.c = stim.Circuit()
        self.index: dict[tuple[str, Coord], int] = {}
        self.n_meas = 0
        self.moment = 0
        self.round = 0
        self.round_moment = 0
        self.last: dict[tuple[Coord, str], tuple[int, frozenset[Coord], int]] = {}
        self.events: dict[Coord, list[_Event]] = defaultdict(list)
        self.observables: dict[int, list[int]] = defaultdict(list)

    def append(self, name: str, targets: Sequence[int | str] = (), arg: float | tuple[float, ...] | None = None,
               ) -> None:
        """``stim.Circuit.append(name, targets, arg)`` with targets as ints or their text (``rec[-1]``, ``Z5``)."""
        head = name if arg is None else name + _arg(arg)
        self.c.append_from_stim_program_text(" ".join([head, *map(str, targets)]))

    # -- qubits and records -------------------------------------------------------------------------
    def qubit(self, kind: str, coord: Coord) -> int:
        key = (kind, coord)
        if key not in self.index:
            self.index[key] = len(self.index)
            x, y = coord
            self.append("QUBIT_COORDS", [self.index[key]], (2 * x, 2 * y) if kind == "d" else (2 * x + 1, 2 * y + 1))
        return self.index[key]

    def data(self, qubits) -> list[int]:
        return [self.qubit("d", q) for q in sorted(qubits)]

    def noise(self, name: str, targets: list[int], p: float | None = None) -> None:
        p = self.p if p is None else p
        if p > 0 and targets:
            self.append(name, targets, p)

    def detector(self, recs: list[int], coord: tuple[float, ...]) -> None:
        self.append("DETECTOR", [f"rec[{r - self.n_meas}]" for r in recs], coord)

    # -- data-qubit events ----------------------------------------------------------------------------
    def reset(self, qubits, basis: str) -> None:
        targets = self.data(qubits)
        self.append("RX" if basis == "X" else "R", targets)
        self.noise("Z_ERROR" if basis == "X" else "X_ERROR", targets)
        self.moment += 1
        for q in qubits:
            self.events[q].append(_Event(self.moment, "R", basis, -1))

    def error(self, pauli: str, qubits, p: float) -> None:
        """``E(p)`` of the Pauli ``pauli`` on all of ``qubits`` at once (skipped when ``p`` is 0)."""
        if p > 0:
            self.append("E", [f"{pauli}{i}" for i in self.data(qubits)], p)

    def measure(self, qubits, basis: str) -> dict[Coord, int]:
        """Measure data ``qubits`` in ``basis``; close the checks that lay on them (detectors)."""
        order = sorted(qubits)
        targets = self.data(order)
        self.noise("Z_ERROR" if basis == "X" else "X_ERROR", targets)
        self.append("MX" if basis == "X" else "M", targets)
        self.moment += 1
        recs = {q: self.n_meas + i for i, q in enumerate(order)}
        self.n_meas += len(order)
        for q in order:
            self.events[q].append(_Event(self.moment, "M", basis, recs[q]))
        for key, (moment, support, rec) in list(self.last.items()):
            if not support & recs.keys():
                continue
            firsts = [next((e for e in self.events[q] if e.moment > moment and e.kind == "M"), None) for q in support]
            if all(firsts):  # every qubit of the check has been read out since it was last measured
                del self.last[key]
                if all(e.basis == key[1] for e in firsts):
                    self.detector([rec, *(e.rec for e in firsts)], (2 * key[0][0] + 1, 2 * key[0][1] + 1, self.round))
        return recs

    # -- rounds ---------------------------------------------------------------------------------------
    def rounds(self, qubits: frozenset[Coord], checks: tuple[Check, ...], count: int) -> list[dict[tuple, int]]:
        """``count`` rounds of ``checks`` on the active data ``qubits``; returns each round's records by check key."""
        layers = cx_layers(checks)
        return [self._round(qubits, checks, layers) for _ in range(count)]

    def _round(self, qubits, checks, layers) -> dict[tuple, int]:
        for f in self.forced:  # as certain noise: a Pauli gate would be part of the noiseless reference
            if f.before_round == self.round:
                self.append(f"{f.pauli}_ERROR", self.data(f.qubits), 1.0)
        anc = [self.qubit("a", c.anchor) for c in checks]
        xanc = [self.qubit("a", c.anchor) for c in checks if c.basis == "X"]
        self.append("TICK")
        self.noise("DEPOLARIZE1", self.data(qubits))
        self.append("R", anc)
        self.noise("X_ERROR", anc)
        self.append("H", xanc)
        self.noise("DEPOLARIZE1", xanc)
        for layer in layers:
            self.append("TICK")
            targets = []
            for check, q in layer:
                a, dq = self.qubit("a", check.anchor), self.qubit("d", q)
                targets += [a, dq] if check.basis == "X" else [dq, a]
            self.append("CX", targets)
            self.noise("DEPOLARIZE2", targets)
        self.append("TICK")
        self.append("H", xanc)
        self.noise("DEPOLARIZE1", xanc)
        self.noise("X_ERROR", anc)
        self.append("M", anc)
        self.moment += 1
        recs = {c.key: self.n_meas + i for i, c in enumerate(checks)}
        self.n_meas += len(checks)
        for check in checks:
            found = self._compare(check)
            if found is not None:
                x, y = check.anchor
                self.detector([recs[check.key], *found], (2 * x + 1, 2 * y + 1, self.round))
            self.last[check.key] = (self.moment, check.support, recs[check.key])
        self.round_moment = self.moment
        self.round += 1
        return recs

    def _compare(self, check: Check) -> list[int] | None:
        """Records whose parity equals this measurement's ideal value (module docstring), or None (random)."""
        basis = check.basis
        if all((ev := self.events[q]) and ev[-1].kind == "R" and ev[-1].basis == basis
               and ev[-1].moment > self.round_moment for q in check.support):
            return []
        prev = self.last.get(check.key)
        if prev is None:
            return None
        moment, old, rec = prev
        found = [rec]
        for q in old | check.support:
            since = [e for e in self.events[q] if e.moment > moment]
            if not since:
                if q in old and q in check.support:
                    continue
                return None
            if q in old:
                if since[0].kind != "M" or since[0].basis != basis:
                    return None
                found.append(since[0].rec)
            if q in check.support and (since[-1].kind != "R" or since[-1].basis != basis):
                return None
        return found


def frame_path(checks: tuple[Check, ...], column: frozenset[Coord], region: frozenset[Coord]) -> frozenset[Coord]:
    """Qubits ``S`` of ``region`` such that X on ``column`` and ``S`` commutes with every Z check.

    With ``column`` a logical X of a merged patch and ``region`` the bus, seams and ``|m>`` patch, ``X(column + S)``
    is the patch's X times ``X_m``, extended through the merge: it is conserved while the merged code is measured.

    Raises:
        VerificationError: no such ``S`` (the patch is not merged with the region).
    """
    cells = sorted(region)
    bit = {q: i for i, q in enumerate(cells)}
    equations = []
    for c in checks:
        if c.basis == "Z" and c.support & (region | column):
            mask = sum(1 << bit[q] for q in c.support & region)
            equations.append((mask, len(c.support & column) % 2))
    solution = solve_gf2(equations)
    if solution is None:
        raise VerificationError(f"no X path joins the column at {min(column)} to the merge region", column)
    return frozenset(q for q in cells if solution >> bit[q] & 1)


def merge_product(checks: tuple[Check, ...], target: frozenset[Coord]) -> tuple[tuple[Coord, str], ...]:
    """Z checks whose product is Z on ``target`` (the merge's measured ``P Z_m``), by their keys.

    Raises:
        VerificationError: ``target`` is not a product of the Z checks.
    """
    zs = [c for c in checks if c.basis == "Z"]
    qubits = sorted(set(target).union(*(c.support for c in zs)))
    equations = [(sum(1 << i for i, c in enumerate(zs) if q in c.support), int(q in target)) for q in qubits]
    solution = solve_gf2(equations)
    if solution is None:
        raise VerificationError(f"Z on {sorted(target)[:3]}... is not a product of the merged code's Z checks", target)
    return tuple(c.key for i, c in enumerate(zs) if solution >> i & 1)


def merged_code(layout: FactoryLayout, merge: Merge | None) -> tuple[frozenset[Coord], tuple[Check, ...]]:
    """The active data qubits and checks while ``merge`` is on (None: the five patches alone).

    The merged component is the merged patches, the bus, the seam row and the ``|m>`` patch; every idle
    patch is a component of its own (it may touch the seam row without merging).
    """
    n = len(layout.program.block.data)
    patches = [layout.patch(q) for q in range(n)]
    if merge is None:
        return frozenset().union(*patches), code_checks(patches, x_edges(patches))
    region = layout.ancilla_region(merge)
    merged = region.union(*(patches[q] for q in merge.patches))
    idle = [patches[q] for q in range(n) if q not in merge.patches]
    checks = code_checks([merged, *idle], x_edges([*patches, layout.magic()]), layout.bus_order_anchors(merge))
    return merged.union(*idle), checks


def build_factory(program: FactoryProgram, p: float, eps: float, basis: str, forced=()) -> stim.Circuit:
    """The factory circuit (module docstring); see ``magicpipe.verification.factory.factory_circuit``."""
    layout = FactoryLayout(program)
    b = CircuitBuilder(p, tuple(forced))
    n = len(program.block.data)
    frames: dict[int, list[int]] = defaultdict(list)
    prep = "X" if basis == "x" else "Z"
    b.reset(frozenset().union(*(layout.patch(q) for q in range(n))), prep)
    if basis == "x":
        for q in program.burst:
            b.error("Z", layout.row(layout.patch(q)), eps)
    for j, merge in enumerate(program.merges):
        qubits, checks = merged_code(layout, merge)
        region = layout.ancilla_region(merge)
        b.reset(region - layout.magic(), "X")
        b.reset(layout.magic(), prep)
        if basis == "x":
            b.error("Z", layout.row(layout.magic()), eps)
            paths = {q: frame_path(checks, layout.column(layout.patch(q)), region) for q in merge.patches}
        first = b.rounds(qubits, checks, program.distance)[0]
        if basis == "z":
            target = layout.row(layout.magic()).union(*(layout.row(layout.patch(q)) for q in merge.patches))
            b.observables[n + j] += [first[k] for k in merge_product(checks, target)]
        recs = b.measure(region, "X")
        if basis == "x":
            for q, path in paths.items():
                frames[q] += [recs[c] for c in path]
    recs = b.measure(frozenset().union(*(layout.patch(q) for q in range(n))), prep)
    if basis == "x":
        readout = {q: [recs[c] for c in layout.column(layout.patch(q))] + frames[q] for q in range(n)}
        for k, q in enumerate(program.outputs):
            b.observables[k] += readout[q]
        for k, check in enumerate(program.checks):
            b.observables[len(program.outputs) + k] += [r for q in check for r in readout[q]]
    else:
        for q in range(n):
            b.observables[q] += [recs[c] for c in layout.row(layout.patch(q))]
    for k in sorted(b.observables):
        b.append("OBSERVABLE_INCLUDE", [f"rec[{r - b.n_meas}]" for r in b.observables[k]], k)
    return b.c


def build_memory(program: FactoryProgram, p: float, rounds: int, basis: str) -> stim.Circuit:
    """Data patch 1 of the layout alone for ``rounds`` rounds: the same checks, order and noise as the factory."""
    layout = FactoryLayout(program)
    patch = layout.patch(0)
    prep = "X" if basis == "x" else "Z"
    b = CircuitBuilder(p)
    b.reset(patch, prep)
    b.rounds(patch, code_checks([patch], x_edges([patch])), rounds)
    recs = b.measure(patch, prep)
    logical = layout.column(patch) if basis == "x" else layout.row(patch)
    b.append("OBSERVABLE_INCLUDE", [f"rec[{recs[q] - b.n_meas}]" for q in sorted(logical)], 0)
    return b.c
