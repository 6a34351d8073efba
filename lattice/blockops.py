"""A first-level Litinski block stated patch by patch: the protocol lines of its block body.

A ``(15-to-1)_{d_X,d_Z,d_m}`` block unit (:func:`magicpipe.lattice.units2.catalogue_unit`) states, after its
``BLOCK``, ``REGION block`` and ``OUTPUT`` lines, the protocol of its layout
(:data:`magicpipe.compiler.blocks.FIRST_LEVEL`) as instructions a backend executes. Litinski 2019 (*Magic State
Distillation: Not as Costly as You Think*, Sec. 3): the qubits in a row, the output patch ``d_X x d_X``, the
check patches ``d_Z`` wide and ``d_X`` tall, their Z boundaries up and down, and one ancilla row of height
``d_X`` above and one below; the block is ``(d_X + 4 d_Z) x 3 d_X``. Unit-local coordinates; the block region
starts at ``y = d_m`` (the output patch is below it)::

    PATCH q0 (0,24,17,17) role=output z=top,bottom       # one patch per qubit of the layout
    STEP 1 at=0 rounds=7 storage=-ccc-                   # the layout's steps, d_m rounds each
    @0 INJECT q1 rotation=+IZIII                         # a faulty T injected straight into the patch
    @0 INPUT m3 (31,48,7,7) d=7                          # a faulty |m> injected into the ancilla region
    @0 MEASURE r3 Z:q1@top Z:q2@top Z:q3@top Z:m3 rounds=7 via=(17,41,21,17) rotation=+IZZZI
    @7 MEASURE x3 X:m3                                   # the input read in X as the merge splits
    @7 IF r3=0 ROTATE Z:q1 Z:q2 Z:q3 angle=-pi/4         # the pi/4 correction (exp(-i t P), as ROTATE)
    @7 IF x3=1 FRAME Z:q1 Z:q2 Z:q3                      # the Pauli frame
    @35 MOVE q0 to=(0,0) d=7 via=(0,7,17,17) rounds=7    # the released output down to its OUTPUT patch
    @42 MEASURE k1 X:q1                                  # every check read in X (in the Pauli frame)
    @42 DECIDE a=k1|k2|k3|k4                             # a = 1 when any check reads -1
    @42 IF a=0 OUTPUT q0                                 # accept: the output leaves along the route
    @42 IF a=1 DISCARD q0                                # reject

Rotation ``k`` (the layout's order) is ``exp(i s pi/8 P)``. A single-qubit one of a qubit not yet in use is
injected (the patch starts as ``exp(i s pi/8 Z)|+>``); every other one measures ``P (x) Z_m`` with an input
``|m> = (|0> + e^{i pi/4}|1>)/sqrt2`` through the ancilla ``via`` (register ``r<k>``; ``d_m`` rounds), the
input patch inside the via (Litinski's faulty T measurement: the state is injected into the ancilla region),
then ``m`` is read in X as the merge splits (``x<k>``). The merge leaves ``exp(-i pi/8 P)`` when ``r = 0`` and
``exp(+i pi/8 P)`` when ``r = 1``, so the correction is ``IF r=1 ROTATE P angle=pi/4`` for ``s = -1`` and
``IF r=0 ROTATE P angle=-pi/4`` for ``s = +1``; ``x = 1`` adds ``P`` to the frame. Every other qubit starts in
``|+>``. Within a round: splits and their readouts, corrections, check readouts, the decision, then the
next step's injections and merges. The steps' rounds add up to the unit's ``rounds`` (the planner's
``6 d_m``, :func:`magicpipe.compiler.catalogue.one_level`); the readouts and corrections count no rounds of
their own (as the planner and the version-1 units count them), so a backend that gives the checks' readout a
round of its own decides one round later.

:func:`protocol_checks` is the validator's reading (rule ``unit``): every rotation of the layout once, in its
step order, with its Pauli string; merges on exactly the rotation's support, each patch on a Z side the via
runs along, the via in the block, clear of the register, as long as the layout's ancilla; patches one per
qubit, inside the block, disjoint; the steps' rounds adding to ``rounds``; each merge's readout and
corrections; every check read in X once; a decision over exactly the checks with both branches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from magicpipe.compiler.blocks import Layout, Rotation
from magicpipe.lattice.geometry import Rect, Tile

from magicpipe.errors import SpecError

__all__ = ["BlockOp", "Protocol", "body_checks", "parse_protocol", "protocol_checks", "protocol_lines",
           "protocol_rotations"]

_RECT = r"\((-?\d+),(-?\d+),(\d+),(\d+)\)"
_SIDE = r"(left|right|top|bottom)"
_PATCH = re.compile(r"PATCH (q\d+) " + _RECT + r" role=(output|check) z=" + _SIDE + "," + _SIDE)
_STEP = re.compile(r"STEP (\d+) at=(\d+) rounds=(\d+) storage=([-ocrw]+)")
_OP = re.compile(r"@(-?\d+) (?:IF ([a-z]+\d*)=([01]) )?([A-Z]+) (.*)")
_SHAPES = {
    "INJECT": re.compile(r"(q\d+) rotation=([+-][IZ]+)"),
    "INPUT": re.compile(r"(m\d+) " + _RECT + r" d=(\d+)(?: from=level1:(\d+) run=(-?\d+)(?: cycle=([1-9]\d*))?)?"),
    "MERGE": re.compile(r"(r\d+)((?: Z:[qm]\d+(?:@(?:left|right|top|bottom))?)+) rounds=(\d+) via=" + _RECT
                        + r" rotation=([+-][IZ]+)"),
    "READ": re.compile(r"([xk]\d+) X:([mq]\d+)"),
    "ROTATE": re.compile(r"((?:Z:q\d+ )+)angle=(-?pi/4)"),
    "FRAME": re.compile(r"(Z:q\d+(?: Z:q\d+)*)"),
    "MOVE": re.compile(r"(q\d+) to=\((-?\d+),(-?\d+)\) d=(\d+) via=" + _RECT + r" rounds=(\d+)"),
    "DECIDE": re.compile(r"a=(k\d+(?:\|k\d+)*)"),
    "ROUTE": re.compile(r"(m\d+) rounds=(\d+) path=(\(-?\d+,-?\d+,\d+,\d+\)(?:\+\(-?\d+,-?\d+,\d+,\d+\))*)"
                       r"(?: cycle=([1-9]\d*))?"),
    "OUTPUT": re.compile(r"(q\d+(?: q\d+)*)"),
    "DISCARD": re.compile(r"(q\d+(?: q\d+)*)"),
}
_OPPOSITE = {"top": "bottom", "bottom": "top", "left": "right", "right": "left"}


@dataclass(frozen=True, slots=True)
class BlockOp:
    """One timed line of a block's protocol: ``kind`` is INJECT, INPUT, MERGE, READ, ROTATE, FRAME, MOVE,
    DECIDE, OUTPUT or DISCARD; ``groups`` the fields its line shape captures."""

    t: int
    cond: tuple[str, int] | None
    kind: str
    groups: tuple[str, ...]
    line: str


@dataclass(frozen=True, slots=True)
class Protocol:
    """The parsed protocol lines of a block body."""

    patches: tuple[tuple[str, Rect, str, tuple[str, str]], ...]
    steps: tuple[tuple[int, int, int, str], ...]        # (index, at, rounds, storage)
    ops: tuple[BlockOp, ...]


def _signed(r: Rotation) -> str:
    return r.pauli if r.pauli.startswith("-") else "+" + r.pauli


def _terms(mask_letters: str) -> list[str]:
    return [f"Z:q{i}" for i, c in enumerate(mask_letters) if c == "Z"]


def _correction(r: Rotation) -> tuple[int, str]:
    """(the merge outcome that calls for the pi/4 correction, its angle) of rotation ``r`` (module docstring)."""
    return (1, "pi/4") if r.sign < 0 else (0, "-pi/4")


def _register(layout: Layout, dx: int, dz: int, y: int, x: int = 0) -> list[Rect]:
    """One patch per qubit in a row from ``(x, y)``, ``d_X`` tall: outputs ``d_X`` wide, checks ``d_Z``."""
    out = []
    for q in range(layout.qubits):
        w = dx if q in layout.outputs else dz
        out.append(Rect(x, y, w, dx))
        x += w
    return out


def protocol_lines(layout: Layout, distances: tuple[int, int, int]) -> list[str]:
    """The protocol lines of a first-level block at ``(d_X, d_Z, d_m)`` (module docstring), unit-local with the
    block region at ``(0, d_m, w_X d_X + w_Z d_Z, 3 d_X)``.

    Raises:
        SpecError: not a first-level layout, ``d_m > d_X`` (the input patch would not fit the ancilla row) or a
            step with more than two merges (one ancilla row each).

    Examples:
        >>> from magicpipe.compiler.blocks import FIRST_LEVEL
        >>> lines = protocol_lines(FIRST_LEVEL, (7, 3, 3))
        >>> lines[0], lines[5]
        ('PATCH q0 (0,10,7,7) role=output z=top,bottom', 'STEP 1 at=0 rounds=3 storage=-ccc-')
    """
    dx, dz, dm = distances
    if layout.level != "first" or len(layout.outputs) != 1:
        raise SpecError(f"layout {layout.protocol} ({layout.level} level): only a first-level block with one output "
                        f"is stated patch by patch")
    if dm > dx:
        raise SpecError(f"d_m={dm} > d_X={dx}: the input patch does not fit the ancilla row; take d_m <= d_X")
    y_low, y_reg, y_top = dm, dm + dx, dm + 2 * dx
    patches = _register(layout, dx, dz, y_reg)
    lines = [f"PATCH q{q} {r} role={'output' if q in layout.outputs else 'check'} z=top,bottom"
             for q, r in enumerate(patches)]
    used: set[int] = set()
    out = layout.outputs[0]
    k, t = 0, 0
    move: str | None = None
    for s, step in enumerate(layout.steps, start=1):
        lines.append(f"STEP {s} at={t} rounds={dm} storage={step.storage}")
        inj, ops, ends = [], [], []
        rows = iter((("top", y_top), ("bottom", y_low)))
        for r in step.rotations:
            support = [i for i, c in enumerate(r.letters) if c == "Z"]
            if r.ancilla is None:
                inj.append(f"@{t} INJECT q{support[0]} rotation={_signed(r)}")
            else:
                try:
                    side, y = next(rows)
                except StopIteration:
                    raise SpecError(f"layout {layout.protocol}: step {s} has more than two merges, one ancilla row "
                                    f"each") from None
                lo, hi = patches[support[0]], patches[support[-1]]
                via = Rect(lo.x, y, hi.x + hi.w - lo.x, dx)
                m = Rect(via.x + via.w - dm, y + dx - dm if side == "top" else y, dm, dm)
                terms = " ".join(f"Z:q{i}@{side}" for i in support)
                ops.append(f"@{t} INPUT m{k} {m} d={dm}")
                ops.append(f"@{t} MEASURE r{k} {terms} Z:m{k} rounds={dm} via={via} rotation={_signed(r)}")
                value, angle = _correction(r)
                p = " ".join(_terms(r.letters))
                ends += [f"@{t + dm} MEASURE x{k} X:m{k}", f"@{t + dm} IF r{k}={value} ROTATE {p} angle={angle}",
                         f"@{t + dm} IF x{k}=1 FRAME {p}"]
            used.update(support)
            k += 1
        lines += inj + ops + ends   # a step's injections first: its merges may use the fresh patches
        t += dm
        if move is None and step.storage[out] in "rw":   # released: moved down under the bottom row's free end
            reg = patches[out]
            move = f"@{t} MOVE q{out} to=(0,0) d={dm} via={Rect(reg.x, y_low, reg.w, dx)} rounds={dm}"
            if step.storage[out] == "w":
                raise SpecError(f"layout {layout.protocol}: an output that waits a step is not stated here")
            lines.append(move)
    lines += [f"@{t} MEASURE k{c} X:q{c}" for c in layout.checks]
    lines.append(f"@{t} DECIDE a={'|'.join(f'k{c}' for c in layout.checks)}")
    lines += [f"@{t} IF a=0 OUTPUT q{out}", f"@{t} IF a=1 DISCARD q{out}"]
    return lines


def parse_protocol(lines: Sequence[str]) -> Protocol:
    """Parse the protocol lines (PATCH, STEP and ``@t`` lines) of a block body.

    Raises:
        SpecError: a line of none of the shapes of the module docstring (quoted).
    """
    patches, steps, ops = [], [], []
    for line in lines:
        m = _PATCH.fullmatch(line)
        if m:
            patches.append((m.group(1), Rect(*(int(m.group(i)) for i in range(2, 6))), m.group(6),
                            (m.group(7), m.group(8))))
            continue
        m = _STEP.fullmatch(line)
        if m:
            steps.append((int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)))
            continue
        m = _OP.fullmatch(line)
        if m is None:
            raise SpecError(f"block protocol line {line!r} is none of PATCH, STEP, @t ...")
        t, reg, val, action, rest = m.groups()
        kind = {"MEASURE": "MERGE" if rest.startswith("r") else "READ"}.get(action, action)
        shape = _SHAPES.get(kind)
        if shape is None:
            raise SpecError(f"block protocol line {line!r}: {action} is no block protocol action (INJECT, INPUT, "
                            f"MEASURE, ROTATE, FRAME, MOVE, ROUTE, DECIDE, OUTPUT, DISCARD)")
        got = shape.fullmatch(rest)
        if got is None:
            raise SpecError(f"block protocol line {line!r}: {action} does not take {rest!r}")
        ops.append(BlockOp(int(t), (reg, int(val)) if reg else None, kind, got.groups(), line))
    return Protocol(tuple(patches), tuple(steps), tuple(ops))


def protocol_rotations(proto: Protocol) -> list[list[str]]:
    """The signed Pauli strings the protocol's injections and merges apply, grouped by step (in order)."""
    starts = [at for _, at, _, _ in proto.steps]
    out: list[list[str]] = [[] for _ in starts]
    for op in proto.ops:
        if op.kind in ("INJECT", "MERGE") and op.t in starts:
            out[starts.index(op.t)].append(op.groups[-1])
    return out


