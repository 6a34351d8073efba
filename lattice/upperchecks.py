"""The validator's reading of a two-level block's upper protocol (:mod:`magicpipe.lattice.upperops` states the
lines and their rules; :func:`magicpipe.lattice.units2.block_checks` calls :func:`upper_checks`)."""

from __future__ import annotations

from collections.abc import Iterator

from magicpipe.compiler.blocks import Layout
from magicpipe.lattice.blockops import BlockOp, Protocol, _follow_ups, _signed, _touches
from magicpipe.lattice.geometry import Rect
from magicpipe.lattice.upperops import Floor, UpperPlan, _cyclic_clear, _square, move_via, upper_rounds

__all__ = ["upper_checks"]


def upper_checks(layout: Layout, distances: tuple[int, int, int], rounds: int, step: float, fill: int,
                 floor: Floor, feed_rounds: int, region: Rect, outputs: list[Rect], proto: Protocol,
                 keep: int | None = None, cycle: int = 1) -> Iterator[str]:
    """Every way ``proto`` fails to state the upper ``layout`` (module docstring); nothing if it does.

    ``outputs`` are the OUTPUT patches (``d_m2`` squares) in order, ``region`` the ``REGION upper``, ``floor``
    the feeders' output squares, routing region, corridor and outer lanes (:func:`floor_of`), ``keep`` as in
    :func:`upper_lines`; ``cycle``: the upper runs of the feeder assignment (the BLOCK line's ``cycle=``, 1
    without it): each input states its feeder run and route for each run ``r`` of the cycle (``cycle=r`` on
    the lines of ``r >= 1``), the feeders' runs checked over ``cycle`` upper runs.
    """
    from magicpipe.lattice.blockops import _patch_checks

    dx, dz, dm = distances
    feeders = len(floor.squares)
    plan = UpperPlan(region, (), dx, dm)
    yield from _patch_checks(layout, dx, dz, region, proto)
    patches = {name: r for name, r, _, _ in proto.patches}
    for name, pr in patches.items():
        if pr.y != region.y + dx or pr.x < region.x + dm or pr.x + pr.w > region.x + region.w - dm:
            yield f"PATCH {name} at {pr}: the register is the upper region's middle row, clear of its two legs"
    yield from _upper_steps(layout, dm, rounds, step, feeders, feed_rounds, proto, cycle)
    rots = list(layout.rotations)
    every = [op for op in proto.ops if op.kind == "INPUT"]
    cycled = {(op.groups[0], _cycle(op, 8)): op for op in every}
    merges = [op for op in proto.ops if op.kind == "MERGE"]
    vias = [(op.t, Rect(*map(int, op.groups[3:7])), op.line) for op in merges]
    if sorted(cycled) != sorted((f"m{op.groups[0][1:]}", r) for op in merges for r in range(cycle)) or \
            len(every) != len(merges) * cycle:
        yield (f"INPUT lines: one input m<k> per merge r<k>, each from a feeder, once for each of the cycle's "
               f"{cycle} upper run(s)")
    runs: dict[int, list[tuple[int, str, int]]] = {}
    sides: dict[int, list[str]] = {}
    for op in merges:
        reg, termtext, _rounds, *v, rot = op.groups
        k, via = int(reg[1:]), Rect(*map(int, v))
        if k >= len(rots) or _signed(rots[k]) != rot:
            yield f"{op.line!r}: its register r{k} names rotation {k} of the layout, not {rot}"
            continue
        r = rots[k]
        support = sorted(f"q{i}" for i, c in enumerate(r.letters) if c == "Z")
        terms = [t.split(":", 1)[1] for t in termtext.split()]
        named = sorted(t.split("@")[0] for t in terms if t.startswith("q"))
        if named != support or f"m{k}" not in terms:
            yield (f"{op.line!r}: the merge of rotation {rot} names {' '.join(named)} and its input; it merges "
                   f"exactly the support {' '.join(support)} with m{k}")
        row = next((s for s, y in plan.rows.items() if via.y == y), None)
        for t in terms:
            if t.startswith("q") and "@" in t:
                q, side = t.split("@")
                if q in patches and (side != row or not _touches(via, patches[q], side)):
                    yield f"{op.line!r}: {q}@{side}: a merge takes the side of {q} its via runs along"
        end = "left" if via.x == region.x else "right" if via.x + via.w == region.x + region.w else None
        length = r.ancilla_length(dx, dz, dm)
        if (via.w, via.h) != (length, dx) or row is None or end is None or not region.contains(via) or \
                any(via.overlaps(p) for p in patches.values()):
            yield (f"{op.line!r}: the via {via} is not an ancilla row of the layout's length {length:g} x {dx} from "
                   f"one end of the upper region {region}, clear of the register")
            continue
        sides.setdefault(op.t, []).append(end)
        if int(_rounds) != dm:
            yield f"{op.line!r}: a merge lasts d_m2={dm} rounds"
        for t0, other, line in vias:
            if t0 == op.t and other is not via and other != via and other.overlaps(via):
                yield f"{op.line!r}: its via overlaps that of {line!r}, merged at the same time"
        for cy in range(cycle):
            m = cycled.get((f"m{k}", cy))
            if m is None or m.groups[6] is None:
                yield f"{op.line!r}: its input m{k} comes from a feeder (from=level1:f run=s) in run {cy} of the cycle"
            else:
                yield from _input_checks(m, op, via, end, plan, vias, feeders, feed_rounds, fill + cy * rounds, runs,
                                         cy * rounds)
        yield from _follow_ups(op, k, r, proto)
    for t_step, ends in sorted(sides.items()):
        if len(ends) != len(set(ends)):
            yield f"the merges of round {t_step} enter from the ends {' '.join(ends)}: one a step from each end"
    period = cycle * rounds
    for f, mine in sorted(runs.items()):
        for i, (s, line, _) in enumerate(mine):
            if not _cyclic_clear(s, [o for j, (o, _, _) in enumerate(mine) if j != i], feed_rounds, period):
                over = f"the unit's period of {rounds} rounds" if cycle == 1 else \
                    f"the {cycle} upper runs of its cycle, {period} rounds, its runs counted from the cycle's start"
                yield (f"{line!r}: level1 region {f} runs one run at a time: its run from {s} overlaps another of its "
                       f"runs (over {over})")
                break
        yield from _hold(mine, feed_rounds, period, dm, f, feed_rounds if keep is None else keep)
    moves = [(o.t, Rect(*map(int, o.groups[4:8])), o.line) for o in proto.ops if o.kind == "MOVE"]
    for cy in range(cycle):
        mine_in = {m: op for (m, c), op in cycled.items() if c == cy}
        yield from _route_checks(proto, floor, mine_in, vias + moves, dm, cy)
    yield from _upper_end(layout, rounds, dm, dx, region, outputs, patches, vias, proto)


