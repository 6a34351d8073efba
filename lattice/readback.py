"""The one converter from the emitted form back to the record: a :class:`~magicpipe.compiler.schedule.Schedule`
read out of an instruction stream (``schedule.lsi``); :func:`~magicpipe.lattice.emit.build_stream` goes the
other way.

Every instruction of a stream carries a trace naming the schedule event it came from (``grammar/README.md``),
so the runs, executions, takes and stalls of the schedule behind it can be recovered from the stream alone,
and the report computes the same figures from either.

What a stream does not say is filled in: the hardware's error model is the caller's, else the paper's (the
header gives p, eps and gate times but no model); a run's ``lane`` is -1; the launch threshold is the states the
first execution took at its launch (burst and first step); the allocations are empty. A run's role is ``reuse``
when a ``REUSE`` lists it, ``fill`` when no top-level execution runs at its launch, ``supply`` otherwise -- a
reuse run placed outside the lent region reads as ``supply``. A stream that is one ``REPEAT`` (a long program)
gives the schedule of its body; :func:`repetition` gives the count and the period.

Examples:
    >>> from magicpipe.compiler import Pipeline
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> from magicpipe.lattice import build_stream
    >>> s = pareto_front(Pipeline.from_distances((5, 17))).min_volume().schedule
    >>> back = schedule_from_stream(build_stream(s))
    >>> back.tops == s.tops, back.takes == s.takes, back.stalls == s.stalls, back.rounds
    (True, True, True, 242)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from magicpipe.compiler.allocator import Allocation, Producer
from magicpipe.compiler.errormodel import PAPER, ErrorModel
from magicpipe.compiler.hardware import Hardware
from magicpipe.compiler.pareto import level_producer
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.protocols import get_protocol
from magicpipe.compiler.schedule import Run, Schedule, Stall, Take, TopRun
from magicpipe.errors import SpecError
from magicpipe.lattice.stream import PROGRAM, Header, Instruction, Stream

__all__ = ["schedule_from_stream", "pipeline_of", "repetition", "body"]

_NONE = Allocation(0, (), 0, 0)


def pipeline_of(header: Header, model: ErrorModel | None = None) -> Pipeline:
    """The pipeline a stream's header describes, under ``model`` (default the paper's: the header names none)."""
    hw = Hardware(p=header.p, eps=header.eps, t_2q_ns=header.t_2q_ns, t_meas_ns=header.t_meas_ns,
                  model=model or PAPER)
    return Pipeline.from_distances(header.distances, hw, get_protocol(header.protocol))


def repetition(stream: Stream) -> tuple[int, int] | None:
    """``(count, period)`` of a stream that is one ``REPEAT`` (and its ``TALLY``), else None."""
    repeats = [i for i in stream.instructions if i.action == "REPEAT"]
    if not repeats:
        return None
    if len(repeats) > 1 or any(i.action not in ("REPEAT", "TALLY") for i in stream.instructions):
        raise SpecError(f"the stream has {len(repeats)} REPEAT blocks beside other instructions; the report reads "
                        f"a stream that is either flat or a single REPEAT with its TALLY")
    return repeats[0].count, repeats[0].period


def body(stream: Stream) -> tuple[Instruction, ...]:
    """The instructions of one period: the stream's own, or its single ``REPEAT``'s body."""
    if repetition(stream) is None:
        return stream.instructions
    return next(i for i in stream.instructions if i.action == "REPEAT").body


def _index(name: str, prefix: str) -> int:
    try:
        return int(name[len(prefix):])
    except ValueError:
        raise SpecError(f"factory name {name!r}: the report reads the emitter's names {prefix}<number>") from None


def schedule_from_stream(stream: Stream, model: ErrorModel | None = None) -> Schedule:
    """The schedule behind ``stream`` (see the module docstring for what is filled in), under ``model``.

    Raises:
        SpecError: the stream is not a two-level pipeline, names factories otherwise than ``L<run>`` and
            ``H<k>``, or has no top-level execution.
    """
    h = stream.header
    if len(h.distances) != 2:
        raise SpecError(f"the stream's pipeline has distances {h.distances}; streams are two-level")
    pipe = pipeline_of(h, model)
    high, producer = pipe.levels[-1].factory, level_producer(pipe, 1)
    insts = body(stream)
    tops = _tops(insts)
    if not tops:
        raise SpecError("the stream launches no top-level execution (no LAUNCH H<k>)")
    takes = _takes(insts)
    first = sum(k.count for k in takes if k.top == 0 and k.time == tops[0].launch)
    runs = _runs(insts, producer, tops)
    return Schedule(high, (producer,), h.qubit_budget, h.buffer_slots, h.slot_qubits, first, _NONE, _NONE,
                    runs, tops, takes, _stalls(insts), h.move_rounds, None)


def _tops(insts: Sequence[Instruction]) -> tuple[TopRun, ...]:
    launch: dict[int, int] = {}
    out: list[TopRun] = []
    for i in insts:
        if not i.target.startswith("H") or "." in i.target:
            continue
        k = _index(i.target, "H")
        if i.action == "LAUNCH":
            launch[k] = i.time
        elif ((i.action == "OUTPUT" and i.peer == PROGRAM) or (i.action == "DISCARD" and i.reason == "failed")) and (
            k in launch and all(t.index != k for t in out)
        ):
            out.append(TopRun(k, launch[k], i.time, i.action == "OUTPUT"))
    return tuple(sorted(out, key=lambda t: t.index))


def _running_top(t: int, tops: Sequence[TopRun]) -> bool:
    return any(x.launch <= t < x.end for x in tops)


def _runs(insts: Sequence[Instruction], producer: Producer, tops: Sequence[TopRun]) -> tuple[Run, ...]:
    borrowed = {name for i in insts if i.action == "REUSE" for name in i.lent_to}
    started: dict[int, tuple[int, str]] = {}
    ended: dict[int, list[int]] = {}  # id -> [end, success (0/1), outputs, discarded]
    for i in insts:
        if not i.target.startswith("L"):
            continue
        k = _index(i.target, "L")
        if i.action == "LAUNCH":
            role = "reuse" if i.target in borrowed else ("supply" if _running_top(i.time, tops) else "fill")
            started[k] = (i.time, role)
        elif i.action in ("OUTPUT", "DISCARD"):
            e = ended.setdefault(k, [i.time, True, 0, 0])
            if i.action == "OUTPUT":
                e[2] += 1
            elif i.reason == "failed":
                e[1] = False
            else:
                e[2] += i.count
                e[3] += i.count
    missing = sorted(set(started) - set(ended))
    if missing:
        raise SpecError(f"low-level runs {[f'L{k}' for k in missing[:5]]} launch but never yield nor discard")
    return tuple(Run(k, 0, started[k][0], ended[k][0], producer.qubits, started[k][1], -1, bool(ended[k][1]),
                     ended[k][2], ended[k][3]) for k in sorted(started))


def _takes(insts: Sequence[Instruction]) -> tuple[Take, ...]:
    groups: dict[object, list[int]] = {}
    for i in insts:
        if i.action != "CONSUME":
            continue
        key = i.trace.index if i.trace is not None else (i.time, i.target, i.step)
        g = groups.setdefault(key, [i.time, _index(i.target, "H"), i.step, 0])
        g[3] += 1
    return tuple(Take(*g) for g in sorted(groups.values(), key=lambda g: (g[0], g[1], g[2])))


def _stalls(insts: Sequence[Instruction]) -> tuple[Stall, ...]:
    out: list[Stall] = []
    open_: dict[str, Stall] = {}
    for i in insts:
        if i.action == "STALL":
            if i.target in open_:  # a reuse cycle ended short of states: the same step stalls again
                out.append(dataclasses.replace(open_.pop(i.target), end=i.time, resumed=False))
            open_[i.target] = Stall(_index(i.target, "H"), i.step, i.time, -1, i.reuse, i.threshold, i.remaining)
        elif i.action == "REUSE" and i.target in open_:
            open_[i.target] = dataclasses.replace(open_[i.target], moved_out=i.time)
        elif i.action == "RECLAIM" and i.target in open_:
            open_[i.target] = dataclasses.replace(open_[i.target], reclaimed=i.time)
        elif i.action == "RESUME" and i.target in open_:
            out.append(dataclasses.replace(open_.pop(i.target), end=i.time))
    if open_:
        raise SpecError(f"stalls of {sorted(open_)} never resume")
    return tuple(sorted(out, key=lambda s: (s.start, s.top)))