def _touches(via: Rect, patch: Rect, side: str) -> bool:
    """``via`` runs along the whole ``side`` of ``patch``, outside it."""
    if side in ("top", "bottom"):
        y_ok = via.y == patch.y + patch.h if side == "top" else via.y + via.h == patch.y
        return y_ok and via.x <= patch.x and patch.x + patch.w <= via.x + via.w
    x_ok = via.x == patch.x + patch.w if side == "right" else via.x + via.w == patch.x
    return x_ok and via.y <= patch.y and patch.y + patch.h <= via.y + via.h


def protocol_checks(layout: Layout, distances: tuple[int, ...], rounds: int, block: Rect, output: Tile,
                    proto: Protocol) -> Iterator[str]:
    """Every way ``proto`` fails to state ``layout`` at ``distances`` (module docstring); nothing if it does."""
    dx, dz, dm = distances[:3]
    yield from _patch_checks(layout, dx, dz, block, proto)
    yield from _step_checks(layout, dm, rounds, proto)
    patches = {name: r for name, r, _, _ in proto.patches}
    zsides = {name: z for name, _, _, z in proto.patches}
    rots = list(layout.rotations)
    inputs = {op.groups[0]: op for op in proto.ops if op.kind == "INPUT"}
    named = sorted(op.groups[0] for op in proto.ops if op.kind == "INPUT")
    if named != sorted(f"m{op.groups[0][1:]}" for op in proto.ops if op.kind == "MERGE"):
        yield f"INPUT lines {' '.join(named)}: one input patch m<k> per merge r<k>"
    merges = [op for op in proto.ops if op.kind == "MERGE"]
    steps = {at: n for _, at, n, _ in proto.steps}
    for op in proto.ops:
        if op.kind == "ROUTE" or op.t < 0:
            yield f"{op.line!r}: a first-level block's lines run from round 0 and route nothing (inputs are injected)"
    for op in proto.ops:
        if op.kind != "INJECT":
            continue
        q, rot = op.groups
        letters = rot[1:]
        if letters.count("Z") != 1 or f"q{letters.index('Z')}" != q or any(
                m.t < op.t and f":{q}@" in m.groups[1] for m in merges):
            yield f"{op.line!r}: an injection starts a fresh patch, its rotation on that qubit alone"
    busy: dict[int, list[tuple[Rect, str]]] = {}
    for op in merges:
        reg, termtext, _rounds, *v, rot = op.groups
        k = int(reg[1:])
        via = Rect(*map(int, v))
        if k >= len(rots) or _signed(rots[k]) != rot:
            yield f"{op.line!r}: its register r{k} names rotation {k} of the layout, not {rot}"
            continue
        r = rots[k]
        support = {f"q{i}" for i, c in enumerate(r.letters) if c == "Z"}
        terms = [t.split(":", 1)[1] for t in termtext.split()]
        named = [t.split("@")[0] for t in terms if t.startswith("q")]
        if sorted(named) != sorted(support) or f"m{k}" not in terms:
            yield (f"{op.line!r}: the merge of rotation {rot} names {' '.join(sorted(named))} and its input; it "
                   f"merges exactly the support {' '.join(sorted(support))} with m{k}")
        for t in terms:
            if not t.startswith("q") or "@" not in t:
                continue
            q, side = t.split("@")
            if q in patches and (side not in zsides[q] or not _touches(via, patches[q], side)):
                yield (f"{op.line!r}: {q}@{side}: a merge takes a Z side of {q} ({','.join(zsides[q])}) that its "
                       f"via {via} runs along")
        length = r.ancilla_length(dx, dz, dm)
        if (via.w, via.h) != (length, dx) or not block.contains(via) or any(via.overlaps(p) for p in patches.values()):
            yield (f"{op.line!r}: the via {via} is not an ancilla of the layout's length {length:g} x {dx} inside the "
                   f"block {block}, clear of the register")
        m = inputs.get(f"m{k}")
        square = Rect(*map(int, m.groups[1:5])) if m else None
        if m is None or square is None or m.t != op.t or not via.contains(square) or \
                (square.w, square.h, int(m.groups[5])) != (dm, dm, dm) or m.groups[6] is not None:
            yield f"{op.line!r}: its input m{k} is not a d_m={dm} patch injected into its via in its round"
        if int(_rounds) != steps.get(op.t, -1):
            yield f"{op.line!r}: a merge lasts its step's {steps.get(op.t, '?')} rounds"
        for other, line in busy.get(op.t, []):
            if other.overlaps(via):
                yield f"{op.line!r}: its via overlaps that of {line!r}, merged at the same time"
        busy.setdefault(op.t, []).append((via, op.line))
        yield from _follow_ups(op, k, r, proto)
    yield from _end_checks(layout, rounds, output, dm, proto)


