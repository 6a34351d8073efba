"""The whole program: logical counts, the program model, the supply simulation, the front and plan_counts."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magicpipe.compiler import DemandTimeline, Hardware, LogicalCounts, Source
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.compilation import plan_counts
from magicpipe.compiler.program import cycle_rounds, data_block, program_demand, simulate
from magicpipe.compiler.synthesis import SYNTHESIS_MODELS
from magicpipe.errors import InfeasibleError, SpecError

HW = Hardware(p=1e-3, eps=1e-3)
AZURE = SYNTHESIS_MODELS["azure"]

# what the Azure estimator writes under "logicalCounts" in a result (keys it adds beyond the demand are ignored)
AZURE_RESULT = {"status": "success", "logicalCounts": {
    "numQubits": 100, "tCount": 0, "rotationCount": 5600, "rotationDepth": 114, "cczCount": 0, "ccixCount": 0,
    "measurementCount": 0, "numComputeQubits": 100, "readFromMemoryCount": 0, "writeToMemoryCount": 0}}


def test_counts_json_round_trip_and_an_estimator_result():
    c = LogicalCounts(7, t_count=5, rotation_count=3, rotation_depth=2, ccz_count=1, ccix_count=2, measurement_count=4)
    assert LogicalCounts.from_json(c.to_json()) == c
    assert json.loads(c.to_json())["ccixCount"] == 2
    ising = LogicalCounts.from_dict(AZURE_RESULT)
    assert (ising.num_qubits, ising.rotation_count, ising.rotation_depth) == (100, 5600, 114)


@pytest.mark.parametrize("data, message", [
    ({"numQubits": 3, "tCount": -1}, "tCount|t_count must be a non-negative integer"),
    ({"numQubits": 3, "tCount": 1.5}, "must be a non-negative integer, got 1.5"),
    ({"numQubits": 3, "tcount": 4}, r"unknown key\(s\) \['tcount'\]"),
    ({"tCount": 4}, "numQubits is missing"),
    ({"numQubits": 3, "rotationCount": 4}, "need rotationDepth >= 1"),
    ({"numQubits": 3, "rotationCount": 2, "rotationDepth": 3}, "exceeds rotationCount"),
    ([1, 2], "must be a JSON object"),
])
def test_bad_counts_are_refused_naming_the_field(data, message):
    with pytest.raises(SpecError, match=message):
        LogicalCounts.from_dict(data)


def test_layers_from_counts_follow_the_estimators_conventions():
    # Beverland et al. 2022 App. C: C = M_meas + M_R + M_T + 3 (M_CCZ + M_CCiX) + A_rot D_R,
    # M = M_T + A_rot M_R + 4 M_CCZ
    c = LogicalCounts(10, t_count=50, rotation_count=20, rotation_depth=5, ccz_count=3, measurement_count=7)
    d = program_demand(c, ErrorBudget(1e-3), AZURE)
    a_rot = math.ceil(0.53 * math.log2(20 / (1e-3 / 3)) + 4.86)
    assert d.rotation_t == a_rot == 14
    assert d.t_states == 50 + a_rot * 20 + 4 * 3
    assert d.timeline.layers == 7 + 20 + 50 + 9 + a_rot * 5
    assert max(d.timeline.states) - min(d.timeline.states) <= 1  # spread as evenly as whole numbers allow
    assert d.target == pytest.approx(1e-3 / 3 / d.t_states)


def test_a_tiny_program_by_hand():
    # two layers of 2 states, one copy making 1 state every 10 rounds from round 10, 5 rounds per layer:
    # states at 10, 20 | 30, 40 -> layer 1 starts at 20 (waits 20), layer 2 at 40 (waits 15), ends at 45
    src = Source("hand", "sequential", 100, 10.0, 10.0, 1, 1e-9)
    sim = simulate(DemandTimeline((2,), (2,)), src, 1, 5)
    assert sim.runtime_rounds == pytest.approx(45.0)
    assert sim.wait_rounds == pytest.approx(35.0)
    assert sim.startup_wait_rounds == pytest.approx(20.0)
    # two copies staggered 5 apart: states at 10, 15 | 20, 25 -> starts 15, 25, ends 30
    two = simulate(DemandTimeline((2,), (2,)), src, 2, 5)
    assert two.runtime_rounds == pytest.approx(30.0)


def _reference(timeline, src, k, tau):
    """Layer by layer: the same fluid supply, no closed form."""
    r = k * src.outputs / src.period_rounds
    cap = max(timeline.peak + src.outputs, timeline.peak, 1)
    b = src.outputs - r * src.startup_rounds
    t = wait = 0.0
    for s in timeline.counts():
        if s and b < s:
            w = (s - b) / r
            wait += w
            t += w
            b = float(s)
        b = min(cap, b - s + r * tau)
        t += tau
    return t, wait


@settings(max_examples=60, deadline=None, derandomize=True)
@given(runs=st.lists(st.tuples(st.integers(1, 6), st.integers(0, 9)), min_size=1, max_size=6),
       k=st.integers(1, 12), period=st.integers(5, 90), startup=st.integers(5, 200), outputs=st.integers(1, 4),
       tau=st.integers(1, 20))
def test_closed_form_equals_layer_by_layer(runs, k, period, startup, outputs, tau):
    tl = DemandTimeline.from_counts([s for n, s in runs for _ in range(n)])
    src = Source("x", "dynamic", 10, float(startup), float(period), outputs, 0.0)
    sim = simulate(tl, src, k, tau)
    t, wait = _reference(tl, src, k, tau)
    assert sim.runtime_rounds == pytest.approx(t, rel=1e-9, abs=1e-6)
    assert sim.wait_rounds == pytest.approx(wait, rel=1e-9, abs=1e-6)
    assert sim.consumed == tl.total
    # no state is consumed before it is made: by each run's start the supply covers what was consumed
    r = k * outputs / period
    consumed = 0
    for start, length, s, tau_, first, w in sim.runs:
        if s:  # the first and the last layer of the run (consumption and supply are linear in between)
            assert consumed + s <= outputs + r * (start + first - startup) + 1e-6
            last = start + first + (length - 1) * tau_ + (w - first)
            assert consumed + length * s <= outputs + r * (last - startup) + 1e-6
        consumed += length * s
    assert sim.runtime_rounds >= tl.layers * tau - 1e-9


def test_waits_only_when_the_supply_is_short():
    tl = DemandTimeline((100,), (1,))
    fast = Source("fast", "dynamic", 10, 3.0, 1.0, 1, 0.0)  # one state per round, layers of 5 rounds
    sim = simulate(tl, fast, 1, 5)  # only the first state is waited for
    assert sim.wait_rounds == sim.startup_wait_rounds == 3.0 and sim.runtime_rounds == 503
    slow = Source("slow", "dynamic", 10, 3.0, 10.0, 1, 0.0)  # one per 10 rounds: bound by supply
    assert simulate(tl, slow, 1, 5).runtime_rounds == pytest.approx(3 + 99 * 10 + 5)


@pytest.fixture(scope="module")
def million():
    """The paper's pipeline alone, on the default thirds of the budget."""
    return plan_counts(LogicalCounts(100, t_count=10**6), HW, 1e-3, catalogue=False, budget_search=False)


