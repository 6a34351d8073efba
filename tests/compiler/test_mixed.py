"""CCZ demand met by CCZ factories or by T states: the layers by kind, the two-supply simulation and the
mixed points of the whole-program front (compiler/supplies.py, compiler/mixed.py)."""

import json
import math
import random
from importlib import resources

import jsonschema
import pytest

from magicpipe.compiler import DemandTimeline, Hardware, LogicalCounts, Source
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.compilation import plan_counts
from magicpipe.compiler.mixed import ccz_target, evaluate_mixed, pair_error
from magicpipe.compiler.program import plan_program, program_demand, simulate
from magicpipe.compiler.supplies import KindTimeline, Supply, simulate_supplies, split_toffolis, spread_kinds
from magicpipe.compiler.synthesis import SYNTHESIS_MODELS
from magicpipe.errors import InfeasibleError, SpecError

HW = Hardware(p=1e-3, eps=1e-3)
AZURE = SYNTHESIS_MODELS["azure"]
# Litinski 2019 ("Magic State Distillation: Not as Costly as You Think"), p = 1e-3, cycles = code cycles
LIT_T = Source("(15-to-1)^6_{11,5,5} x (15-to-1)_{25,11,11}", "litinski", 30732, 82.5, 82.5, 1, 2.7e-12)
LIT_CCZ = Source("(15-to-1)^6_{13,7,7} x (8-to-CCZ)_{25,15,15}", "litinski", 47046, 60.0, 60.0, 1, 5.2e-11,
                 kind="CCZ")


def _brute(rows, lengths, supplies, tau):
    """Layer by layer: wait for every kind, consume, run (caps applied as the buffers fill)."""
    b = [s.first for s in supplies]
    t = wait = 0.0
    for n, ss in zip(lengths, rows):
        for _ in range(n):
            w = max([0.0] + [(s - bi) / sp.rate for s, bi, sp in zip(ss, b, supplies) if s > 0])
            b = [min(sp.cap, min(sp.cap, bi + sp.rate * w) - s + sp.rate * tau) for s, bi, sp in zip(ss, b, supplies)]
            t += w + tau
            wait += w
    return t, wait


def test_one_kind_is_the_plans_own_simulation():
    rng = random.Random(1)
    for _ in range(300):
        runs = rng.randint(1, 5)
        tl = DemandTimeline(tuple(rng.randint(1, 40) for _ in range(runs)),
                            tuple(rng.choice([0, 1, 2, 3, 7]) for _ in range(runs)))
        src = Source("s", "m", 10, rng.uniform(1, 200), rng.uniform(1, 80), rng.choice([1, 4]), 0.0)
        k, tau = rng.randint(1, 7), rng.uniform(1, 25)
        want = simulate(tl, src, k, tau)
        got = simulate_supplies([(s,) for s in tl.states], tl.lengths,
                                [Supply.of(k, src.outputs, src.period_rounds, src.startup_rounds, tl.peak)], tau)
        assert got.runtime_rounds == pytest.approx(want.runtime_rounds, rel=1e-9)
        assert got.wait_rounds == pytest.approx(want.wait_rounds, rel=1e-9, abs=1e-9)


def test_two_kinds_in_closed_form_match_layer_by_layer():
    rng = random.Random(2)
    for _ in range(300):
        runs = rng.randint(1, 5)
        lengths = [rng.randint(1, 50) for _ in range(runs)]
        rows = [(rng.choice([0, 1, 2, 5]), rng.choice([0, 1, 2])) for _ in range(runs)]
        sups = [Supply.of(rng.randint(1, 6), rng.choice([1, 4]), rng.uniform(1, 80), rng.uniform(1, 200),
                          max(r[i] for r in rows)) for i in range(2)]
        tau = rng.uniform(1, 20)
        t, w = _brute(rows, lengths, sups, tau)
        got = simulate_supplies(rows, lengths, sups, tau)
        assert got.runtime_rounds == pytest.approx(t, rel=1e-9) and got.wait_rounds == pytest.approx(w, abs=1e-6 * t)


