"""Mixed T + CCZ supplies (compiler/mixed.py): a CCZ-only program against the one-kind program simulation, and the
search's walk over copy counts with its evaluation replaced by a stand-in (so which counts are tried follows from
the module docstring by hand)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from magicpipe.compiler import mixed
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.counts import LogicalCounts
from magicpipe.compiler.hardware import Hardware, patch_qubits
from magicpipe.compiler.layers import DemandTimeline
from magicpipe.compiler.program import layer_distance, program_demand, simulate
from magicpipe.compiler.source import Source
from magicpipe.compiler.supplies import KindTimeline
from magicpipe.compiler.synthesis import SYNTHESIS_MODELS

HW = Hardware(p=1e-3, eps=1e-3)
AZURE = SYNTHESIS_MODELS["azure"]
# 1,000 T gates and 300 Toffolis on 10 qubits: the estimator's layers put at most one CCZ and one T state in a
# layer, and the fast layout's data block needs d = 13 with no wait, so a layer lasts 13 rounds
DEMAND = program_demand(LogicalCounts(10, t_count=1000, ccz_count=300), ErrorBudget(1e-3), AZURE)
CCZ = Source("ccz", "test", 5000, 39.0, 39.0, 1, 1e-10, kind="CCZ")  # one CCZ state every 3 layers per copy
T_SLOW = Source("t", "test", 1000, 26.0, 26.0, 1, 1e-10)  # one T state every 2 layers per copy


def test_the_demand_is_as_the_comments_say():
    assert (DEMAND.kinds.t_peak, DEMAND.kinds.ccz_peak, DEMAND.kinds.t_total, DEMAND.kinds.ccz_total) == (1, 1, 1000,
                                                                                                       300)
    assert layer_distance(DEMAND, "fast", HW) == 13


def test_a_ccz_only_program_is_the_one_kind_simulation_of_its_ccz_layers():
    """Without T states besides the Toffolis the mixed point has no T factory (``copies`` 0) and its CCZ supply
    alone runs the layers: the program simulation of the CCZ timeline with the CCZ source gives the same runtime
    and waits. Its buffer is the CCZ cap (peak 1 + one batch = 2 states) of three patches each."""
    demand = program_demand(LogicalCounts(10, ccz_count=300), ErrorBudget(1e-3), AZURE)
    kinds = demand.kinds
    assert kinds.t_total == 0
    for copies in (1, 2, 5):
        point = mixed.evaluate_mixed(demand, mixed.NO_T_SOURCE, 0, CCZ, copies, "fast", HW)
        alone = simulate(DemandTimeline(kinds.lengths, kinds.ccz_states), CCZ, copies, point.data.layer_rounds,
                         handoff=demand.handoff)
        assert point.simulation.runtime_rounds == pytest.approx(alone.runtime_rounds, rel=1e-12)
        assert point.simulation.wait_rounds == pytest.approx(alone.wait_rounds, rel=1e-12, abs=1e-9)
        assert (point.copies, point.ccz_copies, point.simulation.buffer_states) == (0, copies, 2)
        assert point.buffer_qubits == 3 * 2 * patch_qubits(point.data.distance)
    points, evaluated = mixed.mixed_points(demand, [], [CCZ], HW, "fast")
    assert evaluated == len(points) > 0 and all(p.copies == 0 and p.source is mixed.NO_T_SOURCE for p in points)
    assert all(p.simulation.runs == () for p in points)  # the search records no per-run detail


def test_no_ccz_demand_no_mixed_point():
    demand = dataclasses.replace(DEMAND, kinds=KindTimeline((5,), (1,), (0,)))
    assert mixed.mixed_points(demand, [T_SLOW], [CCZ], HW, "fast") == ([], 0)


def _walk(monkeypatch, t_source, done_at=None, demand=DEMAND, **kw):
    """The (T copies, CCZ copies) the search evaluates, in order; ``done_at``: from that CCZ count on a point waits
    only for its first layer, at the least distance."""
    calls = []

    def stand_in(demand, t_src, kt, c_src, kc, layout, hardware, record=True, start_distance=None):
        calls.append((kt, kc))
        done = done_at is not None and kc >= done_at
        return SimpleNamespace(simulation=SimpleNamespace(wait_rounds=0.0 if done else 50.0, startup_wait_rounds=0.0),
                               data=SimpleNamespace(distance=13), copies=kt)

    monkeypatch.setattr(mixed, "evaluate_mixed", stand_in)
    points, evaluated = mixed.mixed_points(demand, [t_source], [CCZ], HW, "fast", **kw)
    assert evaluated == len(points) == len(calls)
    return calls


def test_the_search_reaches_the_copies_at_which_neither_kind_waits(monkeypatch):
    """A layer lasts 13 rounds and takes at most one state of each kind: CCZ copies of 39 rounds keep up at
    exactly 39 / 13 = 3 copies and T copies of 26 rounds at exactly 2 (ties made on purpose), so the CCZ counts
    run 1, 2, 3 and the T count 2 is tried beside 3 CCZ copies; every T count lies in 1..2."""
    calls = _walk(monkeypatch, T_SLOW)
    assert sorted({kc for _, kc in calls}) == [1, 2, 3]
    assert (2, 3) in calls and all(1 <= kt <= 2 for kt, _ in calls)


def test_a_t_supply_that_keeps_up_alone_is_tried_at_one_copy(monkeypatch):
    """T copies of 13 rounds keep up one state a layer alone (13 / 13 = 1): only one T copy is ever tried."""
    fast = Source("t-fast", "test", 1000, 13.0, 13.0, 1, 1e-10)
    assert {kt for kt, _ in _walk(monkeypatch, fast)} == {1}


def test_the_search_of_a_pair_stops_once_only_the_first_layer_waits(monkeypatch):
    """From 2 CCZ copies on a point waits only for its first layer, at the least distance: 3 is not tried."""
    assert {kc for _, kc in _walk(monkeypatch, T_SLOW, done_at=2)} == {1, 2}


def test_max_copies_caps_both_kinds(monkeypatch):
    calls = _walk(monkeypatch, T_SLOW, max_copies=1)
    assert calls and {kc for _, kc in calls} == {1} and {kt for kt, _ in calls} == {1}


def test_a_pair_beyond_the_distillation_share_is_not_evaluated(monkeypatch):
    """``t e_T + c e_C`` must fit the distillation share (5e-4): with T states of 5e-7 the 1,000 T states alone
    carry exactly the share, so any CCZ error puts the pair over it; at 4e-7 the pair fits."""
    over = Source("t-bad", "test", 1000, 26.0, 26.0, 1, 5e-7)
    assert _walk(monkeypatch, over) == []
    fits = dataclasses.replace(over, output_error=4e-7)
    assert _walk(monkeypatch, fits)
    # with shares 0.7 / 0.3 the distillation share is 3e-4: the same pair no longer fits (it would fit the logical)
    uneven = program_demand(LogicalCounts(10, t_count=1000, ccz_count=300), ErrorBudget(1e-3, 0.7, 0.3, 0.0), AZURE)
    assert _walk(monkeypatch, fits, demand=uneven) == []
    assert _walk(monkeypatch, dataclasses.replace(over, output_error=2e-7), demand=uneven)


def test_without_an_all_t_front_the_four_cheapest_t_sources_by_volume_per_state_are_paired():
    """Module docstring: the T sources paired are those of the all-T front, or, when that front is empty, the
    cheapest few (four) by volume per state among the undominated ones. Six sources trading qubits for speed (none
    dominates another), volumes per state 1000 x 60, 900 x 70, ..., 500 x 110: the last four are the cheapest."""
    sources = [Source(f"t{i}", "test", 1000 - 100 * i, 10.0, 60.0 + 10 * i, 1, 1e-10) for i in range(6)]
    volumes = [s.qubits * s.period_rounds for s in sources]
    assert volumes == [60000, 63000, 64000, 63000, 60000, 55000]
    chosen = mixed._t_sources(sources, ())
    assert [s.name for s in chosen] == ["t5", "t0", "t4", "t1"]  # by volume, then name
    front = [SimpleNamespace(source=sources[2], copies=3), SimpleNamespace(source=sources[2], copies=5),
             SimpleNamespace(source=sources[3], copies=0)]
    assert mixed._t_sources(sources, front) == [sources[2]]  # the front's own T sources with copies, once each
