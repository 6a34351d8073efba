"""Every file of the stream corpus: valid ones check clean and round-trip; each invalid one fails with the
message on its ``# expect:`` line, under the rule its name starts with."""

import pathlib

import pytest

from magicpipe.errors import ParseError
from magicpipe.grammar import parse_file, parse
from magicpipe.lattice import RULES, check

CORPUS = pathlib.Path(__file__).parents[1] / "data" / "streams"
VALID = sorted((CORPUS / "valid").glob("*.lsi"))
INVALID = sorted((CORPUS / "invalid").glob("*.lsi"))


def test_the_corpus_covers_every_rule():
    assert len(VALID) >= 3
    covered = {p.stem.split("-")[0] for p in INVALID}
    assert covered == {r.split("-")[0] for r in RULES} | {"syntax"}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_stream(path):
    stream = parse_file(path)
    assert check(stream) == []
    assert parse(str(stream)) == stream
    assert stream.instructions[-1].tally.balanced


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_stream(path):
    expect = path.read_text().splitlines()[1]
    assert expect.startswith("# expect: ")
    expect = expect.removeprefix("# expect: ")
    try:
        found = check(parse_file(path))
    except ParseError as e:
        assert path.stem.startswith("syntax-")
        assert str(e).splitlines()[0] == expect
        return
    assert found, f"{path.name} checks clean"
    first = found[0]
    assert str(first).splitlines()[0] == expect
    assert path.stem.startswith(first.rule)
    assert str(first).splitlines()[1].strip() == path.read_text().splitlines()[first.line - 1].strip()