def _patch_checks(layout: Layout, dx: int, dz: int, block: Rect, proto: Protocol) -> Iterator[str]:
    names = [name for name, *_ in proto.patches]
    if names != [f"q{q}" for q in range(layout.qubits)]:
        yield f"PATCH lines {' '.join(names) or '(none)'}: one patch per qubit of the layout, q0..q{layout.qubits - 1}"
    for i, (name, r, role, z) in enumerate(proto.patches):
        q = int(name[1:])
        want = ("output", dx) if q in layout.outputs else ("check", dz)
        if (role, r.w, r.h) != (want[0], want[1], dx) or _OPPOSITE[z[0]] != z[1]:
            yield (f"PATCH {name}: an {want[0]} patch is {want[1]} wide and {dx} tall with two opposite Z sides, "
                   f"not role={role} {r.w} x {r.h} z={','.join(z)}")
        if not block.contains(r):
            yield f"PATCH {name} at {r} is outside the block {block}"
        for other, r2, _, _ in proto.patches[:i]:
            if r.overlaps(r2):
                yield f"PATCH {name} at {r} overlaps {other} at {r2}"


def _step_checks(layout: Layout, dm: int, rounds: int, proto: Protocol) -> Iterator[str]:
    t = 0
    for k, (index, at, n, storage) in enumerate(proto.steps, start=1):
        want = layout.steps[k - 1].storage if k <= len(layout.steps) else "?"
        if (index, at, n, storage) != (k, t, dm, want):
            yield (f"STEP {index} at={at} rounds={n} storage={storage}: step {k} starts at {t}, lasts d_m={dm} "
                   f"rounds, then stores {want}")
        t = at + n
    if sum(n for *_, n, _ in proto.steps) != rounds:
        yield (f"the steps' rounds add up to {sum(n for *_, n, _ in proto.steps)}, not the unit's rounds={rounds}")
    got = [sorted(s) for s in protocol_rotations(proto)]
    want_steps = [sorted(_signed(r) for r in s.rotations) for s in layout.steps]
    if got != want_steps:
        for k, (a, b) in enumerate(zip(got + [[]] * len(want_steps), want_steps), start=1):
            if a != b:
                yield (f"step {k} applies rotations {' '.join(a) or '(none)'}; the layout's step {k} is "
                       f"{' '.join(b)} (every rotation once, in its step order)")
                return
        yield "the protocol applies rotations after the layout's last step"


