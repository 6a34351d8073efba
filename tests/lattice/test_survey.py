"""Floor plans against the scalar budget, and the core's schedules re-costed with the moves routes need."""

import pytest

from magicpipe.compiler.dynamic import DynamicOptions, simulate
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.compiler.pareto import level_producer
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.errors import InfeasibleError
from magicpipe.lattice import build_stream, check, plan_floor
from magicpipe.lattice.recost import recost
from magicpipe.lattice.survey import summarize, survey


def _schedule(d1, d2, q, b, move_rounds=2):
    pipe = Pipeline.from_distances((d1, d2))
    return simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), q, b, patch_qubits(d1),
                    DynamicOptions(move_rounds=move_rounds))


def test_recost_uses_the_measured_move_step():
    """(5, 17), Q = 8949, 6 slots: step 7 stalls at round 157 and five reuse runs need the two bottom rows; the
    data moves up in one step, a lattice-surgery move of d = 17 rounds (the core charges 2).

    By hand: moved aside at 157 + 17 = 174, the reuse runs take one d=5 run (11 x 5 = 55 rounds) to 229, moving
    back ends at 229 + 17 = 246, and steps 7..11 take 5 x 17 rounds: 331 (the core's 157 + 2 + 55 + 2 + 85 = 301).
    """
    s = _schedule(5, 17, 8949, 6)
    r, fp = recost(s)
    assert (fp.move_steps, r.move_rounds) == (1, 17)
    assert (s.rounds, r.rounds) == (301, 331)
    assert [(x.step, x.start, x.moved_out, x.reclaimed, x.end) for x in r.stalls] == [(7, 157, 174, 229, 246)]
    stream = build_stream(r, fp)
    assert check(stream) == []
    timed = [(i.time, i.action) for i in stream.instructions if i.action in ("STALL", "MOVE", "REUSE", "RECLAIM",
                                                                            "RESUME")]
    assert sorted(set(timed)) == [(157, "MOVE"), (157, "STALL"), (174, "REUSE"), (229, "MOVE"), (229, "RECLAIM"),
                                  (246, "RESUME")]


def test_move_steps_last_d_rounds_each():
    """With move_rounds = 2 d = 34 (two steps of d rounds), the floor plan's one step is emitted at the stall's
    round and the stream checks; a patch moving in step 2 must start d = 17 rounds later (174), not one (158)."""
    from dataclasses import replace

    s = _schedule(5, 17, 8949, 6, move_rounds=34)
    fp = plan_floor(s)
    stream = build_stream(s, fp)
    assert (fp.move_steps, check(stream)) == (1, [])

    def q1_in_step_2_at(t):
        first = next(i for i in stream.instructions if i.action == "MOVE")
        rest = [i for i in stream.instructions if i is not first]
        moved = sorted([*rest, replace(first, step=2, time=t)], key=lambda i: i.time)  # stable: keeps the order
        return [str(v).splitlines()[0] for v in check(replace(stream, instructions=tuple(moved)))]

    assert q1_in_step_2_at(174) == []
    assert q1_in_step_2_at(158) == [
        "line 50: timing: H0.q1's move step 2 at round 158: move step m happens at round 157 + (m - 1) x 17 and "
        "ends within move_rounds=34"
    ]


def test_a_free_ancilla_row_needs_no_move():
    """One reuse run at a time fits in the bottom ancilla row: lent without moving data (0 steps)."""
    s = _schedule(5, 17, 8704, 1)
    r, fp = recost(s)
    assert (fp.move_steps, r.move_rounds, s.rounds, r.rounds) == (0, 0, 832, 792)
    stream = build_stream(r, fp)
    assert check(stream) == [] and not any(i.action == "MOVE" for i in stream.instructions)


def test_emission_refuses_fewer_rounds_than_the_routes_need():
    with pytest.raises(InfeasibleError, match="re-simulate with DynamicOptions"):
        build_stream(_schedule(5, 17, 8949, 6, move_rounds=0))


@pytest.mark.parametrize("pair, q, b, expected", [
    ((5, 17), 9782, 8, (105, 51, 1.095)),     # fill: 10 blocks in the idle high-level block, 2 beside it
    ((3, 21), 13555, 8, (108, 63, 1.004)),    # d=3 blocks tile the d=21 block almost exactly
    ((13, 21), 33026, 8, (261, 65, 1.027)),   # one d=13 block fits in the d=21 block: fill packs across both
])
def test_floor_plan_sizes(pair, q, b, expected):
    s = _schedule(*pair, q, b)
    fp = plan_floor(s)
    assert (fp.width, fp.height, round(fp.overhead(q), 3)) == expected
    assert check(build_stream(s, fp)) == []


def test_survey_of_two_pairs():
    rows = list(survey([(3, 21), (5, 17)]))
    summary = summarize(rows)
    assert summary["pairs"] == 2 and summary["points"] == len(rows)
    lo, mean, hi = summary["overhead_all"]
    assert 1.0 < lo <= mean <= hi < 1.15
    assert set(summary["move_step_stalls"]) <= {0, 1}
    for point, r, _ in rows:
        schedule, fp = recost(point.schedule)
        assert check(build_stream(schedule, fp)) == []
        if any(st.reuse for st in schedule.stalls):  # every move step is one lattice-surgery move of d2 rounds
            assert schedule.move_rounds == fp.move_steps * r.distances[1]
        assert r.layout_volume >= r.recost_volume


def test_recost_point_times_the_recosted_schedule():
    """A point whose schedule lends its region comes back with the re-costed schedule, its no-failure rounds
    and an all-stall delay of that schedule; a point that never lends comes back unchanged."""
    from magicpipe.compiler.pareto import ParetoPoint
    from magicpipe.compiler.stalls import expected_rounds
    from magicpipe.lattice.recost import recost_point

    s = _schedule(5, 17, 8949, 6)
    point = ParetoPoint(8949, 6, s.rounds, 1.0, s, 1.0, delay_model="all-stalls")
    again, fp = recost_point(point)
    assert (again.deterministic_rounds, again.schedule.move_rounds, fp.move_steps) == (331, 17, 1)
    assert again.expected_delay == expected_rounds(again.schedule) - 331
    plain = _schedule(5, 17, 9782, 8)
    assert not any(x.reuse for x in plain.stalls)
    still = ParetoPoint(9782, 8, plain.rounds, 1.0, plain, 1.0, delay_model="all-stalls")
    assert recost_point(still)[0] is still
