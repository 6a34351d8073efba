"""Mutation test of the validators: random single-line edits of streams the planner writes, and an independent
replay of every mutant the validator accepts.

A mutant is one edit of one line of a valid stream: the line deleted, duplicated, swapped with the next, or
one of its integers moved by +-1 or set to 0. Each is parsed and checked; a mutant that parses and checks clean
is *accepted*, and is then replayed by :func:`independent_replay` -- a second, simpler implementation of the
version-2 semantics written without the validator's code (every REPEAT written out, brute-force overlaps,
per-port occupancy by sweeping arrivals and frees). An accepted mutant that the independent replay finds
broken is a *missed violation*; the goal is zero. Accepted mutants the replay finds sound are harmless edits
(e.g. two lines of one round swapped).

``python -m magicpipe.lattice.mutate --mutants 600 --seed 1`` runs it on the version-2 streams of
:func:`sample_streams` and prints the outcomes; ``--v1`` mutates the version-1 corpus and lists the accepted
mutants that differ from their original (there is no independent version-1 replay yet); the tests run a small
seeded version.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import os
import random
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from magicpipe.compiler.hardware import patch_qubits
from magicpipe.lattice.geometry import Rect, Tile
from magicpipe.lattice.stream2 import POLICY, Op, ProgramStream

from magicpipe.errors import MagicpipeError

__all__ = ["block_streams", "ccz_streams", "composed_streams", "independent_replay", "mutants", "run",
           "sample_streams"]

_INT = re.compile(r"\d+")


def mutants(text: str, rng: random.Random, count: int) -> Iterator[tuple[str, str]]:
    """``count`` (description, mutated text) pairs, each one edit of one line."""
    lines = text.splitlines(keepends=True)
    for _ in range(count):
        k = rng.randrange(1, len(lines))
        kind = rng.choice(("delete", "duplicate", "swap", "number", "number", "number"))
        new = list(lines)
        if kind == "delete":
            del new[k]
        elif kind == "duplicate":
            new.insert(k, lines[k])
        elif kind == "swap" and k + 1 < len(lines):
            new[k], new[k + 1] = lines[k + 1], lines[k]
        else:
            numbers = list(_INT.finditer(lines[k]))
            if not numbers:
                continue
            m = rng.choice(numbers)
            value = int(m.group())
            v = rng.choice((value + 1, max(value - 1, 0), 0))
            if v == value:
                continue
            new[k] = lines[k][:m.start()] + str(v) + lines[k][m.end():]
            kind = f"number {value}->{v}"
        yield f"line {k + 1} {kind}: {lines[k].strip()[:70]}", "".join(new)


def _flat(ops: Iterable[Op], shift: int = 0) -> Iterator[Op]:
    for op in ops:
        if op.action == "REPEAT":
            for k in range(op.count):
                yield from _flat(op.body, shift + op.time + k * op.period)
        else:
            yield dataclasses.replace(op, time=op.time + shift)


def _touches(a: Rect, b: Rect) -> bool:
    horizontal = min(a.x + a.w, b.x + b.w) > max(a.x, b.x) and (b.y == a.y + a.h or a.y == b.y + b.h)
    vertical = min(a.y + a.h, b.y + b.h) > max(a.y, b.y) and (b.x == a.x + a.w or a.x == b.x + b.w)
    return horizontal or vertical


def independent_replay(s: ProgramStream, reference: ProgramStream | None = None) -> list[str]:
    """What is wrong with ``s`` (empty when sound), by direct simulation of the written-out stream.

    ``reference``: the stream the mutant came from; the unit's version-1 stream must be unchanged from it
    (the version-1 validator, tested by its own corpus, is the authority on a unit's inside).
    """
    h = s.header
    bad: list[str] = []
    D = h.data_distance
    units = {u.name: u for u in h.units}
    if reference is not None and h.units != reference.header.units:
        from magicpipe.grammar.parser import parse
        from magicpipe.lattice.validate import check

        for u in h.units:
            if u.text.startswith("BLOCK "):
                bad += _block_problems(u)
                continue
            pre = f"MAGICPIPE_LSI 1\nHARDWARE p={h.p!r} eps={h.eps!r} t_2q_ns={h.t_2q_ns!r} t_meas_ns={h.t_meas_ns!r}\n"
            try:
                v1 = parse(pre + u.text)
            except MagicpipeError as e:
                bad.append(f"unit does not parse: {e}")
                continue
            if check(v1):
                bad.append("unit breaks a version-1 rule")
            outs = [i for i in v1.instructions if i.action == "OUTPUT" and i.peer == "program"]
            if not outs or u.rounds != outs[-1].time or u.outputs != len(outs) or u.qubits != v1.header.qubit_budget \
                    or (u.width, u.height) != (v1.header.width, v1.header.height):
                bad.append("unit declarations do not match its stream")
            ref = {x.name: x for x in reference.header.units}.get(u.name)
            if ref is not None and (u.output != ref.output or u.checks != ref.checks):
                bad.append("unit output or checks changed")
    # -- header ---------------------------------------------------------------------------------------
    if D % 2 == 0 or D < 3 or any(d % 2 == 0 or d < 3 for u in h.units for d in u.distances):
        bad.append("even distance")
    n = h.data_count if h.data_count >= 0 else len(h.data)
    if sorted(p.index for p in h.data) != list(range(n)) or any(p.d != D for p in h.data):
        bad.append("data patches not 0..n-1 at the program's distance")
    if tuple(h.policy) != POLICY:
        bad.append("policy")
    if sum(t.layers * t.states for t in h.timeline) != h.t_count or \
            sum(t.layers * t.ccz for t in h.timeline) != h.ccz_count:
        bad.append("timeline does not add up to t_count and ccz_count")
    rects = [p.rect for p in h.data] + [b.rect for b in h.buses] + \
        [Rect(p.tile.x, p.tile.y, p.d * p.lanes, p.d * p.capacity) for p in h.ports]
    for c in h.copies:
        unit = units.get(c.unit)
        if unit is None:
            bad.append("copy of an unknown unit")
            return bad
        rects.append(Rect(c.origin.x, c.origin.y, unit.width, unit.height))
    for i, ra in enumerate(rects):
        if ra.x < 0 or ra.y < 0 or ra.x + ra.w > h.width or ra.y + ra.h > h.height:
            bad.append(f"{ra} off the floor plan")
        for rb in rects[:i]:
            if ra.x < rb.x + rb.w and rb.x < ra.x + ra.w and ra.y < rb.y + rb.h and rb.y < ra.y + ra.h:
                bad.append(f"{ra} overlaps {rb}")
    need = sum(2 * p.d * p.d - 1 for p in h.data) + sum(2 * b.rect.w * b.rect.h for b in h.buses) + \
        sum(p.capacity * p.lanes * patch_qubits(p.d) for p in h.ports) + sum(units[c.unit].qubits for c in h.copies)
    if need > h.qubit_budget:
        bad.append("over budget")
    ports = {p.index: p for p in h.ports}
    data_by = {p.index: p for p in h.data}
    if sorted(ports) != list(range(len(h.ports))) or sorted(c.port for c in h.copies) != sorted(
        set(c.port for c in h.copies)
    ):
        bad.append("ports")
    for c in h.copies:
        u = units[c.unit]
        port = ports.get(c.port)
        if port is None:
            bad.append("copy without port")
            continue
        d = u.distances[-1]
        n = 3 if " kind=CCZ" in u.text.split("\n", 1)[0] else 1   # a CCZ state: three patches side by side
        if port.lanes != n:
            bad.append(f"port {port.index} lanes")
        path = [Rect(t.x, t.y, n * d, d) for t in c.route[:-1]] + [Rect(c.route[-1].x, c.route[-1].y, n * D, D)]
        if c.route[0] != Tile(c.origin.x + u.output.x, c.origin.y + u.output.y) or \
                c.route[-1] != Tile(port.tile.x, port.tile.y + (port.capacity - 1) * port.d) or \
                not all(_touches(a, b) for a, b in zip(path, path[1:])):
            bad.append(f"route of copy {c.index}")
    if bad:
        return bad
    # -- operations, written out ----------------------------------------------------------------------
    ops = list(_flat(s.ops))
    if any(b.time < a.time for a, b in zip(ops, ops[1:])):
        return ["time goes back"]
    trace = h.mode == "trace"
    copies = {c.index: c for c in h.copies}
    run_start: dict[int, int] = {}
    free_from: dict[int, int] = collections.defaultdict(int)
    decisions: dict[tuple[int, int], list[Any]] = {}
    arrivals: dict[int, list[int]] = collections.defaultdict(list)     # port -> arrival rounds
    takes = collections.defaultdict(list)        # port -> (merge round, free round)
    merges: list[tuple[int, int, Rect, int]] = []
    pending: dict[int, dict[str, Any]] = {}
    layers: list[tuple[int, int]] = []           # (round, states)
    zz_in_layer: list[int] = []
    ccz_layers: list[int] = []                   # CCZ states each layer says it takes
    ccz_in_layer: list[int] = []
    ccz_done = 0
    runs = accepted = rejected = consumed = 0
    tally = None
    for op in ops:
        a = op.action
        if a == "RUN":
            if op.copy in run_start or op.time < free_from[op.copy] or op.copy not in copies:
                bad.append(f"RUN C{op.copy} at {op.time}")
            run_start[op.copy] = op.time
            runs += 1
        elif a == "DECIDE":
            st = run_start.pop(op.copy, None)
            unit = units[copies[op.copy].unit]
            tau = _tau(unit)
            if tau is None:
                length = unit.rounds if op.attempts == 0 else -1
            else:   # a cultivation run: its attempts, each tau rounds on average, rounded half up, at least 1
                length = max(1, int(op.attempts * tau + 0.5)) if op.attempts >= 1 else -1
            if st is None or op.time != st + length or op.reg != f"a{op.copy}" \
                    or op.checks != unit.checks or (op.outcome >= 0) != trace:
                bad.append(f"DECIDE C{op.copy} at {op.time}")
            decisions[(op.copy, op.time)] = [op.outcome, set()]
            free_from[op.copy] = op.time
        elif a in ("OUTPUT", "DISCARD"):
            dec = decisions.get((op.copy, op.time))
            value = 0 if a == "OUTPUT" or op.reason == "full" else 1
            if dec is None or value in dec[1]:
                bad.append(f"{a} without its decision")
                continue
            dec[1].add(value)
            if trace and (op.cond is not None or dec[0] != value):
                bad.append(f"{a} not the taken branch")
            if not trace and op.cond != (f"a{op.copy}", value):
                bad.append(f"{a} not conditioned")
            u = units[copies[op.copy].unit]
            if a == "DISCARD" and (op.count != u.outputs or op.reason not in ("rejected", "full")):
                bad.append("DISCARD count")
            if a == "OUTPUT":
                c = copies[op.copy]
                n_out = op.count or 1
                step = u.distances[-1]    # a route is one move: d rounds at the output patch's distance
                if op.port != c.port or op.rounds != step or n_out != u.outputs:
                    bad.append("OUTPUT port, rounds or count")
                if trace or value == 0:   # a train: one state a move along the route
                    accepted += n_out
                    arrivals[op.port].extend(op.time + op.rounds + j * step for j in range(n_out))
                    free_from[op.copy] = op.time + op.rounds + (n_out - 1) * step
            elif trace and op.reason != "full":
                rejected += 1
        elif a == "LAYER":
            layers.append((op.time, op.states))
            zz_in_layer.append(0)
            ccz_layers.append(op.ccz)
            ccz_in_layer.append(0)
        elif a == "MEASURE":
            pts = [t for t in op.terms if t.kind == "p"]
            if len(pts) != 1:
                bad.append("MEASURE without one port")
                continue
            p = pts[0].index
            data = [t for t in op.terms if t.kind == "q"]
            if pts[0].lane >= 0 or ports[p].lanes > 1:
                problem = _ccz_measure(op, ports[p], data_by, h, pending, merges, trace, D)
                if problem:
                    bad.append(problem)
                    continue
                use = pending[p]
                if len(use["lanes"]) == 1 and "counted" not in use and layers:
                    ccz_in_layer[-1] += 1
                    use["counted"] = True
                if use["need"] == []:   # a trace whose outcomes call for no correction
                    takes[p].append((use["t"], use["x"] + 1))
                    del pending[p]
                    consumed += 1
                    ccz_done += 1
                merges = [m for m in merges if m[1] > op.time - 4 * D]
                continue
            if data:
                if (
                    p in pending
                    or not layers
                    or op.rounds != D
                    or op.reg != f"z{p}"
                    or any(t.basis != "Z" for t in op.terms)
                ):
                    bad.append(f"merge at port {p} round {op.time}")
                    continue
                if op.time >= (layers[-1][0] if layers else 0) and zz_in_layer:
                    zz_in_layer[-1] += 1
                via = op.via
                if via is None or not any(b.rect.x <= via.x and via.x + via.w <= b.rect.x + b.rect.w and
                                          b.rect.y <= via.y and via.y + via.h <= b.rect.y + b.rect.h for b in h.buses):
                    bad.append("via off the bus")
                    continue
                for t in data + pts:
                    patch = data_by.get(t.index) if t.kind == "q" else None
                    if t.kind == "q" and patch is None:
                        bad.append(f"unknown data patch {t.index}")
                        continue
                    rect = patch.rect if patch is not None else Rect(ports[p].tile.x, ports[p].tile.y, D, D)
                    z = patch.z if patch is not None else ports[p].z
                    side_ok = {"top": via.y == rect.y + rect.h, "bottom": via.y + via.h == rect.y,
                               "left": via.x + via.w == rect.x, "right": via.x == rect.x + rect.w}.get(t.side, False)
                    overlap_x = min(rect.x + rect.w, via.x + via.w) > max(rect.x, via.x)
                    overlap_y = min(rect.y + rect.h, via.y + via.h) > max(rect.y, via.y)
                    if t.side not in z or not side_ok or not (overlap_x if t.side in ("top", "bottom") else overlap_y):
                        bad.append(f"merge side {t}")
                for (t0, t1, r, q) in merges:
                    if t0 < op.time + D and op.time < t1:
                        if r.x < via.x + via.w and via.x < r.x + r.w and r.y < via.y + via.h and via.y < r.y + r.h:
                            bad.append("bus collision")
                        if q in [t.index for t in data]:
                            bad.append("data patch in two merges")
                for t in data:
                    merges.append((op.time, op.time + D, via, t.index))
                merges = [m for m in merges if m[1] > op.time - 4 * D]
                pending[p] = {"t": op.time, "q": tuple(t.index for t in data), "z": op.outcome, "x": None,
                              "need": None}
            else:
                cons = pending.get(p)
                if cons is None or cons["x"] is not None or op.time != cons["t"] + D or op.reg != f"x{p}" \
                        or op.rounds != 1 \
                        or op.terms[0].basis != "X":
                    bad.append(f"readout at port {p} round {op.time}")
                    continue
                cons["x"] = op.time
                cons["xo"] = op.outcome
                cons["need"] = {"ROTATE", "FRAME"} if not trace else \
                    ({"ROTATE"} if cons["z"] == 1 else set()) | ({"FRAME"} if op.outcome == 1 else set())
                if not cons["need"]:
                    takes[p].append((cons["t"], op.time + 1))
                    del pending[p]
                    consumed += 1
        elif a in ("ROTATE", "FRAME") and any(c.get("ccz") and c["need"] for c in pending.values()) and \
                _ccz_correction(op, pending, trace):
            for p in [p for p, c in pending.items() if c.get("ccz") and c["need"] == []]:
                takes[p].append((pending[p]["t"], pending[p]["x"] + 1))
                del pending[p]
                consumed += 1
                ccz_done += 1
        elif a in ("ROTATE", "FRAME"):
            qs = tuple(t.index for t in op.terms if t.kind == "q")
            reg = "z" if a == "ROTATE" else "x"
            hit = [p for p, c in pending.items() if not c.get("ccz") and c["need"] and a in c["need"] and
                   c["q"] == qs and (trace or op.cond == (f"{reg}{p}", 1))]
            if not hit or (a == "ROTATE" and op.angle != "pi/4") or (trace and op.cond is not None):
                bad.append(f"{a} at {op.time}")
                continue
            cons = pending[hit[0]]
            if op.time < cons["x"] + 1:
                bad.append(f"{a} before its readout")
            cons["need"].discard(a)
            if not cons["need"]:
                takes[hit[0]].append((cons["t"], cons["x"] + 1))
                del pending[hit[0]]
                consumed += 1
        elif a == "TALLY":
            tally = op.tally
    for (cp, when), (outcome, seen) in decisions.items():
        if seen != ({0, 1} if not trace else {outcome}):
            bad.append(f"decision of C{cp} at {when} not total")
    if pending or run_start:
        bad.append("unfinished consumption or run")
    # ports: every merge finds an arrived state, occupancy within capacity
    step_of = {c.port: units[c.unit].distances[-1] for c in h.copies}   # a route's move: d rounds
    for p, port in ports.items():
        arr = sorted(arrivals[p])
        tk = sorted(takes[p])
        sp = step_of.get(p, 1)
        if len(tk) > len(arr) or any(tk[i][0] < arr[i] for i in range(len(tk))):
            bad.append(f"port {p} merged before its state arrived")
        # a state whose move began before the previous readout lands above and steps down (D rounds)
        if any(tk[i][0] < max(arr[i], tk[i - 1][1] - 1) + D for i in range(1, min(len(tk), len(arr)))
               if tk[i - 1][1] - 1 > arr[i] - sp):
            bad.append(f"port {p} merged a state before it stepped down")
        # a state takes its port tile from its move's start
        events = [(t - sp + 1, 1) for t in arr] + [(f, -1) for _, f in tk]
        level = 0
        for _, dv in sorted(events, key=lambda e: (e[0], e[1])):
            level += dv
            if level > port.capacity:
                bad.append(f"port {p} over capacity")
                break
    # the program's layers against the timeline
    want = [(seg.start + i * seg.rounds, seg.states, seg.rounds) for seg in h.timeline for i in range(seg.layers)]
    if len(layers) != len(want) or any(st != w[1] for (_, st), w in zip(layers, want)):
        bad.append("layers do not follow the timeline")
    else:
        prev = None
        for (when, _), (planned, _, rounds) in zip(layers, want):
            if when < planned or (prev is not None and when < prev[0] + prev[1]):
                bad.append(f"layer at {when} early")
            prev = (when, rounds)
        if zz_in_layer != [w[1] for w in want]:
            bad.append("merges per layer")
        if ccz_layers != ccz_in_layer or ccz_layers != [seg.ccz for seg in h.timeline for _ in range(seg.layers)]:
            bad.append("CCZ states per layer")
    left = sum(len(arrivals[p]) for p in ports) - consumed
    mine = (runs, accepted, rejected, consumed, left, consumed - ccz_done) + ((ccz_done,) if h.ccz_count else ())
    if tally is None or tuple(tally) != mine or consumed - ccz_done != h.t_count or ccz_done != h.ccz_count:
        bad.append("tally")
    return bad


def _ccz_measure(op: Op, port: Any, data_by: dict[int, Any], h: Any, pending: dict[int, dict[str, Any]],
                 merges: list[tuple[int, int, Rect, int]], trace: bool, D: int) -> str:
    """A CCZ lane's merge or readout (grammar/README.md): '' if sound, else what is wrong."""
    pt = next(t for t in op.terms if t.kind == "p")
    p, j = port.index, pt.lane
    data = [t for t in op.terms if t.kind == "q"]
    if port.lanes != 3 or j not in (0, 1, 2):
        return f"CCZ lane {pt}"
    cons = pending.get(p)
    if data:
        if cons is not None and (not cons.get("ccz") or j in cons["lanes"]):
            return f"merge at port {p} round {op.time}"
        if len(data) != 1 or op.rounds != D or op.reg != f"z{p}.{j}" or any(t.basis != "Z" for t in op.terms):
            return f"merge at port {p} round {op.time}"
        via, q = op.via, data[0].index
        patch = data_by.get(q)
        lane = Rect(port.tile.x + j * D, port.tile.y, D, D)
        if via is None or patch is None or not any(
                b.rect.x <= via.x and via.x + via.w <= b.rect.x + b.rect.w and b.rect.y <= via.y and
                via.y + via.h <= b.rect.y + b.rect.h for b in h.buses):
            return "via off the bus"
        for rect, side, z in ((patch.rect, data[0].side, patch.z), (lane, pt.side, port.z)):
            ok = {"top": via.y == rect.y + rect.h, "bottom": via.y + via.h == rect.y}.get(side, False)
            if side not in z or not ok or not min(rect.x + rect.w, via.x + via.w) > max(rect.x, via.x):
                return f"merge side {side}"
        for (t0, t1, r, other) in merges:
            if t0 < op.time + D and op.time < t1:
                if r.x < via.x + via.w and via.x < r.x + r.w and r.y < via.y + via.h and via.y < r.y + r.h:
                    return "bus collision"
                if other == q:
                    return "data patch in two merges"
        if cons is None:
            cons = pending[p] = {"ccz": True, "t": op.time, "lanes": {}, "x": None, "need": None, "values": {}}
        if q in [v[1] for v in cons["lanes"].values()]:
            return "a CCZ state on a data patch twice"
        cons["lanes"][j] = (op.time, q)
        cons["values"][f"z{p}.{j}"] = op.outcome
        merges.append((op.time, op.time + D, via, q))
        return ""
    if cons is None or not cons.get("ccz") or j not in cons["lanes"] or f"x{p}.{j}" in cons["values"] \
            or op.time != cons["lanes"][j][0] + D or op.reg != f"x{p}.{j}" or op.rounds != 1 \
            or op.terms[0].basis != "X":
        return f"readout at port {p} round {op.time}"
    cons["values"][f"x{p}.{j}"] = op.outcome
    if len(cons["lanes"]) == 3 and all(f"x{p}.{k}" in cons["values"] for k in range(3)):
        cons["x"] = op.time
        qs = [cons["lanes"][k][1] for k in range(3)]
        need = []
        for k in range(3):   # the CZ of the other two when lane k's merge reads 1
            a, b = [m for m in range(3) if m != k]
            need += [(f"z{p}.{k}", "ROTATE", (qs[a],), "pi/4"), (f"z{p}.{k}", "ROTATE", (qs[b],), "pi/4"),
                     (f"z{p}.{k}", "ROTATE", (qs[a], qs[b]), "-pi/4")]
        for k in range(3):   # Z when both other merges read 1
            a, b = [m for m in range(3) if m != k]
            need.append((f"z{p}.{a}&z{p}.{b}", "FRAME", (qs[k],), ""))
        need += [(f"x{p}.{k}", "FRAME", (qs[k],), "") for k in range(3)]
        if trace:
            need = [n for n in need if all(cons["values"].get(r) == 1 for r in n[0].split("&"))]
        cons["need"] = need
    return ""


def _ccz_correction(op: Op, pending: dict[int, dict[str, Any]], trace: bool) -> bool:
    """Take ``op`` as one of a CCZ consumption's corrections (True), or leave it (False)."""
    qs = tuple(t.index for t in op.terms if t.kind == "q")
    for cons in pending.values():
        if not cons.get("ccz") or not cons["need"] or op.time < cons["x"] + 1:
            continue
        for k, (reg, action, want, angle) in enumerate(cons["need"]):
            if (action, want, angle) == (op.action, qs, op.angle) and len(qs) == len(op.terms) and \
                    ((trace and op.cond is None) or (not trace and op.cond == (reg, 1))):
                del cons["need"][k]
                return True
    return False


def _tau(unit: Any) -> float | None:
    """A cultivation block's attempt rounds, read here without the lattice's parser (None: another unit)."""
    m = re.search(r"^ATTEMPT rounds=(\S+) keep=(\S+)$", unit.text, re.M)
    return float(m.group(1)) if m and unit.text.startswith("BLOCK method=cultivation ") else None


def _block_problems(u: Any) -> list[str]:
    """A block body checked from its text (an independent reading of ``lattice/units2.py``'s rules)."""
    bad: list[str] = []
    head = dict(kv.split("=", 1) for kv in u.text.splitlines()[0].split()[1:] if "=" in kv)
    if [head.get(k) for k in ("qubits", "outputs", "checks", "rounds", "protocol")] != \
            [str(u.qubits), str(u.outputs), str(u.checks), str(u.rounds), u.protocol]:
        bad.append("block facts differ from the UNIT line")
    if 2 * u.width * u.height < u.qubits:
        bad.append("block rectangle too small")
    boxes = []
    for m in re.finditer(r"^REGION \S+(?: \d+)? \((\d+),(\d+),(\d+),(\d+)\) d=\d+$", u.text, re.M):
        x, y, w, hh = map(int, m.groups())
        if w < 1 or hh < 1 or x + w > u.width or y + hh > u.height:
            bad.append("region off the block")
        boxes.append((x, y, w, hh))
    outs = re.findall(r"^OUTPUT \d+ \((\d+),(\d+)\) d=(\d+) side=(\w+)(?: lanes=(\d+))?$", u.text, re.M)
    d = u.distances[-1]
    want = 3 if head.get("kind") == "CCZ" else 1
    for x, y, od, side, lanes in outs:
        n = int(lanes or 1)
        boxes.append((int(x), int(y), int(od) * n, int(od)))
        if int(y) != 0 or int(od) != d or side != "bottom" or int(x) + n * d > u.width or n != want:
            bad.append("output patch not on the bottom edge")
    for level in ("level1", "level2"):
        if int(head.get(level, "0")) != len(re.findall(rf"^REGION {level} ", u.text, re.M)):
            bad.append(f"{level} regions")
    if len(outs) != u.outputs or (outs and (int(outs[0][0]), int(outs[0][1])) != (u.output.x, u.output.y)):
        bad.append("output patches")
    regions = boxes[:len(boxes) - len(outs)]
    for i, (x, y, w, hh) in enumerate(regions):
        for (x2, y2, w2, h2) in regions[:i]:
            if x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + hh:
                bad.append("regions overlap")
    bad += _protocol_problems(u, head)
    if head.get("method") == "cultivation":
        att = re.search(r"^ATTEMPT rounds=(\S+) keep=(\S+)$", u.text, re.M)
        if att is None or "ON keep=output reject=restart" not in u.text.splitlines():
            bad.append("cultivation attempt or policy")
        elif u.rounds != max(1, int(float(att.group(1)) / float(att.group(2)) + 0.5)):
            bad.append("cultivation rounds")
    return bad



def merge_followups(t: int, k: int, sign: int, support: list[int]) -> tuple[str, str, str]:
    """The lines a block's merge ``r<k>`` of a rotation of ``sign`` on ``support`` calls for at its split round
    ``t``: the input's X readout, the pi/4 correction on the outcome it needs, and the Pauli frame."""
    flip, angle = (1, "pi/4") if sign < 0 else (0, "-pi/4")
    p = " ".join(f"Z:q{q}" for q in support)
    return (f"@{t} MEASURE x{k} X:m{k}", f"@{t} IF r{k}={flip} ROTATE {p} angle={angle}",
            f"@{t} IF x{k}=1 FRAME {p}")


def _protocol_problems(u: Any, head: dict[str, str]) -> list[str]:
    """A first-level Litinski block's protocol lines read again from the text (an independent reading of
    ``lattice/blockops.py``): the layout's rotations by step, each merge on its support along the ancilla's row,
    as long as the layout's ancilla, with its readout and corrections; the checks read, a total decision."""
    from magicpipe.compiler.blocks import FIRST_LEVEL as lay

    text = u.text
    stated = re.search(r"^(PATCH|STEP|@)", text, re.M) is not None
    if (head.get("method") == "litinski" or head.get("method", "").startswith("cultivation+")) and \
            head.get("level1", "0") != "0":
        from magicpipe.lattice.mutate_upper import upper_problems

        return upper_problems(u, head)   # a two-level block's upper protocol
    if not (head.get("method", "").startswith("litinski") and head.get("level1") == "0"):
        return ["protocol lines outside a first-level block"] if stated else []
    dx, dz, dm = u.distances
    bad: list[str] = []
    box = re.search(r"^REGION block \((\d+),(\d+),(\d+),(\d+)\) d=\d+$", text, re.M)
    if box is None or not stated:
        return ["a first-level block without its protocol"]
    bx, by, bw, bh = map(int, box.groups())
    pat = {m.group(1): tuple(map(int, m.groups()[1:])) for m in
           re.finditer(r"^PATCH (q\d+) \((\d+),(\d+),(\d+),(\d+)\) role=\w+ z=top,bottom$", text, re.M)}
    for q in range(lay.qubits):
        x, y, w, hh = pat.get(f"q{q}", (-1, -1, 0, 0))
        if (w, hh) != ((dx if q in lay.outputs else dz), dx) or x < bx or y < by or x + w > bx + bw or y + hh > by + bh:
            bad.append(f"patch q{q}")
    steps = [tuple(map(int, m.groups())) for m in re.finditer(r"^STEP (\d+) at=(\d+) rounds=(\d+) ", text, re.M)]
    if steps != [(k + 1, k * dm, dm) for k in range(len(lay.steps))] or len(lay.steps) * dm != u.rounds:
        bad.append("steps")
    did: dict[int, list[str]] = {}
    for m in re.finditer(r"^@(\d+) (?:INJECT q\d+|MEASURE r\d+ .*) rotation=([+-][IZ]+)$", text, re.M):
        did.setdefault(int(m.group(1)), []).append(m.group(2).lstrip("+"))
    if [sorted(did.get(k * dm, [])) for k in range(len(lay.steps))] != \
            [sorted(r.pauli for r in st.rotations) for st in lay.steps] or sum(map(len, did.values())) != lay.inputs:
        bad.append("rotations")
    lines = text.splitlines()
    for m in re.finditer(r"^@(\d+) MEASURE r(\d+) (.*) rounds=(\d+) via=\((\d+),(\d+),(\d+),(\d+)\) "
                         r"rotation=[+-]([IZ]+)$", text, re.M):
        terms = m.group(3)
        t, k, n, vx, vy, vw, vh = (int(m.group(i)) for i in (1, 2, 4, 5, 6, 7, 8))
        rot = lay.rotations[k] if k < lay.inputs else None
        if rot is None or rot.letters != m.group(9):
            bad.append("merge register")
            continue
        sup = [q for q, c in enumerate(rot.letters) if c == "Z"]
        got = re.findall(r"Z:q(\d+)@(top|bottom)", terms)
        if sorted(int(q) for q, _ in got) != sup or f"Z:m{k}" not in terms.split() or n != dm:
            bad.append("merge terms")
        for q, side in got:
            x, y, w, hh = pat.get(f"q{q}", (0, 0, 0, 0))
            if (vy != y + hh if side == "top" else vy + vh != y) or vx > x or x + w > vx + vw:
                bad.append("merge side")
        if (vw, vh) != (rot.ancilla_length(dx, dz, dm), dx) or vx < bx or vy < by or vx + vw > bx + bw \
                or vy + vh > by + bh:
            bad.append("ancilla")
        if any(lines.count(want) != 1 for want in merge_followups(t + dm, k, rot.sign, sup)):
            bad.append("readout or correction")
    merged = [f"m{k}" for k in re.findall(r"^@\d+ MEASURE r(\d+) ", text, re.M)]
    if sorted(re.findall(r"^@\d+ INPUT (m\d+) ", text, re.M)) != sorted(merged):
        bad.append("inputs")
    end = u.rounds
    q0 = pat.get(f"q{lay.outputs[0]}", (0, 0, 0, 0))
    moves = re.findall(r"^@(\d+) MOVE q\d+ to=\(0,0\) d=(\d+) via=\((\d+),(\d+),(\d+),(\d+)\) rounds=(\d+)$", text,
                       re.M)
    if len(moves) != 1 or int(moves[0][1]) != dm or int(moves[0][6]) != dm or int(moves[0][0]) + dm > end or \
            (int(moves[0][3]) + int(moves[0][5]), int(moves[0][3])) != (q0[1], dm):
        bad.append("output move")
    checks = [f"@{end} MEASURE k{c} X:q{c}" for c in lay.checks]
    if any(lines.count(c) != 1 for c in checks) or len(re.findall(r"^@\d+ MEASURE k", text, re.M)) != len(checks):
        bad.append("check readout")
    out = f"q{lay.outputs[0]}"
    decide = f"@{end} DECIDE a={'|'.join(f'k{c}' for c in lay.checks)}"
    if len(re.findall(r" DECIDE ", text)) != 1 or f"@{end} IF a=0 OUTPUT {out}" not in lines or \
            f"@{end} IF a=1 DISCARD {out}" not in lines or len(re.findall(r" IF a=", text)) != 2 or \
            not any(x.startswith(f"@{end} DECIDE a=") and sorted(x.split("=")[1].split("|")) ==
                    sorted(decide.split("=")[1].split("|")) for x in lines):
        bad.append("decision")
    return bad


def sample_streams() -> dict[str, str]:
    """Version-2 streams the planner writes for small programs: one- and two-level units, nominal and a trace,
    block units, T + CCZ streams and a three-level composed unit."""
    from magicpipe.compiler.pareto import pareto_front
    from magicpipe.compiler.pipeline import Pipeline
    from magicpipe.lattice.whole import (
        ProgramLayout,
        program_stream2,
        unit_from_schedule,
        unit_one_level,
    )

    one = unit_one_level("15-to-1", 5)
    timeline = [(40, 12, 2, 9), (400, 4, 5, 9), (600, 20, 1, 9)]
    two = unit_from_schedule(pareto_front(Pipeline.from_distances((3, 9))).min_volume().schedule)
    return {
        "one-level": str(program_stream2(ProgramLayout(3, 9), one, 4, timeline)),
        "one-level-trace": str(program_stream2(ProgramLayout(2, 9), one, 3, timeline[:2], seed=2, p_accept=0.8)),
        "two-level": str(program_stream2(ProgramLayout(3, 9), two, 2, timeline[:2])),
        **block_streams(),
        **ccz_streams(),
        **composed_streams(),
    }


def block_streams() -> dict[str, str]:
    """Block units (lattice/units2.py): a first-level 15-to-1 block stated patch by patch, cultivation, nominal and
    a trace, and two-level 20-to-4 and 15-to-1 compositions with their upper blocks patch by patch."""
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue import cultivation_factory, one_level, two_level
    from magicpipe.compiler.cultivation import cultivation_point
    from magicpipe.lattice.units2 import catalogue_unit
    from magicpipe.lattice.whole import ProgramLayout, program_stream2

    cult, _ = catalogue_unit(cultivation_factory(cultivation_point(1e-3, 3, 0.5)).source())
    four, fill = catalogue_unit(two_level(NoiseModel.litinski(1e-3), (13, 5, 5), 6, "20-to-4", (23, 11, 13)).source())
    first, _ = catalogue_unit(one_level(NoiseModel.litinski(1e-3), (17, 7, 7)).source())
    fifteen, fill2 = catalogue_unit(two_level(NoiseModel.litinski(1e-3), (13, 5, 5), 4, "15-to-1",
                                              (23, 11, 13)).source())
    timeline = [(20, 10, 2, 9), (200, 4, 3, 9)]
    return {
        "15-to-1-block": str(program_stream2(ProgramLayout(2, 9), first, 2, [(20, 3, 2, 9)])),
        "cultivation": str(program_stream2(ProgramLayout(2, 9), cult, 3, timeline)),
        "cultivation-trace": str(program_stream2(ProgramLayout(2, 9), cult, 3, timeline, seed=4)),
        "20-to-4": str(program_stream2(ProgramLayout(3, 9), four, 2, timeline, fill=fill)),
        "15-to-1-x-15-to-1": str(program_stream2(ProgramLayout(2, 9), fifteen, 1, [(20, 3, 2, 9)], fill=fill2)),
    }


def ccz_streams() -> dict[str, str]:
    """T and CCZ states: 8-to-CCZ blocks beside one-level 15-to-1 copies, nominal (lanes at once) and a trace (one
    port's lanes in turn)."""
    from magicpipe.compiler.blockmodel import NoiseModel
    from magicpipe.compiler.catalogue import two_level
    from magicpipe.lattice.units2 import catalogue_unit
    from magicpipe.lattice.whole import ProgramLayout, program_stream2, unit_one_level

    block, fill = catalogue_unit(two_level(NoiseModel.litinski(1e-3), (11, 5, 5), 6, "8-to-CCZ", (15, 7, 7)).source(),
                                 name="C")
    one = unit_one_level("15-to-1", 5)
    timeline = [(20, 3, 1, 9, 1), (200, 2, 2, 9, 0), (300, 6, 0, 9, 1)]
    kw: dict[str, Any] = {"ccz_unit": block, "ccz_copies": 2, "ccz_fill": fill}
    return {
        "ccz": str(program_stream2(ProgramLayout(6, 9), one, 2, timeline, **kw)),
        "ccz-trace": str(program_stream2(ProgramLayout(4, 9), one, 2, timeline, seed=5, p_accept=0.8,
                                         ccz_p_accept=0.7, **kw)),
    }


def composed_streams() -> dict[str, str]:
    """A three-level pipeline's composed unit (lattice/composed.py)."""
    from magicpipe.compiler import Hardware
    from magicpipe.compiler.feeds import pipeline_sources
    from magicpipe.compiler.pipeline import Pipeline
    from magicpipe.lattice.composed import composed_unit
    from magicpipe.lattice.whole import ProgramLayout, program_stream2

    pipe = Pipeline.from_distances((3, 7, 15), Hardware(p=1e-4, eps=1e-4))
    sources, found = pipeline_sources(pipe, 1e-3, ("dynamic",))
    schedules: dict[str, Any] = dict(found)
    src = next(x for x in sources if sum(n for _, n, *_ in schedules[x.name].supply.runs) >= 3)
    unit, fill = composed_unit(src, schedules[src.name], pipe.levels[-1].p_succ)
    return {"three-level": str(program_stream2(ProgramLayout(3, 9), unit, 2, [(0, 6, 1, 9), (900, 8, 2, 9)],
                                               fill=fill))}


def run(count: int, seed: int, streams: dict[str, str] | None = None) -> collections.Counter[Any]:
    """Outcomes of ``count`` mutants per stream: ``rejected`` (parse or check), ``harmless`` (accepted, sound),
    ``missed`` (accepted, broken); ``missed`` examples are kept under ``("example", text)`` keys."""
    from magicpipe.grammar.parser2 import parse_program
    from magicpipe.lattice.check2 import check2

    rng = random.Random(seed)
    out: collections.Counter[Any] = collections.Counter()
    for name, text in (streams or sample_streams()).items():
        ref = parse_program(text)
        assert not check2(ref) and not independent_replay(ref), f"{name} is not valid to begin with"
        for what, mutant in mutants(text, rng, count):
            try:
                s = parse_program(mutant)
                found = check2(s)
            except MagicpipeError:
                out["rejected"] += 1
                continue
            if found:
                out["rejected"] += 1
                continue
            problems = independent_replay(s, ref)
            if problems:
                out["missed"] += 1
                out[("example", f"{name}: {what}: {problems[0]}")] += 1
            else:
                out["harmless"] += 1
    return out


def run_v1(count: int, seed: int, paths: Iterable[str | os.PathLike[str]] | None = None) -> collections.Counter[Any]:
    """Version-1 streams (the corpus's valid files): ``rejected``; ``same`` (accepted, the same instructions and
    header as the original: an edit that changes nothing, e.g. two lines of one round swapped); ``differs``
    (accepted and different, kept under ``("example", text)`` keys for review: no independent replay of
    version 1 is written yet)."""
    import pathlib

    from magicpipe.grammar.parser import parse
    from magicpipe.lattice.validate import check

    if paths is None:
        root = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "streams" / "valid"
        paths = sorted(root.glob("*.lsi"))
    rng = random.Random(seed)
    out: collections.Counter[Any] = collections.Counter()
    for path in paths:
        text = pathlib.Path(path).read_text()
        ref = parse(text)
        want = collections.Counter(str(i) for i in ref.instructions)
        for what, mutant in mutants(text, rng, count):
            try:
                s = parse(mutant)
                found = check(s)
            except MagicpipeError:
                out["rejected"] += 1
                continue
            if found:
                out["rejected"] += 1
            elif s.header == ref.header and collections.Counter(str(i) for i in s.instructions) == want:
                out["same"] += 1
            else:
                out["differs"] += 1
                out[("example", f"{pathlib.Path(path).stem}: {what}")] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mutants", type=int, default=200, help="mutants per stream (default: %(default)s)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--v1", action="store_true", help="mutate the version-1 corpus instead (accepted mutants that "
                                                     "differ from the original are listed for review)")
    args = p.parse_args(argv)
    if args.v1:
        out = run_v1(args.mutants, args.seed)
        print(f"rejected {out['rejected']}, accepted and unchanged {out['same']}, accepted and different "
              f"{out['differs']} (listed for review)")
        for key in out:
            if isinstance(key, tuple):
                print(f"  {key[1]}")
        return 0
    out = run(args.mutants, args.seed)
    print(f"rejected {out['rejected']}, accepted and sound {out['harmless']}, accepted but broken {out['missed']}")
    for key in out:
        if isinstance(key, tuple):
            print(f"  missed: {key[1]}")
    return 1 if out["missed"] else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
