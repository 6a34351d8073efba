"""The mutation test's independent reading of a two-level Litinski block's upper protocol (the rules of
:mod:`magicpipe.lattice.upperops`, read again from the body's text with regular expressions, without the
lattice's parser or checker)."""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["upper_problems"]

_BOX = r"\((-?\d+),(-?\d+),(\d+),(\d+)\)"


def _cross(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def upper_problems(u: Any, head: dict[str, str]) -> list[str]:
    """What is wrong with the upper protocol of the two-level block unit ``u`` (empty: nothing)."""
    from magicpipe.compiler.blocks import get_layout
    from magicpipe.lattice.mutate import merge_followups

    text, bad = u.text, []
    lay = get_layout(head.get("protocol", ""))
    dx, dz, dm = u.distances[-3:]
    n, fill, feed = int(head.get("level1", "0")), int(head.get("fill", "0")), int(head.get("feed", "0"))
    if feed < 1 or (head.get("method") == "litinski" and feed != 6 * u.distances[2]):
        return ["an upper block's feeder runs"]
    box = re.search(rf"^REGION upper {_BOX} d=\d+$", text, re.M)
    regs = {(m.group(1), m.group(2)): tuple(map(int, m.groups()[2:])) for m in
            re.finditer(rf"^REGION (\w+)(?: (\d+))? {_BOX} d=\d+$", text, re.M)}
    kinds = [k for k, _ in regs]
    if box is None or "step" not in head or (kinds.count("corridor"), kinds.count("lane"), kinds.count("routing")) \
            != (1, 2, 1):
        return ["an upper block without its protocol"]
    ux, uy, uw, uh = map(int, box.groups())
    t_step = float(head["step"])
    cycle = int(head.get("cycle", "1"))   # upper runs of the feeder assignment
    if not 1 <= cycle <= 64:
        return ["an upper block's feeder cycle"]
    starts = [math.floor(k * t_step + 0.5) for k in range(len(lay.steps))]
    rounds = u.rounds
    got = [tuple(map(int, m.groups())) for m in re.finditer(r"^STEP (\d+) at=(-?\d+) rounds=(\d+) ", text, re.M)]
    if got != [(k + 1, a, b - a) for k, (a, b) in enumerate(zip(starts, starts[1:] + [rounds]))]:
        bad.append("upper steps")
    pat = {int(m.group(1)): tuple(map(int, m.groups()[1:])) for m in
           re.finditer(rf"^PATCH q(\d+) {_BOX} role=\w+ z=top,bottom$", text, re.M)}
    x = ux + dm
    for q in range(lay.qubits):
        w = dx if q in lay.outputs else dz
        if pat.get(q) != (x, uy + dx, w, dx):
            bad.append(f"upper patch q{q}")
        x += w
    if x + dm != ux + uw or uh != 3 * dx:
        bad.append("upper region")
    lines = text.splitlines()
    vias: list[tuple[int, tuple[int, ...]]] = []
    inputs: dict[tuple[str, int], tuple[int, int, tuple[int, ...]]] = {}
    per: dict[int, list[str]] = {}
    feeders: dict[int, list[tuple[int, int]]] = {}
    for m in re.finditer(rf"^@(\d+) MEASURE r(\d+) (.*) rounds=(\d+) via={_BOX} rotation=([+-][IZ]+)$", text, re.M):
        t, k, r_n = int(m.group(1)), int(m.group(2)), int(m.group(4))
        via = tuple(int(m.group(i)) for i in range(5, 9))
        rot = lay.rotations[k] if k < lay.inputs else None
        signed = rot.pauli if rot is not None and rot.pauli[0] == "-" else "+" + rot.pauli if rot else ""
        if rot is None or signed != m.group(9) or t not in starts or \
                rot not in lay.steps[starts.index(t)].rotations:
            bad.append("upper merge register or step")
            continue
        sup = [q for q, c in enumerate(rot.letters) if c == "Z"]
        row = "top" if via[1] == uy + 2 * dx else "bottom" if via[1] == uy else ""
        terms = re.findall(r"Z:q(\d+)@(\w+)", m.group(3))
        if sorted(int(q) for q, _ in terms) != sup or {s for _, s in terms} != {row} or r_n != dm or \
                f"Z:m{k}" not in m.group(3).split():
            bad.append("upper merge terms")
        end = "left" if via[0] == ux else "right" if via[0] + via[2] == ux + uw else ""
        far = [pat.get(q, (0, 0, 0, 0)) for q in sup]
        if not end or (via[2], via[3]) != (rot.ancilla_length(dx, dz, dm), dx) or \
                min(p[0] for p in far) < via[0] or max(p[0] + p[2] for p in far) > via[0] + via[2]:
            bad.append("upper ancilla")
        per.setdefault(t, []).append(end)
        corner = (via[0] if end == "left" else via[0] + via[2] - dm, via[1] + (dx - dm if row == "top" else 0), dm, dm)
        # one INPUT a run of the feeder cycle (cycle=r for r >= 1), each run's feeder run in the cycle's rounds
        inp = re.findall(rf"^@{t} INPUT m{k} {_BOX} d={dm} from=level1:(\d+) run=(-?\d+)(?: cycle=(\d+))?$", text,
                         re.M)
        cycles = sorted(int(x[6] or 0) for x in inp)
        if cycles != list(range(cycle)) or any(tuple(map(int, x[:4])) != corner for x in inp) or \
                any(x[6] == "0" for x in inp):
            bad.append("upper input")
        else:
            for x in inp:
                f, s, cy = int(x[4]), int(x[5]), int(x[6] or 0)
                if f >= n or s + feed + dm > t or s + cy * rounds < -fill:
                    bad.append("upper feeder run")
                feeders.setdefault(f, []).append((s + cy * rounds, t + cy * rounds))
                inputs[(f"m{k}", cy)] = (t, f, corner)
            if any(t0 < t and t - dm < t0 + dm and _cross(v, corner) for t0, v in vias):
                bad.append("upper leg busy")
        vias.append((t, via))
        if any(lines.count(want) != 1 for want in merge_followups(t + dm, k, rot.sign, sup)):
            bad.append("upper readout or correction")
    if len(vias) != lay.inputs or len(re.findall(r"^@-?\d+ INPUT ", text, re.M)) != lay.inputs * cycle:
        bad.append("upper merges or inputs")
    if any(len(e) != len(set(e)) for e in per.values()):
        bad.append("upper ends")
    ends = [e for es in per.values() for e in es]
    # a feeder's share over the cycle: ceil(cycle c / (n/2)) runs of F in cycle upper runs
    least = max(math.floor(lay.inputs / 2 * t_step + 0.5), starts[-1] + dm,
                max(math.ceil(math.ceil(cycle * ends.count(e) / max(1, n // 2)) * feed / cycle)
                    for e in ("left", "right")))
    for j, q in enumerate(lay.outputs):   # an output's last merge and its move, by its deadline
        last = max(k for k, st in enumerate(lay.steps) for r in st.rotations if r.letters[q] == "Z")
        least = max(least, starts[last] + 2 * dm - (0 if lay.kind == "CCZ" else j * dm))
    if not least <= rounds <= least + feed:
        bad.append("upper rounds")
    for i, (t, v) in enumerate(vias):
        if any(t2 == t and _cross(v, v2) for t2, v2 in vias[:i]):
            bad.append("upper vias overlap")
    period = cycle * rounds
    for runs in feeders.values():
        spans = sorted(s + j * period for s, _ in runs for j in (-1, 0, 1))
        if any(b < a + feed for a, b in zip(spans, spans[1:])):
            bad.append("upper feeder overlap")
        order = sorted(runs)
        for i, (_, t) in enumerate(order):
            keep = feed if head.get("method") == "litinski" else 0   # a cultivation patch holds its state itself
            if t - dm > (order[i + 1][0] if i + 1 < len(order) else order[0][0] + period) + keep:
                bad.append("upper feeder holds two states")
    moves = [(int(m.group(1)), tuple(int(m.group(i)) for i in range(2, 6))) for m in
             re.finditer(rf"^@(\d+) MOVE q\d+ to=\S+ d=\d+ via={_BOX} rounds=\d+$", text, re.M)]
    for cy in range(cycle):
        bad += _routes(text, regs, {m: v for (m, c), v in inputs.items() if c == cy}, vias + moves, dm, cy)
    bad += _upper_end(lay, text, lines, pat, vias, rounds, dm, dx, uy)
    return bad


def _routes(text: str, regs: dict[tuple[str, str | None], tuple[int, ...]],
            inputs: dict[str, tuple[int, int, tuple[int, ...]]], busy: list[tuple[int, tuple[int, ...]]],
            dm: int, cycle: int = 0) -> list[str]:
    """Each input's route (of run ``cycle`` of the feeder cycle) read again: one move of d_m rounds into its
    square from its feeder's square (beside the feeder's region, in the routing region), pieces inside the
    routing region, the corridor or a lane, at least d_m wide, each joined to the next along d_m; none on a tile
    another route of that run, a via or a move holds."""
    bad: list[str] = []
    rx, ry, rw, rh = next(v for (k, _), v in regs.items() if k == "routing")
    allowed = [v for (k, _), v in regs.items() if k in ("routing", "corridor", "lane")]
    found = [x[:4] for x in re.findall(r"^@(-?\d+) ROUTE (m\d+) rounds=(\d+) path=(\S+?)(?: cycle=(\d+))?$", text, re.M)
             if int(x[4] or 0) == cycle and x[4] != "0"]
    if sorted(m for _, m, _, _ in found) != sorted(inputs):
        bad.append("upper routes")
    flights = []
    for t0, m, n, path in found:
        pieces = [tuple(map(int, p.strip("()").split(","))) for p in path.split("+")]
        t, n_, = int(t0), int(n)
        flights.append((t, pieces))
        if m not in inputs:
            continue
        t_in, f, corner = inputs[m]
        fx, fy, fw, _ = regs.get(("level1", str(f)), (0, 0, 0, 0))
        src = (rx if fx + fw <= rx else rx + rw - dm, fy, dm, dm)
        first = pieces[0]
        if t != t_in - dm or n_ != dm or pieces[-1] != corner or not (
                first[0] <= src[0] and src[0] + dm <= first[0] + first[2] and first[1] <= src[1] and
                src[1] + dm <= first[1] + first[3]):
            bad.append("upper route ends")
        for a, b in zip(pieces, pieces[1:]):
            ox = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
            oy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
            if _cross(a, b) or not ((oy >= dm and (a[0] + a[2] == b[0] or b[0] + b[2] == a[0])) or
                                    (ox >= dm and (a[1] + a[3] == b[1] or b[1] + b[3] == a[1]))):
                bad.append("upper route broken")
        for p in pieces:
            if min(p[2], p[3]) < dm:
                bad.append("upper route narrow")
        for p in pieces[:-1]:
            if not any(a[0] <= p[0] and p[0] + p[2] <= a[0] + a[2] and a[1] <= p[1] and p[1] + p[3] <= a[1] + a[3]
                       for a in allowed):
                bad.append("upper route off its regions")
        if any(t_b < t + dm and t < t_b + dm and any(_cross(p, v) for p in pieces) for t_b, v in busy):
            bad.append("upper route crosses a via or move")
    for i, (t, pieces) in enumerate(flights):
        if any(t2 < t + dm and t < t2 + dm and any(_cross(a, b) for a in pieces for b in p2) for t2, p2 in flights[:i]):
            bad.append("upper routes collide")
    return bad


def _upper_end(lay: Any, text: str, lines: list[str], pat: dict[int, tuple[int, ...]],
               vias: list[tuple[int, tuple[int, ...]]], rounds: int, dm: int, dx: int, uy: int) -> list[str]:
    bad = []
    ccz = lay.kind == "CCZ"
    # the OUTPUT patches, one per output qubit: a CCZ state's three lanes of d_m side by side, the last under the
    # last output qubit's left edge; a T state's under its qubit's left edge
    outs = [(int(a), int(b), int(n or 1)) for a, b, n in
            re.findall(r"^OUTPUT \d+ \((\d+),(\d+)\) d=\d+ side=\w+(?: lanes=(\d+))?$", text, re.M)]
    squares = [(x + k * dm, y) for x, y, n in outs for k in range(n)]
    xs = [pat.get(q, (0, 0, 0, 0))[0] for q in lay.outputs]
    home = [(xs[-1] - (len(xs) - 1 - k) * dm, 0) for k in range(len(xs))] if ccz else [(x, 0) for x in xs]
    if squares != home:
        bad.append("upper output patches")
    moved: list[tuple[int, tuple[int, ...]]] = []
    for j, q in enumerate(lay.outputs):
        x, y, w, _ = pat.get(q, (0, 0, 0, 0))
        mv = re.findall(rf"^@(\d+) MOVE q{q} to=\((\d+),(\d+)\) d={dm} via={_BOX} rounds={dm}$", text, re.M)
        sx = home[j][0]
        want = (min(x, sx), uy, max(x + w, sx + dm) - min(x, sx), dx)
        if len(mv) != 1 or (int(mv[0][1]), int(mv[0][2])) != home[j] or tuple(map(int, mv[0][3:])) != want:
            bad.append(f"upper output move q{q}")
            continue
        t = int(mv[0][0])
        last = max((t0 + dm for t0, _ in vias), default=0)
        used = [int(m.group(1)) + dm for m in re.finditer(rf"^@(\d+) MEASURE r\d+ .*Z:q{q}@", text, re.M)]
        if t < max(used, default=0) or t + dm > rounds + (0 if ccz else j * dm) or last < 0:
            bad.append(f"upper output move time q{q}")
        if any(t0 < t + dm and t < t0 + dm and _cross(v, want) for t0, v in vias + moved):
            bad.append(f"upper output move crosses q{q}")
        moved.append((t, want))
    if len(re.findall(r"^@\d+ MOVE ", text, re.M)) != len(lay.outputs):
        bad.append("upper output moves")
    checks = [f"@{rounds} MEASURE k{c} X:q{c}" for c in lay.checks]
    if any(lines.count(c) != 1 for c in checks) or len(re.findall(r"^@\d+ MEASURE k", text, re.M)) != len(checks):
        bad.append("upper check readout")
    qs = " ".join(f"q{q}" for q in lay.outputs)
    dec = [x for x in lines if " DECIDE " in x]
    if len(dec) != 1 or not dec[0].startswith(f"@{rounds} DECIDE a=") or \
            sorted(dec[0].split("=", 1)[1].split("|")) != sorted(f"k{c}" for c in lay.checks) or \
            f"@{rounds} IF a=0 OUTPUT {qs}" not in lines or f"@{rounds} IF a=1 DISCARD {qs}" not in lines or \
            len(re.findall(r" IF a=", text)) != 2:
        bad.append("upper decision")
    return bad
