"""Small pins of the core found by mutation testing (docs/testing.md): each test names the surviving mutant of
``tests/mutate.py`` it kills; each was checked to fail with that mutation applied and to pass without it."""

import dataclasses

import pytest

from magicpipe.compiler import DemandTimeline, Hardware, LogicalCounts, Pipeline
from magicpipe.compiler.allocator import Producer, max_rate_allocation
from magicpipe.compiler.blockmodel import NoiseModel
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.catalogue import first_level_feed
from magicpipe.compiler.errormodel import PAPER
from magicpipe.compiler.pareto import pareto_front
from magicpipe.compiler.program import data_block, plan_program, program_demand
from magicpipe.compiler.protocols import FIFTEEN_TO_ONE
from magicpipe.compiler.steady import steady_state
from magicpipe.compiler.synthesis import SYNTHESIS_MODELS, get_synthesis_model
from magicpipe.errors import SpecError

AZURE = SYNTHESIS_MODELS["azure"]


def test_negative_share_summing_to_one_is_refused():
    """budget.py share check: ``any(s < 0) or |sum - 1| > tol`` -> ``and`` (shares -0.1 + 0.6 + 0.5 sum to 1)."""
    with pytest.raises(SpecError, match="must be >= 0 and sum to 1"):
        ErrorBudget(1e-3, -0.1, 0.6, 0.5)
    with pytest.raises(SpecError, match="must be >= 0 and sum to 1"):
        ErrorBudget(1e-3, 0.2, 0.2, 0.2)  # all >= 0, sum 0.6


def test_synthesis_pair_reads_a_then_b():
    """synthesis.py ``float(parts[0])`` -> ``parts[-1]``: ``'0.5,3'`` is a = 0.5, b = 3, not a = b = 3.

    ceil(0.5 log2(1/1e-6) + 3) = ceil(0.5 * 19.93 + 3) = ceil(12.97) = 13."""
    m = get_synthesis_model("0.5,3")
    assert (m.a, m.b, m.name) == (0.5, 3.0, "0.5,3")
    assert m.rotation_t_count(1e-6) == 13


@pytest.mark.parametrize("spec", ["inf,1", "1,nan", "x,1"])
def test_synthesis_pair_must_be_finite(spec):
    """synthesis.py ``isfinite(a) and isfinite(b)`` -> ``or``: a non-finite part is an unknown model."""
    with pytest.raises(SpecError, match="unknown synthesis model"):
        get_synthesis_model(spec)


def test_within_budget_at_exactly_each_point():
    """pareto.py ``p.qubits <= qubits`` -> ``<``: a budget of exactly a point's qubits chooses that point."""
    front = pareto_front(Pipeline.from_distances((5, 17)))
    assert len(front.points) > 1
    for p in front.points:
        assert front.within_budget(p.qubits) == p


def test_steady_state_of_two_executions():
    """steady.py ``executions < 2`` -> ``<=``: two executions are the fewest with a period and are accepted.

    Their first output is the single execution's (242 rounds at (5, 17), test_dynamic's hand schedule)."""
    pipe = Pipeline.from_distances((5, 17))
    best = pareto_front(pipe).min_volume()
    ss = steady_state(pipe, best, executions=2, shots=0)
    assert len(ss.schedule.tops) == 2
    assert ss.first_output == 242
    assert ss.period == ss.schedule.tops[1].end - ss.schedule.tops[0].end


def test_two_first_level_copies_are_accepted():
    """catalogue.py first_level_feed ``copies < 2`` -> ``<= 2``: two copies (one per rotation) are allowed.

    The footprint is ``2 copies (...)``, linear in the copies: four copies take twice the qubits of two."""
    noise = NoiseModel.litinski(1e-3)
    two = first_level_feed(noise, (13, 5, 5), 2, 13)
    four = first_level_feed(noise, (13, 5, 5), 4, 13)
    assert two.name == "(15-to-1)^2_{13,5,5}"
    assert four.qubits == pytest.approx(2 * two.qubits)
    with pytest.raises(SpecError, match="even number >= 2"):
        first_level_feed(noise, (13, 5, 5), 3, 13)


