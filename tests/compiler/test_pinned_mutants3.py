"""Pins of the core for the survivors of mutation-test seeds 33 and up, drawn on the wider noticing set
(docs/testing.md, "Seeds 33 and up"): each test names the mutant of ``tests/mutate.py`` it kills and was checked
with ``--mutant`` to fail with it."""

import dataclasses

import pytest

from magicpipe.compiler import FIFTEEN_TO_ONE, Hardware, LogicalCounts, Pipeline, Source, patch_qubits
from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.program import plan_program, program_demand
from magicpipe.compiler.synthesis import SYNTHESIS_MODELS, SynthesisModel

HW = Hardware(p=1e-3, eps=1e-3)
AZURE = SYNTHESIS_MODELS["azure"]


def test_one_t_gate_is_one_layer():
    """program.py ``program_demand``: a derived timeline spreads the states over ``max(layers, 1)`` layers (mutant
    ``max(layers, 2)``): one T gate and nothing else is one layer holding one state, and its one state gets the
    whole distillation share (1e-3 / 2 without rotations)."""
    demand = program_demand(LogicalCounts(2, t_count=1), ErrorBudget(1e-3), AZURE)
    assert (demand.timeline.lengths, demand.timeline.states) == ((1,), (1,))
    assert demand.timeline.layers == 1 and demand.t_states == 1
    assert demand.target == pytest.approx(5e-4, rel=1e-12)


def test_a_source_exactly_at_the_tolerated_target_is_used():
    """program.py ``plan_program``: a T source is usable when ``output_error <= target (1 + 1e-12)`` (mutant ``<``):
    a source whose error is exactly the tolerated target (a float tie made on purpose) gives points; one a
    relative 1e-9 above is refused as reaching no target."""
    from magicpipe.errors import InfeasibleError

    demand = program_demand(LogicalCounts(4, t_count=20), ErrorBudget(1e-3), AZURE)
    assert demand.target == pytest.approx(1e-3 / 2 / 20, rel=1e-12)
    tie = Source("tie", "m", 30732, 82.5, 82.5, 1, demand.target * (1 + 1e-12))
    over = dataclasses.replace(tie, name="over", output_error=demand.target * (1 + 1e-9))
    assert [p.source for p in plan_program(demand, [tie], HW).points] == [tie] * 10
    with pytest.raises(InfeasibleError, match="no factory reaches the per-state error target"):
        plan_program(demand, [over], HW)


def test_no_search_target_without_states():
    """shares.py ``search_target``: demands without T states are skipped (``t_states == 0``; mutant ``== -1``
    divides by their zero states): a program of measurements only has no target, None as documented."""
    from magicpipe.compiler.shares import search_target

    demand = program_demand(LogicalCounts(4, measurement_count=3), ErrorBudget(1e-3), AZURE)
    assert demand.t_states == 0
    assert search_target([demand], 1e-3, HW) is None


def test_synthesis_choices_skip_t_counts_whose_curve_is_not_below_one_half():
    """shares.py ``synthesis_choices``: a T count whose curve ``2^(-(A - b) / a)`` is not below 1/2 is skipped
    (mutant ``3.0 ** ...`` skips fewer, and ``rotation_error`` then refuses the first). With a user model a = 1,
    b = 0 and one rotation in a total of 0.9: the search starts at A = 1 (curve exactly 1/2, skipped); A = 2..6
    give 1/4 .. 1/64, each a hair above (``rotation_error``), five choices, the most kept."""
    from magicpipe.compiler.shares import synthesis_choices

    choices = synthesis_choices(1, 0.9, SynthesisModel("halving", 1.0, 0.0))
    assert [a for a, _ in choices] == [2, 3, 4, 5, 6]
    assert [e for _, e in choices] == pytest.approx([2.0**-a for a in range(2, 7)], rel=1e-8)


def test_a_sensitivity_reports_its_edges_provenance():
    """sensitivity.py ``Sensitivity.to_dict``: ``edge_provenance or None`` (mutant ``and None``, always None): a
    stated provenance is written as is, an empty one as None."""
    from magicpipe.compiler.sensitivity import Sensitivity

    s = Sensitivity("m", "m-edge", (("d", 5),), (("d", 7),), edge_provenance="widths +-10%")
    assert s.to_dict()["edge_provenance"] == "widths +-10%"
    assert s.to_dict()["changed"] == ["d"] and s.to_dict()["edge"] == {"d": 7}
    assert dataclasses.replace(s, edge_provenance="").to_dict()["edge_provenance"] is None


def test_candidate_sources_take_as_many_pipelines_as_asked():
    """feeds.py ``_candidate_sources``: the best pipeline and the next ``pipelines - 1`` (mutant ``pipelines + 1``):
    at 1e-10, one pipeline gives the sources of (7, 19) only, two add the next sequence, (7, 21)."""
    from magicpipe.compiler.feeds import candidate_sources

    best, sources, _ = candidate_sources(1e-10, HW, max_levels=2, pipelines=1)
    assert best.distances == (7, 19) and {s.distances for s in sources} == {(7, 19)}
    _, sources, _ = candidate_sources(1e-10, HW, max_levels=2, pipelines=2)
    assert {s.distances for s in sources} == {(7, 19), (7, 21)}


