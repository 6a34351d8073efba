"""Streams for long programs: one pipeline period and a repetition, or every copy lazily.

A program that needs ``states`` top-level magic states from one pipeline runs its single-state schedule back
to back (the paper's Eq. 14 picture: a pipeline of cost (Q, T) yields a state every T rounds). Two forms:

* ``program_stream(..., expand=False)`` -- one ``REPEAT count=n period=T { body }`` and the program's TALLY:
  memory and time independent of ``states`` (10^9 states cost what one period costs).
* ``emit_program(..., expand=True)`` -- every copy, names suffixed ``_k`` and times shifted by ``k T``,
  yielded one by one: time linear in ``states``, memory one period.

The body is the schedule's stream without its TALLY; states still in a slot when a period ends are flushed
(``DISCARD reason=flush``) so that every period starts empty.

Examples:
    >>> from magicpipe.lattice.samples import sample_schedule
    >>> s = sample_schedule(3)
    >>> fp = plan_floor(s)
    >>> stream = program_stream(s, fp, 10**9)
    >>> repeat, tally = stream.instructions
    >>> repeat.count, tally.tally.delivered
    (1000000000, 1000000000)
"""

from __future__ import annotations

import dataclasses
import math
from typing import cast
from collections.abc import Iterator

from magicpipe.compiler.schedule import Schedule
from magicpipe.errors import SpecError
from magicpipe.lattice.emit import emit, header
from magicpipe.lattice.floorplan import FloorPlan, plan_floor
from magicpipe.lattice.stream import PROGRAM, Instruction, Stream, Tally

__all__ = ["period_body", "emit_program", "program_stream"]


def period_body(schedule: Schedule, floorplan: FloorPlan) -> tuple[tuple[Instruction, ...], int, Tally]:
    """The instructions of one period, the period in rounds, and the period's tally.

    The period is the round the last instruction happens in: the next copy's launches may share that round
    with this copy's last outputs (ends come first in a round).
    """
    body = list(emit(schedule, floorplan))
    last = body.pop()
    assert last.action == "TALLY"
    t = cast(Tally, last.tally)  # a TALLY carries its tally
    for k in t.left:
        body.append(Instruction(last.time, "DISCARD", "buffer", count=1, reason="flush", slot=k))
    flushed = Tally(t.produced, t.consumed, t.discarded + len(t.left), (), t.delivered)
    return tuple(body), max(last.time, 1), flushed


def _copies(states: int, per_period: int) -> int:
    if states < 1:
        raise SpecError(f"a program needs at least one magic state, got states={states}")
    return math.ceil(states / per_period)


def _renamed(inst: Instruction, k: int, shift: int) -> Instruction:
    def name(n: str) -> str:
        return n if not n or n == PROGRAM else f"{n}_{k}"

    return dataclasses.replace(inst, time=inst.time + shift, target=name(inst.target), peer=name(inst.peer),
                               lent_to=tuple(map(name, inst.lent_to)))


def _total(t: Tally, n: int) -> Tally:
    return Tally(n * t.produced, n * t.consumed, n * t.discarded, (), n * t.delivered)


def emit_program(
    schedule: Schedule, floorplan: FloorPlan, states: int, *, expand: bool = False
) -> Iterator[Instruction]:
    """Yield the instructions of a program needing ``states`` top-level states.

    Args:
        schedule, floorplan: one pipeline run and its layout.
        states: top-level states the program consumes.
        expand: write every copy instead of one ``REPEAT``.

    Raises:
        SpecError: ``states < 1``.
    """
    body, period, tally = period_body(schedule, floorplan)
    n = _copies(states, max(tally.delivered, 1))
    if expand:
        for k in range(n):
            for inst in body:
                yield _renamed(inst, k, k * period)
    else:
        yield Instruction(0, "REPEAT", count=n, period=period, body=body)
    yield Instruction(n * period, "TALLY", tally=_total(tally, n))


def program_stream(schedule: Schedule, floorplan: FloorPlan | None = None, states: int = 1) -> Stream:
    """The compact (``REPEAT``) stream of a program needing ``states`` top-level states."""
    floorplan = floorplan or plan_floor(schedule)
    return Stream(header(schedule, floorplan), tuple(emit_program(schedule, floorplan, states)))
