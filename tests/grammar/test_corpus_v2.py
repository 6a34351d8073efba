"""The version-2 corpus: valid whole-program streams check clean and round-trip; each invalid one fails with
the message on its ``# expect:`` line, under the rule its name starts with."""

import pathlib

import pytest
from magicpipe.grammar.parser2 import parse_program
from magicpipe.lattice.check2 import RULES2, check2

from magicpipe.errors import ParseError

CORPUS = pathlib.Path(__file__).parents[1] / "data" / "streams" / "v2"
VALID = sorted((CORPUS / "valid").glob("*.lsi"))
INVALID = sorted((CORPUS / "invalid").glob("*.lsi"))


def test_the_corpus_covers_every_rule():
    assert len(VALID) >= 3
    covered = {p.stem for p in INVALID}
    for rule in RULES2 + ("syntax",):
        assert any(name.startswith(rule + "-") or name == rule for name in covered), rule


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_stream(path):
    stream = parse_program(path.read_text())
    assert check2(stream) == []
    assert parse_program(str(stream)) == stream
    tally = stream.ops[-1].tally
    assert tally[5] == stream.header.t_count   # delivered T states
    assert tally[6:] == ((stream.header.ccz_count,) if stream.header.ccz_count else ())


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_stream(path):
    text = path.read_text()
    expect = text.splitlines()[1].removeprefix("# expect: ")
    try:
        found = check2(parse_program(text))
    except ParseError as e:
        assert path.stem.startswith("syntax-")
        assert str(e).splitlines()[0] == expect
        return
    assert found, f"{path.name} checks clean"
    first = found[0]
    assert str(first).splitlines()[0] == expect
    assert path.stem.startswith(first.rule + "-") or path.stem == first.rule
    shown = str(first).splitlines()[1].strip()
    assert shown in text or shown.split(" ", 1)[0] in text