def test_a_lost_state_is_remade_on_the_lent_region_only_beside_the_buffer():
    """failures.py ``_recovery`` after the launch: the region a lost state may be remade on is the lendable
    region plus the idle qubits, ``budget - high - buffer - supply`` (mutant ``+ buffer``, 784 qubits more). The
    (5, 17) schedule at 9782 qubits and 8 slots has 9782 - 8655 - 392 - 735 = 0 idle qubits and 5770 lendable:
    a made-up 6000-qubit, 10-round producer does not fit there, so the supply lane's 55-round producer remakes
    the state (55 rounds); one of exactly 5770 qubits fits: 2 moves of 2 rounds and its run, 14."""
    from magicpipe.compiler.dynamic import simulate
    from magicpipe.compiler.failures import _recovery
    from magicpipe.compiler.pareto import level_producer

    pipe = Pipeline.from_distances((5, 17))
    s = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 9782, 8, patch_qubits(5))
    assert (s.qubit_budget, s.high.qubits, s.buffer_qubits, s.supply.qubits) == (9782, 8655, 392, 735)
    assert s.supply.runs == ((0, 1, 1),) and s.high.lendable_qubits == 5770 and s.move_rounds == 2
    lane = Producer("lane", 735, 55, 1, 0.99, 1e-7, 5)
    large = dataclasses.replace(s, producers=(lane, Producer("large", 6000, 10, 1, 0.99, 1e-7, 5)))
    exact = dataclasses.replace(s, producers=(lane, Producer("exact", 5770, 10, 1, 0.99, 1e-7, 5)))
    assert _recovery(large, 100, False) == 55.0
    assert _recovery(exact, 100, False) == 14.0


def test_fifteen_to_one_outputs_on_the_qubit_no_check_measures():
    """protocols.py ``FIFTEEN_TO_ONE.output_qubits = (4,)`` (mutant 5; killed by the lattice tests, not by
    ``tests/compiler`` before): the output is the one qubit of the five no X check touches."""
    n = FIFTEEN_TO_ONE.logical_qubits
    unchecked = tuple(q for q in range(n) if all(c[q] == "I" for c in FIFTEEN_TO_ONE.checks))
    assert n == 5 and FIFTEEN_TO_ONE.output_qubits == unchecked == (4,)


def test_a_retry_needs_a_count_of_at_least_zero():
    """accounted.py ``expected_retry_rounds``: ``need < 0`` is refused (mutant ``need < -1`` lets -1 through, to an
    IndexError): -1 states is a SpecError, 0 states take no rounds."""
    from magicpipe.compiler.accounted import expected_retry_rounds
    from magicpipe.errors import SpecError

    with pytest.raises(SpecError, match="need >= 0"):
        expected_retry_rounds(-1, 0.5, lambda k: 1, 10.0)
    assert expected_retry_rounds(0, 0.5, lambda k: 1, 10.0) == 0.0


def test_slot_growth_reaches_max_step_steps_of_two():
    """decay.py ``slot_distance_for``: the slot distances tried are the producer's and up by 2 at most ``max_step``
    times, ``range(d0, d0 + 2 max_step + 1, 2)`` (mutant ``d0 + 1 max_step``: 5 and 7 only). On the (5, 17)
    schedule the output error with decay is 5.0e-10, 2.7e-12, 1.6e-12 at slot distances 5, 7, 9: a target of
    2e-12 is met first at 9 = 5 + 2 x 2, within the default 3 steps, and not within 1."""
    from magicpipe.compiler.decay import slot_distance_for, storage_decay
    from magicpipe.compiler.dynamic import simulate
    from magicpipe.compiler.pareto import level_producer

    pipe = Pipeline.from_distances((5, 17))
    s = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 9782, 8, patch_qubits(5))
    with_decay = [storage_decay(s, HW, d).eps_out_with_decay for d in (5, 7, 9)]
    assert with_decay == pytest.approx([4.9735e-10, 2.7356e-12, 1.6014e-12], rel=1e-4)
    assert slot_distance_for(s, HW, 2e-12).slot_distance == 9
    assert slot_distance_for(s, HW, 2e-12, max_step=1) is None


