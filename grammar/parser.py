"""Text to :class:`~magicpipe.lattice.stream.Stream`: the Lark grammar ``stream_v1.lark`` and its Transformer.

The grammar ships in the package and is compiled once, on first use (LALR, so a long stream parses in linear
time with the Transformer applied during the parse). Lark's errors come back as
:class:`~magicpipe.errors.ParseError` with the line, the column and a caret under the offending text.

Examples:
    >>> text = '''MAGICPIPE_LSI 1
    ... HARDWARE p=0.0001 eps=0.0001 t_2q_ns=50.0 t_meas_ns=100.0
    ... PIPELINE protocol=15-to-1 distances=5,17
    ... BUDGET qubits=9782 slots=1 slot_qubits=49 move_rounds=2
    ... FLOORPLAN width=105 height=51
    ... @0 LAUNCH L0 15-to-1 level=1 d=5 region=(0,0,25,15) run=0  # a comment
    ... '''
    >>> s = parse(text)
    >>> s.header.distances, str(s.instructions[0])
    ((5, 17), '@0 LAUNCH L0 15-to-1 level=1 d=5 region=(0,0,25,15) run=0')
    >>> parse(text.replace("level=1", "level=one"))
    Traceback (most recent call last):
    ...
    magicpipe.errors.ParseError: line 6, column 28: unexpected 'one'; expected an integer
        @0 LAUNCH L0 15-to-1 level=one d=5 region=(0,0,25,15) run=0  # a comment
                                   ^
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import os
from typing import TYPE_CHECKING

from magicpipe.errors import MagicpipeError, ParseError
from magicpipe.lattice.geometry import Rect, Tile
from magicpipe.lattice.stream import FORMAT_VERSION, Header, Instruction, Region, Stream, Tally, Trace

if TYPE_CHECKING:  # pragma: no cover
    from lark import Lark

__all__ = ["parse", "parse_file", "GRAMMAR_FILE"]

GRAMMAR_FILE = "stream_v1.lark"

_EXPECTED = {
    "INT": "an integer",
    "NUMBER": "a number",
    "NAME": "a name",
    "PATCH": "a patch such as H0.q1",
    "PROTOCOL": "a protocol name",
    "_NL": "the end of the line",
    "TRACE_KIND": "a trace (run=, top=, ...)",
    "REASON": "failed, full or flush",
    "PAULI": "a Pauli term such as Z3 or Xm",
    "YESNO": "yes or no",
    "TIME": "@ and a round",
}


def _transformer():
    from lark import Transformer, v_args

    @v_args(inline=True)
    class _ToStream(Transformer):
        INT = int
        NUMBER = float
        NAME = PROTOCOL = REASON = TRACE_KIND = str

        def YESNO(self, tok):
            return tok == "yes"

        def start(self, header, *instructions):
            return Stream(header, tuple(instructions))

        def header(self, version, hardware, pipeline, budget, floorplan, *rest):
            regions = tuple(r for r in rest if isinstance(r, Region))
            numbered = [r for r in rest if isinstance(r, tuple)]
            for position, (k, _) in enumerate(numbered):
                if k != position:
                    raise ValueError(f"SLOT {k} is listed where SLOT {position} belongs; list slots 0, 1, ... in order")
            slots = tuple(rect for _, rect in numbered)
            return Header(version, *hardware, *pipeline, *budget, *floorplan, regions, slots)

        def version(self, v):
            if v != FORMAT_VERSION:
                raise ValueError(
                    f"stream format version {v} is not supported; this magicpipe reads version {FORMAT_VERSION}"
                )
            return v

        def hardware(self, *values):
            return values

        def pipeline(self, protocol, *distances):
            return protocol, tuple(distances)

        def budget(self, *values):
            return values

        def floorplan(self, *values):
            return values

        def region(self, name, rect, d):
            return Region(name, rect, d)

        def slot(self, k, rect):
            return (k, rect)

        def instruction(self, time, inst):
            return Instruction(int(time[1:]), line=time.line, **inst)

        def repeat(self, time, count, period, *body):
            return Instruction(int(time[1:]), "REPEAT", count=count, period=period, body=tuple(body), line=time.line)

        def launch(self, name, protocol, level, d, region, tiles, trace):
            return dict(action="LAUNCH", target=name, protocol=protocol, level=level, distance=d, region=region,
                        tiles=tiles or (), trace=trace)

        def consume(self, name, step, source, trace):
            return dict(action="CONSUME", target=name, step=step, trace=trace, **_source(source))

        def output(self, name, source, trace):
            return dict(action="OUTPUT", target=name, trace=trace, **_source(source))

        def discard(self, name, count, reason, slot, trace):
            return dict(action="DISCARD", target=name, count=count, reason=reason, trace=trace,
                        slot=-1 if slot is None else slot.slot)

        def stall(self, name, step, threshold, remaining, reuse, trace):
            return dict(action="STALL", target=name, step=step, threshold=threshold, remaining=remaining,
                        reuse=reuse, trace=trace)

        def resume(self, name, step, trace):
            return dict(action="RESUME", target=name, step=step, trace=trace)

        def move(self, patch, step, tiles, trace):
            target, number = str(patch).rsplit(".q", 1)
            return dict(action="MOVE", target=target, patch=int(number), step=step, tiles=tiles, trace=trace)

        def reuse(self, name, region, names, trace):
            return dict(action="REUSE", target=name, region=region, lent_to=names, trace=trace)

        def reclaim(self, name, region, trace):
            return dict(action="RECLAIM", target=name, region=region, trace=trace)

        def measure(self, name, step, paulis, tiles, trace):
            return dict(action="MEASURE", target=name, step=step, paulis=paulis, tiles=tiles or (), trace=trace)

        def paulis(self, *terms):
            return tuple(str(t) for t in terms)

        def tally(self, produced, consumed, discarded, left, delivered):
            return dict(action="TALLY", tally=Tally(produced, consumed, discarded, left, delivered))

        def slot_ref(self, k):
            return _SlotRef(k)

        def trace(self, kind, index):
            return Trace(kind, index)

        def rect(self, *v):
            return Rect(*v)

        def tile(self, x, y):
            return Tile(x, y)

        def tiles(self, *items):
            return tuple(i for i in items if i is not None)

        names = ints = tiles

    return _ToStream()


class _SlotRef:
    __slots__ = ("slot",)

    def __init__(self, slot: int) -> None:
        self.slot = slot


def _source(source) -> dict:
    return {"slot": source.slot} if isinstance(source, _SlotRef) else {"peer": str(source)}


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    from lark import Lark

    text = importlib.resources.files("magicpipe.grammar").joinpath(GRAMMAR_FILE).read_text()
    return Lark(text, parser="lalr", maybe_placeholders=True, transformer=_transformer())


def parse(text: str) -> Stream:
    """Parse a stream's text form.

    Raises:
        ParseError: the text breaks the grammar or names an unsupported format version; the message has the
            line, the column and a caret.
    """
    from lark.exceptions import UnexpectedInput, VisitError

    if not text.endswith("\n"):
        text += "\n"
    first = _version_first(text)
    try:
        stream = _parser().parse(text)
        return dataclasses.replace(stream, header=dataclasses.replace(stream.header, line=first))
    except UnexpectedInput as e:
        raise _from_lark(e, text) from None
    except VisitError as e:  # pragma: no cover - errors inside callbacks surface directly with an embedded transformer
        raise ParseError(str(e.orig_exc)) from None
    except (MagicpipeError, ValueError) as e:
        if isinstance(e, ParseError):
            raise
        raise ParseError(str(e), *_where(e, text)) from None


def _version_first(text: str) -> int:
    """Refuse a file of another format version before parsing it, saying which reader takes it."""
    from magicpipe.grammar.parser2 import CONVERT_HINT, stream_version

    try:
        version = stream_version(text.splitlines())
    except ParseError:
        return 0  # the grammar reports what is wrong with the first line
    if version == 2:
        line = next(n for n, x in enumerate(text.splitlines(), 1) if x.split("#")[0].strip())
        raise ParseError("this is a version-2 (whole-program) stream: read it with magicpipe.grammar.parse_program or "
                         f"magicpipe check; {CONVERT_HINT}", line, 1, text.splitlines()[line - 1])
    if version != FORMAT_VERSION:
        line = next(n for n, x in enumerate(text.splitlines(), 1) if x.split("#")[0].strip())
        raise ParseError(f"stream format version {version} is not supported; this magicpipe reads versions 1 and 2 "
                         f"({CONVERT_HINT})", line, 1, text.splitlines()[line - 1])
    return next(n for n, x in enumerate(text.splitlines(), 1) if x.split("#")[0].strip())


def _where(e: Exception, text: str) -> tuple[int, int, str]:
    """Best-known position of a semantic error: the version line for version errors, else unknown."""
    lines = text.splitlines()
    if "version" in str(e):
        for n, line in enumerate(lines, start=1):
            if line.lstrip().startswith("MAGICPIPE_LSI"):
                return n, line.index("MAGICPIPE_LSI") + 1, line
    return 0, 0, ""


def _from_lark(e, text: str) -> ParseError:
    lines = text.splitlines()
    line = getattr(e, "line", 0) or 0
    column = getattr(e, "column", 0) or 0
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    token = getattr(e, "token", None)
    if token is not None and token.type == "$END":
        what = "end of file"
    elif token is not None and token.type == "_NL":
        what = "end of line"
    elif token is not None:
        what = repr(str(token))
    else:
        what = repr(source[column - 1:column]) if source else "input"
    expected = sorted(getattr(e, "expected", None) or getattr(e, "allowed", None) or ())
    names = sorted({_describe(x) for x in expected})
    hint = f"; expected {' or '.join(names[:12])}" if names else ""
    return ParseError(f"unexpected {what}{hint}", line, column, source)


def _describe(terminal: str) -> str:
    if terminal in _EXPECTED:
        return _EXPECTED[terminal]
    try:
        pattern = _parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal
    return repr(pattern.value) if pattern.type == "str" else terminal


def parse_file(path: str | os.PathLike) -> Stream:
    """Parse the stream in ``path`` (a ``schedule.lsi``)."""
    with open(path, encoding="utf-8") as f:
        return parse(f.read())
