"""Pins of the core for the survivors of ``tests/mutate.py`` seeds 13 and later (docs/testing.md): each test names
the mutant it kills and was checked with ``--mutant`` (the mutant applied, the test failing, the module restored)."""

import itertools
from types import SimpleNamespace

import pytest

from magicpipe.compiler import Hardware, LogicalCounts, Pipeline, Source, check, patch_qubits
from magicpipe.compiler.catalogue_search import _MAX_D, _descend
from magicpipe.compiler.compilation import plan_counts
from magicpipe.compiler.cultivation import cultivation_point
from magicpipe.compiler.cultivation_data import PUBLISHED
from magicpipe.compiler.dynamic import DynamicOptions, simulate
from magicpipe.compiler.pareto import level_producer, pareto_front
from magicpipe.compiler.steady import steady_state
from magicpipe.compiler.supplies import Supply, _need_layers, simulate_supplies
from magicpipe.errors import SpecError


@pytest.mark.parametrize("error", [-0.5, -1e-12, 1.0, 1.5])
def test_a_source_output_error_lies_in_0_1(error):
    """source.py ``0 <= output_error < 1`` (mutants ``-1 <=`` and ``< 2``): a negative error and an error of 1 or
    more are refused; 0 is accepted (a perfect source)."""
    with pytest.raises(SpecError, match=r"output_error must lie in \[0, 1\)"):
        Source("s", "single", 100, 10.0, 10.0, 1, error)
    assert Source("s", "single", 100, 10.0, 10.0, 1, 0.0).output_error == 0.0


def test_the_burst_staged_between_executions_takes_no_slot():
    """schedule.py ``buffer_trace``: between one execution's end and the next launch up to a burst of states waits
    in the next execution's data patches (``zip(tops, tops[1:])``; mutant ``tops[0:]`` never stages). Over the
    steady state of (5, 17)'s first front points the slots in use never exceed the buffer, the checker agrees,
    and some states are staged: held (deposits less takes, recounted here) but in no slot."""
    pipe = Pipeline.from_distances((5, 17))
    staged = 0
    for pt in pareto_front(pipe).points[:4]:
        s = steady_state(pipe, pt, shots=0).schedule
        assert len(s.tops) == 8
        check(s)
        held = 0
        for t, slots, _ in s.buffer_trace():
            held += sum(r.outputs - r.discarded for r in s.runs if r.end == t)
            held -= sum(k.count for k in s.takes if k.time == t and k.step == 0)
            assert 0 <= slots <= min(held, s.buffer_slots)
            staged = max(staged, held - slots)
            held -= sum(k.count for k in s.takes if k.time == t and k.step > 0)
    assert 0 < staged <= 4  # at most the burst


def test_need_layers_by_hand_and_by_its_definition():
    """supplies.py ``_need_layers``: the layers (from this one) that keep a kind at or above ``need``, the least j
    where ``min(b + j g, c + (j - 1) g)`` falls below it (mutant ``(b + need) / -g``). b = 10, g = -2, need = 4:
    10, 8, 6, 4 hold, 2 does not: 4 layers; with the cap c = 5 the second layer (c + 0 g = 5) holds and the third
    (c + g = 3) not: 2."""
    assert _need_layers(10.0, -2.0, 100.0, 4.0) == 4.0
    assert _need_layers(10.0, -2.0, 5.0, 4.0) == 2.0
    for b, g, c, need in itertools.product((0.5, 3.0, 10.0), (-0.7, -2.0), (1.0, 6.0, 40.0), (0.2, 2.5)):
        n = int(_need_layers(b, g, c, need))
        assert n >= 1
        assert all(min(b + j * g, c + (j - 1) * g) >= need - 1e-9 for j in range(1, n))
        assert min(b + n * g, c + (n - 1) * g) < need


