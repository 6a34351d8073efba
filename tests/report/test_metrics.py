"""Metric values derived by hand on small schedules, and the same metrics from a schedule and from its stream."""

import dataclasses

import pytest

from magicpipe.compiler import Pipeline
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.options import PAPER
from magicpipe.compiler.pareto import level_producer, pareto_front
from magicpipe.errors import SpecError
from magicpipe.lattice import build_stream, schedule_from_stream
from magicpipe.report import SpaceTime, measure
from magicpipe.report.spacetime import baseline
from magicpipe.report.metrics import ProgramRate, eq14_copies


@pytest.fixture(scope="module")
def tiny():
    """(3, 5) at Q = 1088 with 4 slots (p = eps = 1e-4): two reuse stalls.

    d = 5 factory: 15 patches of 49 qubits = 735 (data 5 x 49 = 245, lendable 490), steps of 5 rounds.
    d = 3 factory: 255 qubits, 33 rounds. Buffer 4 x 17 = 68 qubits; one supply lane (1088 - 68 - 735 = 285).
    Fill: 4 copies twice, 8 states at round 66; launch takes 4 + 1, steps 2-4 at 71, 76, 81 empty the slots;
    step 5 stalls at 86, the data moves aside (2 rounds), two reuse copies run 88-121 and one 121-154, the data
    moves back, step 5 at 156; steps 6-8 at 161, 166, 171; step 9 stalls at 176, reuse 178-211, resumes at 213;
    steps 10, 11 at 218, 223; output at 228.
    """
    pipe = Pipeline.from_distances((3, 5))
    s = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 1088, 4, 17)
    assert [(x.start, x.end, x.moved_out, x.reclaimed) for x in s.stalls] == [(86, 156, 88, 154), (176, 213, 178, 211)]
    return pipe, s


def test_tiny_schedule_by_hand(tiny):
    pipe, s = tiny
    m = measure(SpaceTime.from_schedule(s), pipeline=pipe)
    assert m.makespan == 66 + 11 * 5 + (156 - 86) + (213 - 176) == 228
    assert m.throughput_per_round == pytest.approx(1 / 228)
    assert m.throughput_per_ms == pytest.approx(1000 / (228 * 0.4))  # 0.4 us per round
    assert (m.stalls, m.stall_rounds) == (2, 70 + 37)
    assert (m.reuse_windows, m.reuse_rounds) == (2, (154 - 88) + (211 - 178))
    # stalled: the whole block while the data moves, the 245 data qubits while 490 are lent
    assert m.stall_idle_qubit_rounds == (735 * 70 - 490 * 66) + (735 * 37 - 490 * 33)
    assert m.lead_time == 228
    assert (m.raw_inputs, m.delivered) == (15 * 15, 1)
    assert m.state_yield == pytest.approx(1 / 225)
    assert [(v.runs, v.succeeded) for v in m.levels] == [(15, 15), (1, 1)]
    assert m.levels[0].model_success == pipe.levels[0].p_succ
    assert m.qubit_rounds_per_state == 1088 * 228
    assert m.qubit_us_per_state == pytest.approx(1088 * 228 * 0.4)


def test_tiny_utilisation_by_hand(tiny):
    pipe, s = tiny
    m = measure(SpaceTime.from_schedule(s), pipeline=pipe)
    fill = 4 * 255 * 66  # four copies twice over rounds 0-66
    top = 735 * (20 + 20 + 15)  # working: 66-86, 156-176, 213-228
    reuse = 255 * (2 * 33 + 33 + 2 * 33)  # 88-121 twice, 121-154, 178-211 twice
    supply = 255 * (33 + 33)  # 66-99, 156-189
    # slots holding a state, (count x rounds): 4 from 33 to 66, then 3, 2, 1 down to 81; 1 from 99, 3 from 121,
    # 4 at 154-156, then 3, 2, 1 to 171; 1 from 189, 3 at 211-213, then 2, 1 to 223
    held = 17 * (4 * 33 + 3 * 5 + 2 * 5 + 5 + 22 + 3 * 33 + 4 * 2 + 3 * 5 + 2 * 5 + 5 + 22 + 3 * 2 + 2 * 5 + 5)
    assert m.mean_utilisation == pytest.approx((fill + top + reuse + supply + held) / (1088 * 228))
    assert all(u.busy + u.stalled + u.reserved + u.unused == 1088 and u.unused >= 0 for u in m.usage)
    buf = m.buffers[0]
    assert (buf.capacity, buf.peak) == (4, 4)


def test_usage_matches_the_core_qubit_count(tiny):
    _, s = tiny
    tl = SpaceTime.from_schedule(s)
    for u in measure(tl).usage:
        # the core counts the buffer's qubits always and a lent region as not the factory's
        assert sum(u.factories) + u.stalled + u.held + u.reserved == s.qubits_in_use(u.start)


