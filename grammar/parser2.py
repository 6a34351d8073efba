"""Reading version-2 (whole-program) streams line by line, and any stream by its version.

:func:`read_program` takes an iterable of lines and returns the header and a *generator* of operations, so
``magicpipe check`` validates a stream while reading it: memory holds the header, the current REPEAT body and
the replay's state, never the whole file. Each line is parsed with the Lark grammar ``stream_v2.lark`` (start
symbol ``line``); a ``UNIT`` block's lines are a version-1 stream, parsed when the validator checks the unit.

Examples:
    >>> from magicpipe.lattice.whole import ProgramLayout, program_stream2, unit_one_level
    >>> s = program_stream2(ProgramLayout(2, 9), unit_one_level("15-to-1", 5), 2, [(0, 3, 2, 9)])
    >>> parse_program(str(s)) == s
    True
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import re
from collections.abc import Iterable, Iterator

from magicpipe.lattice.geometry import Rect, Tile
from magicpipe.lattice.stream2 import (
    Bus,
    Copy,
    DataPatch,
    Op,
    Port,
    ProgramHeader,
    ProgramStream,
    Segment,
    Term,
    Unit,
)

from magicpipe.errors import MagicpipeError, ParseError

__all__ = ["CONVERT_HINT", "GRAMMAR_FILE_V2", "parse_program", "read_program", "stream_version"]

GRAMMAR_FILE_V2 = "stream_v2.lark"
MAX_DEPTH = 50
"""Deepest nesting of REPEAT blocks a reader accepts (a writer needs one level per periodic stretch)."""
CONVERT_HINT = ("version 1 is the stream of one pipeline (magicpipe pipeline); version 2 the whole program "
                "(magicpipe compile); regenerate the file with the magicpipe that reads it")


def _transformer():
    from lark import Transformer, v_args

    @v_args(inline=True)
    class _T(Transformer):
        INT = int
        NUMBER = float
        WORD = PROTOCOL = SIDE = ANGLE = REG = CONDREG = str

        def COPY(self, tok):
            return int(tok[1:])

        def TERM(self, tok):
            return _term(str(tok))

        def start(self, x):
            return x

        def line(self, x):
            return x

        def header_line(self, x):
            return x

        def close(self):
            return ("close",)

        def version(self, v):
            return ("version", v)

        def mode_nominal(self):
            return ("mode", "nominal", 0)

        def mode_trace(self, seed):
            return ("mode", "trace", seed)

        def hardware(self, *v):
            return ("hardware", v)

        def program(self, t, n, d, ccz):
            return ("program", t, n, d, ccz or 0)

        def budget(self, q):
            return ("budget", q)

        def floorplan(self, w, h):
            return ("floorplan", w, h)

        def setting(self, k, v):
            return (str(k), str(v))

        def policy(self, *settings):
            return ("policy", tuple(settings))

        def timeline(self, start, layers, states, rounds, ccz):
            return ("timeline", Segment(start, layers, states, rounds, ccz or 0))

        def data(self, k, tile, d, a, b):
            return ("data", DataPatch(k, tile, d, (a, b)))

        def bus(self, k, rect, d):
            return ("bus", Bus(k, rect, d))

        def port(self, k, tile, d, cap, lanes, a, b):
            return ("port", Port(k, tile, d, cap, (a, b), lanes if lanes is not None else 1))

        def unit_open(self, name, protocol, *rest):
            *dist, w, h, q, rounds, outs, out, checks = rest
            return ("unit", dict(name=str(name), protocol=protocol, distances=tuple(dist), width=w, height=h,
                                 qubits=q, rounds=rounds, outputs=outs, output=out, checks=checks))

        def copy(self, k, unit, origin, port, route):
            return ("copy", Copy(k, str(unit), origin, port, route))

        def op_line(self, time, cond, op, outcome):
            kind, kw = op
            kw = dict(kw, time=int(time[1:]))
            if cond is not None:
                kw["cond"] = cond
            if outcome is not None:
                kw["outcome"] = outcome
            return (kind, kw)

        def cond(self, reg, value):
            return (str(reg), value)

        def outcome(self, v):
            return v

        def run(self, c):
            return "op", dict(action="RUN", copy=c)

        def decide(self, c, reg, checks, attempts):
            return "op", dict(action="DECIDE", copy=c, reg=str(reg), checks=checks, attempts=attempts or 0)

        def output(self, c, port, rounds, count):
            return "op", dict(action="OUTPUT", copy=c, port=port, rounds=rounds, count=count or 0)

        def discard(self, c, count, reason):
            return "op", dict(action="DISCARD", copy=c, count=count, reason=str(reason))

        def layer(self, states, ccz):
            return "op", dict(action="LAYER", states=states, ccz=ccz or 0)

        def measure(self, reg, *rest):
            *terms, rounds, via = rest
            return "op", dict(action="MEASURE", reg=str(reg), terms=tuple(terms), rounds=rounds, via=via)

        def rotate(self, *rest):
            *terms, angle = rest
            return "op", dict(action="ROTATE", terms=tuple(terms), angle=str(angle))

        def frame(self, *terms):
            return "op", dict(action="FRAME", terms=tuple(terms))

        def repeat_open(self, count, period):
            return "repeat", dict(count=count, period=period)

        def tally(self, *v):
            return "op", dict(action="TALLY", tally=tuple(x for x in v[:6]) + tuple(x for x in v[6:] if x is not None))

        def rect(self, *v):
            return Rect(*v)

        def tile(self, x, y):
            return Tile(x, y)

        def tiles(self, *items):
            return tuple(i for i in items if i is not None)

    return _T()


@functools.lru_cache(maxsize=1)
def _parser():
    from lark import Lark

    text = importlib.resources.files("magicpipe.grammar").joinpath(GRAMMAR_FILE_V2).read_text()
    return Lark(text, parser="lalr", maybe_placeholders=True, transformer=_transformer())


_TERM = r"[XYZ]:[qp][0-9]+(?:\.[0-9]+)?(?:@(?:left|right|top|bottom))?"
_REG = r"[azx][0-9]+(?:\.[0-9]+)?"
_FAST = re.compile(
    r"@(?P<time>[0-9]+)(?: IF (?P<reg>" + _REG + r"(?:&" + _REG + r")*)=(?P<val>[0-9]+))? (?:"
    r"RUN C(?P<run>[0-9]+)"
    r"|DECIDE C(?P<dc>[0-9]+) reg=(?P<dreg>[azx][0-9]+) checks=(?P<checks>[0-9]+)(?: attempts=(?P<att>[0-9]+))?"
    r"|OUTPUT C(?P<oc>[0-9]+) port=(?P<port>[0-9]+) rounds=(?P<orounds>[0-9]+)(?: count=(?P<ocount>[0-9]+))?"
    r"|DISCARD C(?P<xc>[0-9]+) count=(?P<count>[0-9]+) reason=(?P<reason>[A-Za-z_][A-Za-z0-9_-]*)"
    r"|LAYER states=(?P<states>[0-9]+)(?: ccz=(?P<lccz>[0-9]+))?"
    r"|MEASURE (?P<mreg>" + _REG + r")(?P<mterms>(?: " + _TERM + r")+) rounds=(?P<mrounds>[0-9]+)"
    r"(?: via=\((?P<vx>[0-9]+),(?P<vy>[0-9]+),(?P<vw>[0-9]+),(?P<vh>[0-9]+)\))?"
    r"|ROTATE(?P<rterms>(?: " + _TERM + r")+) angle=(?P<angle>-?pi/[0-9]+)"
    r"|FRAME(?P<fterms>(?: " + _TERM + r")+)"
    r")(?: outcome=(?P<outcome>[0-9]+))?")


def _term(text: str) -> Term:
    body, _, side = text.partition("@")
    index, _, lane = body[3:].partition(".")
    return Term(body[0], body[2], int(index), side, int(lane) if lane else -1)


def _fast(text: str):
    """The common operation lines without Lark (a strict subset of the grammar; anything else goes to Lark)."""
    m = _FAST.fullmatch(text)
    if m is None:
        return None
    g = m.groupdict()
    kw: dict = {"time": int(g["time"])}
    if g["run"] is not None:
        kw.update(action="RUN", copy=int(g["run"]))
    elif g["dc"] is not None:
        kw.update(action="DECIDE", copy=int(g["dc"]), reg=g["dreg"], checks=int(g["checks"]),
                  attempts=int(g["att"] or 0))
    elif g["oc"] is not None:
        kw.update(action="OUTPUT", copy=int(g["oc"]), port=int(g["port"]), rounds=int(g["orounds"]),
                  count=int(g["ocount"] or 0))
    elif g["xc"] is not None:
        kw.update(action="DISCARD", copy=int(g["xc"]), count=int(g["count"]), reason=g["reason"])
    elif g["states"] is not None:
        kw.update(action="LAYER", states=int(g["states"]), ccz=int(g["lccz"] or 0))
    elif g["mreg"] is not None:
        via = None if g["vx"] is None else Rect(int(g["vx"]), int(g["vy"]), int(g["vw"]), int(g["vh"]))
        kw.update(action="MEASURE", reg=g["mreg"], terms=tuple(map(_term, g["mterms"].split())),
                  rounds=int(g["mrounds"]), via=via)
    elif g["rterms"] is not None:
        kw.update(action="ROTATE", terms=tuple(map(_term, g["rterms"].split())), angle=g["angle"])
    else:
        kw.update(action="FRAME", terms=tuple(map(_term, g["fterms"].split())))
    if g["reg"] is not None:
        kw["cond"] = (g["reg"], int(g["val"]))
    if g["outcome"] is not None:
        kw["outcome"] = int(g["outcome"])
    return ("op", kw)


# The header's most frequent line (one per stretch of the demand timeline) without Lark; others go to Lark.
_FAST_TIMELINE = re.compile(
    r"TIMELINE start=([0-9]+) layers=([0-9]+) states=([0-9]+) rounds=([0-9]+)(?: ccz=([0-9]+))?")


def _parse_line(text: str, number: int):
    from lark.exceptions import UnexpectedInput

    if text.startswith("@"):
        got = _fast(text)
        if got is not None:
            return got
    elif text.startswith("TIMELINE"):
        m = _FAST_TIMELINE.fullmatch(text)
        if m is not None:
            start, layers, states, rounds, ccz = m.groups()
            return ("timeline", Segment(int(start), int(layers), int(states), int(rounds), int(ccz or 0)))
    try:
        return _parser().parse(text)
    except UnexpectedInput as e:
        column = getattr(e, "column", 0) or 0
        token = getattr(e, "token", None)
        what = (
            "end of line"
            if token is not None and token.type == "$END"
            else repr(str(token) if token is not None else text[column - 1 : column])
        )
        expected = sorted(getattr(e, "expected", None) or getattr(e, "allowed", None) or ())
        hint = f"; expected {' or '.join(expected[:10])}" if expected else ""
        raise ParseError(f"unexpected {what}{hint}", number, column, text) from None
    except (MagicpipeError, ValueError, TypeError) as e:
        raise ParseError(str(e), number, 1, text) from None


def _strip(line: str) -> str:
    return line.split("#", 1)[0].strip()


def stream_version(lines: Iterable[str]) -> int:
    """The format version named by the first statement (``MAGICPIPE_LSI v``).

    Raises:
        ParseError: the first statement is not a version line.
    """
    for number, raw in enumerate(lines, start=1):
        text = _strip(raw)
        if not text:
            continue
        parts = text.split()
        if len(parts) == 2 and parts[0] == "MAGICPIPE_LSI" and parts[1].isdigit():
            return int(parts[1])
        raise ParseError("a stream starts with MAGICPIPE_LSI and its format version", number, 1, raw.rstrip("\n"))
    raise ParseError("the file is empty: a stream starts with MAGICPIPE_LSI and its format version", 1, 1, "")


class _Lines:
    """Numbered, comment-stripped, non-blank lines, with one line of push-back."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.it = iter(lines)
        self.n = 0
        self.back: tuple[int, str, str] | None = None

    def next(self) -> tuple[int, str, str] | None:
        if self.back is not None:
            b, self.back = self.back, None
            return b
        for raw in self.it:
            self.n += 1
            raw = raw.rstrip("\r\n")
            text = _strip(raw)
            if text:
                return self.n, text, raw
        return None


