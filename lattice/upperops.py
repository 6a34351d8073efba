"""A two-level Litinski block's upper block stated patch by patch: the protocol lines of its block body.

A ``(15-to-1)^n_{d_X,d_Z,d_m} x (P)_{d_X2,d_Z2,d_m2}`` unit, or one fed by cultivation patches
(:func:`magicpipe.lattice.units2.catalogue_unit`, ``P`` = 15-to-1, 20-to-4 or 8-to-CCZ), states, after its regions and
outputs, the upper layout (:data:`magicpipe.compiler.blocks.LAYOUTS`) as a backend executes it. Floor plan
(unit-local, bottom up): the output patches (``d_m2``) right under the output qubits; ``REGION upper``: the
register in one row (output patches ``d_X2`` wide, checks ``d_Z2`` wide, all ``d_X2`` tall, Z sides up and
down, qubits in index order), one ancilla row of height ``d_X2`` above and one below, and an *entry leg*
``d_m2`` wide at each end of the register; ``REGION lane 0|1``: a column ``d_m2`` wide beside each end;
``REGION corridor``: a row ``d_m2`` tall along the top of all three, joining the routing region (above it,
between the two columns of ``REGION level1`` feeders, one lane of it to each end) to the legs and lanes::

    PATCH q0 (26,36,23,23) role=output z=top,bottom      # the register, right of the left leg
    @-13 ROUTE m0 rounds=13 path=(33,95,13,13)+(13,82,33,13)+(13,69,13,13)   # feeder 0's state moves in
    STEP 1 at=0 rounds=13 storage=----cc-                # the layout's steps: a step every t_L1 rounds
    @0 INPUT m0 (13,69,13,13) d=13 from=level1:0 run=-43 # level1 region 0's run from round -43 made it
    @0 MEASURE r0 Z:q4@top Z:m0 rounds=13 via=(13,59,116,23) rotation=-IIIIZII
    @13 MEASURE x0 X:m0                                  # readout and corrections as at the first level
    @13 IF r0=1 ROTATE Z:q4 angle=pi/4
    @13 IF x0=1 FRAME Z:q4
    @104 MOVE q0 to=(26,0) d=13 via=(26,13,23,23) rounds=13   # a released output down to its OUTPUT patch
    @130 MEASURE k4 X:q4                                 # the checks in X, the decision, both branches
    @130 DECIDE a=k4|k5|k6
    @130 IF a=0 OUTPUT q0 q1 q2 q3
    @130 IF a=1 DISCARD q0 q1 q2 q3

Each rotation ``k`` of the layout is a merge of ``d_m2`` rounds of its Z string with the input ``m<k>``
through a via that runs from one end of the upper region (its leg) along the top or bottom ancilla row to the
rotation's farthest patch: the layout's ancilla ``a_X d_X2 + a_Z d_Z2 + d_m2`` (the ``d_m2`` is the leg). Each
step's two rotations enter one from each end, in opposite rows, and the rows alternate from step to step, so
a leg's square is free during the previous step's merges while the next input moves into it. The input comes
from a feeder on its end's side: ``from=level1:f run=s`` names the feeder region and the unit-local round its
run (``feed=F`` rounds: a first-level block's ``6 d_m``, whose protocol is that of
:mod:`magicpipe.lattice.blockops`; a cultivation patch's mean rounds per kept state) starts; ``s < 0`` is a run
during the previous upper run (``s >= -fill``: the copy's first run waits for it). The state is ready at
``s + F``, waits in its feeder (a first-level block holds it until its next run ends, a cultivation patch
until its next run starts), and moves in one lattice-surgery move of ``d_m2`` rounds (``ROUTE``: down its
side's lane of the routing region, along the corridor, for the bottom row down the outer lane) into the
``d_m2`` square at the outer corner of its via's leg, by the merge's round. The corrections follow the first
level's rules.

Timing. Step ``k`` starts at ``round((k-1) t)`` with ``t`` the feeders' step time (the BLOCK line's
``step=``, the planner's ``t_L1``); the run lasts at least ``max(round(inputs/2 t), round((S-1) t) + d_m2,
ceil(c / (n/2)) F)`` rounds (:func:`upper_rounds`; ``c`` the inputs entering from one end), and whole rounds
more, up to ``F``, when its feeders need them. For 20-to-4 (10 steps) that is the planner's ``inputs / 2``
step times when the feeders keep up. For 15-to-1 (8 steps, the last with one rotation) Litinski's model
charges 7.5 ``t`` (``litinski/magicstates``, ``twolevel15to1.py``: ``ncycles = 7.5 * l1time / (1 - pfail2)``):
the stream's run fits in it when ``t >= 2 d_m2`` (the last merge ends within half a step); otherwise it is
``7 t + d_m2``, longer by ``d_m2 - t / 2`` rounds (``t = d_m2``: 1/15 = 6.7% of a run).

A released output moves to its OUTPUT patch through the bottom row under it at the first round after its last
merge when no via and no other output's move in flight crosses it, and is there by the round its train leaves
(``rounds + j d_m2`` for output ``j``: :mod:`magicpipe.lattice.whole` sends a run's outputs one route move
apart). 8-to-CCZ (``kind=CCZ``): the three output qubits hold one CCZ state, whose ``OUTPUT ... lanes=3`` is
three ``d_m2`` lanes side by side, the last under the last output qubit's left edge (:func:`output_squares`);
each move's via is the bottom row's hull of its qubit's and its lane's columns (:func:`move_via`), and every
lane is there by ``rounds`` (the program's OUTPUT moves the three together at the decision). Its last step
merges two output qubits, so the run includes their move: ``round(3 t) + 2 d_m2`` at least, against the
planner's ``4 t`` (+25% at ``t = d_m2``; ``docs/lattice.md``).

:func:`magicpipe.lattice.upperchecks.upper_checks` is the validator's reading of these rules.

Not stated: where inside its region a ready state waits, and what a rejected feeder run does (the nominal
body states accepted feeder runs; the planner's ``t`` holds the slack ``1 / (1 - f_1)`` for re-runs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from magicpipe.compiler.blocks import Layout, Rotation
from magicpipe.lattice.blockops import _correction, _register, _signed, _terms
from magicpipe.lattice.geometry import Rect

from magicpipe.errors import SpecError

__all__ = ["Floor", "UpperPlan", "feed_cycle", "floor_of", "move_via", "output_squares", "route_path", "side_counts",
           "upper_lines", "upper_plan", "upper_rounds"]


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def upper_rounds(layout: Layout, step: float, dm2: int, feeders: int, feed_rounds: int,
                 cycle: int = 1) -> tuple[list[int], int]:
    """The steps' starting rounds and the run's rounds (module docstring): ``max(round(inputs/2 t),
    round((S-1) t) + d_m2, ceil(inputs / n) 6 d_m)``.

    Examples:
        >>> from magicpipe.compiler.blocks import get_layout
        >>> fifteen = get_layout("15-to-1")
        >>> upper_rounds(fifteen, 13.0, 13, 8, 30)[1], upper_rounds(fifteen, 30.0, 13, 8, 30)[1]
        (104, 225)
    """
    starts = [_half_up(k * step) for k in range(len(layout.steps))]
    # a feeder's share: over ``cycle`` upper runs, a side's c inputs a run round robin over its n feeders
    half = max(1, feeders // 2)
    share = max(-(-(-(-cycle * n // half) * feed_rounds) // cycle) for n in side_counts(layout).values())
    least = max(_half_up(layout.inputs / 2 * step), starts[-1] + dm2, share)
    # every output reaches its OUTPUT patch by its deadline: its last merge's end and its move of d_m2 rounds
    for j, q in enumerate(layout.outputs):
        last = max(s for s, st in enumerate(layout.steps) if any(r.letters[q] == "Z" for r in st.rotations))
        least = max(least, starts[last] + 2 * dm2 - _offset(layout, j, dm2))
    return starts, least


def _offset(layout: Layout, j: int, dm: int) -> int:
    """Rounds after the decision by which output ``j`` is at its OUTPUT patch: a T state leaves in the run's
    train, ``j`` route moves after the first; the three lanes of a CCZ state leave together, at the decision."""
    return 0 if layout.kind == "CCZ" else j * dm


def output_squares(layout: Layout, plan: UpperPlan) -> list[Rect]:
    """Each output qubit's OUTPUT patch (``d_m2`` squares at ``y = 0``): a T state's right under its qubit's left
    edge; a CCZ state's three lanes side by side, the last under the last output qubit's left edge (so the
    lanes of the qubits released by the last step sit under them: their moves run at once)."""
    dm, xs = plan.dm, [plan.patches[q].x for q in layout.outputs]
    if layout.kind != "CCZ":
        return [Rect(x, 0, dm, dm) for x in xs]
    x0 = xs[-1] - (len(xs) - 1) * dm
    return [Rect(x0 + j * dm, 0, dm, dm) for j in range(len(xs))]


def move_via(patch: Rect, square: Rect, dx: int) -> Rect:
    """An output's move: the bottom ancilla row (``d_X2`` tall, right on top of the OUTPUT patches) from its
    qubit's bottom side to its OUTPUT patch, the hull of the two's columns."""
    x0, x1 = min(patch.x, square.x), max(patch.x + patch.w, square.x + square.w)
    return Rect(x0, square.y + square.h, x1 - x0, dx)


@dataclass(frozen=True, slots=True)
class UpperPlan:
    """Where an upper block's pieces sit (unit-local): ``region`` (legs, rows, register), ``patches``."""

    region: Rect
    patches: tuple[Rect, ...]
    dx: int
    dm: int

    @property
    def rows(self) -> dict[str, int]:
        return {"bottom": self.region.y, "top": self.region.y + 2 * self.dx}