def test_protocol_with_one_data_tile_is_accepted():
    """protocols.py ``0 < data_tiles`` -> ``1 < data_tiles``: one data tile is the smallest valid count."""
    assert dataclasses.replace(FIFTEEN_TO_ONE, data_tiles=1).data_tiles == 1
    with pytest.raises(SpecError, match="data_tiles=0"):
        dataclasses.replace(FIFTEEN_TO_ONE, data_tiles=0)


@pytest.mark.parametrize("a", [0.0, -0.5])
def test_error_model_prefactor_must_be_positive(a):
    """errormodel.py ``_positive``: ``value < 0`` / ``value == 0`` boundaries of the prefactor A (A <= 0 refused)."""
    with pytest.raises(SpecError, match="prefactor A must be a finite number > 0"):
        dataclasses.replace(PAPER, A=a)


def test_fast_layout_tiles_by_hand():
    """program.py ``_tiles`` fast ``2n + ceil(sqrt(8n)) + 1``: n = 1 -> 2 + 3 + 1 = 6, n = 2 -> 4 + 4 + 1 = 9,
    n = 100 -> 200 + 29 + 1 = 230 (a mutant of any constant or sign changes one of them)."""
    assert [data_block(n, 15).tiles for n in (1, 2, 100)] == [6, 9, 230]


def test_counts_without_rotations_cost_no_rotation_t():
    """program.py program_demand ``a_rot`` = 0 when there are no rotations (both branches: derived layers and a
    given timeline): mutants ``0 -> 1`` would charge one T state per (absent) rotation."""
    d = program_demand(LogicalCounts(10, t_count=50), ErrorBudget(1e-3), AZURE)
    assert (d.rotation_t, d.t_states) == (0, 50)
    tl = DemandTimeline.from_counts([5, 5])
    g = program_demand(LogicalCounts(10, t_count=10, timeline=tl), ErrorBudget(1e-3), AZURE)
    assert (g.rotation_t, g.t_states) == (0, 10)


def test_program_without_t_states_runs_one_layer():
    """program.py plan_program without T states: ``max(layers, 1)`` -> ``max(layers, 2)`` and the one-point
    front's ``evaluated`` 1 -> 0. A program of measurements only: no factory, one point, the runtime is its
    layers times one logical cycle of d rounds; without layers, exactly one cycle."""
    hw = Hardware()
    empty = plan_program(program_demand(LogicalCounts(4), ErrorBudget(1e-3), AZURE), [], hw)
    assert empty.evaluated == 1 and len(empty.points) == 1
    pt = empty.points[0]
    assert pt.data.layer_rounds == pt.data.distance >= 3
    assert pt.runtime_rounds == pt.data.distance


def test_empty_allocation_takes_no_rounds():
    """allocator.py: a budget below one copy launches nothing and its rounds are 0 (mutant ``0 -> 1``)."""
    f = Producer("15-to-1@d3", qubits=255, rounds=33, outputs=1, p_succ=0.997, eps_out=2e-5, distance=3)
    a = max_rate_allocation((f,), q_max=254)
    assert (a.rounds, a.runs, a.qubits, a.produced) == (0, (), 0, 0)
    b = max_rate_allocation((f,), q_max=255)
    assert (b.rounds, b.runs, b.qubits, b.produced) == (33, ((0, 1, 1),), 255, 1)



def _support(r):
    return [i for i, c in enumerate(r.letters) if c == "Z"]


