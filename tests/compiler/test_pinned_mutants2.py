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


def test_expected_rounds_are_those_of_the_first_execution(p517):
    """stalls.py ``expected_rounds``: ``top = schedule.tops[0]`` -> ``tops[-1]``: the expected completion of a
    two-execution schedule is its first execution's (the one-execution schedule's, to the lanes' later deposits),
    after its no-failure end (242) and far before the second's (539)."""
    from magicpipe.compiler.stalls import expected_rounds

    _, high, menu, slot = p517
    one, two = simulate(high, menu, 9782, 8, slot), simulate(high, menu, 9782, 8, slot, tops=2)
    assert [(t.launch, t.end) for t in two.tops] == [(55, 242), (352, 539)]
    assert expected_rounds(two) == pytest.approx(expected_rounds(one), rel=1e-5)
    assert 242 < expected_rounds(two) < 250


def test_rounds_floor_by_hand(p517):
    """pareto.py ``_rounds_floor``: ``every + high.step_rounds`` -> ``-``. The (5, 17) top factory takes 15
    inputs (burst 4, then one a step of 17 rounds; 187 rounds a run); a level-1 copy is 735 qubits and 55 rounds.
    With 15 slots every state after the burst has a slot, so the floor is ``max(fill + 187, every + 17)``: one
    copy makes the 15 inputs one after another, 15 x 55 + 17 = 842 (the fill, 5 x 55 + 187 = 462, is shorter);
    two copies 8 x 55 + 17 = 457 (fill 3 x 55 + 187 = 352); sixteen, the fill's 55 + 187 = 242."""
    from magicpipe.compiler.pareto import _rounds_floor

    _, high, menu, _ = p517
    p = menu[0]
    assert (p.qubits, p.rounds, high.rounds, high.step_rounds, high.protocol.inputs) == (735, 55, 187, 17, 15)
    assert [_rounds_floor(high, p, k * 735, 15) for k in (1, 2, 16)] == [842, 457, 242]


def test_coarse_to_fine_refines_around_the_first_coarse_budget():
    """pareto.py ``_coarse_to_fine``: ``lo = coarse[max(k - 1, 0)]`` -> ``max(k - 1, -1)``: when the best coarse
    budget is the first one (0 of 0, 4, 9, ...), the fine pass covers 0..4 and finds the least volume at 1
    (volume (q - 1)^2 below 4, 1000 - q above: the other two best coarse budgets are the largest)."""
    from types import SimpleNamespace

    from magicpipe.compiler.pareto import _coarse_to_fine

    def evaluate(q):
        return SimpleNamespace(qubits=q, volume=(q - 1) ** 2 if q < 4 else 1000 - q)

    points = _coarse_to_fine(list(range(100)), evaluate, 0, lambda p: p)
    assert min(points, key=lambda p: p.volume).qubits == 1
    assert {0, 1, 2, 3, 4} <= {p.qubits for p in points}


def test_first_level_grid_is_the_documented_one():
    """catalogue_search.py ``first_level_grid``: ``d_Z <= min(d_X, d_X // 2 + 3)`` -> ``max``. The grid as the
    module docstring and docs/catalogue.md state it, filtered from every odd triple: d_X 5..31, d_Z 3..d_X/2 + 3
    (and <= d_X), d_m one of d_Z, d_Z + 2 and <= d_X."""
    from magicpipe.compiler.catalogue_search import first_level_grid

    odd = range(3, 34, 2)
    stated = {(x, z, m) for x in odd for z in odd for m in odd
              if 5 <= x <= 31 and z <= x / 2 + 3 and z <= x and m in (z, z + 2) and m <= x}
    grid = first_level_grid()
    assert len(grid) == len(set(grid)) and set(grid) == stated
    assert (31, 17, 19) in grid and (31, 19, 19) not in grid and (7, 7, 7) not in grid and (7, 5, 7) in grid


def test_every_published_cultivation_row_has_its_d1_footprint():
    """cultivation_data.py: the circuit's qubits depend on d1 only (454 at d1 = 3, 463 at d1 = 5; GRID keeps the
    first row's), so a transcription slip in any row's ``q`` is seen; and each (p, d1) group is one simulation
    batch, with one shot count."""
    from magicpipe.compiler.cultivation_data import PUBLISHED

    assert {(d1, q) for _, d1, q, *_ in PUBLISHED} == {(3, 454), (5, 463)}
    shots = {}
    for p, d1, _, n, *_ in PUBLISHED:
        shots.setdefault((p, d1), set()).add(n)
    assert len(shots) == 6 and all(len(v) == 1 for v in shots.values())