def test_a_ccz_state_never_meets_t_demand():
    # CCZ states arrive fast, T states slowly: the program waits for T as if the CCZ supply were not there
    tl = DemandTimeline((30,), (2,))
    t_src = Source("t", "m", 10, 50.0, 40.0, 1, 0.0)
    alone = simulate(tl, t_src, 2, 10.0)
    fast_ccz = Supply(1e6, 1.0, 2.0)
    both = simulate_supplies([(2, 1)], [30], [Supply.of(2, 1, 40.0, 50.0, 2), fast_ccz], 10.0)
    assert both.runtime_rounds == pytest.approx(alone.runtime_rounds, rel=1e-12)
    # a CCZ factory alone cannot feed a program without Toffolis, nor be used as the T side of a mixed point
    demand = program_demand(LogicalCounts(10, t_count=1000), ErrorBudget(1e-3), AZURE)
    assert demand.kinds is None
    with pytest.raises(InfeasibleError, match="no factory reaches"):
        plan_program(demand, [LIT_CCZ], HW)
    mixed = program_demand(LogicalCounts(10, t_count=1000, ccz_count=10), ErrorBudget(1e-3), AZURE)
    with pytest.raises(SpecError, match="a T source and a CCZ source"):
        evaluate_mixed(mixed, LIT_CCZ, 1, LIT_CCZ, 1, "fast", HW)


def test_layers_by_kind_add_up_for_counts_and_circuits():
    d = program_demand(LogicalCounts(100, t_count=1000, ccz_count=300, ccix_count=20), ErrorBudget(1e-3), AZURE)
    k = d.kinds
    assert (k.t_total, k.ccz_total, k.layers) == (1000, 320, d.timeline.layers)
    assert k.t_total + 4 * k.ccz_total == d.t_states
    assert ccz_target(d, d.target) == pytest.approx(d.target * d.t_states / 1320)
    # a circuit: its T-state timeline less 4 per Toffoli of its Toffoli timeline, exactly
    all_t = DemandTimeline((2, 3, 1), (9, 4, 1))
    tof = DemandTimeline((2, 3), (2, 1))
    kt = split_toffolis(all_t, tof, 4)
    assert list(kt.layers_of()) == [(2, 1, 2), (3, 0, 1), (1, 1, 0)] and kt.all_t(4) == all_t
    with pytest.raises(SpecError, match="more Toffolis than its T states pay for"):
        split_toffolis(all_t, tof, 7)
    assert spread_kinds(5, 2, 3) == KindTimeline((2, 1), (2, 1), (1, 0))


def test_a_counted_circuit_carries_its_toffolis_to_the_planner():
    from qiskit import QuantumCircuit

    from magicpipe.passes.demand import count_demand

    qc = QuantumCircuit(4)
    qc.t(3)
    qc.ccx(0, 1, 2)
    qc.ccx(0, 1, 3)
    counts = count_demand(qc).to_counts()
    assert counts.ccz_timeline.counts() == [1, 1]
    d = program_demand(counts, ErrorBudget(1e-3), AZURE)
    assert list(d.kinds.layers_of()) == [(1, 1, 1), (1, 0, 1)] and d.kinds.all_t(4) == d.timeline


def _litinski_program(layers=10**5, t_per_layer=0, ccz_per_layer=10):
    counts = LogicalCounts(100, t_count=t_per_layer * layers, ccz_count=ccz_per_layer * layers,
                           timeline=DemandTimeline((layers,), (t_per_layer + 4 * ccz_per_layer,)),
                           ccz_timeline=DemandTimeline((layers,), (ccz_per_layer,)))
    return program_demand(counts, ErrorBudget(1e-3), AZURE)


def test_mixed_points_add_up_and_stay_within_the_budget():
    demand = _litinski_program(t_per_layer=3)
    front = plan_program(demand, [LIT_T, LIT_CCZ], HW)
    mixed = [p for p in front.points if p.ccz_source is not None]
    assert mixed
    for p in mixed:
        assert p.ccz_source.kind == "CCZ" and p.source.kind == "T" and p.copies >= 1
        assert p.factory_qubits == p.copies * LIT_T.qubits + p.ccz_copies * LIT_CCZ.qubits
        assert p.physical_qubits == p.factory_qubits + p.data_qubits + p.buffer_qubits
        assert p.simulation.consumed == 3 * 10**5 + 10 * 10**5
        assert dict(p.errors)["distillation"] == pytest.approx(3e5 * 2.7e-12 + 1e6 * 5.2e-11, rel=1e-12)
        assert dict(p.errors)["distillation"] <= demand.budgets[1] and dict(p.errors)["logical"] <= demand.budgets[0]
        # buffers: peak + outputs per kind, a CCZ state on three patches
        assert p.buffer_qubits == ((3 + 1) + 3 * (10 + 1)) * (2 * p.data.distance**2 - 1)
        assert p.name == f"{LIT_T.name} + {LIT_CCZ.name}"


