"""compiler/supplies.py against layer-by-layer oracles: the kind timelines expanded to one row per layer, and
the two-supply run simulated one layer at a time with every field of its record read.

The run's rules (module docstring of compiler/supplies.py): a layer starts once every kind it asks for has its
states (the wait is the largest ``(s - b) / r``); while it waits a kind's buffer fills at its rate up to its cap;
the layer takes its states at once and its ``tau`` rounds refill the buffer, again up to the cap. The closed
form takes many layers at a time; the oracle takes one.
"""

from __future__ import annotations

import random

import pytest

from magicpipe.compiler.layers import DemandTimeline
from magicpipe.compiler.supplies import KindTimeline, Supply, simulate_supplies, split_toffolis, spread_kinds
from magicpipe.errors import SpecError


def _layers(kt: KindTimeline) -> list[tuple[int, int]]:
    return [(t, c) for n, t, c in kt.layers_of() for _ in range(n)]


def _maximal(kt: KindTimeline) -> bool:
    rows = list(zip(kt.t_states, kt.ccz_states))
    return all(n > 0 for n in kt.lengths) and all(a != b for a, b in zip(rows, rows[1:]))


def test_spread_kinds_is_the_even_split_larger_layers_first():
    """``spread_kinds(t, c, n)``: each kind's layers hold ``t // n`` or one more, the ``t % n`` larger ones
    first (the doctest's 7 over 4 is 2, 2, 2, 1); the runs are maximal (no two neighbours alike)."""
    for t in range(0, 13):
        for c in range(0, 7):
            for n in range(1, 6):
                kt = spread_kinds(t, c, n)
                want = [(t // n + (i < t % n), c // n + (i < c % n)) for i in range(n)]
                assert _layers(kt) == want and _maximal(kt)
                assert (kt.layers, kt.t_total, kt.ccz_total) == (n, t, c)
                assert (kt.t_peak, kt.ccz_peak) == (max(r[0] for r in want), max(r[1] for r in want))
    with pytest.raises(SpecError, match="at least one layer"):
        spread_kinds(1, 1, 0)
    assert spread_kinds(0, 0, 1) == KindTimeline((1,), (0,), (0,))


def test_split_toffolis_layer_by_layer():
    """Random per-layer T demand (Toffolis paid ``toffoli_t`` T each) and a Toffoli timeline no longer than it:
    layer by layer the T states are the demand less ``toffoli_t`` per Toffoli and the CCZ states the Toffolis
    (the shorter timeline padded with layers of none); a layer paying exactly its Toffolis has 0 T left."""
    rng = random.Random(1001)
    for _ in range(200):
        layers = rng.randint(1, 12)
        toffoli_t = rng.choice([4, 7])
        toff = [rng.choice([0, 0, 1, 2]) for _ in range(rng.randint(1, layers))]
        extra = [rng.choice([0, 0, 1, 3, 4, 7]) for _ in range(layers)]  # 4 + 0 = 0 + 4 x 1: all_t merges runs
        pad = toff + [0] * (layers - len(toff))
        all_t = [toffoli_t * c + e for c, e in zip(pad, extra)]
        kt = split_toffolis(DemandTimeline.from_counts(all_t), DemandTimeline.from_counts(toff), toffoli_t)
        assert _layers(kt) == list(zip(extra, pad)) and _maximal(kt)
        assert list(kt.all_t(toffoli_t).counts()) == all_t
        d = kt.to_dict()
        assert (d["layers"], d["t_total"], d["ccz_total"]) == (layers, sum(extra), sum(toff))
        assert [tuple(r) for r in d["runs"]] == list(kt.layers_of())
    with pytest.raises(SpecError, match="more Toffolis than its T states pay"):
        split_toffolis(DemandTimeline.from_counts([7, 6]), DemandTimeline.from_counts([1, 1]), 7)
    with pytest.raises(SpecError, match="more than the program's"):
        split_toffolis(DemandTimeline.from_counts([7]), DemandTimeline.from_counts([1, 0]), 7)
    assert KindTimeline().all_t(4) == DemandTimeline((), ())
    assert (KindTimeline().t_peak, KindTimeline().ccz_peak) == (0, 0)


def test_a_kind_timeline_checks_its_runs():
    with pytest.raises(SpecError, match="give one of each per run"):
        KindTimeline((1, 2), (0, 1), (0,))
    with pytest.raises(SpecError, match="positive lengths"):
        KindTimeline((0,), (1,), (1,))
    with pytest.raises(SpecError, match="non-negative"):
        KindTimeline((1,), (0,), (-1,))
    assert KindTimeline((1,), (0,), (0,)).layers == 1  # zero states of both kinds is a layer


def _one_layer_at_a_time(rows, lengths, supplies, tau):
    """(runtime, wait, start-up wait, per run (start, length, first wait, wait)), one layer at a time."""
    b = [s.first for s in supplies]
    t = wait = 0.0
    startup = None
    record = []
    for n, ss in zip(lengths, rows):
        start, first, w_run = t, None, 0.0
        for _ in range(n):
            w = max([0.0] + [(s - bi) / sp.rate for s, bi, sp in zip(ss, b, supplies) if s > 0])
            b = [min(sp.cap, min(sp.cap, bi + sp.rate * w) - s + sp.rate * tau) for s, bi, sp in zip(ss, b, supplies)]
            t += w + tau
            w_run += w
            first = w if first is None else first
        if startup is None and any(ss) and first is not None:
            startup = first  # the first run that asks for a state: its first layer's wait
        wait += w_run
        record.append((start, n, first or 0.0, w_run))
    return t, wait, startup or 0.0, record


def _compare(rows, lengths, supplies, tau):
    t, w, startup, record = _one_layer_at_a_time(rows, lengths, supplies, tau)
    got = simulate_supplies(rows, lengths, supplies, tau)
    tol = 1e-9 * max(t, 1.0)
    assert got.runtime_rounds == pytest.approx(t, abs=tol)
    assert got.wait_rounds == pytest.approx(w, abs=tol)
    assert got.startup_wait_rounds == pytest.approx(startup, abs=tol)
    assert len(got.runs) == len(record)
    for (g0, g1, g2, g3), (r0, r1, r2, r3) in zip(got.runs, record):
        assert g1 == r1 and isinstance(g1, int)
        assert (g0, g2, g3) == pytest.approx((r0, r2, r3), abs=tol)
    assert simulate_supplies(rows, lengths, supplies, tau, record=False) == \
        type(got)(got.runtime_rounds, got.wait_rounds, got.startup_wait_rounds, ())


def test_two_supplies_match_one_layer_at_a_time_on_every_field():
    """Random runs on rates, levels and caps of few binary digits, so equal waits of the two kinds (a tie of which
    kind waits), a buffer landing exactly on its cap and layers that need exactly what is there happen on
    purpose; runs of zero layers and of no demand included."""
    rng = random.Random(1002)
    for _ in range(400):
        runs = rng.randint(1, 5)
        lengths = [rng.choice([0, 1, 2, 3, 7, 20]) for _ in range(runs)]
        rows = [(rng.choice([0, 1, 2, 4]), rng.choice([0, 1, 2])) for _ in range(runs)]
        # within the contract (Supply.of): the cap holds the peak layer and a batch, the start is below the cap
        caps = [max(r[i] for r in rows) + rng.choice([1, 2]) for i in range(2)]
        supplies = [Supply(rng.choice([0.25, 0.5, 1.0]), min(rng.choice([-2.0, 0.0, 1.0, 2.0, 4.0]), cap),
                           float(cap)) for cap in caps]
        _compare(rows, lengths, supplies, rng.choice([1.0, 2.0, 4.0]))


def test_two_supplies_by_hand():
    """T at 0.5 a round (cap 3, 1 at round 0), CCZ at 0.25 (cap 2, 0 at round 0); layers of 2 rounds.

    Run 1, one layer of (1 T, 1 CCZ): T is there, CCZ waits (1 - 0) / 0.25 = 4 rounds; meanwhile T fills to
    min(1 + 2, 3) = 3. The layer takes them and its 2 rounds refill: T min(3 - 1 + 1, 3) = 3, CCZ 0 + 0.5 = 0.5.
    Run 1 ends at 4 + 2 = 6. Run 2, two layers of (2 T, 0 CCZ): no wait (3 >= 2); T 3 - 2 + 1 = 2, then
    2 - 2 + 1 = 1. Run 2 starts at 6 and ends at 10. Run 3, one layer of (0, 1): CCZ has 0.5 + 4 x 0.25 = 1.5
    (it filled during run 2's 4 rounds), no wait; ends at 12. Start-up wait: run 1's 4 rounds."""
    t, c = Supply(0.5, 1.0, 3.0), Supply(0.25, 0.0, 2.0)
    sim = simulate_supplies([(1, 1), (2, 0), (0, 1)], [1, 2, 1], [t, c], layer_rounds=2.0)
    assert sim.runtime_rounds == 12.0 and sim.wait_rounds == 4.0 and sim.startup_wait_rounds == 4.0
    assert sim.runs == ((0.0, 1, 4.0, 4.0), (6.0, 2, 0.0, 0.0), (10.0, 1, 0.0, 0.0))


def test_a_first_run_without_demand_leaves_the_start_up_to_the_next():
    """A first run asking for nothing is not the start-up: the start-up wait is the first wait of the first run
    that asks for states. The free layer's 2 rounds fill the empty buffer to 1; the next layer asks for 2 at
    0.5 a round: (2 - 1) / 0.5 = 2 rounds."""
    sim = simulate_supplies([(0,), (2,)], [1, 1], [Supply(0.5, 0.0, 4.0)], layer_rounds=2.0)
    assert sim.startup_wait_rounds == 2.0 and sim.runs[0] == (0.0, 1, 0.0, 0.0) and sim.runs[1][2] == 2.0


def test_a_supply_of_copies_by_hand():
    """3 copies of 2 outputs every 12 rounds deliver 3 x 2 / 12 = 0.5 a round; their first batch at round 10
    leaves the buffer at 2 - 0.5 x 10 = -3 at round 0 (it reaches the first batch's 2 at round 10); the buffer
    holds the peak layer and one batch, 5 + 2 = 7."""
    assert Supply.of(3, 2, 12.0, 10.0, 5) == Supply(0.5, -3.0, 7.0)
    assert Supply.of(1, 1, 4.0, 0.0, 0) == Supply(0.25, 1.0, 1.0)
    with pytest.raises(SpecError, match="copies must be >= 1"):
        Supply.of(0, 1, 4.0, 0.0, 0)
    with pytest.raises(SpecError, match="run lengths"):
        simulate_supplies([(1,)], [1, 2], [Supply(1.0, 1.0, 2.0)], 1.0)
    with pytest.raises(SpecError, match="kinds but 1 supplies"):
        simulate_supplies([(1, 1)], [1], [Supply(1.0, 1.0, 2.0)], 1.0)
