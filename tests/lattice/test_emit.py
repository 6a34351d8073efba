"""The emitted stream: invariants over every instruction of many schedules, and small literal cases."""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magicpipe.compiler.options import PAPER
from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.lattice import build_stream, check, emit, plan_floor
from magicpipe.errors import InfeasibleError
from magicpipe.lattice.emit import high_id, low_id
from magicpipe.lattice.samples import sample_schedule


def _invariants(schedule, stream):
    """Every run, take and stall appears where and when the schedule says; conservation holds."""
    inst = stream.instructions
    by = Counter((i.action, i.target) for i in inst)
    for r in schedule.runs:
        name = low_id(r.id)
        assert by[("LAUNCH", name)] == 1
        launch = next(i for i in inst if i.action == "LAUNCH" and i.target == name)
        assert launch.time == r.start and launch.trace.index == r.id
        ends = [i for i in inst if i.target == name and i.action in ("OUTPUT", "DISCARD")]
        assert {i.time for i in ends} == {r.end}
        assert sum(1 if i.action == "OUTPUT" else i.count for i in ends) == schedule.producers[r.producer].outputs
        assert sum(i.action == "OUTPUT" for i in ends) == r.outputs - r.discarded
    for k, take in enumerate(schedule.takes):
        got = [i for i in inst if i.action == "CONSUME" and i.trace.index == k]
        assert len(got) == take.count and {(i.time, i.step, i.target) for i in got} == {
            (take.time, take.step, high_id(take.top))
        }
    for k, s in enumerate(schedule.stalls):
        mine = [i for i in inst if i.trace is not None and i.trace.kind == "stall" and i.trace.index == k]
        assert [i.time for i in mine if i.action == "STALL"] == [s.start]
        assert [i.time for i in mine if i.action == "RESUME"] == ([s.end] if s.resumed else [])
        assert [i.time for i in mine if i.action == "REUSE"] == ([s.moved_out] if s.reuse else [])
    tally = inst[-1].tally
    assert inst[-1].action == "TALLY" and tally.balanced
    assert tally.produced == sum(schedule.producers[r.producer].outputs for r in schedule.runs)
    assert tally.consumed == sum(k.count for k in schedule.takes)
    assert tally.delivered == len(schedule.tops)
    assert [i.time for i in inst] == sorted(i.time for i in inst)


def test_every_sample_schedule_emits_a_valid_stream(schedules):
    for s in schedules:
        stream = build_stream(s)
        assert check(stream) == []
        _invariants(s, stream)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**9))
def test_random_schedules_emit_valid_streams(make_schedule, seed):
    s = make_schedule(seed)
    stream = build_stream(s)
    assert check(stream) == []
    _invariants(s, stream)


def test_emit_is_a_deterministic_generator():
    s = pareto_front(Pipeline.from_distances((5, 17)), PAPER, delay_model="first-stall").points[0].schedule
    fp = plan_floor(s)
    gen = emit(s, fp)
    assert iter(gen) is gen
    assert next(gen).action == "LAUNCH"
    assert list(emit(s, fp)) == list(emit(s, fp))


def test_fill_then_burst_then_reuse_on_the_5_17_front():
    """The smallest point: 5 fill runs in the high block, 4 of them hand the burst over directly."""
    s = pareto_front(Pipeline.from_distances((5, 17)), PAPER, delay_model="first-stall").points[0].schedule
    text = str(build_stream(s)).splitlines()
    assert "@55 OUTPUT L0 to=H0 run=0" in text
    assert "@55 OUTPUT L4 slot=0 run=4" in text
    assert "@55 CONSUME H0 step=0 from=L0 take=0" in text
    assert "@55 CONSUME H0 step=1 slot=0 take=1" in text
    assert "@74 REUSE H0 region=(0,0,85,17) to=[L5] stall=0" in text
    assert "@74 LAUNCH L5 15-to-1 level=1 d=5 region=(0,0,25,15) run=5" in text


def test_several_executions_validate_or_name_the_missing_staging():
    """tops = 3: valid streams, or a clear refusal where the scheduler stages states in the next execution."""
    outcomes = set()
    for seed in range(30):
        s = sample_schedule(seed, tops=3)
        try:
            stream = build_stream(s)
        except InfeasibleError as e:
            assert "stages up to a burst" in str(e)
            outcomes.add("staging")
            continue
        assert check(stream) == []
        _invariants(s, stream)
        outcomes.add("valid")
    assert outcomes == {"valid", "staging"}