def test_litinski_8_to_ccz_beats_four_t_states_per_toffoli():
    # ten Toffolis a layer, nothing else: at the fastest point the factories keep up with the layers, and
    # per CCZ Litinski's 8-to-CCZ costs 47,046 x 60 qubit-cycles against 4 x 30,732 x 82.5 for four T states
    demand = _litinski_program()
    all_t = plan_program(demand, [LIT_T], HW)
    mixed = plan_program(demand, [LIT_T, LIT_CCZ], HW)
    fast_t = min(all_t.points, key=lambda p: p.runtime_us)
    fast_m = min(mixed.points, key=lambda p: p.runtime_us)
    assert fast_m.ccz_source is LIT_CCZ and fast_m.copies == 0 and fast_t.ccz_source is None
    tau = fast_m.data.layer_rounds
    assert fast_t.data.layer_rounds == tau
    assert fast_t.copies == math.ceil(40 * 82.5 / tau) and fast_m.ccz_copies == math.ceil(10 * 60 / tau)
    assert fast_m.runtime_us == pytest.approx(fast_t.runtime_us, rel=1e-3)
    ratio = fast_m.factory_qubits / fast_t.factory_qubits
    assert ratio == pytest.approx(47046 * 60 / (4 * 30732 * 82.5), rel=0.05)
    # and the chosen point (least volume) of the mixed front is the cheaper one
    assert mixed.choose().physical_qubits * mixed.choose().runtime_us < \
        all_t.choose().physical_qubits * all_t.choose().runtime_us


def test_a_ccz_heavy_workload_from_counts_chooses_ccz_factories():
    # 100 qubits, 10^8 CCZ: the estimator's layers (three per CCZ), budget 0.03 so that both sources fit
    d = program_demand(LogicalCounts(100, ccz_count=10**8), ErrorBudget(0.03), AZURE)
    all_t = plan_program(d, [LIT_T], HW).choose()
    mixed = plan_program(d, [LIT_T, LIT_CCZ], HW).choose()
    assert mixed.ccz_source is LIT_CCZ and mixed.copies == 0
    assert mixed.factory_qubits < all_t.factory_qubits
    assert mixed.physical_qubits * mixed.runtime_us < all_t.physical_qubits * all_t.runtime_us
    assert pair_error(d, LIT_T, LIT_CCZ) == pytest.approx(10**8 * 5.2e-11)


def test_without_ccz_the_front_is_the_all_t_front():
    d = program_demand(LogicalCounts(100, t_count=10**6), ErrorBudget(1e-3), AZURE)
    a = plan_program(d, [LIT_T], HW)
    b = plan_program(d, [LIT_T, LIT_CCZ], HW)
    assert [(p.name, p.copies, p.physical_qubits, p.runtime_us) for p in a.points] == \
        [(p.name, p.copies, p.physical_qubits, p.runtime_us) for p in b.points]


def test_plan_json_records_the_ccz_source_and_the_stream_needs_the_kinds():
    from magicpipe.lattice.whole import stream_for_point

    counts = LogicalCounts(20, t_count=2000, ccz_count=20000)
    comp = plan_counts(counts, HW, 1e-2, catalogue=False, budget_search=False, baselines=(), pipelines=1,
                       extra_sources=(LIT_CCZ,), objective="runtime")
    plan = comp.to_dict()
    schema = json.loads(resources.files("magicpipe").joinpath("schemas/plan-2.schema.json").read_text())
    jsonschema.validate(plan, schema)
    chosen = plan["front"][plan["chosen"]]
    assert chosen["ccz_source"]["name"] == LIT_CCZ.name and chosen["ccz_copies"] == comp.chosen.ccz_copies >= 1
    assert " + " in chosen["name"] and plan["demand"]["ccz_count"] == 20000
    assert (plan["eq14"]["copies"], plan["eq14"]["ccz_copies"]) == (comp.chosen.copies, comp.chosen.ccz_copies)
    broken = json.loads(json.dumps(plan))
    del broken["front"][plan["chosen"]]["ccz_copies"]
    with pytest.raises(jsonschema.ValidationError, match="ccz_copies"):
        jsonschema.validate(broken, schema)
    # the stream of a mixed point splits its runs by kind (tests/lattice/test_ccz.py streams one)
    with pytest.raises(SpecError, match="layers by kind"):
        stream_for_point(comp.chosen, hardware=HW)