def upper_plan(layout: Layout, distances: tuple[int, int, int], y: int, x0: int = 0) -> UpperPlan:
    """The upper region from ``(x0, y)`` (its bottom row), ``2 d_m2 + w_X d_X2 + w_Z d_Z2`` wide."""
    dx, dz, dm = distances
    patches = _register(layout, dx, dz, y + dx, x0 + dm)
    end = patches[-1].x + patches[-1].w
    return UpperPlan(Rect(x0, y, end + dm - x0, 3 * dx), tuple(patches), dx, dm)


@dataclass(frozen=True, slots=True)
class Floor:
    """The routes' floor: each feeder's output square and the end it feeds, the corridor, the two outer lanes."""

    squares: tuple[Rect, ...]
    sides: tuple[str, ...]
    corridor: Rect
    lanes: tuple[Rect, Rect]
    routing: Rect

    @property
    def allowed(self) -> tuple[Rect, ...]:
        return (self.routing, self.corridor) + self.lanes


def floor_of(level1: list[Rect], routing: Rect, corridor: Rect, lanes: tuple[Rect, Rect], dm: int) -> Floor:
    """Feeder ``k``'s output square is the ``d_m2`` square of the routing region beside its region's bottom
    corner; a feeder left of the routing region feeds the left end, one right of it the right end."""
    squares, sides = [], []
    for r in level1:
        left = r.x + r.w <= routing.x
        squares.append(Rect(routing.x if left else routing.x + routing.w - dm, r.y, dm, dm))
        sides.append("left" if left else "right")
    return Floor(tuple(squares), tuple(sides), corridor, lanes, routing)