def test_a_mixed_pair_beyond_the_distillation_share_is_not_offered():
    """mixed.py ``share = budgets[1] (1 + 1e-12)`` -> ``(2 + 1e-12)``: a CCZ source whose pair error,
    ``t e_T + c e_C``, exceeds the distillation share (1e-3 / 3) gives no mixed point, even within twice it; one
    just under the share gives points, each within it."""
    from magicpipe.compiler import DemandTimeline, Source
    from magicpipe.compiler.mixed import mixed_points, pair_error

    layers = 10**5
    counts = LogicalCounts(100, t_count=3 * layers, ccz_count=10 * layers,
                           timeline=DemandTimeline((layers,), (3 + 4 * 10,)),
                           ccz_timeline=DemandTimeline((layers,), (10,)))
    demand = program_demand(counts, ErrorBudget(1e-3), SYNTHESIS_MODELS["azure"])
    t_src = Source("t", "litinski", 30732, 82.5, 82.5, 1, 2.7e-12)
    over = Source("ccz over", "litinski", 47046, 60.0, 60.0, 1, 5e-10, kind="CCZ")
    under = Source("ccz under", "litinski", 47046, 60.0, 60.0, 1, 3e-10, kind="CCZ")
    share = demand.budgets[1]
    error = pair_error(demand, t_src, over)
    assert error == pytest.approx(3e5 * 2.7e-12 + 1e6 * 5e-10, rel=1e-12) and share < error < 2 * share
    assert mixed_points(demand, [t_src], [over], HW, "fast") == ([], 0)
    points, evaluated = mixed_points(demand, [t_src], [under], HW, "fast")
    assert points and evaluated == len(points)
    assert all(dict(p.errors)["distillation"] <= share for p in points)


def test_a_reuse_cycle_lends_the_idle_qubits_too(p517):
    """dynamic.py ``reuse_plan``: ``pool = lendable + idle`` -> ``lendable - idle``. At 9100 qubits and 4 slots no
    supply lane fits, so 9100 - 8655 - 4 x 49 = 249 qubits are idle and a reuse cycle has 5770 + 249 = 6019 qubits:
    a made-up fast producer of exactly 6019 qubits (10 rounds) runs there, one of 6020 does not (the 735-qubit
    level-1 copies run instead, and the execution takes 360 rounds instead of 320)."""
    from magicpipe.compiler.allocator import Producer

    _, high, menu, slot = p517
    assert (high.qubits, high.lendable_qubits, slot) == (8655, 5770, 49)
    done = {}
    for qubits in (6019, 6020):
        s = simulate(high, (menu[0], Producer("fast", qubits, 10, 1, 1.0, 1e-7, 5)), 9100, 4, slot)
        assert s.supply.qubits == 0 and s.stalls and all(x.reuse for x in s.stalls)
        done[qubits] = ({r.producer for r in s.runs if r.role == "reuse"}, s.rounds)
    assert done == {6019: ({1}, 320), 6020: ({0}, 360)}


def test_no_states_need_no_allocation():
    """allocator.py ``min_time_allocation``: a target of 0 (or below) is the empty allocation of 0 rounds
    (``Allocation(0, ...)`` -> ``Allocation(-1, ...)``)."""
    from magicpipe.compiler.allocator import Allocation, min_time_allocation

    menu = (level_producer(Pipeline.from_distances((5, 17)), 1),)
    assert min_time_allocation(menu, 9000, 0) == min_time_allocation(menu, 9000, -3) == Allocation(0, (), 0, 0)
    assert min_time_allocation(menu, 9000, 1).rounds == menu[0].rounds == 55


# --- pins written after the final measurement (seed 30), for its survivors --------------------------------------


