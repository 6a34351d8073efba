"""Buffer slots at a higher distance in the Pareto search and the planner (issue 12, item 7).

The hand case: (5, 17) under the paper's model at p = eps = 1e-4. Its least-volume point (9782 qubits, 8 slots at
d = 5) has an output error of 3.51e-18 with decay charged, 5.51e-19 without (tests/compiler/test_decay.py).
"""

import pytest

from magicpipe.compiler import Hardware, Pipeline
from magicpipe.compiler.decay import grown_schedule, slot_distance_of, storage_decay
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.feeds import pipeline_sources
from magicpipe.compiler.hardware import patch_qubits
from magicpipe.compiler.pareto import level_producer, pareto_front
from magicpipe.compiler.search import best_pipeline
from magicpipe.errors import SpecError

TARGET = 1e-18  # between the point's error with slots at d = 7 (7.08e-19) and at d = 5 (3.51e-18)


@pytest.fixture(scope="module")
def pipe():
    return Pipeline.from_distances((5, 17))


def test_decay_binds_and_grown_slots_make_the_least_volume_point_feasible(pipe):
    free = pareto_front(pipe).min_volume()
    assert (free.qubits, free.buffer_slots, free.slot_distance, free.grown_qubits) == (9782, 8, 5, 0)
    assert free.output_error > TARGET  # decay binds at the patch distance
    point = pareto_front(pipe, max_output_error=TARGET).min_volume()
    # the same configuration, its 8 slots grown from d = 5 (49 qubits) to d = 7 (97): 8 x 48 = 384 more qubits
    assert point.slot_distance == 7 and point.buffer_slots == 8
    assert point.grown_qubits == 8 * (patch_qubits(7) - patch_qubits(5)) == 384
    assert point.qubits == 9782 + 384 == point.schedule.qubit_budget
    assert point.rounds == free.rounds and point.schedule == grown_schedule(free.schedule, 7)
    assert point.output_error == storage_decay(free.schedule, pipe.hardware, 7).eps_out_with_decay <= TARGET
    # the schedule is what the scheduler makes with the larger slots and budget: it sets the buffer aside first
    again = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 9782 + 384, 8, patch_qubits(7),
                     free.policy)
    assert again == point.schedule


def test_the_grown_point_competes_and_wins_over_the_fixed_slot_front(pipe):
    grown = pareto_front(pipe, max_output_error=TARGET)
    fixed = pareto_front(pipe, max_output_error=TARGET, grow_slots=False)
    assert not any(p.grown_qubits for p in fixed.evaluated)
    assert all(p.output_error <= TARGET for p in grown.evaluated + fixed.evaluated)
    best_fixed = fixed.min_volume()  # without growth the least volume needs a smaller buffer and more rounds
    assert (best_fixed.qubits, best_fixed.buffer_slots, best_fixed.slot_distance) == (11007, 3, 5)
    assert grown.min_volume().volume < 0.9 * best_fixed.volume
    # the grown front keeps un-grown points where they are not beaten
    assert any(p.grown_qubits == 0 for p in grown.points)


def test_nothing_changes_where_decay_does_not_bind(pipe):
    loose = 1e-16  # above every point's error with decay (the largest is 1.6e-17)
    free = pareto_front(pipe)
    grown = pareto_front(pipe, max_output_error=loose)
    fixed = pareto_front(pipe, max_output_error=loose, grow_slots=False)
    assert grown.points == fixed.points == free.points
    assert not any(p.grown_qubits for p in grown.evaluated)


def test_the_plan_names_the_slot_distance(pipe):
    sources, schedules = pipeline_sources(pipe, TARGET, ("dynamic",))
    grown = [s for s in sources if s.detail_dict()["slot_distance"] == 7]
    assert grown and all(s.name.endswith(" slots d=7") for s in grown)
    assert all(s.info()["slot_distance"] == 5 and "slots d=" not in s.name for s in sources if s not in grown)
    for s in grown:
        sched = schedules[s.name]
        assert slot_distance_of(sched) == 7 and s.qubits == sched.qubit_budget
    fixed, _ = pipeline_sources(pipe, TARGET, ("dynamic",), grow_slots=False)
    assert all(s.info()["slot_distance"] == 5 for s in fixed)


def test_the_planner_chooses_grown_slots_under_the_measured_model():
    """Per-state target 1e-11 at p = eps = 1e-3 (measured): with slots fixed at the producer's distance the
    least volume is (11, 25); with grown slots (9, 27) holding its 7 states at d = 11 is 20 % smaller."""
    from magicpipe.compiler.errormodel import load_measured

    hw = Hardware(p=1e-3, eps=1e-3, model=load_measured())
    grown = best_pipeline(1e-11, hw, storage_decay=True)
    fixed = best_pipeline(1e-11, hw, storage_decay=True, grow_slots=False)
    assert (fixed.pipeline.distances, fixed.point.slot_distance) == ((11, 25), 11)
    assert (grown.pipeline.distances, grown.point.slot_distance, grown.point.buffer_slots) == ((9, 27), 11, 7)
    assert grown.point.grown_qubits == 7 * (patch_qubits(11) - patch_qubits(9))
    assert grown.point.output_error <= 1e-11 and grown.volume < 0.85 * fixed.volume


def test_slots_are_never_shrunk(pipe):
    s = pareto_front(pipe).min_volume().schedule
    big = grown_schedule(s, 9)
    assert grown_schedule(big, 9) == big and slot_distance_of(big) == 9
    with pytest.raises(SpecError, match="slot distance 7 must be an odd distance >= the slots' 9"):
        grown_schedule(big, 7)
    with pytest.raises(SpecError, match="odd distance"):
        grown_schedule(s, 8)