def test_first_level_ancillas_span_their_support():
    """blocks.py FIFTEEN_TO_ONE_FIRST ancilla tiles (e.g. ``_r('IZZZI', (0, 3, 0))`` 3 -> 2 or 4).

    The first-level block is one row: the output patch (width d_X) then the four checked patches (d_Z each),
    and a multi-qubit rotation's ancilla runs along the row from its first to its last qubit; it is not fed by
    a distilled state, so it has no d_m part. Hence ``a_X = [0 in P]``, ``a_Z`` the Z patches from the first
    (qubit 1 when the output is in P) to the last, ``a_m = 0``; a one-qubit rotation is injected (no ancilla)."""
    from magicpipe.compiler.blocks import FIFTEEN_TO_ONE_FIRST

    rotations = [r for step in FIFTEEN_TO_ONE_FIRST.steps for r in step.rotations]
    assert len(rotations) == 15 and FIFTEEN_TO_ONE_FIRST.width == (1, 4)
    for r in rotations:
        s = _support(r)
        if len(s) == 1:
            assert r.ancilla is None, r
            continue
        first = 1 if 0 in s else s[0]
        assert r.ancilla == (int(0 in s), s[-1] - first + 1, 0), r


def test_upper_level_ancillas_fit_the_block():
    """blocks.py upper layouts' ancilla tiles (a coordinate c -> c + 1 or c - 1): every upper rotation is fed by
    one distilled state (``a_m = 1``), spans at least one data patch and at most the block's ``width``
    (``a_X <= width[0]``, ``a_Z <= width[1]``); the block is as wide as its output and its checked patches."""
    from magicpipe.compiler.blocks import EIGHT_TO_CCZ_UPPER, FIFTEEN_TO_ONE_UPPER, TWENTY_TO_FOUR_UPPER

    for layout in (FIFTEEN_TO_ONE_UPPER, TWENTY_TO_FOUR_UPPER, EIGHT_TO_CCZ_UPPER):
        rotations = [r for step in layout.steps for r in step.rotations]
        assert len(rotations) == layout.inputs
        assert layout.width == (len(layout.outputs), len(layout.checks))  # one row of outputs, one of checks
        for r in rotations:
            a_x, a_z, a_m = r.ancilla
            assert a_m == 1 and a_x + a_z >= 1, (layout.protocol, r)
            assert 0 <= a_x <= layout.width[0] and 0 <= a_z <= layout.width[1], (layout.protocol, r)


def test_cultivation_grid_is_the_published_grid_and_ordered():
    """cultivation.py GRID, built from cultivation_data.py PUBLISHED (a table number c -> c + 1 or c - 1).

    The keys are the published grid, (p, d1) in {5e-4, 1e-3, 2e-3} x {3, 5}, and a footprint depends on d1 only
    (kills a key's p or a footprint +- 1). Tighter gap thresholds keep fewer, better states: errors and
    acceptances ascend, volumes descend, all in range (kills an error or acceptance +- 1). The constant
    volume x acceptance per entry is test_cultivation.py's."""
    from magicpipe.compiler.cultivation import GRID

    assert set(GRID) == {(p, d1) for p in (5e-4, 1e-3, 2e-3) for d1 in (3, 5)}
    for d1 in (3, 5):
        assert len({GRID[(p, d1)][0] for p in (5e-4, 1e-3, 2e-3)}) == 1
    for key, (footprint, rows) in GRID.items():
        assert footprint > 0
        errors, accept, volumes = zip(*rows)
        assert list(errors) == sorted(errors) and list(accept) == sorted(accept), key
        assert list(volumes) == sorted(volumes, reverse=True), key
        assert all(0 < e < key[0] * 5 for e in errors) and all(0 < a < 1 for a in accept), key


def test_smallest_candidate_budget_is_the_floor():
    """pareto.py candidate_budgets: ``q >= floor_q`` -> ``>`` and ``min(p.qubits ...)`` -> ``max``.

    With no supply lane the budget is the top-level factory plus its buffer slots (``base``); that is the floor
    and is kept. A menu that also offers a producer larger than the factory does not raise the floor: the
    smallest producer decides it."""
    from magicpipe.compiler.pareto import candidate_budgets, level_producer

    pipe = Pipeline.from_distances((5, 17))
    high, small = pipe.levels[1].factory, level_producer(pipe, 1)
    slot, slots = 2 * 17 * 17 - 1, 8
    base = high.qubits + slots * slot
    assert small.qubits < high.qubits
    assert candidate_budgets(high, (small,), slot, slots)[0] == base
    big = dataclasses.replace(small, name="big", qubits=high.qubits + 1000)
    budgets = candidate_budgets(high, (small, big), slot, slots)
    assert budgets[0] == base and base + small.qubits in budgets