def test_sequential_by_hand():
    pipe = Pipeline.from_distances((5, 17))
    m = measure(baseline(pipe, "sequential"), pipeline=pipe)
    # 16 copies of the d=5 factory (735 qubits, 55 rounds) on Q = 16 x 735, then the d=17 factory (8655, 187)
    assert (m.qubit_budget, m.makespan, m.stalls) == (11760, 55 + 187, 0)
    # 16 states at 55: 5 taken at the launch, one every 17 rounds after: 11, 10, ..., 1 held for 17 rounds each
    busy = 11760 * 55 + 8655 * 187 + 49 * 17 * sum(range(1, 12))
    assert m.mean_utilisation == pytest.approx(busy / (11760 * 242))
    assert (m.raw_inputs, m.buffers[0].ledger.left) == (16 * 15, 1)


def test_parallel_cold_start_by_hand():
    pipe = Pipeline.from_distances((5, 17))
    m = measure(baseline(pipe, "parallel"), pipeline=pipe)
    # 5 rate-matched d=5 copies: 5 states at 55 launch the top factory (burst 4 + step 1); step 2 (72) waits for
    # the next 5 at 110; the 5 after those arrive at 165, before step 7 (178 -> 195 after the stall); output at
    # 110 + 10 x 17 = 280. The cost model says T = 187, a steady-state period.
    assert (m.makespan, m.stalls, m.stall_rounds, m.raw_inputs) == (280, 1, 110 - 72, 225)
    assert m.qubit_budget == 5 * (735 + 4 * 49) + 8655 + 8 * 577


def test_schedule_and_stream_give_the_same_metrics(tiny):
    _, s = tiny
    a = measure(SpaceTime.from_schedule(s))
    b = measure(SpaceTime.from_schedule(schedule_from_stream(build_stream(s))))
    for name in ("makespan", "stalls", "stall_rounds", "reuse_rounds", "lead_time", "raw_inputs", "mean_utilisation",
                 "stall_idle_qubit_rounds"):
        assert getattr(a, name) == getattr(b, name), name
    assert a.buffers == b.buffers


def test_min_volume_5_17_round_trips_through_its_stream():
    s = pareto_front(Pipeline.from_distances((5, 17)), PAPER, delay_model="first-stall").min_volume().schedule
    back = schedule_from_stream(build_stream(s))
    assert tuple(dataclasses.replace(r, lane=-1) for r in s.runs) == back.runs
    assert (back.tops, back.takes, back.stalls) == (s.tops, s.takes, s.stalls)


def test_program_copies_follow_eq14():
    pipe = Pipeline.from_distances((5, 17))
    m = measure(baseline(pipe, "sequential"), model_rounds=242.0, program=ProgramRate(10_000, 100_000))
    assert m.program_copies == eq14_copies(10_000, 100_000, 242) == -(-10_000 // (100_000 // 242))
    assert m.program_qubits == m.program_copies * 11760


def test_errors_name_the_problem():
    with pytest.raises(SpecError, match="rounds > 0"):
        ProgramRate(5, 0)
    pipe = Pipeline.from_distances((3, 5))
    tl = baseline(pipe, "sequential")
    failed = dataclasses.replace(tl, boxes=tuple(dataclasses.replace(b, success=b.level == 1) for b in tl.boxes))
    with pytest.raises(SpecError, match="delivers no top-level state"):
        measure(failed)


def test_storage_decay_is_the_cores_and_covers_the_baselines():
    from magicpipe.compiler.decay import storage_decay
    from magicpipe.report import build_report

    pipe = Pipeline.from_distances((5, 17))
    point = pareto_front(pipe, PAPER, delay_model="first-stall").min_volume()
    report = build_report(pipe, point.schedule, model_rounds=point.rounds)
    core = storage_decay(point.schedule, pipe.hardware)
    dyn = report.metric("dynamic").decay
    assert (dyn.mean_wait_rounds, dyn.eps_out_with_decay) == (core.mean_wait, core.eps_out_with_decay)
    assert dyn.eps_out_with_decay > dyn.eps_out == pipe.output_error
    # sequential: 16 states at round 55; the launch takes 5 at once, step k (k = 2..11) takes one 17(k - 1) later
    seq = report.metric("sequential").decay
    assert seq.max_wait_rounds == 170
    assert seq.mean_wait_rounds == pytest.approx(sum(17 * j for j in range(1, 11)) / 15)
    assert report.metric("parallel").decay is not None


def test_a_reuse_cycle_that_ends_short_of_states_reads_back_from_the_stream():
    from magicpipe.lattice.samples import sample_schedule

    s = sample_schedule(144)  # failed reuse runs: step 5 stalls again at the end of its first reuse cycle
    assert [x.resumed for x in s.stalls].count(False) == 1
    back = schedule_from_stream(build_stream(s))
    assert back.stalls == s.stalls
    assert measure(SpaceTime.from_schedule(back)).stall_rounds == sum(x.end - x.start for x in s.stalls)
