"""The validator's rules for CCZ states (:mod:`magicpipe.lattice.check2`, :mod:`magicpipe.lattice.ccz`).

A CCZ consumption at port ``p`` (``lanes=3``): each lane ``j`` is merged once (``MEASURE zp.j Z:q@side
Z:pp.j@side``, ``d`` rounds, via a bus) with a data patch of its own, the first merge taking the port's oldest
state as a T merge does; each lane is read out in X (``MEASURE xp.j X:pp.j rounds=1``) as its merge ends; once
every lane is read, the corrections of :func:`~magicpipe.lattice.ccz.ccz_corrections` for the lanes' data
patches are due, each once, after the last readout: in a nominal stream all of them, each ``IF`` its register
(or ``&``-product of registers) ``=1``; in a trace exactly those whose condition the trace's outcomes make 1,
without ``IF``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataclasses import dataclass, field

from magicpipe.lattice.ccz import LANES, ccz_corrections, holds
from magicpipe.lattice.geometry import Rect
from magicpipe.lattice.stream2 import Op, Port, Term

if TYPE_CHECKING:
    from magicpipe.lattice.check2 import Broken2, Replay2

__all__ = ["CczUse", "ccz_correction", "merge_lane", "readout_lane"]


def _broken(rule: str, message: str) -> Broken2:
    from magicpipe.lattice.check2 import Broken2

    return Broken2(rule, message)


@dataclass
class CczUse:
    """A CCZ consumption in progress (the fields :class:`~magicpipe.lattice.check2.Replay2` reads of any
    consumption, and its lanes)."""

    q_terms: tuple[Any, ...]
    merge_end: int
    x_time: int = -1           # the last lane's readout (-1: not all read)
    z: int = -1
    x: int = -1
    need: set[str] = field(default_factory=set)   # the T consumptions' field, always empty here
    lane_q: dict[int, int] = field(default_factory=dict)
    lane_end: dict[int, int] = field(default_factory=dict)
    lane_read: dict[int, int] = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)
    pending: list[tuple[Any, ...]] = field(default_factory=list)

    def state(self, t0: int) -> tuple[Any, ...]:
        return (tuple(sorted(self.lane_q.items())), tuple(sorted((j, e - t0) for j, e in self.lane_end.items())),
                tuple(sorted((j, r - t0) for j, r in self.lane_read.items())),
                self.x_time - t0 if self.x_time >= 0 else None, tuple(sorted(self.pending)))

    def shift(self, by: int) -> None:
        self.merge_end += by
        if self.x_time >= 0:
            self.x_time += by
        self.lane_end = {j: e + by for j, e in self.lane_end.items()}
        self.lane_read = {j: r + by for j, r in self.lane_read.items()}


def merge_lane(r: Replay2, o: Op, port: Port, pt: Term, data: list[Term]) -> None:
    """One lane's merge of a CCZ consumption (module docstring)."""
    p, j = port.index, pt.lane
    if port.lanes != LANES or not 0 <= j < LANES:
        raise _broken("measurement", f"{pt}: port {p} has lanes={port.lanes}; a CCZ state's merge names one of its "
                                     f"{LANES} lanes (p{p}.0 .. p{p}.{LANES - 1}) at a port of lanes={LANES}")
    if len(data) != 1:
        raise _broken("measurement", f"{o.reg}: a lane of a CCZ state merges with one data patch")
    if o.reg != f"z{p}.{j}":
        r.defer(_broken("control", f"the merge with port {p}'s lane {j} writes register z{p}.{j}, not {o.reg}"))
    use = r.busy.get(p)
    if use is None:
        r.take(o, p, ccz=True)
        use = CczUse((), o.time + o.rounds)
        r.busy[p] = use
    elif not isinstance(use, CczUse) or j in use.lane_q:
        raise _broken("port-occupancy", f"port {p}'s lane {j} is merged twice in one consumption")
    if data[0].index in use.lane_q.values():
        raise _broken("measurement", f"data patch {data[0].index} takes two lanes of port {p}'s CCZ state: a CCZ "
                                     f"acts on three distinct data patches")
    end = r.place(o, port, pt, data, Rect.square(port.lane_tile(j), port.d))
    use.lane_q[j], use.lane_end[j] = data[0].index, end
    use.merge_end = max(use.lane_end.values())
    use.values[f"z{p}.{j}"] = o.outcome


def readout_lane(r: Replay2, o: Op, port: Port, pt: Term) -> None:
    """One lane's X readout; after the last one, the corrections are due."""
    p, j = port.index, pt.lane
    use = r.busy.get(p)
    if not isinstance(use, CczUse) or j not in use.lane_end or j in use.lane_read:
        raise _broken("measurement", f"port {p}'s lane {j} is read out in X at round {o.time} with no merge "
                                     f"before it")
    if pt.basis != "X" or o.rounds != 1 or o.reg != f"x{p}.{j}":
        raise _broken("measurement", f"the readout of port {p}'s lane {j} is MEASURE x{p}.{j} X:p{p}.{j} rounds=1")
    if o.time != use.lane_end[j]:
        r.defer(_broken("timing", f"port {p}'s lane {j} is read out at round {o.time}; its merge ends at round "
                                  f"{use.lane_end[j]}"))
    use.lane_read[j] = o.time
    use.values[f"x{p}.{j}"] = o.outcome
    if len(use.lane_read) < LANES:
        return
    use.x_time = o.time
    r.read_at[p] = o.time
    qs = tuple(use.lane_q[k] for k in range(LANES))
    use.q_terms = tuple(("Z", q) for q in qs)
    use.pending = [(cond, action, tuple((t.basis, t.index) for t in terms), angle)
                   for cond, action, terms, angle in ccz_corrections(p, qs)
                   if not r.trace or holds(cond, use.values)]
    if not use.pending:
        r.done(p)


def ccz_correction(r: Replay2, o: Op, kind: str) -> bool:
    """Take ``o`` as a correction of a CCZ consumption waiting for it; False if none is."""
    terms = tuple((t.basis, t.index) for t in o.terms if t.kind == "q")
    for p, use in r.busy.items():
        if not isinstance(use, CczUse) or use.x_time < 0:
            continue
        for k, (cond, action, want, angle) in enumerate(use.pending):
            if action != kind or want != terms or angle != o.angle or len(terms) != len(o.terms):
                continue
            if r.trace:
                if o.cond is not None:
                    r.defer(_broken("control", "a trace writes resolved corrections without IF"))
            elif o.cond != (cond, 1):
                continue
            if o.time < use.x_time + 1:
                raise _broken("timing", f"{kind} at round {o.time} before the readouts of port {p}'s CCZ state are "
                                        f"known (round {use.x_time + 1})")
            del use.pending[k]
            if not use.pending:
                r.done(p)
            return True
    return False