def _cycle(op: BlockOp, group: int) -> int:
    """The run of the feeder cycle a line states (``cycle=r``; 0 without it)."""
    return int(op.groups[group]) if len(op.groups) > group and op.groups[group] else 0


def _input_checks(m: BlockOp, op: BlockOp, via: Rect, end: str, plan: UpperPlan,
                  vias: list[tuple[int, Rect, str]], feeders: int, feed_rounds: int, fill: int,
                  runs: dict[int, list[tuple[int, str, int]]], shift: int = 0) -> Iterator[str]:
    dm = plan.dm
    square = Rect(*map(int, m.groups[1:5]))
    row = "top" if via.y == plan.rows["top"] else "bottom"
    want = _square(plan, via, end, row)
    if m.t != op.t or square != want or int(m.groups[5]) != dm:
        yield (f"{m.line!r}: its input is the d_m2={dm} patch {want} at the outer corner of its via's entry leg "
               f"({end} end, {row} row), there by the merge")
    f, s = int(m.groups[6]), int(m.groups[7])
    if f >= feeders:
        yield f"{m.line!r}: level1:{f} is no feeder region (level1={feeders})"
    if s + feed_rounds + dm > op.t or s < -fill:
        yield (f"{m.line!r}: its feeder's run of {feed_rounds} rounds from {s} and its move of {dm} rounds end by "
               f"the merge at {op.t}, and start no sooner than -fill={-fill}")
    runs.setdefault(f, []).append((s + shift, m.line, shift))   # the feeder's run, in the cycle's rounds
    for t, other, line in vias:
        if t < op.t and op.t - dm < t + dm and other.overlaps(square):
            yield f"{m.line!r}: its square is inside the via of {line!r} while it moves into it"