def test_timeline_of_chains_keeps_leading_idle_layers():
    """layers.py from_intervals ``where[0] > 0`` -> ``> 1``: a chain over layers [1, 3) leaves layer 0 empty,
    so the counts are [0, 1, 1] (one leading idle layer, the boundary case of the check)."""
    assert DemandTimeline.from_intervals([1], [3]).counts() == [0, 1, 1]
    assert DemandTimeline.from_intervals([2, 1], [4, 2]).counts() == [0, 1, 1, 1]


def test_single_level_pipeline_is_one_single_source():
    """feeds.py pipeline_sources ``len(pipe.levels) == 1`` -> ``== 0``: a one-level pipeline is one factory run
    back to back: one ``single`` source with its qubits, a start-up of one run and a period of one run over
    its success probability; no schedules."""
    from magicpipe.compiler.feeds import pipeline_sources

    pipe = Pipeline.from_distances((7,))
    top = pipe.levels[0]
    sources, schedules = pipeline_sources(pipe, 1e-3)
    assert schedules == {} and len(sources) == 1
    s = sources[0]
    assert (s.method, s.qubits, s.startup_rounds, s.outputs) == ("single", top.qubits, float(top.rounds), 1)
    assert s.period_rounds == pytest.approx(top.rounds / top.p_succ)


def test_closed_form_allocations_are_counted_once():
    """allocator.py ``_STATS['closed_form'] += 1`` -> ``-= 1``: one uncached one-producer min-time allocation
    adds exactly one to ``solver_stats()['closed_form']`` and no CBC solve."""
    from magicpipe.compiler.allocator import min_time_allocation, solver_stats

    f = Producer("pinned-stats-only", qubits=101, rounds=7, outputs=1, p_succ=1.0, eps_out=1e-6, distance=3)
    before = solver_stats()
    a = min_time_allocation((f,), 303, 6)
    after = solver_stats()
    assert after["closed_form"] == before["closed_form"] + 1
    assert after["cbc_solves"] == before["cbc_solves"]
    assert a.qubits == 303 and a.rounds == 14  # three copies, two runs each: 6 states in 2 x 7 rounds


def test_baseline_launch_threshold_is_what_the_launch_takes():
    """baselines.py ``burst + inputs_per_step`` -> ``-``: a baseline top factory launches holding exactly what it
    takes at its launch round, the burst plus the first rotation's input (4 + 1 = 5 for 15-to-1 at (5, 17))."""
    from magicpipe.compiler.baselines import parallel_schedules, sequential_schedules

    pipe = Pipeline.from_distances((5, 17))
    for s in sequential_schedules(pipe) + parallel_schedules(pipe):
        launch = s.tops[0].launch
        assert s.launch_threshold == sum(k.count for k in s.takes if k.time == launch) == 4 + 1


def test_baseline_source_periods_divide_by_the_top_success():
    """feeds.py pipeline_sources ``top = pipe.levels[-1]`` -> ``levels[0]``: a baseline source's period is its
    rounds per execution over the *top* level's success probability (the one that can discard the output)."""
    from magicpipe.compiler import parallel, sequential
    from magicpipe.compiler.feeds import pipeline_sources

    pipe = Pipeline.from_distances((5, 17))
    top, low = pipe.levels[-1], pipe.levels[0]
    assert abs(top.p_succ - low.p_succ) > 1e-3
    sources, _ = pipeline_sources(pipe, 1e-3, ("sequential", "parallel"))
    by_method = {s.method: s for s in sources}
    assert by_method["sequential"].period_rounds == pytest.approx(sequential(pipe).rounds / top.p_succ, rel=1e-12)
    assert by_method["parallel"].period_rounds == pytest.approx(parallel(pipe).rounds / top.p_succ, rel=1e-12)