def test_a_one_qubit_bound_is_a_bound_not_a_bad_option():
    """compilation.py ``max_physical_qubits <= 0`` -> ``<= 1``: 1 is a valid (if unmeetable) bound, so the plan is
    infeasible with the nearest point named, not refused as a bad option; 0 is refused."""
    from magicpipe.errors import InfeasibleError, SpecError

    counts = LogicalCounts(4, measurement_count=3)
    with pytest.raises(InfeasibleError, match="no point of the front meets --max-physical-qubits 1"):
        plan_counts(counts, max_physical_qubits=1)
    with pytest.raises(SpecError, match="max_physical_qubits must be a positive integer, got 0"):
        plan_counts(counts, max_physical_qubits=0)


def test_a_source_as_large_but_worse_is_dominated():
    """program.py ``undominated_sources``: ``b.qubits <= a.qubits`` -> ``<``: of two sources of 100 qubits with the
    same rate, outputs and error, the one starting later (20 rounds against 10) is dominated."""
    from magicpipe.compiler import Source
    from magicpipe.compiler.program import undominated_sources

    early = Source("early", "m", 100, 10.0, 5.0, 1, 1e-9)
    late = Source("late", "m", 100, 20.0, 5.0, 1, 1e-9)
    assert early.rate == late.rate == 0.2
    assert undominated_sources([early, late]) == undominated_sources([late, early]) == [early]


def test_fastest_allocation_needs_every_qubit_it_counts():
    """allocator.py, the menu DP: no states need 0 qubits (``least = [0] + ...`` -> ``[-1] + ...``). Two copies of
    a 735-qubit producer need 1470 qubits: on 1469 the fastest way to 2 states is one copy run twice (110 rounds),
    on 1470 two copies at once (55 rounds)."""
    from magicpipe.compiler.allocator import Allocation, Producer, min_time_allocation

    a, b = Producer("A", 735, 55, 1, 1.0, 1e-7, 5), Producer("B", 900, 60, 1, 1.0, 1e-7, 5)
    assert min_time_allocation((a, b), 1469, 2) == Allocation(110, ((0, 1, 2),), 735, 2)
    assert min_time_allocation((a, b), 1470, 2) == Allocation(55, ((0, 2, 1),), 1470, 2)


def test_a_stall_with_no_way_to_get_states_is_refused_at_once(p517):
    """dynamic.py ``wait_until >= _HORIZON and not use_reuse`` -> ``>``: a made-up producer of 5771 qubits (4
    states a run) fills the first launch on 8851 qubits, but no lane fits beside the factory and the ancilla
    region (5770) cannot host one, so the first stall (round 148) is infeasible; at 5770 qubits it is a reuse."""
    from magicpipe.compiler.allocator import Producer
    from magicpipe.errors import InfeasibleError

    _, high, _, slot = p517
    with pytest.raises(InfeasibleError, match="stalls at round 148 with no way to get states"):
        simulate(high, (Producer("big", 5771, 40, 4, 1.0, 1e-7, 5),), 8851, 4, slot)
    s = simulate(high, (Producer("fits", 5770, 40, 4, 1.0, 1e-7, 5),), 8851, 4, slot)
    assert s.stalls and all(x.reuse for x in s.stalls)


def test_best_accounted_sequential_pipeline_is_the_least_volume_candidate():
    """search.py ``best_pipeline(method="sequential-accounted")``: ``best_acc is None or better`` -> ``and``. The
    choice, found by visiting the candidates in the paper's sequential volume order with an early stop, is the
    least accounted volume over every candidate pipeline (brute force): (3, 11) at 1e-12, 4080 qubits."""
    from magicpipe.compiler import Hardware
    from magicpipe.compiler.accounted import sequential_accounted
    from magicpipe.compiler.search import best_pipeline, candidate_pipelines

    c = best_pipeline(1e-12, method="sequential-accounted", levels=(2,), distances=range(3, 16, 2))
    every = [sequential_accounted(p) for p in candidate_pipelines(1e-12, Hardware(), (2,), range(3, 16, 2))]
    least = min(every, key=lambda a: (a.volume, a.qubits))
    assert (c.pipeline.distances, c.qubits, c.volume) == ((3, 11), least.qubits, least.volume) and c.qubits == 4080


# --- pins written after the last untuned sample (seed 31), for its survivors ---------------------------------------


