"""The baselines' schedules (one top-level state from an empty pipeline) against their cost models and by hand."""

import pytest

from magicpipe.compiler import Pipeline, parallel, sequential
from magicpipe.compiler.baselines import parallel_schedules, sequential_schedules
from magicpipe.errors import SpecError


@pytest.mark.parametrize("distances", [(3, 5), (5, 17), (3, 9, 15), (5, 9, 23)])
def test_levels_chain_and_balance(distances):
    pipe = Pipeline.from_distances(distances)
    for method, make, cost in (("sequential", sequential_schedules, sequential(pipe)),
                               ("parallel", parallel_schedules, parallel(pipe))):
        chain = make(pipe)
        assert len(chain) == len(distances) - 1
        for low, high in zip(chain, chain[1:]):  # the executions of one level are the runs of the next
            assert [(t.launch, t.end) for t in low.tops] == [(r.start, r.end) for r in high.runs], method
        for s in chain:
            led = s.ledger()
            assert led.balanced and led.consumed == s.high.protocol.inputs * len(s.tops), (method, led)
            # a run lasts its factory's rounds, longer only by the stalls of a consuming level
            assert all(r.end - r.start >= s.producers[0].rounds for r in s.runs)
            assert sum(t.end - t.launch - s.high.rounds for t in s.tops) == sum(x.end - x.start for x in s.stalls)
            assert max(sum(r.start <= t < r.end for r in s.runs) for t in s.event_times()) <= cost.copies[
                s.producers[0].level - 1]
        assert len(chain[-1].tops) == 1 and chain[-1].qubit_budget == cost.qubits
    seq = sequential_schedules(pipe)[-1]
    assert seq.rounds == sequential(pipe).rounds and not seq.stalls  # the cost model exactly
    assert parallel_schedules(pipe)[-1].rounds >= parallel(pipe).rounds  # T_L is a steady-state period


def test_parallel_5_17_by_hand():
    """Five d = 5 copies: 5 states at 55 launch the d = 17 factory (burst 4 + step 1); step 2 (72) waits for the
    next five at 110; steps every 17 rounds after, the third five arriving at 165 in time; output at 280."""
    (s,) = parallel_schedules(Pipeline.from_distances((5, 17)))
    assert [r.start for r in s.runs] == [0] * 5 + [55] * 5 + [110] * 5
    assert [(x.step, x.start, x.end) for x in s.stalls] == [(2, 72, 110)]
    assert (s.tops[0].launch, s.rounds) == (55, 110 + 10 * 17)
    assert [k.time for k in s.takes if k.step >= 2] == [110 + 17 * j for j in range(10)]


def test_one_level_has_no_schedule():
    with pytest.raises(SpecError, match="two levels"):
        sequential_schedules(Pipeline.from_distances((7,)))


def test_baseline_schedules_have_no_fill_and_stalls_without_reuse():
    """A baseline schedule records no fill allocation (0 rounds, no runs) and its stalls lend nothing: a
    stall record's ``moved_out`` and ``reclaimed`` stay at -1 (no move), as for a dynamic stall that waits."""
    from magicpipe.compiler import Pipeline
    from magicpipe.compiler.allocator import Allocation
    from magicpipe.compiler.baselines import parallel_schedules, sequential_schedules

    pipe = Pipeline.from_distances((3, 9))
    schedules = sequential_schedules(pipe) + parallel_schedules(pipe)
    assert all(s.fill == Allocation(0, (), 0, 0) for s in schedules)
    stalls = [x for s in schedules for x in s.stalls]
    assert stalls and all((x.reuse, x.moved_out, x.reclaimed) == (False, -1, -1) for x in stalls)