def route_path(floor: Floor, feeder: int, square: Rect, row: str, end: str, dm: int) -> list[Rect]:
    """A route from the feeder's output square down its lane of the routing region, along the corridor, (for the
    bottom row) down the outer lane of its end, into the input square."""
    src, c = floor.squares[feeder], floor.corridor
    lane = floor.lanes[0 if end == "left" else 1]
    b = square.x if row == "top" else lane.x
    path = [Rect(src.x, c.y + c.h, dm, src.y + dm - c.y - c.h), Rect(min(src.x, b), c.y, abs(src.x - b) + dm, dm)]
    return path + ([square] if row == "top" else [lane, square])


def side_counts(layout: Layout) -> dict[str, int]:
    """How many of the layout's rotations enter from each end."""
    ends = [e for st in layout.steps for e in _ends(layout, st.rotations)]
    return {"left": ends.count("left"), "right": ends.count("right")}


def feed_cycle(layout: Layout, sides: tuple[str, ...]) -> int:
    """Upper runs after which a rotating feeder assignment repeats: a side's ``c`` inputs a run dealt round robin
    over its ``n`` feeders, continuing from run to run, repeat after ``n / gcd(c, n)`` runs (both sides: lcm)."""
    out = 1
    for side, c in side_counts(layout).items():
        n = sides.count(side)
        if n:
            out = math.lcm(out, n // math.gcd(c, n))
    return out


def _ends(layout: Layout, step_rotations: tuple[Rotation, ...]) -> list[str]:
    """Which end each rotation of a step enters from (its ancilla runs from there to its farthest patch)."""
    n = layout.qubits

    def widths(qs: range) -> tuple[int, int]:
        return sum(q in layout.outputs for q in qs), sum(q in layout.checks for q in qs)

    options = []
    for r in step_rotations:
        sup = [i for i, c in enumerate(r.letters) if c == "Z"]
        assert r.ancilla is not None
        opt = [e for e, qs in (("left", range(0, sup[-1] + 1)), ("right", range(sup[0], n)))
               if widths(qs) == r.ancilla[:2]]
        options.append(opt)
    for pick in ([("left", "right")] if len(options) == 2 else [("left",), ("right",)]):
        if all(p in o for p, o in zip(pick, options)):
            return list(pick)
        if len(pick) == 2 and all(p in o for p, o in zip(pick[::-1], options)):
            return list(pick[::-1])
    raise SpecError(f"layout {layout.protocol}: a step's rotations cannot enter one from each end of the block")


def _via(plan: UpperPlan, r: Rotation, end: str, row: str, dz: int) -> Rect:
    length = int(r.ancilla_length(plan.dx, dz, plan.dm))
    x = plan.region.x if end == "left" else plan.region.x + plan.region.w - length
    return Rect(x, plan.rows[row], length, plan.dx)


def _square(plan: UpperPlan, via: Rect, end: str, row: str) -> Rect:
    x = via.x if end == "left" else via.x + via.w - plan.dm
    return Rect(x, via.y + plan.dx - plan.dm if row == "top" else via.y, plan.dm, plan.dm)


def _cyclic_clear(s: int, runs: list[int], span: int, period: int) -> bool:
    return all(s + span <= o + j * period or o + j * period + span <= s for o in runs for j in range(-2, 3))


def upper_lines(layout: Layout, distances: tuple[int, int, int], step: float, floor: Floor, feed_rounds: int,
                origin: tuple[int, int], keep: int | None = None, cycle: int = 1) -> tuple[list[str], int, int]:
    """The protocol lines of the upper ``layout`` at ``(d_X2, d_Z2, d_m2)`` fed by the feeders of ``floor``
    (runs of ``feed_rounds`` rounds), its upper region's bottom-left corner at ``origin``; with the run's rounds
    and the rounds before a copy's first run that its first inputs' feeder runs need. ``keep``: how long into
    its next run a feeder may still hold a ready state (``feed_rounds``, the default: a first-level block,
    whose output patch is free until its last step; 0: a cultivation patch, whose kept state is the patch).
    The run is the shortest of at least :func:`upper_rounds` rounds whose feeders can keep up.

    Raises:
        SpecError: a step whose rotations cannot enter from the two ends, or feeders too slow for the steps.

    Examples:
        >>> from magicpipe.compiler.blockmodel import NoiseModel
        >>> from magicpipe.compiler.catalogue import two_level
        >>> from magicpipe.lattice.units2 import catalogue_unit
        >>> f = two_level(NoiseModel.litinski(1e-3), (13, 5, 5), 6, "20-to-4", (23, 11, 13))
        >>> unit, fill = catalogue_unit(f.source())   # calls upper_lines
        >>> unit.rounds, fill, next(x for x in unit.text.splitlines() if " ROUTE m0 " in x)
        (130, 43, '@-13 ROUTE m0 rounds=13 path=(33,95,13,13)+(13,82,33,13)+(13,69,13,13)')
    """
    dx, dz, dm = distances
    plan = upper_plan(layout, distances, origin[1], origin[0])
    starts, least = upper_rounds(layout, step, dm, len(floor.squares), feed_rounds, cycle)
    hold = feed_rounds if keep is None else keep
    best: tuple[int, list[str], int] | None = None
    for rounds in range(least, least + feed_rounds + 1):
        lengths = [b - a for a, b in zip(starts, starts[1:] + [rounds])]
        for parity in (0, 1):
            got = _lines(layout, distances, plan, starts, lengths, rounds, parity, floor, feed_rounds, hold, cycle)
            if got is not None and (best is None or got[0] < best[0]):
                best = got
        if best is not None:
            break
    if best is None:
        raise SpecError(f"layout {layout.protocol}: no output can leave in time or the {len(floor.squares)} feeders "
                        f"of {feed_rounds} rounds cannot feed steps of {step:g} rounds")
    return best[1], rounds, best[2]


def _feed(order: list[tuple[int, int, str, str]], feeders: list[int], dm: int, feed_rounds: int,
          rounds: int, keep: int, cycle: int = 1) -> dict[tuple[int, int], tuple[int, int]] | None:
    """(input ``k``, upper run ``r`` of the cycle) -> (feeder, run start in run ``r``'s rounds): the side's inputs
    of ``cycle`` consecutive upper runs dealt round robin over ``feeders`` in merge order, continuing from run to
    run, each feeder run as late as its merge allows, a feeder's runs back to back at most over the period of
    ``cycle`` upper runs, its state gone by ``keep`` rounds into its next run."""
    if not feeders:
        return {} if not order else None
    period, n = cycle * rounds, len(feeders)
    items = [(r * rounds + t_in, k, r, feeders[(r * len(order) + i) % n])
             for r in range(cycle) for i, (t_in, k, _, _) in enumerate(order)]
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for f in feeders:
        mine = [x for x in items if x[3] == f]
        ready = [t - dm for t, *_ in mine]
        for _ in range(3):
            for i in range(len(ready) - 1, -1, -1):
                later = ready[i + 1] if i + 1 < len(ready) else ready[0] + period
                ready[i] = min(ready[i], later - feed_rounds)
        leaves = [t - dm for t, *_ in mine]
        nxt = [e - feed_rounds + keep for e in ready[1:] + [ready[0] + period]] if ready else []
        if any(a > b for a, b in zip(leaves, nxt)) or len(ready) * feed_rounds > period or \
                (len(ready) > 1 and ready[-1] > ready[0] + period - feed_rounds):
            return None
        for (_, k, r, _), e in zip(mine, ready):
            out[(k, r)] = (f, e - feed_rounds - r * rounds)
    return out


def _lines(layout: Layout, distances: tuple[int, int, int], plan: UpperPlan, starts: list[int],
           lengths: list[int], rounds: int, parity: int, floor: Floor,
           feed_rounds: int, keep: int, cycle: int = 1) -> tuple[int, list[str], int] | None:
    dx, dz, dm = distances
    lines = [f"PATCH q{q} {r} role={'output' if q in layout.outputs else 'check'} z=top,bottom"
             for q, r in enumerate(plan.patches)]
    merges: list[tuple[int, Rect]] = []          # (start, via)
    body: list[list[str]] = [[] for _ in range(len(layout.steps) + 1)]   # body[s + 1]: step s's lines
    inputs: list[tuple[int, int, str, str]] = []  # (merge round, k, end, row)
    squares: dict[int, Rect] = {}
    last_use: dict[int, int] = {}
    k = 0
    for s, st in enumerate(layout.steps):
        t = starts[s]
        ops, ends = [], []
        for r, end in zip(st.rotations, _ends(layout, st.rotations)):
            row = "top" if (s + parity + (end == "right")) % 2 == 0 else "bottom"
            via = _via(plan, r, end, row, dz)
            support = [i for i, c in enumerate(r.letters) if c == "Z"]
            terms = " ".join(f"Z:q{i}@{row}" for i in support)
            inputs.append((t, k, end, row))
            squares[k] = _square(plan, via, end, row)
            ops.append((k, f"@{t} MEASURE r{k} {terms} Z:m{k} rounds={dm} via={via} rotation={_signed(r)}"))
            value, angle = _correction(r)
            p = " ".join(_terms(r.letters))
            ends += [f"@{t + dm} MEASURE x{k} X:m{k}", f"@{t + dm} IF r{k}={value} ROTATE {p} angle={angle}",
                     f"@{t + dm} IF x{k}=1 FRAME {p}"]
            merges.append((t, via))
            for q in support:
                last_use[q] = t + dm
            k += 1
        body[s + 1].append(f"STEP {s + 1} at={t} rounds={lengths[s]} storage={st.storage}")
        body[s + 1] += [f"@INPUT{kk}" for kk, _ in ops] + [line for _, line in ops] + ends
    # the feeders: an input entering from one end comes from a feeder on that end's side
    order = sorted(inputs)
    fed: dict[tuple[int, int], tuple[int, int]] = {}
    for side in ("left", "right"):
        mine = [i for i in order if i[2] == side]
        got = _feed(mine, [f for f, sd in enumerate(floor.sides) if sd == side], dm, feed_rounds, rounds, keep,
                    cycle)
        if got is None:
            return None
        fed.update(got)
    # the copy's first run is the cycle's run 0; a later run r's feeder runs start after the copy's start
    early = max(0, -min(s0 + cy * rounds for (_, cy), (_, s0) in fed.items()))
    for t, kk, end, row in order:
        for cy in range(cycle):
            f, _ = fed[(kk, cy)]
            path = "+".join(str(x) for x in route_path(floor, f, squares[kk], row, end, dm))
            tail = f" cycle={cy}" if cy else ""
            body[starts.index(t)].append(f"@{t - dm} ROUTE m{kk} rounds={dm} path={path}{tail}")
    late = 0
    moved: list[tuple[int, Rect]] = []
    for j, (q, below) in enumerate(zip(layout.outputs, output_squares(layout, plan))):
        via = move_via(plan.patches[q], below, dx)
        m = _move_round(plan, via, last_use[q], merges + moved, rounds + _offset(layout, j, dm), starts)
        if m is None:
            return None
        late += m
        moved.append((m, via))
        move = f"@{m} MOVE q{q} to=({below.x},0) d={dm} via={via} rounds={dm}"
        body[1 + max(s for s, t in enumerate(starts) if t <= m)].append(move)   # after the lines of its step
    for block in body:
        for x in block:
            if x.startswith("@INPUT"):
                kk = int(x[6:])
                for cy in range(cycle):
                    f, s0 = fed[(kk, cy)]
                    tail = f" cycle={cy}" if cy else ""
                    lines.append(f"@{_t_of(inputs, kk)} INPUT m{kk} {squares[kk]} d={dm} from=level1:{f} "
                                 f"run={s0}{tail}")
                continue
            lines.append(x)
    checks = "|".join(f"k{c}" for c in layout.checks)
    outs = " ".join(f"q{q}" for q in layout.outputs)
    lines += [f"@{rounds} MEASURE k{c} X:q{c}" for c in layout.checks]
    lines += [f"@{rounds} DECIDE a={checks}", f"@{rounds} IF a=0 OUTPUT {outs}", f"@{rounds} IF a=1 DISCARD {outs}"]
    return late, lines, early


def _t_of(inputs: list[tuple[int, int, str, str]], k: int) -> int:
    return next(t for t, kk, _, _ in inputs if kk == k)


def _move_round(plan: UpperPlan, via: Rect, free: int, busy: list[tuple[int, Rect]], deadline: int,
                starts: list[int]) -> int | None:
    """The first round from ``free`` at which the move's ``via`` crosses no via (a merge's or an earlier output
    move's, ``d_m2`` rounds each) in flight, if it ends by ``deadline``."""
    later = {t for t in starts if t >= free} | {t + plan.dm for t, _ in busy if t + plan.dm >= free}
    for m in sorted({free} | later):
        if m + plan.dm > deadline:
            return None
        if not any(t < m + plan.dm and m < t + plan.dm and v.overlaps(via) for t, v in busy):
            return m
    return None