def test_mixed_t_copies_are_tried_around_the_balance():
    """mixed.py ``_BALANCE = (0.8, 0.9, 1.0, 1.1, 1.25)`` (mutant 1.1 -> 2.1): for a CCZ copy count ``K_C`` the T
    copy counts tried are ``ceil(f x K_T*)`` around the balance ``K_T* = K_C (c_rate / c) (t / t_rate)``. Here
    (1000 layers of 3 T and 10 CCZ states, a T source of 1 / 82.5 and a CCZ source of 1 / 60 states a round)
    ``K_T* = 0.4125 K_C``: at ``K_C = 12``, 4.95, so 4, 5, 5, 6, 7; and no count tried exceeds
    ``ceil(1.25 K_T*)`` except the T need itself, tried with the last CCZ count."""
    import math

    from magicpipe.compiler import DemandTimeline
    from magicpipe.compiler.mixed import mixed_points

    layers = 1000
    counts = LogicalCounts(100, t_count=3 * layers, ccz_count=10 * layers,
                           timeline=DemandTimeline((layers,), (3 + 4 * 10,)),
                           ccz_timeline=DemandTimeline((layers,), (10,)))
    demand = program_demand(counts, ErrorBudget(1e-3), AZURE)
    t_src = Source("t", "litinski", 30732, 82.5, 82.5, 1, 2.7e-12)
    ccz = Source("ccz", "litinski", 47046, 60.0, 60.0, 1, 3e-10, kind="CCZ")
    points, _ = mixed_points(demand, [t_src], [ccz], HW, "fast")
    tried: dict[int, list[int]] = {}
    for p in points:
        tried.setdefault(p.ccz_copies, []).append(p.copies)
    assert tried[12] == [4, 5, 6, 7]
    last = max(tried)
    assert all(kt <= math.ceil(1.25 * 0.4125 * kc - 1e-9) for kc, kts in tried.items() if kc != last for kt in kts)


def test_a_synthesis_model_needs_a_positive_slope():
    """synthesis.py ``SynthesisModel``: ``a > 0`` (mutant ``a >= 0`` lets a flat model through): a = 0 is refused."""
    from magicpipe.errors import SpecError

    with pytest.raises(SpecError, match="needs a finite a > 0"):
        SynthesisModel("flat", 0.0, 1.0)
    assert SynthesisModel("steep", 1e-9, 1.0).a == 1e-9


def test_no_recovery_is_priced_for_a_take_that_cannot_stall():
    """failures.py ``expected_delay``: a take's recovery is priced only when it may stall (``p_stall > 0``; mutant
    ``>= 0`` prices every take). The (5, 17) schedule at 9100 qubits and 4 slots has no supply lane; with a
    made-up producer that never fails and does not fit the lent region (6100 > 5770 + 249 idle qubits), no take
    can stall, so the delay is 0, though a stall there could not be recovered (the mutant raises)."""
    from magicpipe.compiler.dynamic import simulate
    from magicpipe.compiler.failures import expected_delay
    from magicpipe.compiler.pareto import level_producer

    pipe = Pipeline.from_distances((5, 17))
    s = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 9100, 4, patch_qubits(5))
    assert s.supply.runs == () and s.qubit_budget - s.high.qubits - s.buffer_qubits == 249
    sure = dataclasses.replace(s, producers=(Producer("sure", 6100, 40, 1, 1.0, 1e-7, 5),))
    assert expected_delay(sure) == 0.0


def test_a_supply_lane_runs_on_one_copy_at_a_time():
    """stalls.py ``_deposits``: after its last recorded run a supply lane runs on, one deposit per run (mutant: 2).
    The (5, 17) schedule at 9782 qubits, 8 slots launches at 55; its one lane's runs end at 110, 165, 220, then
    go on every 55 rounds: 275, 330, 385, 440 up to a horizon of 442, each one state of producer 0."""
    from magicpipe.compiler.dynamic import simulate
    from magicpipe.compiler.pareto import level_producer
    from magicpipe.compiler.stalls import _deposits

    pipe = Pipeline.from_distances((5, 17))
    s = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 9782, 8, patch_qubits(5))
    assert s.tops[0].launch == 55 and s.tops[0].end == 242
    fixed, moving = _deposits(s, 55, 442)
    assert fixed == [(t, 0, 1) for t in (110, 165, 220, 275, 330, 385, 440)] and moving == []


def test_up_to_twice_the_coarse_count_every_budget_is_evaluated():
    """pareto.py ``_coarse_to_fine``: with at most 2 x 24 budgets each is evaluated (mutant: up to 3 x 24); with
    49, only 24 spread evenly and those between the best three's neighbours."""
    from types import SimpleNamespace

    from magicpipe.compiler.pareto import _coarse_to_fine

    def run(n):
        calls = []

        def evaluate(q):
            calls.append(q)
            return SimpleNamespace(qubits=q, volume=(q - 20) ** 2, deterministic_rounds=100,
                                   schedule=SimpleNamespace(stalls=()))

        _coarse_to_fine(list(range(n)), evaluate, 0, lambda p: p)
        return sorted(calls)

    assert run(48) == list(range(48))
    assert len(run(49)) < 49


def test_the_reachable_buffer_counts_the_states_in_flight():
    """dynamic.py ``_Sim.reachable``: the fullest the buffer gets is the states held *and in flight*, plus whole
    lane runs (mutant: held minus in flight). With a made-up 4-output lane producer at (5, 17), 9782 qubits and 8
    slots: 2 buffered and 1 in flight make 3, and one more run of 4 fits the 8 slots, so 7 (the mutant: 1 + 4)."""
    from magicpipe.compiler.dynamic import _Sim
    from magicpipe.compiler.options import PAPER

    pipe = Pipeline.from_distances((5, 17))
    sim = _Sim(pipe.levels[1].factory, (Producer("four", 735, 55, 4, 0.99, 1e-7, 5),), 9782, 8, patch_qubits(5),
               PAPER, 1, None)
    assert sim.lanes == [0] and sim.cap == 8
    sim.buffer, sim.flight_outputs = 2, 1
    assert sim.reachable() == 7
    sim.buffer, sim.flight_outputs = 6, 0
    assert sim.reachable() == 6  # a 4-state run would overflow the 8 slots


