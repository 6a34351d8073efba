"""magicpipe.compiler.check: each invariant, broken on purpose, is reported with its round and values."""

import dataclasses

import pytest
from magicpipe.compiler import Pipeline, check, patch_qubits
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.pareto import level_producer

from magicpipe.errors import VerificationError


@pytest.fixture(scope="module")
def schedules():
    """(5, 17) with 8 slots (no stall, 242 rounds) and with 4 slots (reuse stalls)."""
    pipe = Pipeline.from_distances((5, 17))
    high, menu, slot = pipe.levels[1].factory, (level_producer(pipe, 1),), patch_qubits(5)
    return simulate(high, menu, 9782, 8, slot), simulate(high, menu, 9000, 4, slot)


def test_valid_schedules_pass(schedules):
    for s in schedules:
        check(s)


def test_budget(schedules):
    s = schedules[0]
    first = min(t for t in s.event_times() if s.qubits_in_use(t) == 9782)  # the peak: the budget is used up
    with pytest.raises(VerificationError, match=rf"^round {first}: 9782 qubits in use exceed the budget of 9781$") as e:
        check(dataclasses.replace(s, qubit_budget=9781))
    assert e.value.counterexample == {"round": first, "qubits": 9782, "budget": 9781}


def test_buffer_bounds(schedules):
    s = schedules[0]
    peak = max(p for _, p, _ in s.buffer_trace())
    with pytest.raises(
        VerificationError, match=rf"the buffer holds {peak} states after the deposits .* outside \[0, {peak - 1}\]"
    ):
        check(dataclasses.replace(s, buffer_slots=peak - 1, qubit_budget=s.qubit_budget + 10**6))


def test_input_pattern_missing_step(schedules):
    s = schedules[0]
    takes = tuple(k for k in s.takes if not (k.top == 0 and k.step == 3))
    with pytest.raises(VerificationError, match="execution 0 .* takes for steps .*expected 0..11"):
        check(dataclasses.replace(s, takes=takes))


def test_input_pattern_wrong_count_and_gap(schedules):
    s = schedules[0]
    k = next(k for k in s.takes if k.step == 2)
    wrong = dataclasses.replace(k, count=k.count + 1)
    with pytest.raises(VerificationError, match=rf"round {k.time}: execution 0 step 2 takes {k.count + 1} states"):
        check(dataclasses.replace(s, takes=tuple(wrong if x == k else x for x in s.takes)))
    late = dataclasses.replace(k, time=k.time + 1)
    with pytest.raises(VerificationError, match=rf"round {k.time + 1}: execution 0 step 2 starts"):
        check(dataclasses.replace(s, takes=tuple(late if x == k else x for x in s.takes)))


def test_conservation_and_failures(schedules):
    s = schedules[0]
    r = s.runs[-1]
    extra = dataclasses.replace(r, id=len(s.runs), lane=r.lane + 100)
    # one state more produced than taken: the buffer holds it at the end, so conservation still holds ...
    check(dataclasses.replace(s, runs=s.runs + (extra,), qubit_budget=s.qubit_budget + 10**6,
                              buffer_slots=s.buffer_slots + 1))
    # ... while a run cannot yield more than its producer makes
    double = dataclasses.replace(r, outputs=r.outputs + 1)
    with pytest.raises(VerificationError, match=rf"run {r.id} yields 2 of its 1 outputs"):
        check(dataclasses.replace(s, runs=s.runs[:-1] + (double,), qubit_budget=s.qubit_budget + 10**6,
                                  buffer_slots=s.buffer_slots + 1))
    # ... but a discarded state that was also taken leaves the buffer short
    lost = dataclasses.replace(r, discarded=1)
    # (reported at the last take, where the level goes below empty; the trace hid a negative level until 242)
    last_take = max(k.time for k in s.takes)
    with pytest.raises(VerificationError, match=rf"round {last_take}: the buffer holds 0 states .* and -1 after"):
        check(dataclasses.replace(s, runs=s.runs[:-1] + (lost,)))
    failed = dataclasses.replace(s.runs[0], success=False)
    with pytest.raises(VerificationError, match="run 0 failed"):
        check(dataclasses.replace(s, runs=(failed,) + s.runs[1:]))


def test_reuse_stall_order(schedules):
    s = schedules[1]
    x = next(x for x in s.stalls if x.reuse)
    bad = dataclasses.replace(x, reclaimed=x.end)
    with pytest.raises(VerificationError, match="expected start < moved out <= reclaimed < end"):
        check(dataclasses.replace(s, stalls=tuple(bad if y == x else y for y in s.stalls)))


def test_equal_schedules_hash_alike_and_a_changed_run_is_another_key(schedules):
    """Schedule hashes its configuration and shape only (the planner's memos hash it on every lookup): copies hash
    alike, and a schedule with one run changed hashes the same yet stays a different key."""
    s = schedules[0]
    assert hash(dataclasses.replace(s)) == hash(s) and dataclasses.replace(s) == s
    late = dataclasses.replace(s.runs[-1], start=s.runs[-1].start + 1, end=s.runs[-1].end + 1)
    other = dataclasses.replace(s, runs=s.runs[:-1] + (late,))
    assert other != s and hash(other) == hash(s)
    memo = {s: "first", other: "second"}
    assert memo[dataclasses.replace(s)] == "first" and memo[other] == "second" and len(memo) == 2
    assert hash(dataclasses.replace(s, qubit_budget=s.qubit_budget + 1)) != hash(s)