def test_a_run_of_no_layers_waits_nothing():
    """supplies.py ``simulate_supplies``: a run of zero layers records its first wait as 0 (``max(first, 0.0)``;
    mutant ``-1.0`` leaks the "not yet set" marker)."""
    sim = simulate_supplies([(1, 0), (1, 0)], [0, 2], [Supply(0.5, 1.0, 3.0), Supply(0.1, 1.0, 2.0)], layer_rounds=2.0)
    assert sim.runs == ((0.0, 0, 0.0, 0.0), (0.0, 2, 0.0, 0.0))
    assert (sim.runtime_rounds, sim.wait_rounds, sim.startup_wait_rounds) == (4.0, 0.0, 0.0)


def test_warm_started_search_reaches_the_largest_distance():
    """catalogue_search._descend: raising from a start stops only past ``_MAX_D`` = 61 (``ds[0] > _MAX_D``;
    mutant ``>=`` gives up at 61 itself). Made-up error ``10^-d_X``: target 2e-61 from (59, 3, 3) is met at
    (61, 5, 5) and lowered to (61, 3, 3); 2e-63 is met nowhere."""
    def make(ds):
        return SimpleNamespace(output_error=10.0 ** -ds[0], ds=ds)

    assert _MAX_D == 61
    assert _descend(make, 2e-61, (59, 3, 3)).ds == (61, 3, 3)
    assert _descend(make, 2e-63, (59, 3, 3)) is None


def test_a_program_without_t_states_plans_its_own_split_once():
    """compilation.py: without T states the searched shares have nothing to share, so only the caller's split is
    planned (``demands[:1]``; mutant ``demands[:2]`` plans the copy of it too): one point, one evaluation."""
    comp = plan_counts(LogicalCounts(10), Hardware(p=1e-3, eps=1e-3))
    assert len(comp.front.points) == 1 and comp.front.evaluated == 1
    assert comp.demand.t_states == 0 and comp.chosen.copies == 0


def test_a_fill_margin_adds_states_to_the_fill():
    """dynamic.py ``plan_fill``: the fill's target is ``N_th + fill_margin``, capped by the burst and the buffer
    (mutant ``N_th - fill_margin``). (5, 17) on 12,000 qubits with 8 slots: N_th = 8, so the fill makes 8 states,
    10 with a margin of 2, and 12 (the burst 4 + 8 slots) with a margin of 6."""
    pipe = Pipeline.from_distances((5, 17))
    high, menu, slot = pipe.levels[1].factory, (level_producer(pipe, 1),), patch_qubits(5)
    made = [simulate(high, menu, 12000, 8, slot, DynamicOptions(fill_margin=m)).fill.produced for m in (0, 2, 6)]
    assert made == [8, 10, 12]


def test_the_interpolated_cultivation_data_names_its_neighbours():
    """cultivation.py: between published p values the point says which two it interpolates
    (``min(q > p)``; mutant ``max``)."""
    assert cultivation_point(7e-4, 3, 0.0).data == "GSJ24 interpolated in log p between 0.0005 and 0.001"
    assert cultivation_point(1.5e-3, 5, 0.0).data == "GSJ24 interpolated in log p between 0.001 and 0.002"


def test_every_published_row_has_its_cells_footprint():
    """cultivation_data.py: the circuit's qubits depend on d1 only (454 at d1 = 3, 463 at d1 = 5) in every row, not
    only in the first row of a (p, d1) cell, which is the one the grid reads; and the thresholds of a cell are
    listed tightest first (the order the module states): the kept error ``errors / (shots - discards)`` rises
    and the volume falls, strictly, from row to row."""
    for p, d1, q, *_ in PUBLISHED:
        assert q == {3: 454, 5: 463}[d1], (p, d1, q)
    for (p, d1), rows in itertools.groupby(PUBLISHED, key=lambda r: (r[0], r[1])):
        cell = [(errors / (shots - discards), volume) for _, _, _, shots, errors, discards, volume, _ in rows]
        assert all(e0 < e1 and v0 > v1 for (e0, v0), (e1, v1) in zip(cell, cell[1:])), (p, d1)


