"""JSON export of a stream: plain dicts and lists, only the operands each instruction uses.

Rectangles are ``[x, y, w, h]``, tiles ``[x, y]``, a trace ``["run", 17]``; a REPEAT's ``body`` nests.
:func:`from_json` reads the export back to an equal stream.

Examples:
    >>> from magicpipe.lattice.stream import Instruction, Trace
    >>> instruction_to_json(Instruction(55, "OUTPUT", "L4", slot=0, trace=Trace("run", 4)))
    {'time': 55, 'action': 'OUTPUT', 'target': 'L4', 'slot': 0, 'trace': ['run', 4]}
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from magicpipe.lattice.geometry import Rect, Tile
from magicpipe.lattice.stream import Header, Instruction, Region, Stream, Tally, Trace

__all__ = ["to_json", "from_json", "dumps", "loads", "instruction_to_json"]

_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Instruction) if f.default is not dataclasses.MISSING}


def _value(v: Any) -> Any:
    if isinstance(v, Rect):
        return [v.x, v.y, v.w, v.h]
    if isinstance(v, Tile):
        return [v.x, v.y]
    if isinstance(v, Trace):
        return [v.kind, v.index]
    if isinstance(v, Tally):
        return {**dataclasses.asdict(v), "left": list(v.left)}
    if isinstance(v, Instruction):
        return instruction_to_json(v)
    if isinstance(v, tuple):
        return [_value(x) for x in v]
    return v


def instruction_to_json(inst: Instruction) -> dict:
    """The fields of ``inst`` that differ from their defaults (time and action always)."""
    out = {"time": inst.time, "action": inst.action}
    for name, default in _DEFAULTS.items():
        if name == "line":
            continue
        v = getattr(inst, name)
        if v != default:
            out[name] = _value(v)
    return out


def to_json(stream: Stream) -> dict:
    h = stream.header
    head = {f.name: getattr(h, f.name) for f in dataclasses.fields(Header) if f.name not in ("regions", "slots")}
    head["distances"] = list(h.distances)
    head["regions"] = [{"name": r.name, "rect": _value(r.rect), "distance": r.distance} for r in h.regions]
    head["slots"] = [_value(s) for s in h.slots]
    return {
        "format": "magicpipe-lsi",
        "header": head,
        "instructions": [instruction_to_json(i) for i in stream.instructions],
    }


def _instruction(d: dict) -> Instruction:
    kw = dict(d)
    if "region" in kw:
        kw["region"] = Rect(*kw["region"])
    if "tiles" in kw:
        kw["tiles"] = tuple(Tile(*t) for t in kw["tiles"])
    if "trace" in kw:
        kw["trace"] = Trace(*kw["trace"])
    if "tally" in kw:
        kw["tally"] = Tally(**{**kw["tally"], "left": tuple(kw["tally"]["left"])})
    if "body" in kw:
        kw["body"] = tuple(_instruction(b) for b in kw["body"])
    for name in ("lent_to", "paulis"):
        if name in kw:
            kw[name] = tuple(kw[name])
    return Instruction(**kw)


def from_json(data: dict) -> Stream:
    h = dict(data["header"])
    h["distances"] = tuple(h["distances"])
    h["regions"] = tuple(Region(r["name"], Rect(*r["rect"]), r["distance"]) for r in h["regions"])
    h["slots"] = tuple(Rect(*s) for s in h["slots"])
    return Stream(Header(**h), tuple(_instruction(i) for i in data["instructions"]))


def dumps(stream: Stream, **kwargs: Any) -> str:
    return json.dumps(to_json(stream), **kwargs)


def loads(text: str) -> Stream:
    return from_json(json.loads(text))