def _follow_ups(op: BlockOp, k: int, r: Rotation, proto: Protocol) -> Iterator[str]:
    """The merge's readout as it splits and its two corrections, each once."""
    end = op.t + int(op.groups[2])
    p = "".join(t + " " for t in _terms(r.letters))
    value, angle = _correction(r)
    want = {("READ", None, (f"x{k}", f"m{k}")), ("ROTATE", (f"r{k}", value), (p, angle)),
            ("FRAME", (f"x{k}", 1), (p.strip(),))}
    found = [(o.kind, o.cond, o.groups) for o in proto.ops if o.t == end and (
        (o.kind == "READ" and o.groups[0] == f"x{k}") or (o.cond and o.cond[0] in (f"r{k}", f"x{k}")))]
    for w in sorted(want, key=str):
        if found.count(w) != 1:
            what = {"READ": f"MEASURE x{k} X:m{k}", "ROTATE": f"IF r{k}={value} ROTATE {p}angle={angle}",
                    "FRAME": f"IF x{k}=1 FRAME {p.strip()}"}[w[0]]
            yield f"{op.line!r}: '@{end} {what}' follows it once as it splits"
    extra = [f for f in found if f not in want]
    if extra:
        yield f"{op.line!r}: an unexpected readout or correction of its registers at {end}"