def test_a_protocol_of_one_rotation_acts_on_its_qubits():
    """protocols.py ``logical_qubits`` = the width of the rotation list (``rotations[0]``; mutant ``rotations[1]``
    needs a second rotation): 15-to-1 acts on 5 qubits, and so does a one-input protocol made from it."""
    import dataclasses

    from magicpipe.compiler.protocols import FIFTEEN_TO_ONE

    assert FIFTEEN_TO_ONE.logical_qubits == 5 == len(FIFTEEN_TO_ONE.checks[0])
    one = dataclasses.replace(FIFTEEN_TO_ONE, name="one", burst=0, steps=1, inputs_per_step=1,
                              rotations=FIFTEEN_TO_ONE.rotations[:1])
    assert one.inputs == 1 and one.logical_qubits == 5


def test_the_copy_counts_tried_are_the_grid_up_to_the_fastest_point():
    """program.py ``_all_t_points``: ``evaluated`` counts the (source, copies) pairs simulated (mutant: it starts
    at 1), and a mixed front adds its pairs to the all-T ones (``evaluated += n``; mutant ``-=``). Litinski's
    15-to-1 on ten Toffolis a layer: one source, copies along ``_copy_grid`` up to the fastest point's 174, 58
    counts; with the 8-to-CCZ factory beside it more pairs are tried."""
    from magicpipe.compiler.program import _copy_grid, plan_program
    from test_mixed import HW as LIT_HW
    from test_mixed import LIT_CCZ, LIT_T, _litinski_program

    demand = _litinski_program()
    all_t = plan_program(demand, [LIT_T], LIT_HW)
    fastest = max(p.copies for p in all_t.points)
    assert all_t.evaluated == len(_copy_grid(fastest)) == 58
    mixed = plan_program(demand, [LIT_T, LIT_CCZ], LIT_HW)
    assert mixed.evaluated > all_t.evaluated


def test_the_distillation_share_must_be_positive():
    """budget.py ``distillation <= 0`` (mutant ``< 0``): a split that leaves distillation nothing is refused."""
    from magicpipe.compiler.budget import ErrorBudget

    with pytest.raises(SpecError, match="distillation share of the error budget must be positive"):
        ErrorBudget(1e-3, 0.5, 0.0, 0.5)
    assert ErrorBudget(1e-3, 0.5, 1e-9, 0.5 - 1e-9).distillation == 1e-9


def test_a_dynamic_catalogue_level_is_measured_over_two_executions():
    """dyncat.py ``measure``: two executions are the fewest with a period and are accepted (``executions < 2``;
    mutant ``<= 2``); one is refused. The doctest's point (17, 7, 7) fed by 4 lanes, 8 slots: 12,854 qubits."""
    from magicpipe.compiler.cultivation import cultivation_point
    from magicpipe.compiler.dyncat import _lower_point, measure

    low = _lower_point(cultivation_point(1e-3, 3, 1.0), 7)
    m = measure(Hardware(p=1e-3, eps=1e-3), "15-to-1", (17, 7, 7), low, 4, 8, executions=2, shots=1)
    assert (m.qubits, m.shots) == (12854, 1) and m.period > 0
    with pytest.raises(SpecError, match="executions=1 must be >= 2"):
        measure(Hardware(p=1e-3, eps=1e-3), "15-to-1", (17, 7, 7), low, 4, 8, executions=1, shots=1)


def test_only_spare_fill_copies_may_discard():
    """check.py: a discarding run is excused only when it is a fill run *and* the policy sizes spare fill copies
    (``role == "fill" and spare_fill``; mutant ``or``). (5, 17) on 9,782 qubits, 4 slots, spare fill: one spare
    state finds no slot at the launch (round 55) and the checker accepts it; the same schedule recorded without
    the spare-fill policy is refused."""
    import dataclasses

    from magicpipe.errors import VerificationError

    pipe = Pipeline.from_distances((5, 17))
    high, menu, slot = pipe.levels[1].factory, (level_producer(pipe, 1),), patch_qubits(5)
    s = simulate(high, menu, 9782, 4, slot, DynamicOptions(spare_fill=True))
    lost = [r for r in s.runs if r.discarded]
    assert [(r.role, r.end, r.discarded) for r in lost] == [("fill", 55, 1)]
    check(s)
    plain = dataclasses.replace(s, options=dataclasses.replace(s.options, spare_fill=False))
    with pytest.raises(VerificationError, match="round 55: 1 states discarded by a full buffer"):
        check(plain)


