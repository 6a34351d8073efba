"""Distance search (planner / Fig. 7) and the steady-state mode."""

import pytest

from magicpipe.compiler import Hardware, Pipeline, check, parallel, sequential
from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.search import best_pipeline, candidate_pipelines
from magicpipe.compiler.steady import steady_state
from magicpipe.errors import InfeasibleError, SpecError



def test_candidates_meet_the_target_and_improve():
    pipes = list(candidate_pipelines(1e-15, Hardware(), levels=(2,), distances=range(3, 22, 2)))
    assert pipes
    for p in pipes:
        assert p.output_error <= 1e-15 and p.improves
        assert list(p.distances) == sorted(p.distances)


def test_best_pipeline_per_method_is_the_least_volume_candidate():
    hw = Hardware()
    for method, cost in (("sequential", sequential), ("parallel", parallel)):
        c = best_pipeline(1e-15, hw, method, levels=(2,), distances=range(3, 22, 2))
        volumes = [cost(p).volume for p in candidate_pipelines(1e-15, hw, (2,), range(3, 22, 2))]
        assert c.volume == min(volumes)


def test_dynamic_search_beats_baselines_and_matches_exhaustive():
    kw = dict(levels=(2,), distances=range(3, 16, 2))
    dyn = best_pipeline(1e-14, method="dynamic", **kw)
    exhaustive = min(pareto_front(p).min_volume().volume for p in candidate_pipelines(1e-14, Hardware(), **kw))
    assert dyn.volume == pytest.approx(exhaustive)  # branch and bound loses nothing
    assert dyn.volume < best_pipeline(1e-14, method="sequential", **kw).volume
    assert dyn.volume < best_pipeline(1e-14, method="parallel", **kw).volume


def test_search_errors():
    with pytest.raises(SpecError, match="must lie in"):
        best_pipeline(1.5)
    with pytest.raises(SpecError, match="method"):
        best_pipeline(1e-10, method="greedy")
    best = Pipeline.from_distances((11, 11)).output_error  # the largest distances give the least error
    with pytest.raises(InfeasibleError) as e:
        best_pipeline(1e-60, levels=(1, 2), distances=range(3, 12, 2))
    assert str(e.value).startswith(f"no pipeline of 2 levels with distances up to 11 reaches error 1e-60 (the best "
                                   f"reaches {best:.3g})")


def test_steady_state_5_17():
    pipe = Pipeline.from_distances((5, 17))
    best = pareto_front(pipe).min_volume()
    ss = steady_state(pipe, best, executions=4, shots=0)
    # between executions the data patches hold the staged burst, so only the ancilla region (10 patches at
    # d=17, 5770 qubits) refills: 7 level-1 copies plus the lane make the 12 states in two batches (110 rounds)
    assert ss.first_output == 242 and ss.period == 110 + 187
    assert ss.volume_per_state == pytest.approx(9782 * 297 / pipe.levels[-1].p_succ)
    check(ss.schedule)
    assert len(ss.schedule.tops) == 4
    with pytest.raises(SpecError, match="at least 2"):
        steady_state(pipe, best, executions=1)


def test_steady_state_counts_failures():
    """At p = eps = 1e-3 (level-1 success 0.974) first output and period are means of seeded runs with
    failures; a failed run only delays, so the mean last output is no earlier than without failures."""
    pipe = Pipeline.from_distances((5, 17), Hardware(p=1e-3, eps=1e-3))
    best = pareto_front(pipe).min_volume()
    ss = steady_state(pipe, best, executions=4, shots=8, seed=2)
    last = ss.schedule.tops[-1].end
    assert ss.shots == 8 and ss.first_output + 3 * ss.period >= last
    assert ss.deterministic_period == (last - ss.schedule.tops[0].end) / 3
    again = steady_state(pipe, best, executions=4, shots=8, seed=2)
    assert (again.first_output, again.period) == (ss.first_output, ss.period)  # seeded


def test_steady_state_reuse_only_point():
    pipe = Pipeline.from_distances((5, 17))
    smallest = pareto_front(pipe).smallest()
    ss = steady_state(pipe, smallest, executions=3)
    check(ss.schedule)
    assert ss.period >= smallest.deterministic_rounds - 55  # no faster than one execution after the first fill


def test_steady_state_runs_eight_executions_by_default():
    """steady_state's default ``executions=8``: the schedule holds eight top-level runs and the period is the
    mean gap between their ends, (last end - first end) / 7."""
    pipe = Pipeline.from_distances((5, 17))
    ss = steady_state(pipe, pareto_front(pipe).min_volume(), shots=0)
    ends = [t.end for t in ss.schedule.tops]
    assert len(ends) == 8 and ss.period == pytest.approx((ends[-1] - ends[0]) / 7)
