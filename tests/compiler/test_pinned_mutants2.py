"""Pins of the core for the survivors of mutation-test seeds 20 and up (docs/testing.md, "Mutation testing"):
each test names the mutant of ``tests/mutate.py`` it kills and was checked with ``--mutant`` to fail with it."""

import dataclasses

import pytest

from magicpipe.compiler import Hardware, LogicalCounts, Pipeline, check, patch_qubits
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.compilation import plan_counts
from magicpipe.compiler.decay import storage_decay
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.options import PAPER
from magicpipe.compiler.pareto import _sequential_configurations, level_producer, pareto_front
from magicpipe.compiler.program import plan_program, program_demand
from magicpipe.compiler.synthesis import SYNTHESIS_MODELS
from magicpipe.errors import VerificationError

HW = Hardware(p=1e-3, eps=1e-3)


@pytest.fixture(scope="module")
def p517():
    """The (5, 17) pipeline, its top factory, its one-producer menu and its slot patch (5)."""
    pipe = Pipeline.from_distances((5, 17))
    return pipe, pipe.levels[1].factory, (level_producer(pipe, 1),), patch_qubits(5)


def test_a_program_without_t_states_charges_only_its_data_block():
    """program.py, the no-factory point: ``("synthesis", 0.0)`` -> ``-1.0`` (and ``("distillation", 0.0)``).

    Without T states nothing is distilled or synthesised: the error breakdown is the data block's logical error
    and two zeros, so the total is the logical error alone."""
    demand = program_demand(LogicalCounts(4, measurement_count=3), ErrorBudget(1e-3), SYNTHESIS_MODELS["azure"])
    pt = plan_program(demand, [], HW).points[0]
    errors = dict(pt.errors)
    assert list(errors) == ["logical", "distillation", "synthesis"]
    assert (errors["distillation"], errors["synthesis"]) == (0.0, 0.0)
    assert errors["logical"] == pt.data.logical_error(pt.runtime_rounds, HW) > 0
    assert pt.total_error == errors["logical"]


def test_a_waiting_stall_records_no_move(p517):
    """dynamic.py ``_StallInProgress.moved_out = -1`` -> ``-2`` and ``reclaimed = -1`` -> ``0``.

    12,000 qubits with 2 slots stall without reuse (the producers keep the ancilla region): each stall record
    keeps the documented ``-1`` for both (no data patch moved), as a baseline's stall does."""
    _, high, menu, slot = p517
    s = simulate(high, menu, 12000, 2, slot)
    assert s.stalls and not any(x.reuse for x in s.stalls)
    assert {(x.moved_out, x.reclaimed) for x in s.stalls} == {(-1, -1)}
    assert -1 not in s.event_times() and 0 in s.event_times()


def _discarding_extra_run(s, role):
    """``s`` with one more run of ``role`` whose one state is discarded (conservation still holds)."""
    r = next(r for r in s.runs if r.role == "fill")
    extra = dataclasses.replace(r, id=len(s.runs), lane=r.lane + 100, role=role, discarded=1)
    return dataclasses.replace(s, runs=s.runs + (extra,), qubit_budget=s.qubit_budget + 10**6)


def test_only_spare_fill_copies_may_discard(p517):
    """check.py ``not (r.role == "fill" and s.policy.spare_fill)`` -> ``or``: a fill run that discards is refused
    without ``spare_fill``, a supply run that discards is refused with it; a spare fill run may discard."""
    _, high, menu, slot = p517
    s = simulate(high, menu, 9782, 8, slot)
    check(s)  # the schedule itself is valid
    with pytest.raises(VerificationError, match="1 states discarded by a full buffer"):
        check(_discarding_extra_run(s, "fill"))
    spare = dataclasses.replace(s, options=dataclasses.replace(s.policy, spare_fill=True))
    with pytest.raises(VerificationError, match="1 states discarded by a full buffer"):
        check(_discarding_extra_run(spare, "supply"))
    check(_discarding_extra_run(spare, "fill"))


def test_a_configuration_is_evaluated_once_even_with_grown_slots():
    """pareto.py ``tried = {(slots, p.qubits - p.grown_qubits)}`` -> ``+``: the sequential order's configuration
    is added only when the grid did not try it. At (3, 13) it is the grid's floor (11 slots beside the factory:
    5055 + 11 x 17 = 5242 qubits, since 16 level-1 copies take only 4080); under an output-error cap just below
    its error its slots are grown to d = 5 (11 x 32 = 352 qubits more), and it is still evaluated once."""
    pipe = Pipeline.from_distances((3, 13))
    high, menu, slot = pipe.levels[1].factory, (level_producer(pipe, 1),), patch_qubits(3)
    seq = _sequential_configurations(pipe, slot)
    assert seq == [(11, high.qubits + 11 * slot)] == [(11, 5242)]
    error = storage_decay(simulate(high, menu, 5242, 11, slot, PAPER), pipe.hardware).eps_out_with_decay
    front = pareto_front(pipe, PAPER, max_output_error=0.999 * error)
    keys = [(p.buffer_slots, p.qubits - p.grown_qubits) for p in front.evaluated]
    assert len(keys) == len(set(keys))
    assert [(p.qubits, p.grown_qubits, p.slot_distance) for p in front.evaluated
            if (p.buffer_slots, p.qubits - p.grown_qubits) == (11, 5242)] == [(5242 + 352, 352, 5)]
    assert patch_qubits(5) - patch_qubits(3) == 32