def _upper_steps(layout: Layout, dm: int, rounds: int, step: float, feeders: int, feed_rounds: int,
                 proto: Protocol, cycle: int = 1) -> Iterator[str]:
    from magicpipe.lattice.blockops import protocol_rotations

    starts, want = upper_rounds(layout, step, dm, feeders, feed_rounds, cycle)
    if not want <= rounds <= want + feed_rounds:
        yield (f"rounds={rounds}: an upper run of steps every {step:g} rounds lasts max(inputs/2 t, (S-1) t + "
               f"d_m2, ceil(c/(n/2)) F, each output's last merge and move by its deadline) = {want} rounds, up to a "
               f"feeder's run more when its feeders need it")
    lengths = [b - a for a, b in zip(starts, starts[1:] + [rounds])]
    got = [(i, at, n, st) for i, at, n, st in proto.steps]
    wanted = [(k + 1, a, n, s.storage) for k, (a, n, s) in enumerate(zip(starts, lengths, layout.steps))]
    if got != wanted:
        def text(s: tuple[int, int, int, str] | None) -> str:
            return f"'STEP {s[0]} at={s[1]} rounds={s[2]} storage={s[3]}'" if s else "(none)"

        want_s, got_s = next((w, g) for w, g in zip(wanted + [None] * len(got), got + [None] * len(wanted)) if w != g)
        yield f"STEP lines: {text(got_s)} should be {text(want_s)} (step k at round((k-1) t), the layout's storage)"
    rot = [sorted(s) for s in protocol_rotations(proto)]
    if rot != [sorted(_signed(r) for r in s.rotations) for s in layout.steps]:
        yield "the steps' merges do not apply the layout's rotations, every one once, in its step order"


def _upper_end(layout: Layout, rounds: int, dm: int, dx: int, region: Rect, outputs: list[Rect],
               patches: dict[str, Rect], vias: list[tuple[int, Rect, str]], proto: Protocol) -> Iterator[str]:
    reads = sorted((o.groups[0], o.groups[1], o.t) for o in proto.ops if o.kind == "READ" and o.groups[0][0] == "k")
    if reads != sorted((f"k{c}", f"q{c}", rounds) for c in layout.checks):
        yield f"the checks {' '.join(f'q{c}' for c in layout.checks)} are each read in X once at round {rounds}"
    regs = sorted(f"k{c}" for c in layout.checks)
    decide = [o for o in proto.ops if o.kind == "DECIDE"]
    if len(decide) != 1 or sorted(decide[0].groups[0].split("|")) != regs or decide[0].t != rounds:
        yield f"one DECIDE a={'|'.join(regs)} at round {rounds}: the decision reads exactly the checks"
    outs = " ".join(f"q{q}" for q in layout.outputs)
    branches = sorted((o.cond, o.kind, o.groups[0], o.t) for o in proto.ops if o.kind in ("OUTPUT", "DISCARD"))
    if branches != [(("a", 0), "OUTPUT", outs, rounds), (("a", 1), "DISCARD", outs, rounds)]:
        yield f"the decision is not total: IF a=0 OUTPUT {outs} and IF a=1 DISCARD {outs}, at round {rounds}"
    moves = {o.groups[0]: o for o in proto.ops if o.kind == "MOVE"}
    if sorted(moves) != sorted(f"q{q}" for q in layout.outputs) or \
            sum(o.kind == "MOVE" for o in proto.ops) != len(layout.outputs):
        yield f"MOVE lines: each output {outs} moves once to its OUTPUT patch"
        return
    ccz = layout.kind == "CCZ"
    moved: list[tuple[int, Rect, str]] = []
    for j, q in enumerate(layout.outputs):
        mv = moves[f"q{q}"]
        via, t = Rect(*map(int, mv.groups[4:8])), mv.t
        patch = patches.get(f"q{q}")
        below = outputs[j] if j < len(outputs) else None
        what = f"lane {j} of OUTPUT 0" if ccz else f"OUTPUT {j}"
        if patch is None or below is None or (int(mv.groups[1]), int(mv.groups[2])) != (below.x, below.y) or \
                (int(mv.groups[3]), int(mv.groups[8])) != (dm, dm) or not _touches(via, patch, "bottom") or \
                via != move_via(patch, below, dx):
            yield (f"{mv.line!r}: output q{q} moves in {dm} rounds to {what} {below}, its via the bottom row from "
                   f"q{q}'s bottom side to it ({move_via(patch, below, dx) if patch and below else '?'})")
            continue
        used = max((o.t + int(o.groups[2]) for o in proto.ops if o.kind == "MERGE" and f":q{q}@" in o.groups[1]),
                   default=0)
        due = rounds + (0 if ccz else j * dm)
        if t < used or t + dm > due:
            when = "when the decision sends the CCZ state's three lanes" if ccz else "when the run's train sends it"
            yield (f"{mv.line!r}: q{q} moves after its last merge (round {used}) and reaches {what} by round "
                   f"{due}, {when}")
        for t0, other, line in vias + moved:
            if t0 < t + dm and t < t0 + dm and other.overlaps(via):
                yield f"{mv.line!r}: its via crosses that of {line!r}, in flight"
        moved.append((t, via, mv.line))