def read_program(lines: Iterable[str]) -> tuple[ProgramHeader, Iterator[Op], dict]:
    """The header, a generator of the operations, and the header's line numbers (text -> line).

    Raises:
        ParseError: a line breaks the grammar (line, column, caret), the header is incomplete or out of
            order, or the file is of another version (with how to convert it).
    """
    src = _Lines(lines)
    fields: dict = {"timeline": [], "data": [], "bus": [], "port": [], "unit": [], "copy": []}
    where: dict[str, int] = {}
    first = None
    while True:
        item = src.next()
        if item is None:
            break
        number, text, raw = item
        if text.startswith("@"):
            first = item
            break
        got = _parse_line(text, number)
        kind = got[0]
        where[text] = number
        if kind == "version":
            if got[1] != 2:
                raise ParseError(f"stream format version {got[1]} is read by magicpipe.grammar.parse; "
                                 f"{CONVERT_HINT}", number, 1, raw)
            fields["version"] = 2
            fields["line"] = number
        elif "version" not in fields:
            raise ParseError("a stream starts with MAGICPIPE_LSI 2", number, 1, raw)
        elif kind == "unit":
            body = []
            while True:
                nxt = src.next()
                if nxt is None:
                    raise ParseError(f"UNIT {got[1]['name']} is not closed by a line '}}'", number, 1, raw)
                if nxt[1] == "}":
                    break
                body.append(nxt[2].strip())
            fields["unit"].append(Unit(**got[1], text="\n".join(body)))
        elif kind in ("timeline", "data", "bus", "port", "copy"):
            fields[kind].append(got[1])
        elif kind in ("mode", "hardware", "program", "budget", "floorplan", "policy"):
            if kind in fields:
                raise ParseError(f"a second {kind.upper()} line", number, 1, raw)
            fields[kind] = got[1:]
        else:
            raise ParseError("an operation or '}' inside the header", number, 1, raw)
    for need in ("version", "mode", "hardware", "program", "budget", "floorplan", "policy"):
        if need not in fields:
            raise ParseError(f"the header has no {need.upper() if need != 'version' else 'MAGICPIPE_LSI'} line",
                             src.n, 1, "")
    mode, seed = fields["mode"]
    t_count, n, d, ccz = fields["program"]
    header = ProgramHeader(mode, seed, *fields["hardware"][0], t_count, d, fields["budget"][0], *fields["floorplan"],
                           policy=fields["policy"][0], timeline=tuple(fields["timeline"]), data=tuple(fields["data"]),
                           buses=tuple(fields["bus"]), ports=tuple(fields["port"]), units=tuple(fields["unit"]),
                           copies=tuple(fields["copy"]), data_count=n, line=fields["line"], ccz_count=ccz)
    if first is not None:
        src.back = first
    return header, _ops(src, depth=0), where