def test_candidate_budgets_by_hand():
    """pareto.py ``candidate_budgets`` (mutant ``top = base - n_max x qubits`` drops the fill budgets) at (5, 17)
    with 8 slots of 49 qubits: base 8655 + 392 = 9047; the lanes' rate 1/55 against one input per 17-round step
    needs ceil(55/17) = 4 lanes, so up to n_max = 5: 9047 + 735 n for n = 0..5; plus 110 each (the idle qubits
    that let one more copy into the 5770-qubit reuse region, -5770 mod 735); and the fill copies,
    392 + 735 m from m = ceil(8655 / 735) = 12 up to the top, 9047 + 5 x 735 = 12722."""
    from magicpipe.compiler.pareto import candidate_budgets, level_producer

    pipe = Pipeline.from_distances((5, 17))
    got = candidate_budgets(pipe.levels[1].factory, (level_producer(pipe, 1),), patch_qubits(5), 8)
    assert got == [9047, 9157, 9212, 9782, 9892, 9947, 10517, 10627, 10682, 11252, 11362, 11417, 11987, 12097,
                   12152, 12722, 12832]


def test_the_t_target_is_the_distillation_share_per_state():
    """program.py ``program_demand``: the per-state target is the *distillation* share over the states,
    ``budgets[1] / M`` (mutant ``budgets[0]``, the logical share, equal to it under the default thirds). With
    shares 1/2, 1/4, 1/4 of 1e-3 and 10 T gates (no rotation, so the synthesis quarter goes to the other two in
    proportion): logical 2/3 e-3, distillation 1/3 e-3, each of 10 states 3.33e-5."""
    budget = ErrorBudget(1e-3, logical=0.5, distillation=0.25, synthesis=0.25)
    demand = program_demand(LogicalCounts(2, t_count=10), budget, AZURE)
    assert demand.budgets == pytest.approx((1e-3 * 2 / 3, 1e-3 / 3, 0.0), rel=1e-12)
    assert demand.target == pytest.approx(1e-3 / 3 / 10, rel=1e-12)


def test_a_single_producer_allocation_records_producer_zero_in_both_groups():
    """allocator.py ``_min_time_single``: the second group (copies running one run fewer) is producer 0's too
    (mutant -1, the same producer of a one-producer menu under another index). Three states of a 735-qubit,
    55-round producer on 1470 qubits: two copies, one running twice and one once, 110 rounds."""
    from magicpipe.compiler.allocator import Allocation, min_time_allocation

    p = Producer("p", 735, 55, 1, 1.0, 1e-7, 5)
    assert min_time_allocation((p,), 1470, 3) == Allocation(110, ((0, 1, 2), (0, 1, 1)), 1470, 3)


def test_best_pipeline_considers_three_levels_by_default():
    """search.py ``best_pipeline``'s default ``levels=(1, 2, 3)`` (mutant ``(1, 2, 2)``): at p = 1e-3 and injected
    states of 1e-2, two 15-to-1 levels reach no better than 35 (35 x 1e-6)^3 = 1.5e-12, so 1e-14 takes three
    levels, which the default search finds: (3, 9, 27)."""
    from magicpipe.compiler.search import best_pipeline
    from magicpipe.errors import InfeasibleError

    hw = Hardware(p=1e-3, eps=1e-2)
    assert best_pipeline(1e-14, hw, "sequential").pipeline.distances == (3, 9, 27)
    with pytest.raises(InfeasibleError):
        best_pipeline(1e-14, hw, "sequential", levels=(1, 2))


def test_every_configuration_measured_takes_the_benchmark_shots_and_buffers():
    """dyncat.py ``SHOTS = (4, 8)`` and ``SHOTS_RELIABLE = (2, 4)`` (mutant 8 -> 9): seeds per measured
    configuration, (planner, benchmarks), for a cultivation lower level and for a first-level block. The
    benchmark catalogue (``prune=False``) at p = 1e-4 measures cultivation-fed configurations with 8 shots and
    block-fed ones with 4; the planner's (pruned) with 4 and 2. And ``BUFFERS = (2, 4, 8)`` (mutant 4 -> 3): the
    benchmark catalogue keeps configurations of each of the three buffer sizes."""
    from magicpipe.compiler.dyncat import MC_BELOW, dynamic_catalogue

    hw = Hardware(p=1e-4, eps=1e-4)
    for prune, expected in ((False, {(4, False), (8, True)}), (True, {(2, False), (4, True)})):
        entries = dynamic_catalogue(hw, 5e-10, ("15-to-1",), prune=prune)
        assert {(e.source.detail_dict()["shots"], e.lower.producer.p_succ < MC_BELOW) for e in entries} == expected
        if not prune:
            assert {e.source.detail_dict()["buffer_slots"] for e in entries} == {2, 4, 8}