def test_upper_distance_search_by_hand():
    """catalogue_search.py ``_descend``: the bisection starts at d = 3 (mutants ``_least(3, ...)`` -> ``4``, ``2``).

    With a made-up factory whose error is ``10^-(d_X + d_Z + d_m)``: a target of 1e-9 is met by (3, 3, 3), the
    smallest odd distances; 1e-17 needs d = 7 on the diagonal (5 gives 1e-15), then d_Z = 3 (7 + 3 + 7 = 17),
    d_m = 7 and d_X = 7 (it may not go below d_Z, d_m); 1e-10 needs d = 5, then d_Z = d_m = 3 and d_X = 5."""
    from types import SimpleNamespace

    from magicpipe.compiler.catalogue_search import _descend, _least

    def make(ds):
        return SimpleNamespace(output_error=10.0 ** -sum(ds), ds=ds)

    assert _least(3, 61, lambda d: True) == 3 and _least(3, 61, lambda d: d >= 10) == 11
    assert _descend(make, 1e-9).ds == _descend(make, 1e-6).ds == (3, 3, 3)  # never below 3, even if 2 "would do"
    assert _descend(make, 1e-17).ds == (7, 3, 7)
    assert _descend(make, 1e-10).ds == (5, 3, 3)  # d_X = 3 gives 1e-9; an even 4 would be no code distance


def _upper_ancilla(layout, rotation, side):
    """(a_X, a_Z, a_m) of an upper-level rotation from the block's geometry: one row, the output patches
    (qubits 0..n_o-1) then the checked patches (n_o..n-1); an ancilla enters at the row's left or right end and
    runs along the patches up to the farthest one it must reach, and a distilled input feeds it (a_m = 1)."""
    n_o, n_c = len(layout.outputs), len(layout.checks)
    s = _support(rotation)
    outs, checks = [i for i in s if i < n_o], [i for i in s if i >= n_o]
    if side == "left":  # along every output patch, then the checks up to the last one in the support
        return n_o, (checks[-1] - n_o + 1 if checks else 0), 1
    if outs:  # from the right: along every check, then the outputs down to the first one in the support
        return n_o - outs[0], n_c, 1
    return 0, n_o + n_c - checks[0], 1


def test_upper_level_ancillas_follow_the_row_geometry():
    """blocks.py upper layouts, tile by tile (any coordinate c -> c + 1 or c - 1 of 15-to-1, 20-to-4 and 8-to-CCZ):
    of a step's two rotations the first ancilla comes from the left end of the row, the second from the right
    end (a step's lone rotation from either), each as long as the patches it passes (``_upper_ancilla``)."""
    from magicpipe.compiler.blocks import EIGHT_TO_CCZ_UPPER, FIFTEEN_TO_ONE_UPPER, TWENTY_TO_FOUR_UPPER

    for layout in (FIFTEEN_TO_ONE_UPPER, TWENTY_TO_FOUR_UPPER, EIGHT_TO_CCZ_UPPER):
        assert layout.outputs == tuple(range(len(layout.outputs)))  # outputs first in the row
        for step in layout.steps:
            rots = step.rotations
            if len(rots) == 2:
                assert rots[0].ancilla == _upper_ancilla(layout, rots[0], "left"), (layout.protocol, rots[0])
                assert rots[1].ancilla == _upper_ancilla(layout, rots[1], "right"), (layout.protocol, rots[1])
            else:
                (r,) = rots
                assert r.ancilla in (_upper_ancilla(layout, r, "left"), _upper_ancilla(layout, r, "right")), r