def test_a_cultivation_producer_is_a_first_level_one():
    """allocator.py ``Producer.level = 1`` -> ``2``: a cultivation patch is the first level (the stream's LAUNCH
    and the report's boxes read ``level``); ``cultivation_producer`` relies on the default."""
    from magicpipe.compiler.cultivation import cultivation_point
    from magicpipe.compiler.producers import cultivation_producer

    assert cultivation_producer(cultivation_point(1e-3, 3, 0.0)).level == 1


def test_a_lower_block_carries_its_routing_strip():
    """dyncat.py ``_lower_block``: the strip is ``(d_X + 4 d_Z) d_m2`` qubits (module docstring): ``ds[0]`` ->
    ``ds[1]`` would make it (5 d_Z) d_m2. For (11, 5, 5) under an upper d_m = 13: width 31, 31 x 13 = 403 qubits
    beside the block's own."""
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue_search import _one
    from magicpipe.compiler.dyncat import _lower_block
    from magicpipe.compiler.producers import catalogue_producer

    noise = NoiseModel.from_hardware(HW)
    lower = _lower_block(noise, (11, 5, 5), 13)
    assert lower.width == 11 + 4 * 5 == 31
    assert lower.producer.qubits == catalogue_producer(_one(noise, (11, 5, 5))).qubits + 31 * 13


def test_need_layers_by_hand():
    """supplies.py ``_need_layers``: ``max(int(j + _EPS), 0) + 1`` -> ``- 1`` (and the tolerance's sign): a kind at
    3 states falling by one a layer stays at or above 1 for layers 0, 1, 2: three layers (j = 2 exactly, where the
    tolerance matters); from 3.5 also three; with room to rise (g >= 0) without end."""
    import math

    from magicpipe.compiler.supplies import _need_layers

    assert [_need_layers(3.0, -1.0, 10.0, 1.0), _need_layers(3.5, -1.0, 10.0, 1.0)] == [3.0, 3.0]
    assert _need_layers(3.0, 0.5, 10.0, 1.0) == math.inf


def test_a_catalogue_producers_run_is_the_blocks_cycles_times_its_success():
    """producers.py ``catalogue_producer``: ``rounds = ceil(cycles p_succ - 1e-9)`` -> ``- 1.000000001``. A
    first-level block's cycles are its 6 d_m code cycles over its success probability, so a run of the producer
    is 6 d_m rounds (the tolerance absorbs the float noise of that whole number): 18, 30, 42 for d_m = 3, 5, 7."""
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue_search import _one
    from magicpipe.compiler.producers import catalogue_producer

    noise = NoiseModel.from_hardware(HW)
    assert [catalogue_producer(_one(noise, ds)).rounds for ds in ((9, 3, 3), (11, 5, 5), (17, 7, 7))] == [18, 30, 42]


def test_the_exact_allocator_is_counted_once_per_solve():
    """allocator.py ``_STATS["exact"] += 1`` -> ``+= 2``: ``solver_stats()`` counts one exact (menu) solve per
    call of ``min_time_allocation`` with a menu of two producers."""
    from magicpipe.compiler.allocator import Producer, min_time_allocation, solver_stats

    a, b = Producer("A", 735, 55, 1, 1.0, 1e-7, 5), Producer("B", 900, 60, 1, 1.0, 1e-7, 5)
    before = solver_stats()["exact"]
    min_time_allocation((a, b), 5000, 7)
    assert solver_stats()["exact"] == before + 1


def test_expected_rounds_grow_with_the_failure_rate(p517):
    """stalls.py ``_run_phase``: ``weighted += mass x delay`` -> ``-=``. Failures only add rounds: the expected
    completion is at least the no-failure schedule's and grows as the level-1 success probability falls
    (0.998, 0.9, 0.7), on a schedule whose stalls wait for lanes (12,000 qubits, 2 slots) and one that reuses the
    ancilla region (9000, 4)."""
    from magicpipe.compiler.stalls import expected_rounds

    _, high, menu, slot = p517
    for q, b in ((12000, 2), (9000, 4)):
        runs = [simulate(high, (dataclasses.replace(menu[0], p_succ=ps),), q, b, slot) for ps in (0.998, 0.9, 0.7)]
        assert len({s.rounds for s in runs}) == 1
        e = [expected_rounds(s) for s in runs]
        assert runs[0].rounds <= e[0] < e[1] < e[2]


# --- pins written after seed 32 (the last sample), for its survivors ---------------------------------------------