def test_between_executions_the_next_ones_data_patches_are_held():
    """schedule.py ``qubits_in_use``: between two executions (``zip(tops, tops[1:])``; mutant ``tops[0:]`` pairs
    each with itself) the next execution's data patches (2885 qubits at (5, 17)) hold its burst states. Two
    executions at 9782 qubits and 8 slots: the first ends at 242, the second launches at 352; in between, the
    qubits in use are the buffer's 392, the 2885 and the 735 of each level-1 run in progress (9782 at launch)."""
    from magicpipe.compiler.dynamic import simulate
    from magicpipe.compiler.pareto import level_producer

    pipe = Pipeline.from_distances((5, 17))
    s = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 9782, 8, patch_qubits(5), tops=2)
    assert [(t.launch, t.end) for t in s.tops] == [(55, 242), (352, 539)] and s.high.data_qubits == 2885
    for t in range(242, 352):
        running = sum(r.start <= t < r.end for r in s.runs)
        assert s.qubits_in_use(t) == 392 + 2885 + 735 * running, t
    assert s.qubits_in_use(300) == 392 + 2885 + 5 * 735 and s.qubits_in_use(352) == 9782


def test_three_level_parallel_schedules_take_their_levels_buffers():
    """baselines.py ``_cold_start``: level i + 1's schedule has the buffer the parallel cost gives level i's
    outputs (``slots[i - 1]``; mutant ``slots[i - 2]``, the same for two levels). (3, 9, 15) at p = eps = 1e-3:
    the cost's slots are 228, 80 and 8, so the two schedules have 228 and 80."""
    from magicpipe.compiler.baselines import parallel, parallel_schedules

    pipe = Pipeline.from_distances((3, 9, 15), HW)
    assert parallel(pipe).slots == (228, 80, 8)
    assert [s.buffer_slots for s in parallel_schedules(pipe)] == [228, 80]


def test_merged_timelines_join_equal_neighbouring_runs():
    """supplies.py ``_merge``: equal neighbouring runs become one run whose length is the sum of theirs,
    ``out[-1][0] + n`` (mutant ``out[-1][-1] + n`` adds the CCZ count instead): 4 layers of 1 T state beside
    1 + 3 layers of 2 CCZ states are 4 layers of (1, 2)."""
    from magicpipe.compiler import DemandTimeline
    from magicpipe.compiler.supplies import _merge

    merged = _merge(DemandTimeline((4,), (1,)), DemandTimeline((1, 3), (2, 2)))
    assert (merged.lengths, merged.t_states, merged.ccz_states) == ((4,), (1,), (2,))


def test_a_plans_sensitivity_reports_its_logical_share():
    """compilation.py ``plan_sensitivity``: the nominal point's figures under the edge include its logical share,
    ``budgets[0]`` (mutant ``budgets[1]``, the distillation share). A one-level plan of 20 T gates under the
    measured model: the two shares differ, and the reported one is the logical."""
    from magicpipe.compiler.compilation import plan_counts, plan_sensitivity
    from magicpipe.compiler.errormodel import load_measured

    comp = plan_counts(LogicalCounts(4, t_count=20), Hardware(p=1e-3, eps=1e-3, model=load_measured()),
                       max_levels=1, pipelines=1, storage_decay=False, catalogue=False)
    logical, distillation, _ = comp.chosen.budgets
    assert logical != distillation
    assert dict(plan_sensitivity(comp).nominal_at_edge)["logical_budget"] == logical


def test_a_mixed_point_with_t_states_needs_t_copies():
    """mixed.py ``evaluate_mixed``: a program with T states besides its Toffolis needs ``t_copies >= 1`` (mutant
    ``t_copies < 0``): 0 T copies are refused."""
    from magicpipe.compiler import DemandTimeline
    from magicpipe.compiler.mixed import evaluate_mixed
    from magicpipe.errors import SpecError

    counts = LogicalCounts(100, t_count=3000, ccz_count=10000, timeline=DemandTimeline((1000,), (43,)),
                           ccz_timeline=DemandTimeline((1000,), (10,)))
    demand = program_demand(counts, ErrorBudget(1e-3), AZURE)
    t_src = Source("t", "litinski", 30732, 82.5, 82.5, 1, 2.7e-12)
    ccz = Source("ccz", "litinski", 47046, 60.0, 60.0, 1, 3e-10, kind="CCZ")
    with pytest.raises(SpecError, match="give T copies"):
        evaluate_mixed(demand, t_src, 0, ccz, 1, "fast", HW)
    assert evaluate_mixed(demand, t_src, 1, ccz, 1, "fast", HW).copies == 1


def test_fill_copies_each_take_their_own_lane_from_zero():
    """dynamic.py ``start_allocation``: an allocation's copies run on lanes 0, 1, ... (mutant: from -1, which the
    stream reads as no lane). The (5, 17) schedule at 9782 qubits and 8 slots fills with 12 copies at round 0."""
    from magicpipe.compiler.dynamic import simulate
    from magicpipe.compiler.pareto import level_producer

    pipe = Pipeline.from_distances((5, 17))
    s = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 9782, 8, patch_qubits(5))
    assert s.fill.runs == ((0, 12, 1),)
    assert [(r.lane, r.start) for r in s.runs if r.role == "fill"] == [(k, 0) for k in range(12)]


