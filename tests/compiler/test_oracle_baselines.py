"""compiler/baselines.py: the baselines' schedules against invariants over every event, and the parallel cost
model's copies recomputed from its definition (rate matching, level by level from the top)."""

from __future__ import annotations

import math

import pytest

from magicpipe.compiler import Pipeline
from magicpipe.compiler.baselines import parallel, parallel_schedules, sequential_schedules

PIPES = [(3, 7), (3, 13), (5, 17), (3, 7, 15)]


@pytest.mark.parametrize("distances", PIPES, ids=str)
def test_every_baseline_stall_is_a_step_waiting_for_its_state(distances):
    """Each stall of step ``s`` of execution ``k`` ends at the round of that step's take, starts after the
    previous take of ``k`` was due (one step later), waits for ``inputs_per_step`` states, never lends the
    ancilla region, and has ``steps - s + 1`` rotations to do (the stream's replay checks the same)."""
    pipe = Pipeline.from_distances(distances)
    seen = 0
    for schedules in (parallel_schedules(pipe), sequential_schedules(pipe)):
        for s in schedules:
            proto = s.high.protocol
            when = {(t.top, t.step): t.time for t in s.takes}
            for st in s.stalls:
                seen += 1
                assert when[st.top, st.step] == st.end and st.start < st.end
                assert st.start == when[st.top, st.step - 1] + s.high.step_rounds
                assert (st.threshold, st.reuse, st.remaining) == (proto.inputs_per_step, False,
                                                                  proto.steps - st.step + 1)
            # every execution takes each of its steps once, in order, one step apart unless it stalled
            for k, top in enumerate(s.tops):
                steps = sorted((t.step, t.time) for t in s.takes if t.top == k)
                assert [x for x, _ in steps] == list(range(proto.steps + 1)) and steps[0][1] == top.launch
                stalled = {st.step for st in s.stalls if st.top == k}
                for (_, ta), (b, tb) in zip(steps[1:], steps[2:]):
                    assert tb == ta + s.high.step_rounds or (b in stalled and tb > ta + s.high.step_rounds)
    assert seen > 0 or distances == (3, 13)  # at (3, 13) neither baseline stalls


@pytest.mark.parametrize("distances", PIPES, ids=str)
def test_parallel_copies_match_the_rates_level_by_level(distances):
    """One top factory; each level below runs the fewest copies whose good states per round (outputs x success /
    rounds each) cover the inputs per round of the copies above (inputs / rounds each)."""
    pipe = Pipeline.from_distances(distances)
    levels = pipe.levels
    want = [1]
    for hi, lo in zip(levels[:0:-1], levels[-2::-1]):
        demand = want[0] * hi.factory.protocol.inputs / hi.rounds
        supply = lo.factory.protocol.outputs * lo.p_succ / lo.rounds
        n = math.ceil(demand / supply)
        if (n - 1) * supply >= demand * (1 - 1e-9):  # a ratio a hair above a whole number is that number
            n -= 1
        want.insert(0, n)
    cost = parallel(pipe)
    assert cost.copies == tuple(want)
    assert cost.qubits == sum(n * (lv.qubits + (4 if lv.index == 1 else 8) * lv.factory.patch_qubits)
                              for n, lv in zip(want, levels))