def _end_checks(layout: Layout, rounds: int, output: Tile, dm: int, proto: Protocol) -> Iterator[str]:
    reads = [o for o in proto.ops if o.kind == "READ" and o.groups[0].startswith("k")]
    want = sorted(f"q{c}" for c in layout.checks)
    got = sorted(o.groups[1] for o in reads)
    if got != want or any(o.t != rounds or o.groups[0] != "k" + o.groups[1][1:] for o in reads):
        yield (f"the checks read in X at round {rounds} are {' '.join(got) or '(none)'}; every check "
               f"{' '.join(want)} is read once, as k<i> X:q<i>")
    decide = [o for o in proto.ops if o.kind == "DECIDE"]
    regs = sorted(f"k{c}" for c in layout.checks)
    if len(decide) != 1 or sorted(decide[0].groups[0].split("|")) != regs or decide[0].t != rounds:
        yield f"one DECIDE a={'|'.join(regs)} at round {rounds}: the decision reads exactly the checks"
    out = f"q{layout.outputs[0]}"
    branches = sorted((o.cond, o.kind, o.groups[0], o.t) for o in proto.ops if o.kind in ("OUTPUT", "DISCARD"))
    if branches != [(("a", 0), "OUTPUT", out, rounds), (("a", 1), "DISCARD", out, rounds)]:
        yield f"the decision is not total: IF a=0 OUTPUT {out} and IF a=1 DISCARD {out}, at round {rounds}"
    moves = [o for o in proto.ops if o.kind == "MOVE"]
    if len(moves) != 1 or moves[0].groups[0] != out or (int(moves[0].groups[1]), int(moves[0].groups[2])) != \
            (output.x, output.y) or int(moves[0].groups[3]) != dm or int(moves[0].groups[8]) != dm or \
            moves[0].t + dm > rounds:
        yield (f"the output {out} moves once to its OUTPUT patch {output} (d={dm}), one lattice-surgery move of "
               f"{dm} rounds ending by round {rounds}")
    elif any(o.kind == "MERGE" and o.t + int(o.groups[2]) > moves[0].t and f":{out}@" in o.groups[1]
             for o in proto.ops):
        yield f"{moves[0].line!r}: the output moves while a merge still uses it"
    else:
        mv, t = Rect(*map(int, moves[0].groups[4:8])), moves[0].t
        patch = {name: r for name, r, _, _ in proto.patches}.get(out)
        below = Rect(output.x, output.y, dm, dm)
        if patch is None or not _touches(mv, patch, "bottom") or mv.y != below.y + below.h or \
                not (mv.x <= below.x and below.x + below.w <= mv.x + mv.w):
            yield f"{moves[0].line!r}: its via runs from {out}'s bottom side down to the OUTPUT patch {below}"
        for o in proto.ops:
            if o.kind == "MERGE" and o.t < t + int(moves[0].groups[8]) and t < o.t + int(o.groups[2]) and \
                    Rect(*map(int, o.groups[3:7])).overlaps(mv):
                yield f"{moves[0].line!r}: its via crosses that of {o.line!r}, in flight"


def body_checks(unit: Any, first: bool, block: Sequence[Rect], lines: Sequence[str]) -> Iterator[str]:
    """The protocol rules of a block ``unit`` whose body has the protocol ``lines``: ``first`` (a first-level
    Litinski block, whose one ``REGION block`` is ``block``) must state them, any other block must not."""
    from magicpipe.compiler.blocks import get_layout

    if not first:
        if lines:
            yield "PATCH, STEP and @t lines belong to first-level Litinski blocks only"
        return
    if not lines or len(block) != 1 or len(unit.distances) != 3:
        yield ("a first-level Litinski block states its REGION block and its protocol patch by patch (PATCH, "
               "STEP and @t lines: lattice/blockops.py)")
        return
    try:
        proto = parse_protocol(lines)
    except SpecError as e:
        yield str(e)
        return
    yield from protocol_checks(get_layout("15-to-1", "first"), unit.distances, unit.rounds, block[0], unit.output,
                               proto)