def test_front_is_non_dominated_and_every_point_feasible(million):
    pts = million.front.points
    assert len(pts) > 5
    for a, b in zip(pts, pts[1:]):
        assert a.physical_qubits < b.physical_qubits and a.runtime_us > b.runtime_us
    for p in pts:
        assert p.total_error <= 1e-3
        assert dict(p.errors)["logical"] <= million.demand.budgets[0]
        assert p.source.output_error <= million.demand.target
        assert p.physical_qubits == p.factory_qubits + p.data_qubits + p.buffer_qubits
        assert p.runtime_rounds >= million.demand.timeline.layers * p.data.layer_rounds
    assert million.chosen in pts
    assert million.chosen.schedule is not None  # the chosen dynamic point carries its schedule


def test_objectives_and_bounds(million):
    f = million.front
    assert f.choose("qubits") is f.points[0] and f.choose("runtime") is f.points[-1]
    mid = f.points[len(f.points) // 2]
    assert f.choose("runtime", max_physical_qubits=mid.physical_qubits) is mid
    assert f.choose("qubits", max_runtime_us=mid.runtime_us) is mid
    with pytest.raises(InfeasibleError, match=r"--max-physical-qubits 1000; the nearest needs \d+ physical qubits"):
        f.choose("volume", max_physical_qubits=1000)
    with pytest.raises(InfeasibleError, match="--max-runtime-us 1"):
        f.choose("volume", max_runtime_us=1.0)


def test_baselines_on_the_same_program(million):
    names = [n for n, _, _ in million.baselines]
    assert names == ["sequential", "parallel"]
    for _, f, pt in million.baselines:
        assert {p.method for p in f.points} <= {"sequential", "parallel"}
        assert pt.data_qubits == million.chosen.data_qubits
    # the plan's dict follows the schema's required keys
    d = million.to_dict()
    assert (
        d["schema"] == "magicpipe.plan/2"
        and d["front"][d["chosen"]]["physical_qubits"] == million.chosen.physical_qubits
    )
    assert d["demand"]["t_count"] == 10**6


def test_catalogue_and_budget_shares_only_add_points(million):
    full = plan_counts(LogicalCounts(100, t_count=10**6), HW, 1e-3)
    # every point of the pipeline-only front is matched or beaten by a point of the full front
    for p in million.front.points:
        assert any(q.physical_qubits <= p.physical_qubits and q.runtime_us <= p.runtime_us for q in full.front.points)
    assert full.chosen.physical_qubits < million.chosen.physical_qubits
    for q in full.front.points:  # each point keeps within the shares it was planned with
        log, dist, syn = q.budgets
        assert log + dist + syn == pytest.approx(1e-3)
        errs = dict(q.errors)
        assert errs["logical"] <= log and errs["distillation"] <= dist * (1 + 1e-9)
    # a split the caller fixes is kept
    fixed = plan_counts(LogicalCounts(100, t_count=10**6), HW, ErrorBudget(1e-3, 0.2, 0.8, 0.0), catalogue=False)
    assert {q.budgets for q in fixed.front.points} == {(2e-4, 8e-4, 0.0)}


def test_cost_follows_the_runs_not_the_states():
    small = plan_counts(LogicalCounts(100, t_count=10**6), HW, 1e-3, catalogue=False, budget_search=False)
    huge = plan_counts(LogicalCounts(100, t_count=10**12), HW, 1e-3, catalogue=False, budget_search=False)
    assert len(huge.demand.timeline.lengths) == len(small.demand.timeline.lengths) == 1
    assert huge.demand.t_states == 10**12
    assert len(huge.chosen.simulation.runs) == 1


def test_a_program_without_magic_states():
    c = plan_counts(LogicalCounts(5, measurement_count=10), HW, 1e-3)
    assert c.chosen.factory_qubits == 0 and c.chosen.physical_qubits == data_block(5, c.chosen.data.distance).qubits
    assert c.demand.t_states == 0


def test_a_budget_the_program_alone_exceeds():
    with pytest.raises(InfeasibleError, match="logical error budget"):
        plan_counts(LogicalCounts(10**6, measurement_count=10**15), Hardware(p=5e-3, eps=1e-3), 1e-12)


def test_bad_plan_options():
    c = LogicalCounts(4, t_count=10)
    with pytest.raises(SpecError, match="objective must be one of"):
        plan_counts(c, HW, objective="speed")
    with pytest.raises(SpecError, match="max_physical_qubits must be a positive integer"):
        plan_counts(c, HW, max_physical_qubits=0)
    with pytest.raises(SpecError, match="max_runtime_us must be a positive finite"):
        plan_counts(c, HW, max_runtime_us=float("inf"))
    with pytest.raises(SpecError, match="at or above the 15-to-1 distillation threshold"):
        plan_counts(c, Hardware(p=1e-3, eps=0.2))


def test_a_split_skips_an_unreachable_extra_target_but_not_its_own():
    """compilation._plan_one: a split searches sources at extra targets (another split's, the tightest); one that
    no pipeline reaches is skipped (the front is the one found at the split's own target alone), while the split's
    own target being unreachable is an error. With one level at eps = 1e-3, 15-to-1 reaches 35 eps^3 = 3.5e-8 at
    best: 1e-40 is out of reach; 100 T states in a 1e-3 budget need 5e-6 each, in reach at d = 9."""
    from magicpipe.compiler.compilation import _plan_one

    demand = program_demand(LogicalCounts(10, t_count=100), ErrorBudget(1e-3), AZURE)
    assert demand.target == pytest.approx(5e-6)
    args = (HW, 1, 1, False, False, "fast", (), ())
    alone = _plan_one(demand, *args)
    both = _plan_one(demand, *args, targets=(1e-40, demand.target))
    assert both[0] == alone[0] and both[0].distances == (9,) and both[1].points == alone[1].points
    hopeless = program_demand(LogicalCounts(10, t_count=100), ErrorBudget(1e-30), AZURE)
    with pytest.raises(InfeasibleError, match="no pipeline of 1 levels"):
        _plan_one(hopeless, *args)


def test_program_without_t_states_simulates_no_supply():
    """plan_program without T states: the simulation record has no wait, no buffer, no state consumed and no
    runs; a demand built without a synthesis error charges none (``ProgramDemand.synthesis_error`` 0)."""
    from dataclasses import fields

    from magicpipe.compiler.program import ProgramDemand, plan_program

    demand = program_demand(LogicalCounts(4, measurement_count=3), ErrorBudget(1e-3), AZURE)
    sim = plan_program(demand, [], HW).points[0].simulation
    assert (sim.wait_rounds, sim.startup_wait_rounds, sim.buffer_states, sim.consumed, sim.runs) == (0, 0, 0, 0, ())
    given = {f.name: getattr(demand, f.name) for f in fields(ProgramDemand) if f.name != "synthesis_error"}
    assert ProgramDemand(**given).synthesis_error == 0.0


def test_eq14_copies_of_one_state():
    """copies.eq14_copies at M = 1 (the ``states <= 0`` boundary): one state takes one copy, whether the program
    is shorter than a run (M copies) or holds many runs (ceil(1 / runs)); zero states take none."""
    from magicpipe.compiler.copies import eq14_copies

    assert (eq14_copies(1, 10, 30), eq14_copies(1, 1000, 30), eq14_copies(0, 1000, 30)) == (1, 1, 0)


def test_a_source_needs_an_output():
    """source.Source: outputs must be >= 1 (0 refused, 1 accepted)."""
    assert Source("one", "sequential", 10, 5.0, 5.0, 1, 1e-9).outputs == 1
    with pytest.raises(SpecError, match="outputs must be a positive integer, got 0"):
        Source("none", "sequential", 10, 5.0, 5.0, 0, 1e-9)


def test_idle_layers_are_recorded_without_waits():
    """program.simulate: a run of layers with no T state takes its layers x tau rounds and is recorded as
    ``(start, length, 0, tau, 0.0, 0.0)``, no wait; the next run starts after it. One copy of a source with one
    state every 10 rounds from round 10; 3 idle layers of 5 rounds, then 2 layers of 1 state."""
    src = Source("s", "sequential", 100, 10.0, 10.0, 1, 1e-9)
    sim = simulate(DemandTimeline((3, 2), (0, 1)), src, 1, 5)
    assert sim.runs[0] == (0.0, 3, 0, 5.0, 0.0, 0.0)
    assert sim.runs[1][:4] == (15.0, 2, 1, 5.0)


def test_a_timeline_run_needs_a_positive_length():
    """layers.DemandTimeline: a run of 0 layers is refused (``n <= 0``); 1 layer is accepted."""
    assert DemandTimeline((1,), (0,)).layers == 1
    with pytest.raises(SpecError, match="positive lengths"):
        DemandTimeline((0,), (1,))


def test_copy_grid_is_dense_to_24_then_six_percent_steps():
    """program._copy_grid: every copy count up to 24, then 6% steps up to k_max: 24 x 1.06 = 25.4 -> 26, 27.0
    -> 27, 28.6 -> 29, then k_max = 30 itself; below 24 it is 1..k_max."""
    from magicpipe.compiler.program import _copy_grid

    assert _copy_grid(30) == list(range(1, 25)) + [26, 27, 29, 30]
    assert _copy_grid(5) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("plan", [[], {"schema": "magicpipe.plan/1"}])
def test_replan_refuses_what_is_not_a_plan(plan):
    """compilation.replan: not a dict, or a dict of another schema, is a SpecError naming the schema."""
    from magicpipe.compiler.compilation import replan

    with pytest.raises(SpecError, match="plan/2"):
        replan(plan, HW)


def test_each_state_is_handed_to_its_port_in_one_move_of_d_rounds():
    """compiler.program.cycle_rounds: a copy spends d rounds (its output's distance) moving each state into its
    port, as the stream does. One copy, a run every 10 rounds, d = 3: states at 13, 26, 39, 52, four layers of
    5 rounds -> 57 rounds, 37 waited (45 and 25 without the hand-off, the estimators' convention)."""
    src = Source("one", "sequential", 100, 10.0, 10.0, 1, 1e-9, distances=(3,))
    with_move = simulate(DemandTimeline((4,), (1,)), src, copies=1, layer_rounds=5)
    without = simulate(DemandTimeline((4,), (1,)), src, copies=1, layer_rounds=5, handoff=False)
    assert (with_move.runtime_rounds, with_move.wait_rounds) == (57.0, 37.0)
    assert (without.runtime_rounds, without.wait_rounds) == (45.0, 25.0)
    four = Source("four", "litinski", 100, 100.0, 100.0, 4, 1e-9, distances=(9, 3, 3, 15, 7, 9))
    assert cycle_rounds(four) == 100.0 + 4 * 9 and cycle_rounds(four, handoff=False) == 100.0


def test_the_copy_search_stops_at_the_first_point_that_waits_only_for_the_first_state():
    """More copies cannot shorten a program that waits only for its first state at the least distance: the search
    evaluates copy counts in order and stops at the first such point. 2,000 layers of one state (7 rounds each at
    d = 7), one of 6, then 50 idle: a copy makes a state every 40 rounds, so 5 copies fall behind the steady
    layers (5 / 40 < 1 / 7) and 6 keep ahead, filling the buffer (6 + 1 slots) before the burst; the peak rate
    alone would ask for ceil(6 x 40 / 7) = 35 copies."""
    import dataclasses

    from magicpipe.compiler.program import _all_t_points, _copy_grid, layer_distance

    counts = dataclasses.replace(LogicalCounts(10, t_count=2006), timeline=DemandTimeline((2000, 1, 50), (1, 6, 0)))
    demand = program_demand(counts, ErrorBudget(1e-3), SYNTHESIS_MODELS["azure"])
    src = Source("slow", "sequential", 100, 40.0, 40.0, 1, 1e-12)
    hw = Hardware()
    d_min = layer_distance(demand, "fast", hw)
    points, evaluated = _all_t_points(demand, [src], hw, "fast", {}, None)

    def only_first(p):
        return p.simulation.wait_rounds <= p.simulation.startup_wait_rounds + 1e-9 and p.data.distance == d_min

    assert d_min == 7 and evaluated == 6 and [p.copies for p in points] == _copy_grid(35)[:6] == [1, 2, 3, 4, 5, 6]
    assert only_first(points[-1]) and not any(only_first(p) for p in points[:-1])
    assert all(p.simulation.startup_wait_rounds == pytest.approx(40.0) for p in points)  # the first state, at 40
    assert points[-1].simulation.wait_rounds == pytest.approx(40.0)