def _ops(src: _Lines, depth: int) -> Iterator[Op]:
    while True:
        item = src.next()
        if item is None:
            if depth:
                raise ParseError("a REPEAT block is not closed by a line '}'", src.n, 1, "")
            return
        number, text, raw = item
        got = _parse_line(text, number)
        kind = got[0]
        if kind == "close":
            if not depth:
                raise ParseError("'}' closes no REPEAT", number, 1, raw)
            return
        if kind == "repeat":
            kw = got[1]
            if depth >= MAX_DEPTH:
                raise ParseError(f"REPEAT blocks nest at most {MAX_DEPTH} deep", number, 1, raw)
            body = tuple(_ops(src, depth + 1))
            yield Op(kw["time"], "REPEAT", count=kw["count"], period=kw["period"], body=body, line=number,
                     cond=kw.get("cond"))
        elif kind == "op":
            yield Op(line=number, **got[1])
        else:
            raise ParseError(f"a {kind.upper()} header line among the operations", number, 1, raw)


def parse_program(text: str) -> ProgramStream:
    """Parse a whole version-2 stream into memory (tests, small files)."""
    header, ops, _ = read_program(text.splitlines())
    return ProgramStream(header, tuple(ops))


def open_program(path: str | os.PathLike):
    """``(header, operations, header line numbers, file)``: the caller closes the file when done."""
    f = open(path, encoding="utf-8")  # noqa: SIM115 (returned open: the caller closes it)
    try:
        header, ops, where = read_program(f)
    except BaseException:
        f.close()
        raise
    return header, ops, where, f