def test_candidate_pipelines_are_non_decreasing():
    """search.py ``candidate_pipelines``: every distance sequence is non-decreasing (a level is skipped below the
    *last* one, ``prefix[-1]``; mutant ``prefix[-0]``, the first). Three levels for 1e-14 from injected 1e-2."""
    from magicpipe.compiler.search import candidate_pipelines

    found = [p.distances for p in candidate_pipelines(1e-14, Hardware(p=1e-3, eps=1e-2), (3,), range(3, 30, 2))]
    assert (3, 9, 27) in found and all(list(ds) == sorted(ds) for ds in found)


def test_gate_times_must_be_positive():
    """hardware.py ``Hardware``: gate times lie in (0, 1e9] ns (mutant ``-1 < t_2q_ns`` lets 0 through)."""
    from magicpipe.errors import SpecError

    for times in ({"t_2q_ns": 0.0}, {"t_meas_ns": 0.0}):
        with pytest.raises(SpecError, match="gate times must lie in"):
            Hardware(p=1e-3, eps=1e-3, **times)


def test_baseline_schedules_move_nothing():
    """baselines.py: a baseline's schedules record ``move_rounds = 0`` (mutant -1): they never lend their region."""
    from magicpipe.compiler.baselines import parallel_schedules, sequential_schedules

    pipe = Pipeline.from_distances((3, 9, 15), HW)
    assert [s.move_rounds for s in parallel_schedules(pipe) + sequential_schedules(pipe)] == [0, 0, 0, 0]


def test_the_catalogue_floor_is_the_protocols_leading_error():
    """catalogue_search.py ``_FLOOR["15-to-1"] = (35.0, 3)`` (mutant exponent 2), the leading-order output error
    ``35 e^3`` that decides which first-level blocks may feed a 15-to-1 block: it is 15-to-1's own first term
    (Eq. 3), and the dynamic catalogue's copy of the table agrees with it on the blocks both know."""
    from magicpipe.compiler import catalogue_search, dyncat

    assert catalogue_search._FLOOR["15-to-1"] == FIFTEEN_TO_ONE.out_error[0] == (35.0, 3)
    assert all(catalogue_search._FLOOR[k] == v for k, v in dyncat._FLOOR.items())


def test_a_share_front_counts_every_plan_it_evaluates():
    """shares.py ``share_front``: ``evaluated`` adds up the evaluations of each source's own plan (from 0; mutant
    -1). One source of 1e-6 for 20 T gates in 1e-3: its plan with the shares it uses (2e-5 distillation, the rest
    logical) evaluates 12 copy counts, and so does the front."""
    from magicpipe.compiler.shares import share_front

    demand = program_demand(LogicalCounts(4, t_count=20), ErrorBudget(1e-3), AZURE)
    src = Source("s", "m", 30732, 82.5, 82.5, 1, 1e-6)
    own = dataclasses.replace(demand, budgets=(1e-3 - 20e-6, 20e-6, 0.0), target=1e-6)
    assert share_front(demand, [src], 1e-3, HW).evaluated == plan_program(own, [src], HW).evaluated == 12


def test_a_mixed_points_data_block_may_use_its_whole_logical_share():
    """mixed.py ``evaluate_mixed``: the data distance is the least whose logical error is *at most* the logical
    share (mutant ``<``). A point's own logical error at d = 15, made the share exactly (a tie on purpose), keeps
    d = 15; the mutant moves to 17."""
    from magicpipe.compiler import DemandTimeline
    from magicpipe.compiler.mixed import evaluate_mixed

    counts = LogicalCounts(100, t_count=3000, ccz_count=10000, timeline=DemandTimeline((1000,), (43,)),
                           ccz_timeline=DemandTimeline((1000,), (10,)))
    demand = program_demand(counts, ErrorBudget(1e-3), AZURE)
    t_src = Source("t", "litinski", 30732, 82.5, 82.5, 1, 2.7e-12)
    ccz = Source("ccz", "litinski", 47046, 60.0, 60.0, 1, 3e-10, kind="CCZ")
    pt = evaluate_mixed(demand, t_src, 5, ccz, 12, "fast", HW)
    logical = dict(pt.errors)["logical"]
    assert pt.data.distance == 15 and logical < demand.budgets[0]
    tight = dataclasses.replace(demand, budgets=(logical,) + demand.budgets[1:])
    assert evaluate_mixed(tight, t_src, 5, ccz, 12, "fast", HW).data.distance == 15


def test_a_cultivation_fed_block_takes_one_cultivated_state_per_input():
    """catalogue.py ``cultivation_feed``: ``inputs=1`` raw state per input (mutant 2): a 15-to-1 block fed by
    cultivation consumes its 15 inputs, each one kept cultivated state."""
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue import cultivation_fed
    from magicpipe.compiler.cultivation import cultivation_point

    fed = cultivation_fed(NoiseModel.from_hardware(HW), cultivation_point(1e-3, 5, 0.0), 4, "15-to-1", (23, 7, 9))
    assert fed.inputs == FIFTEEN_TO_ONE.inputs == 15