def test_an_output_error_exactly_at_the_cap_is_kept(p517):
    """pareto.py ``error > max_output_error`` -> ``>=``: a configuration whose storage-decayed error equals the
    cap meets it, so it is kept with its own slots; without slot growth (``grow_slots=False``, where a miss is
    dropped) the mutant loses it. With growth the least slot distance meeting the cap is its own, so both agree."""
    pipe = p517[0]
    free = pareto_front(pipe, PAPER, buffer_sizes=(11,))
    p = max(free.evaluated, key=lambda p: (p.output_error, p.qubits))
    for grow in (False, True):
        capped = pareto_front(pipe, PAPER, buffer_sizes=(11,), max_output_error=p.output_error, grow_slots=grow)
        same = [x for x in capped.evaluated if x.qubits == p.qubits]
        assert [(x.grown_qubits, x.output_error) for x in same] == [(0, p.output_error)]


def test_plan_counts_records_its_documented_defaults():
    """compilation.py ``plan_counts(storage_decay=True)`` -> ``False`` (and the other defaults): a plan records
    the options it ran with, and the defaults are the documented ones (decay charged, slots grown, the
    catalogue and the budget search on, the fast layout, Azure's synthesis, 4 T per Toffoli, hand-off charged)."""
    c = plan_counts(LogicalCounts(4, measurement_count=3))
    options = dict(c.options)
    assert {k: options[k] for k in ("max_levels", "pipelines", "storage_decay", "grow_slots", "catalogue",
                                    "budget_search", "reserve_synthesis", "layout", "synthesis", "toffoli_t",
                                    "synthesis_error", "baselines", "handoff")} == {
        "max_levels": 3, "pipelines": 3, "storage_decay": True, "grow_slots": True, "catalogue": True,
        "budget_search": True, "reserve_synthesis": False, "layout": "fast", "synthesis": "azure",
        "toffoli_t": 4, "synthesis_error": None, "baselines": ["sequential", "parallel"], "handoff": True}
    assert c.objective == "volume"


def test_a_run_of_no_layers_records_no_wait():
    """supplies.py ``rec.append((start, length, max(first, 0.0), w_run))`` -> ``max(first, -1.0)``: a run of zero
    layers is recorded with a first wait of 0 (not the loop's -1 placeholder) and changes nothing else: the
    doctest's program (T every 2 rounds, CCZ every 10: layers at 0, 10, 20) still takes 22 rounds, 16 waited."""
    from magicpipe.compiler.supplies import Supply, simulate_supplies

    t, c = Supply(0.5, 1.0, 3.0), Supply(0.1, 1.0, 2.0)
    sim = simulate_supplies([(1, 1), (1, 1)], [0, 3], [t, c], layer_rounds=2.0)
    assert sim.runs == ((0.0, 0, 0.0, 0.0), (0.0, 3, 0.0, 16.0))
    assert (sim.runtime_rounds, sim.wait_rounds, sim.startup_wait_rounds) == (22.0, 16.0, 0.0)


def test_cultivation_is_a_bound_only_below_the_grids_tolerance():
    """cultivation.py ``p < 5e-4 (1 - 1e-9)`` -> ``<=``: a p within the relative tolerance 1e-9 of the published
    5e-4, its edge included, is the published point; only below it is the 5e-4 point a bound."""
    from magicpipe.compiler.cultivation import cultivation_point

    edge = 5e-4 * (1 - 1e-9)
    on, below = cultivation_point(edge, 5, 0.0), cultivation_point(5e-4 * (1 - 2e-9), 5, 0.0)
    assert (on.bound, on.data) == (False, "GSJ24 published p = 0.0005")
    assert below.bound and below.data.startswith("GSJ24 p = 0.0005 data, a conservative bound")
    assert on.error == below.error == cultivation_point(5e-4, 5, 0.0).error


def test_lockstep_timing_does_not_depend_on_the_unit_of_time():
    """dyncat.py ``lockstep``: the clock starts at ``t = 0.0`` (-> ``1.0``): every time in the model is a
    producer's rounds or the block's step, so measuring both ten times larger gives ten times the mean rounds
    and standard error (same seed, same draws). A producer of 0.6 rounds whose first states come before round 1
    tells the origin apart: with the clock at 1 the mean would be 55.611 instead of 55.6125."""
    from magicpipe.compiler.allocator import Producer
    from magicpipe.compiler.dyncat import lockstep

    def producer(rounds):
        return Producer("x", qubits=100, rounds=rounds, outputs=1, p_succ=0.05, eps_out=1e-6, distance=7)

    small = lockstep(producer(0.6), 4, 7.0, 15, holds=False, seed=1)
    large = lockstep(producer(6.0), 4, 70.0, 15, holds=False, seed=1)
    assert large == pytest.approx((10 * small[0], 10 * small[1]), rel=1e-12)