def _hold(mine: list[tuple[int, str]] | list[tuple[int, str, int]], feed_rounds: int, rounds: int, dm: int, f: int,
          keep: int) -> Iterator[str]:
    """A feeder holds one ready state: it leaves (its route starts) by ``keep`` rounds into the feeder's next
    run (a first-level block: before that run ends; a cultivation patch: before it starts). Entries: (run
    start, INPUT line[, the rounds its upper run starts in the cycle]); ``rounds`` the period."""
    order = sorted((e[0], e[1], e[2] if len(e) > 2 else 0) for e in mine)
    for i, (_, line, shift) in enumerate(order):
        leave = int(line.split()[0][1:]) - dm + shift
        nxt = order[i + 1][0] if i + 1 < len(order) else order[0][0] + rounds
        if leave > nxt + keep:
            yield (f"{line!r}: level1 region {f}'s state waits until round {leave}, past round {nxt + keep} of its "
                   f"next run (from {nxt}): a feeder holds one ready state")


def _adjacent(a: Rect, b: Rect, dm: int) -> bool:
    """``a`` and ``b`` share a stretch of edge at least ``dm`` long (a patch's width), and no area."""
    along_x = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    along_y = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    return not a.overlaps(b) and ((along_y >= dm and (a.x + a.w == b.x or b.x + b.w == a.x)) or
                                  (along_x >= dm and (a.y + a.h == b.y or b.y + b.h == a.y)))


def _route_checks(proto: Protocol, floor: Floor, inputs: dict[str, BlockOp],
                  busy: list[tuple[int, Rect, str]], dm: int, cycle: int = 0) -> Iterator[str]:
    """Each input's route (in run ``cycle`` of the feeder cycle): one move of ``d_m2`` rounds ending as its merge
    starts, from its feeder's output square through the routing region, corridor and lanes (connected
    rectangles) into its input square, on no tile another route of that run, a via or an output move holds at
    the same time."""
    routes = [op for op in proto.ops if op.kind == "ROUTE" and _cycle(op, 3) == cycle]
    named = sorted(op.groups[0] for op in routes)
    if named != sorted(inputs):
        yield (f"ROUTE lines {' '.join(named) or '(none)'}{f' (cycle={cycle})' if cycle else ''}: one route per "
               f"input {' '.join(sorted(inputs))}")
    flights: list[tuple[int, list[Rect], str]] = []
    for op in routes:
        m = inputs.get(op.groups[0])
        path = [Rect(*map(int, r.strip("()").split(","))) for r in op.groups[2].split("+")]
        flights.append((op.t, path, op.line))
        if m is None or m.groups[6] is None:
            continue
        f, square = int(m.groups[6]), Rect(*map(int, m.groups[1:5]))
        if op.t != m.t - dm or int(op.groups[1]) != dm:
            yield f"{op.line!r}: a route is one move of d_m2={dm} rounds ending at its input's round {m.t}"
        src = floor.squares[f] if f < len(floor.squares) else None
        if src is None or not path[0].contains(src) or path[-1] != square or \
                any(not _adjacent(a, b, dm) for a, b in zip(path, path[1:])) or min(min(r.w, r.h) for r in path) < dm \
                or any(not any(a.contains(r) for a in floor.allowed) for r in path[:-1]):
            yield (f"{op.line!r}: a route runs from its feeder's output square {src} through the routing region, "
                   f"the corridor and the lanes (pieces at least d_m2={dm} wide, each joining the next along d_m2), "
                   f"into its input square {square}")
        for t0, rect, line in busy:
            if t0 < op.t + dm and op.t < t0 + dm and any(r.overlaps(rect) for r in path):
                yield f"{op.line!r}: it crosses {line!r}, in flight"
    for i, (t, path, line) in enumerate(flights):
        for t2, path2, line2 in flights[:i]:
            if t < t2 + dm and t2 < t + dm and any(a.overlaps(b) for a in path for b in path2):
                yield f"{line!r}: it shares tiles with the route {line2!r}, in flight at the same time"