def test_no_wait_means_a_mean_wait_of_zero():
    """decay.py ``StorageDecay.mean_wait``: the mean of no waits is 0.0 (mutant -1.0); of waits 0, 17, 34, 17."""
    from magicpipe.compiler.decay import StorageDecay

    none = StorageDecay((), 5, 1e-7, 0, 1e-4, 0.0, 0.0, 1e-10, 1e-10)
    assert none.mean_wait == 0.0
    assert dataclasses.replace(none, waits=(0, 17, 34)).mean_wait == 17.0


def test_a_cultivation_attempt_takes_at_least_one_round():
    """producers.py ``cultivation_producer``: ``rounds = max(1, round(attempt_rounds))`` (mutant ``max(0, ...)``).
    At p = 2e-3, d1 = 5 the floor point's mean attempt is 0.38 rounds (5741 rounds per kept state at acceptance
    6.6e-5), so a run is 1 round, kept with probability 1 / 5741."""
    from magicpipe.compiler.cultivation import cultivation_point
    from magicpipe.compiler.producers import cultivation_producer

    point = cultivation_point(2e-3, 5, 0.0)
    assert point.attempt_rounds == pytest.approx(0.3803, abs=1e-4)
    p = cultivation_producer(point)
    assert p.rounds == 1 and p.p_succ == pytest.approx(1 / point.rounds, rel=1e-12)


def test_a_cultivation_catalogue_entry_outputs_at_its_last_distance():
    """producers.py ``catalogue_producer``: the output patch is ``distances[-3]`` of a two-level entry
    (``len >= 3``; mutant ``len >= 2``) and the last distance otherwise: a cultivation entry, distances (3, 15),
    delivers at 15 (the mutant fails on the two-entry tuple)."""
    from magicpipe.compiler.catalogue import cultivation_factory
    from magicpipe.compiler.cultivation import cultivation_point
    from magicpipe.compiler.producers import catalogue_producer

    factory = cultivation_factory(cultivation_point(1e-3, 3, 0.0))
    assert factory.distances == (3, 15)
    assert catalogue_producer(factory).distance == 15


def test_a_run_of_two_states_cannot_land_on_an_odd_count():
    """allocator.py ``min_time_allocation``: ``at_most`` is dropped only when every producer makes one state a
    run (``outputs == 1``; mutant ``== 2`` drops it for two-state producers, which then overshoot): 3 states, at
    most 3, from runs of 2 is infeasible; at most 4 takes two copies once, 4 states."""
    from magicpipe.compiler.allocator import Allocation, min_time_allocation
    from magicpipe.errors import InfeasibleError

    two = Producer("two", 100, 10, 2, 1.0, 1e-9, 5)
    with pytest.raises(InfeasibleError, match="cannot yield between 3 and 3"):
        min_time_allocation((two,), 1000, 3, at_most=3)
    assert min_time_allocation((two,), 1000, 3, at_most=4) == Allocation(10, ((0, 2, 1),), 200, 4)


