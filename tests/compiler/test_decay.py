"""Storage decay of buffered states (beyond the paper)."""

import pytest

from magicpipe.compiler import Hardware, Pipeline
from magicpipe.compiler.decay import slot_distance_for, storage_decay
from magicpipe.errors import SpecError
from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.search import best_pipeline


def test_fifo_waits_by_hand_5_17():
    """12 fill states at 55 (5 taken at once), steps every 17 rounds, supply states at 110, 165, 220."""
    pipe = Pipeline.from_distances((5, 17))
    point = pareto_front(pipe).min_volume()
    d = storage_decay(point.schedule, pipe.hardware)
    assert d.waits == (0, 0, 0, 0, 0, 17, 34, 51, 68, 85, 102, 119, 191 - 110, 208 - 165, 225 - 220)
    p_l5 = 0.03 * (1e-4 / 1e-2) ** 3
    assert d.cycle_error == pytest.approx(p_l5)
    assert d.mean_added == pytest.approx(sum(d.waits) / 15 / 5 * p_l5)
    assert d.max_added == pytest.approx(119 / 5 * p_l5)
    high = point.schedule.high
    assert d.eps_out_with_decay == pytest.approx(high.output_error(d.eps_in + d.mean_added))
    # decay more than doubles this point's input error and raises its output error sixfold
    assert d.mean_added > d.eps_in and d.eps_out_with_decay / d.eps_out == pytest.approx(6.37, rel=0.01)
    assert point.output_error == d.eps_out_with_decay


def test_decay_aware_search_meets_its_target():
    hw = Hardware()
    target = 2e-18
    plain = best_pipeline(target, hw, levels=(2,), distances=range(3, 20, 2))
    aware = best_pipeline(target, hw, levels=(2,), distances=range(3, 20, 2), storage_decay=True)
    assert aware.point.output_error <= target
    assert plain.point.output_error > target  # the paper's choice misses the target once decay counts
    assert aware.volume >= plain.volume


def test_slots_at_a_higher_distance_decay_at_their_own_p_l():
    """A wait's first d_s rounds are charged at the producer's d = 5 (the growth), the rest at d_s = 7."""
    pipe = Pipeline.from_distances((5, 17))
    point = pareto_front(pipe).min_volume()
    base = storage_decay(point.schedule, pipe.hardware)
    grown = storage_decay(point.schedule, pipe.hardware, 7)
    p_l5, p_l7 = 0.03 * (1e-4 / 1e-2) ** 3, 0.03 * (1e-4 / 1e-2) ** 4
    assert grown.waits == base.waits and grown.slot_distance == 7 and grown.slot_qubits == 2 * 7**2 - 1
    assert (base.growth_rounds, grown.growth_rounds) == (0, 7)
    by_hand = [min(w, 7) / 5 * p_l5 + max(w - 7, 0) / 7 * p_l7 for w in base.waits]
    assert grown.mean_added == pytest.approx(sum(by_hand) / 15)
    assert grown.max_added == pytest.approx(max(by_hand))
    assert grown.eps_out < grown.eps_out_with_decay < base.eps_out_with_decay
    with pytest.raises(SpecError, match="slot distance 3 must be an odd distance >= the producer's 5"):
        storage_decay(point.schedule, pipe.hardware, 3)


def test_slot_distance_for_takes_the_smallest_that_meets_the_target():
    """Larger slots are not always better: each wait's first d_s rounds are charged at the producer's
    distance, so at (5, 17) slots at 9 decay more than at 7 (the waits are short)."""
    pipe = Pipeline.from_distances((5, 17))
    point = pareto_front(pipe).min_volume()
    errors = {d: storage_decay(point.schedule, pipe.hardware, d).eps_out_with_decay for d in (5, 7, 9, 11)}
    assert errors[5] > errors[11] > errors[9] > errors[7]
    assert slot_distance_for(point.schedule, pipe.hardware, errors[5]).slot_distance == 5
    assert slot_distance_for(point.schedule, pipe.hardware, (errors[7] + errors[5]) / 2).slot_distance == 7
    assert slot_distance_for(point.schedule, pipe.hardware, errors[7]).slot_distance == 7
    assert slot_distance_for(point.schedule, pipe.hardware, errors[7] * 0.999) is None
    assert slot_distance_for(point.schedule, pipe.hardware, errors[5], max_step=0).slot_distance == 5
