"""A period longer than the emitter's short search (lattice/recur.py) still becomes a REPEAT: the stream's size
does not grow with the program's length, and it checks clean with every state delivered.

The short search is narrowed to 64 layers here (monkeypatched), so a whole state's period of about 190 layers (17
data patches over 2 copies: which patch each zone serves next recurs only every 17 turns; the second test shows
the short search alone finds no period) stands for the real cases of thousands of layers
(``tests/lattice/bench_long_period.py``) at a test's cost. The long search leaves the zones' turns out of its
state, so its period is the copies' and ports' own.
"""

import pytest
from magicpipe.lattice import recur
from magicpipe.lattice.check2 import audit2
from magicpipe.lattice.stream2 import ProgramStream
from magicpipe.lattice.whole import ProgramLayout, emit_program, unit_one_level

SHORT = 64


def stream(layers: int) -> ProgramStream:
    head, ops = emit_program(ProgramLayout(17, 5), unit_one_level("15-to-1", 5), 2, [(0, layers, 1, 23)])
    return ProgramStream(head, tuple(ops))


def lines(s: ProgramStream) -> int:
    return sum(len(list(o.lines())) for o in s.ops)


def test_a_long_period_is_one_repeat_whatever_the_length(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recur, "SHORT_LAYERS", SHORT)
    short = stream(2000)
    (rep,) = [o for o in short.ops if o.action == "REPEAT"]
    period_layers = sum(1 for b in rep.body if b.action == "LAYER")
    assert period_layers >= 1 and rep.count > 5
    # the recorded period is long enough for every zone to serve each of its data patches (its copies repeat them)
    served = {t.index for b in rep.body if b.action == "MEASURE" for t in b.terms if t.kind == "q"}
    assert served == set(range(17))
    longer = stream(2000 + 5 * period_layers)
    (rep2,) = [o for o in longer.ops if o.action == "REPEAT"]
    assert rep2.count == rep.count + 5 and rep2.body == rep.body and rep2.period == rep.period
    assert lines(longer) == lines(short)
    for s, n in ((short, 2000), (longer, 2000 + 5 * period_layers)):
        a = audit2(s)
        assert not a.violations and a.delivered == n


def test_the_short_search_alone_writes_the_same_period_out(monkeypatch: pytest.MonkeyPatch) -> None:
    # the long search off: the stream is written expanded, its size growing with the program (the old defect)
    monkeypatch.setattr(recur, "SHORT_LAYERS", SHORT)
    monkeypatch.setattr(recur.Fingerprints, "recur", lambda *_: None)
    a, b = stream(1000), stream(2000)
    assert not any(o.action == "REPEAT" for o in a.ops + b.ops)
    assert lines(b) > 1.8 * lines(a)