def test_accounted_level_one_copies_fit_beside_the_kept_states():
    """accounted.py ``sequential_accounted``: while level 1 retries, the states already kept hold their slot
    patches, so only ``(qubits - kept x slot) // copy qubits`` copies (at most 16) fit (mutant ``+``: always 16).
    (3, 7) at p = eps = 2e-3 is laid out for its level-1 phase, 16 copies: with one state kept 15 fit. Its
    expected rounds are the retry chain with those copies (level 1 succeeds with 0.54), then the top's run: 149.6,
    1.5 rounds more than with 16 copies throughout."""
    from magicpipe.compiler.accounted import expected_retry_rounds, sequential_accounted

    pipe = Pipeline.from_distances((3, 7), Hardware(p=2e-3, eps=2e-3))
    low, top = pipe.levels
    s = sequential_accounted(pipe)
    assert s.qubits == 16 * low.qubits and low.p_succ == pytest.approx(0.5428, abs=1e-4)
    fit = [max(1, min(16, (s.qubits - k * patch_qubits(3)) // low.qubits)) for k in range(15)]
    assert fit[:2] == [16, 15]
    expected = expected_retry_rounds(15, low.p_succ, fit.__getitem__, low.rounds) + top.rounds
    assert s.rounds == pytest.approx(expected, rel=1e-12) and s.rounds == pytest.approx(149.621, abs=1e-3)
    assert s.rounds > expected_retry_rounds(15, low.p_succ, lambda k: 16, low.rounds) + top.rounds + 1.5


def test_the_rounds_floor_of_a_pool_without_a_copy_is_the_sentinel():
    """pareto.py ``_rounds_floor``: a pool smaller than one copy (734 < 735 qubits) has no floor but the sentinel
    (``copies < 1``; mutant ``< 0`` divides by zero copies); 9390 qubits (12 copies) give 242 rounds."""
    from magicpipe.compiler.pareto import _NO_COPY, _rounds_floor, level_producer

    pipe = Pipeline.from_distances((5, 17))
    high, producer = pipe.levels[1].factory, level_producer(pipe, 1)
    assert _rounds_floor(high, producer, 734, 8) == _NO_COPY
    assert _rounds_floor(high, producer, 9390, 8) == 242


def test_a_spare_fill_of_a_never_failing_producer_discards_nothing():
    """dynamic.py spare fill: copies for ``ceil(hold / p_succ - 1e-9)`` states beyond those held and in flight
    (mutants ``+ 1e-9`` and ``max(room, 1)`` add a copy): with a producer that never fails, the fill makes exactly
    the burst and the buffer, 4 + slots, and no state is discarded."""
    from magicpipe.compiler.dynamic import simulate
    from magicpipe.compiler.options import DynamicOptions

    pipe = Pipeline.from_distances((5, 17))
    sure = Producer("sure", 735, 55, 1, 1.0, 1e-7, 5)
    for slots in (4, 8):
        s = simulate(pipe.levels[1].factory, (sure,), 11252, slots, patch_qubits(5), DynamicOptions(spare_fill=True))
        assert len([r for r in s.runs if r.role == "fill"]) == 4 + slots
        assert sum(r.discarded for r in s.runs) == 0


def test_a_points_consumption_starts_at_the_first_state():
    """program.py ``ProgramPoint.consumption``: each run starts when its first layer can (``start + first``) and
    waits the rest (``w - first``; mutant ``w + first``), so a run ends where the simulation does: 20 T layers of
    11 rounds fed by a source of 82.5-round start-up start at 82.5 and end at the runtime, 1661 rounds."""
    demand = program_demand(LogicalCounts(4, t_count=20), ErrorBudget(1e-3), AZURE)
    pt = plan_program(demand, [Source("s", "m", 30732, 82.5, 82.5, 1, 1e-6)], HW).points[0]
    ((start, length, states, tau, wait),) = pt.consumption()
    assert (start, length, states, tau) == (82.5, 20, 1, 11.0)
    assert start + length * tau + wait == pytest.approx(pt.simulation.runtime_rounds, rel=1e-12) == 1661.0


def test_an_error_budget_lies_in_0_1():
    """budget.py ``ErrorBudget``: ``0 < total < 1`` (mutant ``-1 < total``; killed by the CLI tests, not by
    ``tests/compiler`` before): 0 and -0.5 are refused."""
    from magicpipe.errors import SpecError

    for total in (0.0, -0.5):
        with pytest.raises(SpecError, match="error budget must lie in"):
            ErrorBudget(total)


def test_a_lost_state_is_remade_on_the_lent_region_and_the_idle_qubits():
    """failures.py ``_recovery``: the region is the lendable one *plus* the idle qubits, ``lendable + max(idle, 0)``
    (mutant ``-``; killed by the wider suite, not by ``tests/compiler`` before). The (5, 17) schedule at 9100 qubits
    and 4 slots has no supply lane and 249 idle qubits: a 6000-qubit, 10-round producer fits 5770 + 249 = 6019, so
    a lost state takes 2 moves of 2 rounds and its run, 14 (the mutant's 5521 qubits fit nothing: no recovery)."""
    from magicpipe.compiler.dynamic import simulate
    from magicpipe.compiler.failures import _recovery
    from magicpipe.compiler.pareto import level_producer

    pipe = Pipeline.from_distances((5, 17))
    s = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 9100, 4, patch_qubits(5))
    assert s.supply.runs == () and s.qubit_budget - s.high.qubits - s.buffer_qubits == 249
    big = dataclasses.replace(s, producers=(Producer("big", 6000, 10, 1, 0.99, 1e-7, 5),))
    assert _recovery(big, 100, False) == 14.0


def test_lockstep_reports_a_standard_error_from_two_shots():
    """dyncat.py ``lockstep``: the standard error of the mean is given from two shots on (``shots > 1``; mutant
    ``> 2`` reports 0 for two): a lower level that fails half its runs, 2 shots, gives a positive error, the
    stdev of the two means over sqrt(2); one shot gives 0."""
    import math
    import statistics

    from magicpipe.compiler.dyncat import lockstep

    p = Producer("x", qubits=100, rounds=10, outputs=1, p_succ=0.5, eps_out=1e-6, distance=7)
    mean, err = lockstep(p, 4, 7.0, 15, holds=False, shots=2)
    assert err > 0 and lockstep(p, 4, 7.0, 15, holds=False, shots=1)[1] == 0.0
    first = lockstep(p, 4, 7.0, 15, holds=False, shots=1)[0]
    second = 2 * mean - first  # the two shots' means (the same seeded stream: the first shot is the one-shot run)
    assert err == pytest.approx(statistics.stdev([first, second]) / math.sqrt(2), rel=1e-12)


def test_a_plan_written_before_the_handoff_option_replans_with_it_on():
    """compilation.py ``replan``: a plan.json without ``options.handoff`` (written before the option) is planned
    again with the default, handoff on (``opts.get("handoff", True)``; mutant ``False``): the same plan."""
    import copy

    from magicpipe.compiler.compilation import plan_counts, replan

    comp = plan_counts(LogicalCounts(4, t_count=20), HW, max_levels=1, pipelines=1, storage_decay=False,
                       catalogue=False)
    plan = comp.to_dict()
    older = copy.deepcopy(plan)
    del older["options"]["handoff"]
    assert replan(older, HW).to_dict() == plan and plan["options"]["handoff"] is True