def _schedule_5_17_with(*producers):
    """test_dynamic's hand schedule at (5, 17) (9782 qubits, 8 slots: 9390 beside the buffer, no idle qubit, a
    lendable region of 5770), its menu replaced by ``producers`` for the failure models' recovery rules."""
    from magicpipe.compiler import patch_qubits
    from magicpipe.compiler.dynamic import simulate
    from magicpipe.compiler.pareto import level_producer

    pipe = Pipeline.from_distances((5, 17))
    s = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 9782, 8, patch_qubits(5))
    assert s.qubit_budget - s.buffer_qubits == 9390 and s.high.lendable_qubits == 5770 and s.move_rounds == 2
    return dataclasses.replace(s, producers=producers)


def test_a_lost_fill_state_is_remade_by_one_run_of_the_fastest_producer():
    """failures._recovery at the launch: one lost state (``min_time_allocation(menu, pool, 1)``, mutant 1 -> 2) is
    remade on the 9390-qubit pool by one run of the fastest producer that fits: a 6000-qubit, 10-round producer
    fits once, so one state takes 10 rounds (two would take 55, with a second, slower producer)."""
    from magicpipe.compiler.failures import _recovery

    fast = Producer("fast", 6000, 10, 1, 0.99, 1e-7, 5)
    slow = Producer("slow", 735, 55, 1, 0.99, 1e-7, 5)
    assert _recovery(_schedule_5_17_with(fast, slow), 0, True) == 10.0


def test_a_producer_exactly_as_large_as_the_lent_region_fits():
    """stalls._reuse_rounds: ``all(p.qubits > lend)`` (mutant ``>=``): a producer of exactly the lent region's 5770
    qubits fits, so a state is recovered in 2 moves of 2 rounds plus its 40-round run, 44; one qubit more does
    not fit (no recovery on the region: inf)."""
    import math

    from magicpipe.compiler.stalls import _reuse_rounds

    assert _reuse_rounds(_schedule_5_17_with(Producer("exact", 5770, 40, 1, 0.99, 1e-7, 5))) == 44
    assert _reuse_rounds(_schedule_5_17_with(Producer("over", 5771, 40, 1, 0.99, 1e-7, 5))) == math.inf


def test_moves_may_take_no_rounds():
    """options.py ``move_rounds < 0`` (mutant ``<= 0``): zero-round moves are allowed, negative ones refused."""
    from magicpipe.compiler.options import DynamicOptions

    assert DynamicOptions(move_rounds=0).move_rounds == 0
    with pytest.raises(SpecError, match="move_rounds must be >= 0"):
        DynamicOptions(move_rounds=-1)


def test_a_dynamic_source_starts_when_its_point_first_delivers():
    """feeds.py pipeline_sources ``max(startup, 1.0)`` (mutant ``min``): a dynamic source's start-up is its front
    point's rounds to the first state (at least one round), named by the point's budget and buffer."""
    from magicpipe.compiler.feeds import pipeline_sources

    pipe = Pipeline.from_distances((3, 9))
    front = pareto_front(pipe, max_output_error=1e-3)
    sources, _ = pipeline_sources(pipe, 1e-3, ("dynamic",))
    rounds = {f"Q={p.qubits} B={p.buffer_slots}": float(p.rounds) for p in front.points}
    assert sources
    for s in sources:
        assert s.startup_rounds == rounds["Q=" + s.name.split(" Q=")[-1]] > 1, s.name


def test_max_rate_of_a_menu_where_nothing_fits_is_empty():
    """allocator._max_rate with several producers none of which fits: no copy, no state, no rate."""
    a = max_rate_allocation((Producer("x", 300, 10, 1, 1.0, 1e-6, 3), Producer("y", 400, 5, 2, 1.0, 1e-6, 3)), 299)
    assert (a.rounds, a.runs, a.qubits, a.produced, a.rate) == (0, (), 0, 0, 0.0)