def test_parallel_buffer_qubits_by_hand():
    """baselines.py ``parallel``: ``buffer_qubits = 0`` -> ``-1`` to start. At (5, 17): 5 level-1 copies with 4
    patches of d = 5 (49 qubits) and one top copy with 8 of d = 17 (577): 20 x 49 + 8 x 577 = 5596 buffer qubits,
    17,926 in all with the factories (5 x 735 + 8655)."""
    from magicpipe.compiler.baselines import parallel

    p = parallel(Pipeline.from_distances((5, 17)))
    assert (p.copies, p.slots, p.buffer_qubits, p.qubits) == ((5, 1), (20, 8), 20 * 49 + 8 * 577, 5 * 735 + 8655 + 5596)


def test_a_negative_source_error_is_refused():
    """source.py ``0 <= output_error < 1`` -> ``-1 <= ...``: an error just below 0 is refused, 0 accepted."""
    from magicpipe.compiler import Source
    from magicpipe.errors import SpecError

    assert Source("s", "m", 10, 5.0, 5.0, 1, 0.0).output_error == 0.0
    with pytest.raises(SpecError, match="output_error must lie in"):
        Source("s", "m", 10, 5.0, 5.0, 1, -1e-9)


def test_an_upper_blocks_data_patches_are_its_logical_qubits_at_2_dx_dz():
    """dyncat.py ``block_factory``: data qubits ``layout.qubits x 2 d_X d_Z`` (-> ``1 x``): the upper 15-to-1 at
    (25, 11, 11) keeps its 5 logical patches of 2 x 25 x 11 = 550 qubits as data (2750); the rest is lent."""
    from magicpipe.compiler.dyncat import block_factory

    f = block_factory(HW, "15-to-1", (25, 11, 11), 1e-6, 110.0)
    assert (f.data_qubits, f.lendable_qubits) == (5 * 2 * 25 * 11, f.qubits - 2750)


def test_timeline_runs_start_at_layer_0():
    """layers.py ``DemandTimeline.runs``: ``first = 0`` -> ``1``: runs (2 layers of 1 state, 3 of 4) start at
    layers 0 and 2."""
    from magicpipe.compiler import DemandTimeline

    assert list(DemandTimeline((2, 3), (1, 4)).runs()) == [(0, 2, 1), (2, 3, 4)]


def test_split_toffolis_merges_equal_neighbouring_runs():
    """supplies.py ``_merge``: equal neighbours are one run (``out[-1][1:] == (t, c)`` -> ``out[-1][0:]``): 9 T
    states a layer (two runs of 2 layers) with 2 Toffolis a layer (runs of 1 and 3) split, at 4 T per Toffoli, into
    1 T and 2 CCZ states on every one of the 4 layers: one run, not three pieces."""
    from magicpipe.compiler import DemandTimeline
    from magicpipe.compiler.supplies import split_toffolis

    k = split_toffolis(DemandTimeline((2, 2), (9, 9)), DemandTimeline((1, 3), (2, 2)), 4)
    assert (k.lengths, k.t_states, k.ccz_states) == ((4,), (1,), (2,))
    # the merge extends the last run (``out[-1] = ...`` -> ``out[0]``): a first layer of 5 T and 1 Toffoli, then
    # four layers of 9 T and 2 Toffolis cut at layers 2 and 3, gives two runs
    k = split_toffolis(DemandTimeline((1, 2, 2), (5, 9, 9)), DemandTimeline((1, 1, 3), (1, 2, 2)), 4)
    assert (k.lengths, k.t_states, k.ccz_states) == ((1, 4), (1, 1), (1, 2))


def test_a_fill_run_from_round_0_must_end_by_the_first_launch(p517):
    """check.py ``since = 0`` for the first execution -> ``1``: a fill run begun at round 0 that ends after the
    launch (round 55) is reported."""
    _, high, menu, slot = p517
    s = simulate(high, menu, 9782, 8, slot)
    r = next(r for r in s.runs if r.role == "fill" and r.start == 0)
    late = dataclasses.replace(r, end=s.tops[0].launch + 1)
    with pytest.raises(VerificationError, match=rf"fill run {r.id} ends at round 56, after execution 0's launch"):
        check(dataclasses.replace(s, runs=tuple(late if x == r else x for x in s.runs)))
