"""The error budget shared per point (compiler/shares.py) against the fixed shares it replaced."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magicpipe.compiler import Hardware, LogicalCounts
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.compilation import plan_counts
from magicpipe.compiler.program import _least_distance, data_block, plan_program, program_demand
from magicpipe.compiler.shares import rotation_error, search_target, share_front, synthesis_choices
from magicpipe.compiler.source import Source
from magicpipe.compiler.synthesis import SYNTHESIS_MODELS, SynthesisModel
from magicpipe.errors import InfeasibleError, SpecError

HW = Hardware(p=1e-3, eps=1e-3)
AZURE = SYNTHESIS_MODELS["azure"]
SMALL = LogicalCounts(10, t_count=200, rotation_count=60, rotation_depth=12)
# the fixed shares (logical, distillation, synthesis) the planner tried before the per-point search
FIXED = ((1 / 3, 1 / 3, 1 / 3), (0.7, 0.25, 0.05), (0.85, 0.13, 0.02), (0.6, 0.1, 0.3))


@pytest.fixture(scope="module")
def searched():
    return plan_counts(SMALL, HW, 1e-3, catalogue=False)


@pytest.mark.parametrize("shares", FIXED)
def test_search_is_at_least_as_good_as_each_fixed_split(searched, shares):
    fixed = plan_counts(SMALL, HW, ErrorBudget(1e-3, *shares), catalogue=False, budget_search=False)
    for p in fixed.front.points:
        assert any(q.physical_qubits <= p.physical_qubits and q.runtime_us <= p.runtime_us
                   for q in searched.front.points), (shares, p)
    vol = searched.chosen.physical_qubits * searched.chosen.runtime_us
    assert vol <= fixed.chosen.physical_qubits * fixed.chosen.runtime_us


def test_every_point_keeps_within_its_own_shares(searched):
    choices = dict(synthesis_choices(60, 1e-3, AZURE, keep=AZURE.rotation_t_count(1e-3 / 3 / 60)))
    spent = set()
    for p in searched.front.points + tuple(pt for _, f, _ in searched.baselines for pt in f.points):
        log, dist, syn = p.budgets
        errs = dict(p.errors)
        assert log + dist + syn == pytest.approx(1e-3, rel=1e-12)
        assert errs["logical"] <= log and errs["distillation"] <= dist * (1 + 1e-12) and errs["synthesis"] <= syn
        assert syn in choices.values()  # a whole number of T states per rotation, charged at its own error
        spent.add(syn)
    assert len(spent) > 1  # more than one T count per rotation reaches the front
    # the chosen point's shares are the plan's
    assert searched.demand.budgets == searched.chosen.budgets
    assert searched.budget.synthesis * 1e-3 == pytest.approx(searched.chosen.budgets[2])


@settings(max_examples=40, deadline=None)
@given(a=st.floats(0.3, 3.0), b=st.floats(-2.0, 10.0), t=st.integers(1, 60))
def test_rotation_error_is_the_models_curve_at_a_whole_t_count(a, b, t):
    model = SynthesisModel("m", a, b)
    if 2 ** (-(t - b) / a) >= 0.5:  # the model asks for more than ``t`` T states at every error below 1/2
        with pytest.raises(SpecError, match="reaches no error below 1/2"):
            rotation_error(model, t)
        return
    eps = rotation_error(model, t)
    assert model.rotation_t_count(eps) == t
    assert eps == pytest.approx(2 ** (-(t - b) / a), rel=1e-8)
    if eps / 1.001 < 1:
        assert model.rotation_t_count(eps / 1.001) == t + 1  # any tighter error needs another T state


def test_synthesis_choices_bracket_the_budget():
    ch = synthesis_choices(5600, 1e-3, AZURE, keep=21)
    ts = [t for t, _ in ch]
    assert ts == [18, 19, 20, 21]  # the least under half the total, up to the first under 2%, and the kept one
    assert all(e < 0.5e-3 for _, e in ch) and 5600 * rotation_error(AZURE, 17) >= 0.5e-3
    assert synthesis_choices(0, 1e-3, AZURE) == ()
    # a model whose curve starts late (b = 30): the choices start where it falls below half the total
    late = SynthesisModel("late", 0.5, 30.0)
    assert [t for t, _ in synthesis_choices(1, 0.9, late)] == [31, 32, 33]  # 1/4, 1/16, 1/64 < 2% of 0.9


def test_search_target_is_what_the_least_distance_leaves():
    demand = program_demand(LogicalCounts(100, t_count=10**6), ErrorBudget(1e-3), AZURE)
    t = search_target([demand], 1e-3, HW)
    tiles = data_block(100, 3).tiles
    d = _least_distance(tiles, 10**6, HW, 1e-3)
    assert t == pytest.approx((1e-3 - 1.1 * tiles * 10**6 * HW.logical_error(d)) / 10**6)
    assert search_target([demand], 1e-3, HW, floor=1.0) is None or search_target([demand], 1e-3, HW, floor=1.0) > 1


def test_share_front_gives_each_source_its_own_share():
    demand = program_demand(LogicalCounts(10, t_count=1000), ErrorBudget(1e-3), AZURE)
    good = Source("good", "sequential", 400, 20.0, 20.0, 1, 1e-10)
    poor = Source("poor", "sequential", 200, 20.0, 20.0, 1, 5e-7)
    front = share_front(demand, [good, poor], 1e-3, HW)
    shares = {p.source.name: p.budgets for p in front.points}
    assert shares["good"] == pytest.approx((1e-3 - 1e-7, 1e-7, 0.0))
    if "poor" in shares:
        assert shares["poor"] == pytest.approx((1e-3 - 5e-4, 5e-4, 0.0))
    with pytest.raises(InfeasibleError, match="no factory leaves room for the data block"):
        share_front(demand, [Source("bad", "sequential", 100, 20.0, 20.0, 1, 1e-6)], 1e-3, HW)


def test_copies_run_on_while_they_can_lower_the_data_distance():
    """A slow factory (one state per 100 rounds, one state per layer): 6 copies keep up with layers of d + 2 =
    17 rounds, 7 are needed at the least distance d = 15, where the logical share leaves 5% for waits. The
    copy search must not stop at the first copy count that keeps up."""
    counts = LogicalCounts(10, t_count=20000)
    tiles = data_block(10, 3).tiles
    share = 1.05 * tiles * 20000 * HW.logical_error(15)
    demand = program_demand(counts, ErrorBudget(1e-3, share / 1e-3, 1 - share / 1e-3, 0.0), AZURE)
    assert _least_distance(tiles, 20000, HW, share) == 15
    src = Source("slow", "sequential", 500, 100.0, 100.0, 1, 1e-12)
    front = plan_program(demand, [src], HW)
    by_copies = {p.copies: p.data.distance for p in front.points}
    assert by_copies.get(7) == 15  # (6 copies at d = 17 need more qubits: off the front)


def test_mixed_points_take_the_share_their_pair_uses():
    """Toffolis met by CCZ states: each pair of a T and a CCZ source gets ``t e_T + c e_C``, the data block the
    rest; the search keeps at least what the thirds give (Litinski's two factories, 10^8 CCZ, budget 0.03)."""
    from magicpipe.compiler.mixed import pair_error

    lit_t = Source("(15-to-1)^6_{11,5,5} x (15-to-1)_{25,11,11}", "litinski", 30732, 82.5, 82.5, 1, 2.7e-12)
    lit_ccz = Source("(15-to-1)^6_{13,7,7} x (8-to-CCZ)_{25,15,15}", "litinski", 47046, 60.0, 60.0, 1, 5.2e-11,
                     kind="CCZ")
    d = program_demand(LogicalCounts(100, t_count=10**6, ccz_count=10**7), ErrorBudget(0.03), AZURE)
    front = share_front(d, [lit_t, lit_ccz], 0.03, HW)
    mixed = [p for p in front.points if p.ccz_source is not None]
    assert mixed
    for p in mixed:
        assert p.budgets[1] == pair_error(d, lit_t, lit_ccz) == dict(p.errors)["distillation"]
        assert p.budgets[0] == pytest.approx(0.03 - p.budgets[1]) and dict(p.errors)["logical"] <= p.budgets[0]
    thirds = plan_program(d, [lit_t, lit_ccz], HW)
    for p in thirds.points:
        assert any(q.physical_qubits <= p.physical_qubits and q.runtime_us <= p.runtime_us for q in front.points)
