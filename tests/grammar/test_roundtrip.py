"""parse(str(s)) == s: on emitted streams, on arbitrary instructions, with comments; JSON too."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magicpipe.errors import ParseError
from magicpipe.grammar import from_json, loads, dumps, parse, to_json
from magicpipe.lattice import build_stream
from magicpipe.lattice.geometry import Rect, Tile
from magicpipe.lattice.stream import Header, Instruction, Region, Stream, Tally, Trace

HEADER = Header(1, 1e-4, 1e-4, 50.0, 100.0, "15-to-1", (5, 17), 9782, 2, 49, 2, 105, 51,
                (Region("factory", Rect(0, 0, 85, 51), 17), Region("buffer", Rect(85, 0, 5, 51), 5)),
                (Rect(85, 0, 5, 5), Rect(85, 5, 5, 5)))

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
small = st.integers(0, 10**6)
rects = st.builds(Rect, small, small, small, small)
tiles = st.lists(st.builds(Tile, small, small), max_size=4).map(tuple)
traces = st.none() | st.builds(Trace, st.sampled_from(("run", "top", "take", "stall")), small)
times = st.integers(0, 10**9)


def _with_source(action):
    slot = st.builds(
        lambda t, n, k, s, tr: Instruction(t, action, n, step=s, slot=k, trace=tr), times, names, small, small, traces
    )
    peer = st.builds(
        lambda t, n, p, s, tr: Instruction(t, action, n, step=s, peer=p, trace=tr), times, names, names, small, traces
    )
    if action == "OUTPUT":
        slot = slot.map(lambda i: Instruction(i.time, "OUTPUT", i.target, slot=i.slot, trace=i.trace))
        peer = peer.map(lambda i: Instruction(i.time, "OUTPUT", i.target, peer=i.peer, trace=i.trace))
    return slot | peer


simple = st.one_of(
    st.builds(
        lambda t, n, p, lv, d, r, ti, tr: Instruction(
            t, "LAUNCH", n, protocol=p, level=lv, distance=d, region=r, tiles=ti, trace=tr
        ),
        times,
        names,
        st.from_regex(r"[0-9A-Za-z][A-Za-z0-9_.+-]{0,8}", fullmatch=True),
        small,
        small,
        rects,
        tiles,
        traces,
    ),
    _with_source("CONSUME"),
    _with_source("OUTPUT"),
    st.builds(
        lambda t, n, c, r, k, tr: Instruction(t, "DISCARD", n, count=c, reason=r, slot=k, trace=tr),
        times,
        names,
        small,
        st.sampled_from(("failed", "full", "flush")),
        st.integers(-1, 99),
        traces,
    ),
    st.builds(
        lambda t, n, s, th, rem, ru, tr: Instruction(
            t, "STALL", n, step=s, threshold=th, remaining=rem, reuse=ru, trace=tr
        ),
        times,
        names,
        small,
        small,
        small,
        st.booleans(),
        traces,
    ),
    st.builds(lambda t, n, s, tr: Instruction(t, "RESUME", n, step=s, trace=tr), times, names, small, traces),
    st.builds(
        lambda t, n, q, s, ti, tr: Instruction(t, "MOVE", n, patch=q, step=s, tiles=ti, trace=tr),
        times,
        names,
        small,
        small,
        tiles,
        traces,
    ),
    st.builds(
        lambda t, n, r, to, tr: Instruction(t, "REUSE", n, region=r, lent_to=tuple(to), trace=tr),
        times,
        names,
        rects,
        st.lists(names, max_size=3),
        traces,
    ),
    st.builds(lambda t, n, r, tr: Instruction(t, "RECLAIM", n, region=r, trace=tr), times, names, rects, traces),
    st.builds(
        lambda t, n, s, ps, ti, tr: Instruction(t, "MEASURE", n, step=s, paulis=tuple(ps), tiles=ti, trace=tr),
        times,
        names,
        small,
        st.lists(st.from_regex(r"[XYZ]([0-9]{1,3}|m)", fullmatch=True), min_size=1, max_size=5),
        tiles,
        traces,
    ),
    st.builds(
        lambda t, a, b, c, left, d: Instruction(t, "TALLY", tally=Tally(a, b, c, tuple(left), d)),
        times,
        small,
        small,
        small,
        st.lists(small, max_size=3),
        small,
    ),
)
instructions = st.recursive(
    simple, lambda inner: st.builds(lambda t, c, p, body: Instruction(t, "REPEAT", count=c, period=p, body=tuple(body)),
                                    times, small, small, st.lists(inner, max_size=3)), max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(instructions, max_size=12))
def test_round_trip_of_arbitrary_instructions(items):
    stream = Stream(HEADER, tuple(items))
    assert parse(str(stream)) == stream
    assert loads(dumps(stream)) == stream


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**9))
def test_round_trip_of_emitted_streams(make_schedule, seed):
    stream = build_stream(make_schedule(seed))
    back = parse(str(stream))
    assert back == stream
    assert from_json(to_json(stream)) == stream


def test_comments_blank_lines_and_indentation_are_ignored():
    text = str(Stream(HEADER, (Instruction(3, "RESUME", "H0", step=2, trace=Trace("stall", 0)),)))
    lines = text.splitlines()
    commented = (
        "# a stream\n\n"
        + "\n".join(line + "   # note" for line in lines[:5])
        + "\n# between\n"
        + "\n".join(lines[5:])
        + "\n\n# end"
    )
    assert parse(commented) == parse(text)


def test_parsed_instructions_know_their_lines():
    stream = Stream(
        HEADER,
        (
            Instruction(1, "RESUME", "H0", step=2),
            Instruction(2, "REPEAT", count=3, period=5, body=(Instruction(0, "RESUME", "H0", step=1),)),
            Instruction(20, "RESUME", "H0", step=3),
        ),
    )
    back = parse(str(stream))
    assert [i.line for i in back.instructions] == [10, 11, 14]
    assert back.instructions[1].body[0].line == 12


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ("MAGICPIPE_LSI 1", "MAGICPIPE_LSI 9"),
            "line 1, column 1: stream format version 9 is not supported; this magicpipe reads versions 1 and 2",
        ),
        (
            ("MAGICPIPE_LSI 1", "MAGICPIPE_LSI 2"),
            "line 1, column 1: this is a version-2 (whole-program) stream: "
            "read it with magicpipe.grammar.parse_program",
        ),
        (("@1 RESUME H0 step=2", "@1 RESUME H0 step=two"), "line 10, column 19: unexpected 'two'; expected an integer"),
        (("@1 RESUME H0 step=2", "@1 PAUSE H0"), "line 10, column 4: unexpected 'PAUSE'"),
        (
            ("@1 RESUME H0 step=2", "@1 DISCARD H0 count=1 reason=lost"),
            "line 10, column 30: unexpected 'lost'; expected failed, full or flush",
        ),
        (("SLOT 1 (85,5,5,5)", "SLOT 3 (85,5,5,5)"), "SLOT 3 is listed where SLOT 1 belongs"),
        (("@1 RESUME H0 step=2", "@1 RESUME H0 step=2 {"), "line 10, column 21: unexpected '{'"),
    ],
)
def test_errors_name_line_column_and_expectation(change, message):
    text = str(Stream(HEADER, (Instruction(1, "RESUME", "H0", step=2),)))
    assert change[0] in text
    with pytest.raises(ParseError) as e:
        parse(text.replace(*change))
    assert message in str(e.value)
    if e.value.line:
        assert str(e.value).splitlines()[1].strip() == text.replace(*change).splitlines()[e.value.line - 1].strip()
        assert str(e.value).splitlines()[2].strip() == "^"