def test_baseline_sources_deliver_one_state_a_run():
    """feeds.py: a 15-to-1 pipeline's sequential and parallel sources make one state per top-level run
    (``outputs`` 1; mutant 2 for the parallel one), at the pipeline's output error."""
    from magicpipe.compiler.feeds import pipeline_sources

    pipe = Pipeline.from_distances((5, 17))
    srcs, _ = pipeline_sources(pipe, 1e-12, ("sequential", "parallel"))
    assert [(s.method, s.outputs, s.output_error) for s in srcs] == [
        ("sequential", 1, pipe.output_error), ("parallel", 1, pipe.output_error)]


def test_an_allocation_for_no_states_is_empty():
    """allocator.py ``min_time_allocation``: a target of 0 (or less) is the empty allocation, 0 rounds
    (mutant 1 round)."""
    from magicpipe.compiler.allocator import Allocation, min_time_allocation

    menu = (level_producer(Pipeline.from_distances((5, 17)), 1),)
    assert min_time_allocation(menu, 9782, 0) == Allocation(0, (), 0, 0) == min_time_allocation(menu, 9782, -3)


def test_a_mixed_menu_allocation_is_one_exact_solve():
    """allocator.py: a two-producer menu is solved exactly (dynamic programming, no CBC), counted once in
    ``solver_stats()["exact"]`` (mutant ``+= 2``); the same question again is answered from the memo."""
    from magicpipe.compiler.allocator import Producer, min_time_allocation, solver_stats

    menu = (Producer("exact-counter-a", qubits=301, rounds=11, outputs=1, p_succ=1.0, eps_out=1e-6, distance=3),
            Producer("exact-counter-b", qubits=517, rounds=7, outputs=1, p_succ=1.0, eps_out=1e-6, distance=3))
    before = solver_stats()
    first = min_time_allocation(menu, 2000, 9)
    after = solver_stats()
    assert after["exact"] == before["exact"] + 1 and after["cbc_solves"] == before["cbc_solves"]
    assert min_time_allocation(menu, 2000, 9) == first and solver_stats()["exact"] == after["exact"]
    assert first.produced >= 9 and first.qubits <= 2000


def test_a_program_without_t_states_has_target_one():
    """program.py ``program_demand``: with no states to distil the per-state target is 1 (nothing is asked of a
    factory; mutant 2.0, not an error probability)."""
    from magicpipe.compiler.budget import ErrorBudget
    from magicpipe.compiler.program import program_demand
    from magicpipe.compiler.synthesis import SYNTHESIS_MODELS

    demand = program_demand(LogicalCounts(10), ErrorBudget(1e-3), SYNTHESIS_MODELS["azure"])
    assert (demand.t_states, demand.target) == (0, 1.0)


def test_eq14_copies_of_one_round_runs():
    """copies.py ``eq14_copies``: a run of one round is a valid run (``run_rounds <= 0`` refused; mutant
    ``<= 1``): 5 states in 10 rounds, runs of 1 round, 10 runs per copy: 1 copy."""
    from magicpipe.compiler.copies import eq14_copies

    assert eq14_copies(5, 10, 1) == 1
    with pytest.raises(SpecError, match="positive time"):
        eq14_copies(5, 10, 0)


def test_one_rotation_gets_the_synthesis_share():
    """program.py ``has_rot = rotation_count > 0`` (mutant ``> 1``): a program of one rotation splits the budget
    in thirds and synthesises it at a third of 1e-3: the azure model's T count there, 11 (= ``t_states``)."""
    from magicpipe.compiler.budget import ErrorBudget
    from magicpipe.compiler.program import program_demand
    from magicpipe.compiler.synthesis import SYNTHESIS_MODELS

    azure = SYNTHESIS_MODELS["azure"]
    demand = program_demand(LogicalCounts(10, rotation_count=1, rotation_depth=1), ErrorBudget(1e-3), azure)
    assert demand.budgets == pytest.approx((1e-3 / 3,) * 3)
    assert demand.rotation_t == demand.t_states == azure.rotation_t_count(1e-3 / 3) == 11
