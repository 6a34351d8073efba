"""CCZ states in the whole-program stream: their consumption's corrections and a mixed point's inputs.

A program's Toffoli-class gate can take one CCZ state ``|CCZ> = CCZ |+++>`` (an 8-to-CCZ factory's output,
three patches) in place of ``toffoli_t`` T states (:mod:`magicpipe.compiler.mixed`). The stream consumes it
by gate teleportation, one lane at a time on its zone's bus: lane ``j`` of port ``p`` is merged with data
patch ``q_j`` (``MEASURE zp.j Z:q_j@top Z:pp.j@bottom``, ``d`` rounds) and read out in X (``MEASURE xp.j
X:pp.j``, 1 round). The merges leave ``X^s CCZ X^s`` on the data (``s`` the three merge outcomes), whose
phase ``(z_a + s_a)(z_b + s_b)(z_c + s_c)`` differs from CCZ's ``z_a z_b z_c`` by Clifford terms, corrected by:

* ``CZ`` between the other two data patches when ``s_j = 1``: ``CZ_ab = exp(-i pi/4 Z_a) exp(-i pi/4 Z_b)
  exp(+i pi/4 Z_a Z_b)`` up to a phase, three ``ROTATE``\\ s conditioned on ``zp.j``;
* ``Z`` on ``q_j`` when both other merges read 1 (``IF zp.a&zp.b=1 FRAME``), the product term of
  ``(z_a + s_a)(z_b + s_b)(z_c + s_c)``;
* ``Z`` on ``q_j`` when its lane's X readout reads 1 (``IF xp.j=1 FRAME``), as for a T state.

These were checked on a six-qubit state vector over all 64 outcomes (``tests/lattice/test_ccz.py``);
``magicpipe verify stream`` applies them in its logical run.
"""

from __future__ import annotations

from typing import Any

from collections.abc import Iterator, Sequence

from magicpipe.lattice.stream2 import Term

from magicpipe.errors import SpecError

__all__ = ["LANES", "Correction", "ccz_corrections", "holds", "mixed_runs"]

LANES = 3
"""Patches of a CCZ state (8-to-CCZ's output qubits, ``compiler.blocks.EIGHT_TO_CCZ_UPPER``)."""

Correction = tuple[str, str, tuple[Term, ...], str]
"""``(condition register, action, terms, angle)``: the correction applies when the register (or the product of
the ``&``-joined registers) reads 1."""


def ccz_corrections(port: int, qs: Sequence[int]) -> Iterator[Correction]:
    """The corrections of port ``port``'s CCZ state consumed on data patches ``qs`` (lane ``j`` on ``qs[j]``),
    in the order the stream writes them (module docstring).

    Examples:
        >>> [f"IF {c}=1 {a} " + " ".join(map(str, t)) + (f" {g}" if g else "") for c, a, t, g in
        ...  ccz_corrections(4, (0, 1, 2))][:3]
        ['IF z4.0=1 ROTATE Z:q1 pi/4', 'IF z4.0=1 ROTATE Z:q2 pi/4', 'IF z4.0=1 ROTATE Z:q1 Z:q2 -pi/4']
    """
    if len(qs) != LANES or len(set(qs)) != LANES:
        raise SpecError(f"a CCZ state acts on three distinct data patches, got {tuple(qs)}")
    for j in range(LANES):
        a, b = (k for k in range(LANES) if k != j)
        reg = f"z{port}.{j}"
        yield reg, "ROTATE", (Term("Z", "q", qs[a]),), "pi/4"
        yield reg, "ROTATE", (Term("Z", "q", qs[b]),), "pi/4"
        yield reg, "ROTATE", (Term("Z", "q", qs[a]), Term("Z", "q", qs[b])), "-pi/4"
    for j in range(LANES):
        a, b = (k for k in range(LANES) if k != j)
        yield f"z{port}.{a}&z{port}.{b}", "FRAME", (Term("Z", "q", qs[j]),), ""
    for j in range(LANES):
        yield f"x{port}.{j}", "FRAME", (Term("Z", "q", qs[j]),), ""


def holds(cond: str, values: dict[str, int]) -> bool:
    """Whether the condition register (or the product of ``&``-joined ones) reads 1 under ``values``."""
    return all(values.get(r, 0) == 1 for r in cond.split("&"))


def mixed_runs(point: Any, kinds: Any) -> list[tuple[float, int, int, float, int]]:
    """A mixed point's timeline as runs ``(start, layers, t_states, layer_rounds, ccz_states)`` at the timeline's
    own times (the plan's waits left out, as :func:`magicpipe.lattice.whole.stream_for_point` does).

    ``kinds`` is the demand's :class:`~magicpipe.compiler.supplies.KindTimeline` (``Compilation.demand.kinds``);
    the point's simulation runs follow its runs one for one.

    Raises:
        SpecError: no kinds, or kinds that do not follow the point's runs.
    """
    if kinds is None:
        raise SpecError("a point with CCZ factories needs the program's layers by kind (Compilation.demand.kinds) "
                        "for its stream")
    runs = list(point.simulation.runs)
    per = list(kinds.layers_of())
    if len(runs) != len(per) or any(r[1] != n or r[2] != t + c for r, (n, t, c) in zip(runs, per)):
        raise SpecError("the demand's layers by kind do not follow the point's timeline runs: plan and stream the "
                        "same demand")
    out = []
    start = 0.0
    for r, (n, t, c) in zip(runs, per):
        out.append((start, n, t, r[3], c))
        start += n * r[3]
    return out
