"""The whole-program simulation (``program.simulate``) against a layer-by-layer replay written here.

``simulate`` solves each run of equal layers in closed form (how many layers the stock covers, then one layer per
``s / r`` rounds). The replay below walks the same fluid model one layer at a time, from the docstrings alone:
the supply is a fluid of rate ``r = copies x outputs / cycle`` whose first batch lands at ``first`` (so the level
starts at ``outputs - r first``), capped by the buffer (``buffer_states``, by default the peak layer plus one
batch, at least the peak and 1); a layer of ``s`` states starts when ``s`` are there (waiting ``(s - level) / r``
otherwise), takes them and lasts ``tau`` rounds while the supply refills. ``cycle`` is the source's period plus,
with hand-off, one move of ``d`` rounds (its last distance) per output; ``first`` its startup plus one move.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from magicpipe.compiler.layers import DemandTimeline
from magicpipe.compiler.program import simulate
from magicpipe.compiler.source import Source


def replay(lengths, states, source, copies, tau, buffer_states=None, handoff=True):
    move = source.distances[-1] if (handoff and source.distances) else 0
    cycle = source.period_rounds + source.outputs * move
    first = source.startup_rounds + move
    r = copies * source.outputs / cycle
    peak = max(states)
    cap = max(buffer_states if buffer_states is not None else peak + source.outputs, peak, 1)
    level = source.outputs - r * first
    t = wait = 0.0
    startup = None
    runs = []
    for length, s in zip(lengths, states):
        start, run_wait, first_wait = t, 0.0, 0.0
        for j in range(length):
            w = (s - level) / r if s > 0 and level < s else 0.0
            level = max(level, float(s)) if s > 0 else level
            if j == 0:
                first_wait = w
            t += w + tau
            run_wait += w
            level = min(level - s + r * tau, cap)
        if s > 0 and startup is None:
            startup = first_wait
        runs.append((start, length, s, float(tau), first_wait, run_wait))
        wait += run_wait
    return t, wait, startup or 0.0, int(cap), runs


def _close(a, b):
    return a == pytest.approx(b, rel=1e-9, abs=1e-7)


def test_the_program_simulation_is_the_layer_by_layer_replay():
    """400 random timelines (runs of 1-12 layers of 0-9 states), sources of 1-4 outputs with and without stated
    distances (hand-off moves), 1-5 copies, integer and fractional layer times, default and explicit buffers:
    runtime, waits, start-up wait, buffer and every run's record agree with the replay; ``record=False`` gives the
    same times without runs."""
    gen = random.Random(16)
    for case in range(400):
        n = gen.randint(1, 6)
        lengths = tuple(gen.randint(1, 12) for _ in range(n))
        states = tuple(gen.choice([0, 1, 2, 3, 4, 6, 9]) for _ in range(n))
        if not any(states):
            states = states[:-1] + (2,)
        distances = gen.choice([(), (3,), (5, 7)])
        source = Source("s", "sequential", 100, gen.choice([4.0, 10.0, 17.5]), gen.choice([5.0, 8.0, 12.5, 30.0]),
                        gen.randint(1, 4), 1e-9, distances=distances)
        copies = gen.randint(1, 5)
        tau = gen.choice([1, 3, 5, 2.5, 7])
        buffer_states = gen.choice([None, None, 1, 4, 12, 40])
        handoff = case % 3 != 0
        timeline = DemandTimeline(lengths, states)
        sim = simulate(timeline, source, copies, tau, buffer_states, handoff=handoff)
        t, wait, startup, cap, runs = replay(lengths, states, source, copies, tau, buffer_states, handoff)
        assert _close(sim.runtime_rounds, t) and _close(sim.wait_rounds, wait), case
        assert _close(sim.startup_wait_rounds, startup), case
        assert (sim.buffer_states, sim.consumed) == (cap, sum(a * b for a, b in zip(lengths, states)))
        assert len(sim.runs) == len(runs)
        for got, want in zip(sim.runs, runs):
            assert got[1:4] == want[1:4], case
            assert all(_close(x, y) for x, y in zip((got[0],) + got[4:], (want[0],) + want[4:])), case
        quiet = simulate(timeline, source, copies, tau, buffer_states, record=False, handoff=handoff)
        assert (quiet.runtime_rounds, quiet.wait_rounds, quiet.runs) == (sim.runtime_rounds, sim.wait_rounds, ())


def test_a_run_that_starts_with_stock_and_falls_behind_within_it_by_hand():
    """One copy of a source of 2 outputs every 10 rounds (r = 0.2), startup 4, no distances: the level starts at
    2 - 0.2 x 4 = 1.2. A run of 5 layers of 1 state, 2 rounds each, after a first run of ten empty layers (20
    rounds: level 1.2 + 4 = 5.2, capped at the default 1 + 2 = 3): each layer takes 1 and brings 0.4, so the
    stock of 3 covers layers at 3, 2.4, 1.8, 1.2 (four free layers: int((3 - 1) / 0.6) + 1 = 4) and the fifth
    finds 0.6 and waits 2 rounds. Runtime 20 + 5 x 2 + 2 = 32."""
    source = Source("s", "sequential", 100, 4.0, 10.0, 2, 1e-9)
    sim = simulate(DemandTimeline((10, 5), (0, 1)), source, 1, 2)
    assert sim.buffer_states == 3
    assert sim.runtime_rounds == pytest.approx(32.0) and sim.wait_rounds == pytest.approx(2.0)
    assert sim.startup_wait_rounds == 0.0
    assert sim.runs[1][0] == pytest.approx(20.0) and sim.runs[1][4:] == pytest.approx((0.0, 2.0))


def test_the_three_data_layouts_tile_counts():
    """Litinski's data blocks (``LAYOUTS``): fast ``2n + ceil(sqrt(8n)) + 1`` tiles, intermediate ``2n + 4``,
    compact ``ceil(1.5n) + 3``; at n = 100: 229 + 1 = 230 (doctest), 204, 153; at n = 7: 23, 18, 14."""
    from magicpipe.compiler.program import data_block

    assert [data_block(100, 15, layout).tiles for layout in ("fast", "intermediate", "compact")] == [230, 204, 153]
    assert [data_block(7, 15, layout).tiles for layout in ("fast", "intermediate", "compact")] == [23, 18, 14]
    assert [data_block(7, 15, layout).cycles_per_layer for layout in ("fast", "intermediate", "compact")] == [1, 5, 9]


def test_the_synthesis_precision_is_the_synthesis_share_per_rotation():
    """Uneven shares (logical 0.5, distillation 0.48, synthesis 0.02 of 1e-3): each of the 5,600 rotations is
    synthesised to 2e-5 / 5600 and the per-state target is the distillation share 4.8e-4 over the states."""
    from magicpipe.compiler.budget import ErrorBudget
    from magicpipe.compiler.counts import LogicalCounts
    from magicpipe.compiler.program import program_demand
    from magicpipe.compiler.synthesis import SYNTHESIS_MODELS

    model = SYNTHESIS_MODELS["azure"]
    d = program_demand(LogicalCounts(100, rotation_count=5600, rotation_depth=114), ErrorBudget(1e-3, 0.5, 0.48, 0.02),
                       model)
    assert d.rotation_t == model.rotation_t_count(2e-5 / 5600) != model.rotation_t_count(4.8e-4 / 5600)
    assert d.target == pytest.approx(4.8e-4 / d.t_states, rel=1e-12)


def test_a_program_without_t_states_runs_its_layers_at_the_least_distance_its_logical_share_allows():
    """No T state: no factory, the data block alone for max(layers, 1) layers (an empty program takes one), at the
    least odd distance whose ``tiles x cycles x p_L(d)`` fits the logical share -- with shares 0.7 / 0.3 / 0
    that is 0.7e-3, not the distillation share."""
    from magicpipe.compiler.budget import ErrorBudget
    from magicpipe.compiler.counts import LogicalCounts
    from magicpipe.compiler.hardware import Hardware
    from magicpipe.compiler.program import data_block, plan_program, program_demand
    from magicpipe.compiler.synthesis import SYNTHESIS_MODELS

    hw = Hardware(p=1e-3, eps=1e-3)
    for measurements, layers in ((2000, 2000), (0, 1)):
        d = program_demand(LogicalCounts(50, measurement_count=measurements), ErrorBudget(1e-3, 0.7, 0.3, 0.0),
                           SYNTHESIS_MODELS["azure"])
        point = plan_program(d, [], hw).points[0]
        block = point.data
        rounds = layers * block.layer_rounds
        assert point.simulation.runtime_rounds == rounds and point.copies == 0
        fits = [k for k in range(3, 203, 2)
                if data_block(50, k).logical_error(layers * data_block(50, k).layer_rounds, hw) <= 0.7e-3]
        assert block.distance == fits[0]
        if layers == 1:  # d = 7 here, where the distillation share or two layers would need 9
            assert block.distance == 7
        assert dict(point.errors)["logical"] == pytest.approx(block.logical_error(rounds, hw))


def test_a_copys_first_state_and_cycle_include_the_hand_off_by_default():
    """A copy of a source with distances (5, 15) moves each state into its port in d = 15 rounds (its last
    distance): by default the first state is in its port at startup + 15 and a batch of 2 takes period + 30."""
    from magicpipe.compiler.program import cycle_rounds, first_rounds

    src = Source("c", "test", 463, 81.0, 90.0, 2, 1e-8, distances=(5, 15))
    assert (first_rounds(src), cycle_rounds(src)) == (81.0 + 15, 90.0 + 2 * 15)
    assert (first_rounds(src, handoff=False), cycle_rounds(src, handoff=False)) == (81.0, 90.0)


def test_a_source_with_the_same_qubits_and_a_better_rate_dominates():
    """``undominated_sources``: b beats a when it needs no more qubits and is at least as good on every other count,
    and differs somewhere; equal qubits with a faster rate is such a b (the first of equals is kept)."""
    from magicpipe.compiler.program import undominated_sources

    a = Source("a", "test", 1000, 50.0, 20.0, 1, 1e-9)
    b = Source("b", "test", 1000, 50.0, 10.0, 1, 1e-9)
    twin = Source("a2", "test", 1000, 50.0, 20.0, 1, 1e-9)
    assert undominated_sources([a, b]) == [b]
    assert undominated_sources([a, twin]) == [a, twin]  # equal on every count: neither beats the other
    assert undominated_sources([a, Source("c", "test", 999, 50.0, 20.0, 1, 1e-9)])[0].name == "c"


def test_a_timeline_given_with_the_counts_is_not_derived():
    """``derived``: whether the layers were derived from counts by the estimator's conventions. A circuit's own
    timeline is not, and then its rotations' synthesis share is not charged (the timeline's states include them);
    the same counts without a timeline are derived."""
    from magicpipe.compiler.budget import ErrorBudget
    from magicpipe.compiler.counts import LogicalCounts
    from magicpipe.compiler.program import program_demand
    from magicpipe.compiler.synthesis import SYNTHESIS_MODELS

    counts = LogicalCounts(10, t_count=20, rotation_count=2, rotation_depth=2)
    given = dataclasses.replace(counts, timeline=DemandTimeline((10,), (4,)))
    a, b = (program_demand(c, ErrorBudget(1e-3), SYNTHESIS_MODELS["azure"]) for c in (given, counts))
    assert (a.derived, a.synthesis_error, a.rotation_t, a.timeline.total) == (False, 0.0, 0, 40)
    assert a.info()["layers_derived_from_counts"] is False
    assert b.derived and b.synthesis_error == pytest.approx(1e-3 / 3) and b.rotation_t > 0