def test_monte_carlo_without_failures_never_stalls():
    """failures.monte_carlo on the (5, 17) hand schedule with producers that never fail: every shot is the
    no-failure schedule, so no shot stalls (fraction 0, counted from 0) and the delay is 0."""
    from magicpipe.compiler.failures import monte_carlo
    from magicpipe.compiler.pareto import level_producer

    sure = dataclasses.replace(level_producer(Pipeline.from_distances((5, 17)), 1), p_succ=1.0)
    s = _schedule_5_17_with(sure)
    mc = monte_carlo(s, 4, seed=1)
    assert mc.stall_fraction == 0.0 and mc.mean_delay == 0.0


def test_protocol_burst_may_be_zero_not_negative():
    """protocols.py ``burst < 0`` (mutant ``< -1``): a negative burst is refused."""
    with pytest.raises(SpecError, match="burst"):
        dataclasses.replace(FIFTEEN_TO_ONE, burst=-1)


def test_gate_times_up_to_a_second():
    """hardware.py ``0 < t <= 1e9`` ns: exactly one second is accepted, a nanosecond more refused."""
    assert Hardware(t_2q_ns=1e9, t_meas_ns=1e9).t_2q_ns == 1e9
    with pytest.raises(SpecError, match=r"gate times must lie in \(0, 1e9\]"):
        Hardware(t_2q_ns=1e9 + 1)
    with pytest.raises(SpecError, match=r"gate times must lie in \(0, 1e9\]"):
        Hardware(t_meas_ns=1e9 + 1)


def test_menu_producers_never_promise_a_faster_run_than_their_point():
    """pareto._menu_from_front: a lower front point becomes a producer whose run takes its expected rounds rounded
    up to a whole round: rounds >= the point's rounds > rounds - 1."""
    from magicpipe.compiler.pareto import _menu_from_front

    front = pareto_front(Pipeline.from_distances((3, 7)))
    menu = _menu_from_front(front, 4)
    assert menu
    for prod in menu:
        assert prod.rounds - 1 < prod.source.rounds <= prod.rounds, prod


def test_warm_started_distance_search_by_hand():
    """catalogue_search._descend from a neighbour's answer: raise all three distances by 2 until the target is met,
    then lower one at a time by 2 while it stays met (d_X not below d_Z, d_m). Made-up error
    ``10^-(d_X + 2 d_Z + 3 d_m)``, target 1e-40, start (7, 3, 7) (34): (9, 5, 9) gives 46; d_Z back to 3 gives 42;
    d_m = 7 would give 36 and d_X stays at d_m = 9: (9, 3, 9)."""
    from types import SimpleNamespace

    from magicpipe.compiler.catalogue_search import _descend

    def make(ds):
        return SimpleNamespace(output_error=10.0 ** -(ds[0] + 2 * ds[1] + 3 * ds[2]), ds=ds)

    assert _descend(make, 1e-40, (7, 3, 7)).ds == (9, 3, 9)
    # from (9, 3, 5) (30): (11, 5, 7) gives 42; d_X = 9 gives 40, still met; d_Z = 3 (36), d_m = 5 (34) and then
    # d_X = 7 (38) are not: (9, 5, 7). Here d_X differs from d_Z and d_m, so each coordinate's own widening shows.
    assert _descend(make, 1e-40, (9, 3, 5)).ds == (9, 5, 7)
    # from (11, 3, 3) (26) to 1e-30: (13, 5, 5) gives 38; d_Z = 3 gives 34; d_m = 3 would give 28; d_X down to 9
    # gives 30 (7 would give 28): (9, 3, 5) -- widening d_X from d_m instead would stop at (5, 5, 5)
    assert _descend(make, 1e-30, (11, 3, 3)).ds == (9, 3, 5)


def test_protocol_needs_a_step():
    """protocols.py ``steps < 1`` (mutant ``< 0``): a protocol of zero steps is refused."""
    with pytest.raises(SpecError, match="steps, inputs_per_step, cycles_per_step >= 1"):
        dataclasses.replace(FIFTEEN_TO_ONE, steps=0)


