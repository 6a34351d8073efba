"""Big objects print as one short line that says what they hold (a Pareto front's dataclass repr was 750,000
characters)."""

import pytest

from magicpipe.compiler import Pipeline
from magicpipe.compiler.options import PAPER
from magicpipe.compiler.pareto import pareto_front
from magicpipe.lattice import build_stream
from magicpipe.report import build_report
from magicpipe.report.spacetime import SpaceTime


@pytest.fixture(scope="module")
def front():
    return pareto_front(Pipeline.from_distances((5, 17)), PAPER)  # the paper's scheduler: the Table 3 point


def test_one_line_reprs(front):
    best = front.min_volume()
    s = best.schedule
    stream = build_stream(s)
    report = build_report(front.pipeline, s, model_rounds=best.rounds)
    texts = {
        "front": repr(front), "schedule": repr(s), "stream": repr(stream), "report": repr(report),
        "spacetime": repr(SpaceTime.from_schedule(s)), "point": repr(best),
    }
    for name, text in texts.items():
        assert "\n" not in text and len(text) < 400, (name, len(text))
    assert texts["front"] == (f"<ParetoFront distances=(5, 17): {len(front.points)} points of {len(front.evaluated)} "
                              f"evaluated, least volume Q=9782 T={best.rounds:.2f} (8 slots)>")
    assert f"{len(s.runs)} runs, 1 executions, 0 stalls, 242 rounds" in texts["schedule"]
    assert f"instructions={len(stream.instructions)} last_round=242" in texts["stream"]
    assert "dynamic Q=9782 T=242, sequential Q=11760 T=242, parallel Q=17926 T=280" in texts["report"]
    assert str(stream).startswith("MAGICPIPE_LSI")  # str stays the whole text form
