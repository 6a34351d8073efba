"""JSON Lines export of version-2 streams, for backends that do not parse text.

One JSON object per line, each with a ``kind``: ``header`` first, then ``timeline``, ``data``, ``bus``,
``port``, ``unit`` (its version-1 stream as ``text``) and ``copy`` records, then one ``op`` record per
operation in stream order; a REPEAT is an ``op`` record with ``count`` and ``period`` followed by its body's
records and an ``end`` record. Rectangles are ``[x, y, w, h]``, tiles ``[x, y]``, Pauli terms their text
(``"Z:q3@top"``), a condition ``[register, value]``. Every line validates against the JSON Schema shipped in
the package (``stream_v2.schema.json``, :func:`schema`).

Examples:
    >>> from magicpipe.lattice.whole import ProgramLayout, emit_program, unit_one_level
    >>> head, ops = emit_program(ProgramLayout(2, 9), unit_one_level("15-to-1", 5), 2, [(0, 3, 2, 9)])
    >>> lines = list(to_jsonl(head, ops))
    >>> lines[-1]
    '{"kind": "op", "t": 220, "op": "TALLY", "tally": [6, 6, 0, 6, 0, 6]}'
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import json
from collections.abc import Iterable, Iterator

from magicpipe.lattice.geometry import Rect, Tile
from magicpipe.lattice.stream2 import (
    TALLY_FIELDS,
    Bus,
    Copy,
    DataPatch,
    Op,
    Port,
    ProgramHeader,
    Segment,
    Term,
    Unit,
)

from magicpipe.errors import ParseError

__all__ = ["SCHEMA_FILE", "from_jsonl", "schema", "to_jsonl"]

SCHEMA_FILE = "stream_v2.schema.json"
_OP_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Op) if f.default is not dataclasses.MISSING}


def _term(t: Term) -> str:
    return str(t)


def _parse_term(s: str) -> Term:
    body, _, side = s.partition("@")
    index, _, lane = body[3:].partition(".")
    return Term(body[0], body[2], int(index), side, int(lane) if lane else -1)


def _op(op: Op) -> dict:
    out: dict = {"kind": "op", "t": op.time, "op": op.action}
    for name, default in _OP_DEFAULTS.items():
        if name in ("line", "body", "time", "action"):
            continue
        v = getattr(op, name)
        if v == default:
            continue
        if name == "terms":
            v = [_term(t) for t in v]
        elif name == "via":
            v = [v.x, v.y, v.w, v.h]
        elif name in ("cond", "tally"):
            v = list(v)
        out[name] = v
    return out


def _ops(ops: Iterable[Op]) -> Iterator[dict]:
    for op in ops:
        yield _op(op)
        if op.action == "REPEAT":
            yield from _ops(op.body)
            yield {"kind": "end"}


def to_jsonl(header: ProgramHeader, ops: Iterable[Op]) -> Iterator[str]:
    """The stream as JSON lines (lazily)."""
    h = header
    head = {"kind": "header", "version": 2, "mode": h.mode, "seed": h.seed, "p": h.p, "eps": h.eps,
            "t_2q_ns": h.t_2q_ns, "t_meas_ns": h.t_meas_ns, "t_count": h.t_count,
            "data": len(h.data) if h.data_count < 0 else h.data_count, "d": h.data_distance,
            "qubits": h.qubit_budget, "width": h.width, "height": h.height, "policy": dict(h.policy)}
    if h.ccz_count:
        head["ccz_count"] = h.ccz_count
    yield json.dumps(head)
    for s in h.timeline:
        seg = dataclasses.asdict(s)
        if not s.ccz:
            del seg["ccz"]
        yield json.dumps({"kind": "timeline", **seg})
    for p in h.data:
        yield json.dumps({"kind": "data", "index": p.index, "tile": [p.tile.x, p.tile.y], "d": p.d, "z": list(p.z)})
    for b in h.buses:
        r = b.rect
        yield json.dumps({"kind": "bus", "index": b.index, "rect": [r.x, r.y, r.w, r.h], "d": b.d})
    for p in h.ports:
        port = {"kind": "port", "index": p.index, "tile": [p.tile.x, p.tile.y], "d": p.d, "capacity": p.capacity}
        if p.lanes != 1:
            port["lanes"] = p.lanes
        yield json.dumps({**port, "z": list(p.z)})
    for u in h.units:
        yield json.dumps({"kind": "unit", "name": u.name, "protocol": u.protocol, "distances": list(u.distances),
                          "size": [u.width, u.height], "qubits": u.qubits, "rounds": u.rounds, "outputs": u.outputs,
                          "output": [u.output.x, u.output.y], "checks": u.checks, "text": u.text})
    for c in h.copies:
        yield json.dumps({"kind": "copy", "index": c.index, "unit": c.unit, "origin": [c.origin.x, c.origin.y],
                          "port": c.port, "route": [[t.x, t.y] for t in c.route]})
    for rec in _ops(ops):
        yield json.dumps(rec)


def _from_op(d: dict) -> dict:
    kw = {k: v for k, v in d.items() if k not in ("kind", "t", "op")}
    kw["time"], kw["action"] = d["t"], d["op"]
    if "terms" in kw:
        kw["terms"] = tuple(_parse_term(t) for t in kw["terms"])
    if "via" in kw:
        kw["via"] = Rect(*kw["via"])
    if "cond" in kw:
        kw["cond"] = tuple(kw["cond"])
    if "tally" in kw:
        if len(kw["tally"]) not in (len(TALLY_FIELDS), len(TALLY_FIELDS) + 1):
            raise ParseError(f"a TALLY has {len(TALLY_FIELDS)} counts ({', '.join(TALLY_FIELDS)}) and "
                             f"delivered_ccz in a stream with CCZ states")
        kw["tally"] = tuple(kw["tally"])
    return kw


def from_jsonl(lines: Iterable[str]) -> tuple[ProgramHeader, Iterator[Op]]:
    """Read a JSON Lines export back: the header and a generator of operations.

    Raises:
        ParseError: a line is not JSON, or records come out of order.
    """
    it = iter(enumerate(lines, start=1))
    recs: dict = {k: [] for k in ("timeline", "data", "bus", "port", "unit", "copy")}
    head = None
    pending = None
    for n, line in it:
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise ParseError(f"not JSON: {e.msg}", n, e.colno, line.rstrip()) from None
        kind = d.get("kind")
        if head is None:
            if kind != "header" or d.get("version") != 2:
                raise ParseError("the first record is the header of version 2", n, 1, line.rstrip())
            head = d
            continue
        if kind in ("op", "end"):
            pending = (n, d)
            break
        if kind not in recs:
            raise ParseError(f"unknown record kind {kind!r}", n, 1, line.rstrip())
        recs[kind].append(d)
    if head is None:
        raise ParseError("no header record")
    header = ProgramHeader(
        head["mode"], head["seed"], head["p"], head["eps"], head["t_2q_ns"], head["t_meas_ns"], head["t_count"],
        head["d"], head["qubits"], head["width"], head["height"], policy=tuple(head["policy"].items()),
        timeline=tuple(Segment(r["start"], r["layers"], r["states"], r["rounds"], r.get("ccz", 0))
                       for r in recs["timeline"]),
        data=tuple(DataPatch(r["index"], Tile(*r["tile"]), r["d"], tuple(r["z"])) for r in recs["data"]),
        buses=tuple(Bus(r["index"], Rect(*r["rect"]), r["d"]) for r in recs["bus"]),
        ports=tuple(Port(r["index"], Tile(*r["tile"]), r["d"], r["capacity"], tuple(r["z"]), r.get("lanes", 1))
                    for r in recs["port"]),
        units=tuple(Unit(r["name"], r["protocol"], tuple(r["distances"]), *r["size"], r["qubits"], r["rounds"],
                         r["outputs"], Tile(*r["output"]), r["checks"], r["text"]) for r in recs["unit"]),
        copies=tuple(Copy(r["index"], r["unit"], Tile(*r["origin"]), r["port"], tuple(Tile(*t) for t in r["route"]))
                     for r in recs["copy"]),
        data_count=head["data"], ccz_count=head.get("ccz_count", 0))

    def records() -> Iterator[tuple[int, dict]]:
        if pending is not None:
            yield pending
        for n, line in it:
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as e:
                    raise ParseError(f"not JSON: {e.msg}", n, e.colno, line.rstrip()) from None

    return header, _read_ops(records(), 0)


def _read_ops(recs: Iterator[tuple[int, dict]], depth: int) -> Iterator[Op]:
    for n, d in recs:
        if d.get("kind") == "end":
            if not depth:
                raise ParseError("an end record closes no REPEAT", n)
            return
        kw = _from_op(d)
        if kw["action"] == "REPEAT":
            kw["body"] = tuple(_read_ops(recs, depth + 1))
        yield Op(line=n, **kw)
    if depth:
        raise ParseError("a REPEAT has no end record")


@functools.lru_cache(maxsize=1)
def schema() -> dict:
    """The JSON Schema of one line of the export."""
    return json.loads(importlib.resources.files("magicpipe.grammar").joinpath(SCHEMA_FILE).read_text())