def test_a_source_needs_positive_times():
    """source.py: start-up and period must be positive finite numbers (each condition alone: a negative, a zero
    and an infinite value are refused)."""
    from magicpipe.compiler import Source

    for startup, period in ((-1.0, 5.0), (5.0, -1.0), (0.0, 5.0), (5.0, float("inf"))):
        with pytest.raises(SpecError, match="must be a positive finite number"):
            Source("bad", "sequential", 10, startup, period, 1, 1e-9)


def test_cultivation_takes_at_least_one_attempt_per_state():
    """cultivation.sample_rounds: the number of attempts per kept state is geometric from 1 (``1 + floor(...)``):
    each draw is a whole number of attempts, never fewer than the states kept, and with acceptance 0.51 many
    seeds keep the first attempt (exactly one attempt per state)."""
    from magicpipe.compiler.cultivation import cultivation_point, sample_rounds

    point = cultivation_point(5e-4, 3, 0.0)
    attempts = [sample_rounds(point, 2, seed) / point.attempt_rounds for seed in range(200)]
    assert all(abs(a - round(a)) < 1e-9 for a in attempts)
    assert min(round(a) for a in attempts) == 2


def test_producers_equal_whatever_their_source_which_their_repr_omits():
    """allocator.Producer.source is not part of equality (``compare=False``): the same figures from two different
    sources are one producer (menus and allocator caches rely on it); nor of the repr (``repr=False``: a source is
    a whole front point, and big objects print as one short line, tests/test_reprs.py)."""
    a = Producer("p", 735, 55, 1, 0.99, 1e-7, 5, source="front A")
    b = Producer("p", 735, 55, 1, 0.99, 1e-7, 5, source="front B")
    assert a == b and hash(a) == hash(b)
    assert "front A" not in repr(a) and "source" not in repr(a)


def test_menu_producers_carry_their_level():
    """pareto._menu_from_front: a producer made from a lower front point yields that front's top level's states:
    its outputs, success probability, error and distance are the top level's (level 2 of (3, 7)), not level 1's."""
    from magicpipe.compiler.pareto import _menu_from_front

    pipe = Pipeline.from_distances((3, 7))
    top, low = pipe.levels[-1], pipe.levels[0]
    assert (top.p_succ, top.factory.distance) != (low.p_succ, low.factory.distance)
    for prod in _menu_from_front(pareto_front(pipe), 4):
        assert (prod.p_succ, prod.eps_out, prod.distance, prod.level) == (top.p_succ, top.eps_out, 7, top.index)


def test_reuse_region_counts_the_idle_qubits():
    """stalls._reuse_rounds lends the ancilla region plus the idle qubits: at 9100 qubits and 4 slots no supply
    lane fits, 9100 - 8655 - 4 x 49 = 249 qubits are idle, so the region is 5770 + 249 = 6019 qubits; a producer of
    exactly 6019 fits (2 moves of 2 rounds + 40), one of 6020 does not."""
    import math

    from magicpipe.compiler import patch_qubits
    from magicpipe.compiler.dynamic import simulate
    from magicpipe.compiler.pareto import level_producer
    from magicpipe.compiler.stalls import _reuse_rounds

    pipe = Pipeline.from_distances((5, 17))
    s = simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), 9100, 4, patch_qubits(5))
    assert s.supply.qubits == 0
    fits = dataclasses.replace(s, producers=(Producer("fits", 6019, 40, 1, 0.99, 1e-7, 5),))
    over = dataclasses.replace(s, producers=(Producer("over", 6020, 40, 1, 0.99, 1e-7, 5),))
    assert (_reuse_rounds(fits), _reuse_rounds(over)) == (44, math.inf)


def test_search_target_must_lie_in_0_1():
    """search.best_pipeline: a target of 0 (or below) or 1 is refused."""
    from magicpipe.compiler.search import best_pipeline

    for target in (0.0, -1e-9, 1.0):
        with pytest.raises(SpecError, match="must lie in"):
            best_pipeline(target)
