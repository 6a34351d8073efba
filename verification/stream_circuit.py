"""A whole-program stream as ONE Stim circuit: factory runs, routes, ports, the program's data patches, every
consumption merge and its Pauli-frame update, read from the stream's own operations.

For a tiny program at small distance (a one-level plan: its unit is a 15-to-1 factory fed by injection, the
program and the factory at the same distance, 3 or 5) :func:`stream_circuit` walks the nominal stream round by
round (REPEATs written out) and keeps every patch the stream has alive at that round on one qubit grid, so
that one round of the circuit measures the checks of all of them at once:

* ``RUN C<k>``: copy k's five data patches are reset in ``|+>`` (the burst's four inputs with ``E(eps)`` on a
  logical Z, the stand-ins of ``magicpipe verify factory``), then its 11 injections run back to back, ``d``
  rounds each: the merge ``P Z_m`` through the block's bus with a fresh ``|m>`` patch (``|+>`` with ``E(eps)``),
  split by measuring bus, seams and ``|m>`` in X. The merges are the lattice layer's expansion of the
  protocol (``factory_instructions``: what ``emit(..., measurements=True)`` writes; a one-level unit lists
  only its checks), the check patches those of the unit's own ``MEASURE ... step=12`` lines;
* ``DECIDE C<k>``: the check patches are read out in X; each check is an observable (with the frames of its
  patch), post-selected when sampling; the output patch stays;
* ``IF a<k>=0 OUTPUT C<k> port=P rounds=R``: the output patch moves along the copy's ``route`` in one
  lattice-surgery move of ``R`` rounds, as the stream says (``d``, ``stream2.step_rounds``): it grows over every
  tile and seam of the route down to the port's lowest free tile (new qubits in ``|+>``), runs ``R`` rounds, and
  measures all but that tile in X, whose X outcomes on a column join the state's Pauli frame. A state that
  landed above the port's bottom tile (the bus side) steps down to the lowest free tile, a move of as many
  rounds, once the tile below it is free. ``IF a<k>=0 DISCARD ... reason=full`` reads
  the output out; branches on ``a<k>=1`` are not taken (without noise every check reads +1);
* ``MEASURE z<p> Z:q<i> Z:p<p> via=...``: data patch ``i``, the seam row, the ``via`` tiles of the bus and the
  port's bottom patch become one merged code for ``rounds`` rounds (Z-type, the same geometry as the
  factory's merges); ``MEASURE x<p> X:p<p>``: the split, bus, seams and the port patch read out in X;
* ``IF x<p>=1 FRAME Z:q<i>``: the Pauli-frame update of the teleportation, as the circuit's frame: the split's X
  outcomes on the path that carries the magic patch's logical X to data patch ``i`` (and the state's own frame
  from its factory and route) join patch ``i``'s X observable. Read from the stream: a FRAME on another patch
  than the merge's is refused, a missing or doubled one leaves the observable random, a FRAME on ``z<p>`` adds
  the merge's random outcome; either shows as a non-deterministic observable;
* ``IF z<p>=1 ROTATE ... angle=pi/4``: with the ``|+>`` stand-in the injected rotation is by angle 0, so its
  correction (twice the angle) is the identity; the circuit checks it reads its own merge's ``z`` register and
  applies nothing. ``magicpipe verify stream``'s logical run checks these corrections with real ``T`` states.

At the end every data patch is read out in X: observables ``0 .. n-1`` are the data patches' logical X (with
their frames), then four per factory run (its checks). Without noise all are deterministic (every one 0).

``basis="z"`` builds the Z twin (as ``verify factory``'s): every patch prepared in ``|0>``, observables the data
patches' logical Z, then per run its check patches' Z, and every merge's outcome ``P Z_m`` (what the real
protocol's pi/4 correction reads) -- the X-type errors the ``|+>`` stand-in cannot carry. A moved state's Z
passes to its new tile through the checks that straddle the seams (``merge_product``), measured for as many
rounds as the move lasts: the stream's ``OUTPUT ... rounds=R`` (``d``; ``step_rounds`` overrides it, to show that
the twin's distance is the move's rounds, docs/lattice.md).

Geometry. A stream tile ``(x, y)`` at distance ``d`` is the ``d x d`` patch of data qubits at
``(x/d (d+1), -y/d (d+1))``: the ``verify factory`` pitch, and the floor plan turned upside down, so that the
program's zones (data below the bus, port above, in the stream) are ``verify factory``'s picture (data above the
bus, the magic patch under the bus's last tile), whose check order and boundaries were checked for distance.
Each factory copy is that picture too, translated: ``BlockLayout.for_protocol(...).flipped()`` at the copy's
origin (data in the middle row, the port on the top routing row, away from the program's ports, ``|m>`` on the
block's ``magic`` tile beyond it, outside the stream's floor plan), every cell through the same map; the route
runs down the output patch's column through the ``|0>`` row, free once the run has decided.

Examples:
    >>> from magicpipe.lattice.whole import ProgramLayout, program_stream2, unit_one_level
    >>> s = program_stream2(ProgramLayout(2, 3), unit_one_level("15-to-1", 3), 1, [(0, 1, 1, 3)])
    >>> sc = stream_circuit(s)
    >>> sc.data_observables, sc.check_observables, sc.consumptions, sc.moves, sc.deterministic()
    (2, 4, 1, 1, True)
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import stim
from magicpipe.compiler.protocols import get_protocol
from magicpipe.lattice.block import BlockLayout
from magicpipe.lattice.geometry import Rect, Tile
from magicpipe.lattice.stream2 import Op, ProgramStream, expand_repeats
from magicpipe.verification.factory_circuit import CircuitBuilder, ForcedError, frame_path, merge_product
from magicpipe.verification.factory_program import FactoryLayout, FactoryProgram, Merge, factory_instructions
from magicpipe.verification.surgery import Coord, code_checks, cx_layers, rectangle, x_edges

from magicpipe.errors import SpecError, VerificationError

__all__ = ["MAX_CONSUMPTIONS", "MAX_DATA", "StreamCircuit", "StreamSample", "patch_qubits", "sample_stream_circuit",
           "stream_circuit", "stream_distance"]

MAX_DATA = 5
MAX_CONSUMPTIONS = 16
Region = frozenset[Coord]


@dataclass(frozen=True)
class StreamCircuit:
    """The stream's circuit and what it holds.

    Attributes:
        circuit: the Stim circuit.
        data_observables: observables ``0 .. n-1``, the data patches' logical X (the Z twin: Z).
        check_observables: the observables after them: the factory checks (four per run); in the Z twin, in
            the order they arise, every merge's outcome and each run's check patches' logical Z.
        runs: factory runs simulated; consumptions: merges with data patches; moves: route and port steps.
        rounds: rounds of the circuit (the stream's rounds up to its TALLY).
        rotations: pi/4 corrections read (the identity under the stand-in); frames: Pauli-frame updates applied.
    """

    circuit: stim.Circuit
    data_observables: int
    check_observables: int
    runs: int
    consumptions: int
    moves: int
    rounds: int
    rotations: int
    frames: int

    def deterministic(self, shots: int = 8, seed: int = 0) -> bool:
        """Whether, without noise, every detector and observable reads 0 (``shots`` samples)."""
        dets, obs = self.circuit.without_noise().compile_detector_sampler(seed=seed).sample(
            shots, separate_observables=True)
        return not dets.any() and not obs.any()


@dataclass(frozen=True)
class StreamSample:
    """A decoded sample: shots, those whose corrected checks all read +1 (every run accepted), and the accepted
    shots with some data patch's logical X wrong."""

    shots: int
    accepted: int
    errors: int
    seed: int

    @property
    def error_rate(self) -> float:
        return self.errors / self.accepted if self.accepted else float("nan")


class _Patch:
    """A live patch: its data qubits, the rectangles whose top and bottom rows are X edges, its Pauli frame."""

    __slots__ = ("frame", "name", "rects", "region", "zframe")

    def __init__(self, name: str, region: Region, frame: list[int] | None = None) -> None:
        self.name, self.region, self.rects = name, region, (region,)
        self.frame: list[int] = list(frame or [])   # records whose parity corrects its logical X
        self.zframe: list[int] = []                 # ... its logical Z (the Z twin: moves carry Z through checks)


@dataclass
class _Merge:
    members: list[_Patch]        # data patches, then the magic patch
    ancilla: Region              # bus and seams (reset in |+> at the start, read out at the split)
    layout: FactoryLayout
    merge: Merge
    start: int
    end: int                     # round of the split (-1: the stream's readout says)
    port: int = -1
    data: tuple[int, ...] = ()                  # program merges: the data patches merged
    paths: dict[int, Region] | None = None      # frame path per merged data patch (index into members)
    z_recs: list[int] | None = None             # the merge's outcome P Z_m (program merges)
    x_recs: dict[int, list[int]] | None = None  # the split's frame update per merged data patch


@dataclass
class _Run:
    copy: int
    start: int
    layout: FactoryLayout
    patches: dict[int, _Patch]
    next_merge: int = 0


@dataclass
class _Walk:
    state: _Patch
    cells: list[tuple[int, int]]  # cells still to enter, in order
    port: int


class _Walker:
    """The round-by-round construction (module docstring)."""

    def __init__(self, stream: ProgramStream, p: float, eps: float, basis: str = "x",
                 step_rounds: int | None = None) -> None:
        h = stream.header
        if basis not in ("x", "z"):
            raise SpecError(f"basis must be 'x' (the stream) or 'z' (its Z twin), got {basis!r}")
        self.basis, self.prep = basis, basis.upper()
        if step_rounds is not None and step_rounds < 1:
            raise SpecError(f"step_rounds={step_rounds}: a move takes at least one round")
        self.forced_step = step_rounds is not None
        self.step_rounds = step_rounds or 1       # the stream's own: read from its first OUTPUT
        if h.mode != "nominal":
            raise SpecError("a sampled trace fixes outcomes the circuit draws itself and omits the corrections of "
                            "outcome 0; give the nominal stream (magicpipe compile without --seed)")
        if not h.units or len(h.units) != 1:
            raise SpecError("the stream circuit needs exactly one factory unit")
        unit = h.units[0]
        self.d = d = h.data_distance
        if unit.text.startswith("BLOCK "):
            raise SpecError(f"unit {unit.name} is a block unit ({unit.protocol}, distances "
                            f"{','.join(map(str, unit.distances))}): its body states a floor plan, not patch "
                            f"operations; the stream circuit simulates one-level plans (a 15-to-1 factory fed by "
                            f"injection)")
        if len(unit.distances) != 1:
            raise SpecError(f"unit {unit.name} is a {len(unit.distances)}-level pipeline; the stream circuit "
                            f"simulates one-level plans (a 15-to-1 factory fed by injection)")
        if unit.distances[0] != d or d not in (3, 5):
            raise SpecError(f"the factory runs at d={unit.distances[0]} and the program at d={d}; the stream circuit "
                            f"needs both at 3 or 5 (the distances verify factory's layout is checked for)")
        if len(h.data) > MAX_DATA:
            raise SpecError(f"{len(h.data)} data patches: the stream circuit is a check of tiny programs (at most "
                            f"{MAX_DATA}); use the logical run (magicpipe verify stream) for larger ones")
        self.ops: list[Op] = []
        merges_in = 0
        for o in expand_repeats(stream.ops):  # lazily: a long program's REPEATs are refused, not written out
            merges_in += o.action == "MEASURE" and any(t.kind == "q" for t in o.terms)
            if merges_in > MAX_CONSUMPTIONS:
                raise SpecError(f"more than {MAX_CONSUMPTIONS} consumptions: the stream circuit is a check of tiny "
                                f"programs; use the logical run for larger ones")
            self.ops.append(o)
        for a in h.copies:
            for c in h.copies:
                if a.origin.y == c.origin.y and c.origin.x - a.origin.x == unit.width:
                    raise SpecError(f"copies C{a.index} and C{c.index} abut: verify factory's bus runs a seam column "
                                    f"past the block's last tile, into the neighbour's; the stream circuit takes "
                                    f"streams whose copies do not abut (e.g. one copy)")
        self.h, self.unit, self.p, self.eps = h, unit, p, eps
        self.pitch = d + 1
        self.protocol = get_protocol(unit.protocol)
        self.block = BlockLayout.for_protocol(self.protocol)
        self.program = FactoryProgram.from_instructions(self.protocol, d, factory_instructions(self.protocol, d))
        self.checks_of_unit = self._unit_checks()
        if unit.rounds != len(self.program.merges) * d:
            raise SpecError(f"unit {unit.name} runs {unit.rounds} rounds; its {len(self.program.merges)} injections "
                            f"take {len(self.program.merges) * d} back to back at d={d}")
        self.b = CircuitBuilder(p)
        self.data = {k.index: _Patch(f"q{k.index}", self._tile(k.tile)) for k in h.data}
        self.runs: dict[int, _Run] = {}
        self.outputs: dict[int, _Patch] = {}
        self.walks: list[_Walk] = []
        self.steps: list[tuple[_Patch, Region, Region, int, Region]] = []  # (state, left, entered, end, old tile)
        self.ports: dict[int, list[_Patch | None]] = {p.index: [None] * p.capacity for p in h.ports}
        self.port_cells = {p.index: [self._cell(Tile(p.tile.x, p.tile.y + i * p.d)) for i in range(p.capacity)]
                           for p in h.ports}
        self.fmerges: list[_Merge] = []
        self.pmerges: dict[int, _Merge] = {}
        self.regs: dict[str, _Merge] = {}
        self.obs: dict[int, list[int]] = {k: [] for k in self.data}
        self.n_obs = len(self.data)
        self.counts = {"runs": 0, "consumptions": 0, "moves": 0, "rotations": 0, "frames": 0}
        self.cache: dict[Any, tuple[tuple[Any, ...], tuple[Any, ...]]] = {}

    # -- geometry -----------------------------------------------------------------------------------
    def _cell(self, tile: Tile) -> tuple[int, int]:
        d = self.d
        if tile.x % d or tile.y % d:
            raise SpecError(f"tile {tile} is not on the distance-{d} grid")
        return tile.x // d, -(tile.y // d)

    def _tile(self, tile: Tile) -> Region:
        cx, cy = self._cell(tile)
        return rectangle(cx * self.pitch, cy * self.pitch, self.d, self.d)

    def _vacating(self, port: int) -> set[int]:
        """The tiles of ``port`` a state is stepping down from: held until its move ends."""
        return {j for j, c in enumerate(self.port_cells[port]) if any(s[4] == self._cell_region(c) for s in self.steps)}

    def _cell_region(self, cell: tuple[int, int]) -> Region:
        return rectangle(cell[0] * self.pitch, cell[1] * self.pitch, self.d, self.d)

    def _unit_checks(self) -> tuple[tuple[int, ...], ...]:
        from magicpipe.grammar.parser import parse

        h, u = self.h, self.unit
        text = f"MAGICPIPE_LSI 1\nHARDWARE p={h.p!r} eps={h.eps!r} t_2q_ns={h.t_2q_ns!r} t_meas_ns={h.t_meas_ns!r}\n"
        v1 = parse(text + u.text)
        top = next(i.target for i in v1.instructions if i.action == "OUTPUT" and i.peer == "program")
        launch = next(i for i in v1.instructions if i.action == "LAUNCH" and i.target == top)
        want = tuple(self.block.tile(Tile(0, 0), c, self.d) for c in self.block.data)
        if launch.tiles != want:
            raise VerificationError(f"unit {u.name}'s data tiles {launch.tiles} are not the 15-to-1 block's {want}")
        if u.output != want[self.protocol.output_qubits[0]]:
            raise VerificationError(f"unit {u.name}'s output tile {u.output} is not its output patch's "
                                    f"{want[self.protocol.output_qubits[0]]}")
        measures = [i for i in v1.instructions if i.action == "MEASURE" and i.target == top]
        if any(any(t.startswith("Z") for t in i.paulis) for i in measures):
            raise SpecError(f"unit {u.name} lists its injections; the stream circuit reads one-level units, whose "
                            f"injections are the protocol's (factory_instructions)")
        checks = tuple(tuple(int(t[1:]) - 1 for t in i.paulis) for i in measures)
        if checks != self.program.checks or any(i.time != u.rounds for i in measures):
            raise VerificationError(f"unit {u.name}'s checks {checks} are not {self.protocol.name}'s "
                                    f"{self.program.checks} at round {u.rounds}")
        return checks

    def _factory_layout(self, copy: int) -> FactoryLayout:
        """Copy ``copy``'s block in the circuit: the protocol's :class:`BlockLayout` with its port on the routing row
        away from the program's ports (``flipped()``: the block's top row in the stream) and ``|m>`` on its
        ``magic`` tile beyond it, every cell through the stream's cell map; the merges are the protocol's, through
        that routing row."""
        c = self.h.copies[copy]
        ox, oy = c.origin.x // self.d, c.origin.y // self.d
        blk = self.block.flipped()

        def cell(x: tuple[int, int]) -> tuple[int, int]:
            return ox + x[0], -(oy + x[1])

        block = BlockLayout(blk.cols, blk.rows, tuple(cell(x) for x in blk.data), cell(blk.zero), cell(blk.port))
        if block.magic != cell(blk.magic):
            raise VerificationError(f"copy {copy}: the block's |m> tile does not map to the circuit's")
        row = blk.port[1]
        merges = tuple(Merge(m.patches, tuple(cell((col, row)) for col, _ in m.bus), m.instruction)
                       for m in self.program.merges)
        return FactoryLayout(dataclasses.replace(self.program, block=block, merges=merges))

    # -- the walk -----------------------------------------------------------------------------------
    def build(self) -> StreamCircuit:
        b = self.b
        end = max((o.time for o in self.ops), default=0)
        by_time: dict[int, list[Op]] = {}
        for o in self.ops:
            by_time.setdefault(o.time, []).append(o)
        b.reset(frozenset().union(*(q.region for q in self.data.values())), self.prep)
        for t in range(end + 1):
            self._finish(t)
            for o in by_time.get(t, ()):
                self._op(o, t)
            self._start(t)
            if t < end:
                self._round(t)
        if self.pmerges or self.fmerges or self.walks or self.steps:
            raise VerificationError("the stream ends with merges or routes in flight")
        live = [q for q in self._patches()]
        for q in live:
            recs = b.measure(q.region, self.prep)
            idx = int(q.name[1:]) if q.name.startswith("q") else -1
            if idx >= 0:
                self.obs[idx] += self._logical(q, recs)
        for k in sorted(self.obs):
            b.append("OBSERVABLE_INCLUDE", [f"rec[{r - b.n_meas}]" for r in self.obs[k]], k)
        n = len(self.data)
        c = self.counts
        return StreamCircuit(b.c, n, self.n_obs - n, c["runs"], c["consumptions"], c["moves"], end, c["rotations"],
                             c["frames"])

    def _logical(self, q: _Patch, recs: dict[Coord, int]) -> list[int]:
        """Records of ``q``'s logical in the circuit's basis (X: its left column; Z: its top row) and its frame."""
        if self.basis == "x":
            return [recs[c] for c in _column(q.region)] + q.frame
        return [recs[c] for c in sorted(_top_row(q.region))] + q.zframe

    def _observable(self, recs: list[int]) -> None:
        self.obs[self.n_obs] = recs
        self.n_obs += 1

    def _patches(self) -> list[_Patch]:
        merged = {id(q) for m in [*self.fmerges, *self.pmerges.values()] for q in m.members}
        out = [q for q in self.data.values()]
        for r in self.runs.values():
            out += list(r.patches.values())
        out += list(self.outputs.values())
        out += [q for cells in self.ports.values() for q in cells if q is not None]
        out += [w.state for w in self.walks]
        seen: set[int] = set()
        res = []
        for q in out:
            if id(q) not in seen and id(q) not in merged:
                seen.add(id(q))
                res.append(q)
        return res

    def _finish(self, t: int) -> None:
        """Measurements due at round ``t``: route and port steps, factory splits."""
        b = self.b
        for st in [s for s in self.steps if s[3] == t]:
            state, left, entered, _, _ = st
            recs = b.measure(left, "X")
            column = _column(state.region)
            state.frame += [recs[c] for c in column if c in left]
            state.region = entered
            state.rects = (entered,)
            self.steps.remove(st)
        for w in [w for w in self.walks if not w.cells and not any(s[0] is w.state for s in self.steps)]:
            self.walks.remove(w)                    # in its port since its last step began
        for m in [m for m in self.fmerges if m.end == t]:
            recs = b.measure(m.ancilla | m.layout.magic(), "X")
            for q, path in (m.paths or {}).items():
                m.members[q].frame += [recs[c] for c in path]
            self.fmerges.remove(m)

    def _op(self, o: Op, t: int) -> None:
        a = o.action
        if o.cond is not None and o.cond[0].startswith("a") and o.cond[1] != 0:
            return                                 # the rejected branch: not taken without noise
        if a == "RUN":
            self._run(o.copy, t)
        elif a == "DECIDE":
            self._decide(o.copy, t)
        elif a == "OUTPUT":
            state = self.outputs.pop(o.copy, None)
            if state is None:
                raise VerificationError(f"{o}: copy {o.copy} has no output patch")
            route = self.h.copies[o.copy].route
            cells = [self._cell(x) for x in route]
            if any(c[0] != cells[0][0] for c in cells):
                raise SpecError(f"{o}: the circuit moves a state down a straight column; route {route}")
            if cells[-1] != self.port_cells[o.port][-1]:
                raise VerificationError(f"{o}: the route ends at {route[-1]}, not port {o.port}'s top tile")
            if not self.forced_step:              # the stream's own move: every OUTPUT the same
                if self.counts["moves"] and o.rounds != self.step_rounds or o.rounds < 1:
                    raise VerificationError(f"{o}: the stream's moves take {self.step_rounds} rounds")
                self.step_rounds = o.rounds
            self.walks.append(_Walk(state, cells[-1:], o.port))   # one move over the whole route
        elif a == "DISCARD":
            state = self.outputs.pop(o.copy, None)
            if state is not None:
                self.b.measure(state.region, self.prep)
        elif a == "MEASURE":
            if any(x.kind == "q" for x in o.terms):
                self._merge(o, t)
            else:
                self._readout(o, t)
        elif a in ("ROTATE", "FRAME"):
            self._correction(o)

    def _run(self, copy: int, t: int) -> None:
        if copy in self.runs or copy in self.outputs:
            raise VerificationError(f"@{t} RUN C{copy}: the copy's previous run is still on its block")
        layout = self._factory_layout(copy)
        patches = {q: _Patch(f"C{copy}.{q + 1}", layout.patch(q)) for q in range(len(layout.program.block.data))}
        self.b.reset(frozenset().union(*(x.region for x in patches.values())), self.prep)
        if self.basis == "x":
            for q in self.program.burst:
                self.b.error("Z", layout.row(patches[q].region), self.eps)
        self.runs[copy] = _Run(copy, t, layout, patches)
        self.counts["runs"] += 1

    def _decide(self, copy: int, t: int) -> None:
        run = self.runs.pop(copy, None)
        if run is None or t != run.start + self.unit.rounds or run.next_merge != len(self.program.merges):
            raise VerificationError(f"@{t} DECIDE C{copy}: no run of that copy ends at round {t}")
        used = sorted({q for c in self.checks_of_unit for q in c})
        recs = self.b.measure(frozenset().union(*(run.patches[q].region for q in used)), self.prep)
        if self.basis == "x":
            for check in self.checks_of_unit:
                self._observable([r for q in check for r in self._logical(run.patches[q], recs)])
        else:
            for q in used:
                self._observable(self._logical(run.patches[q], recs))
        rest = [q for q in run.patches if q not in used]
        if rest != list(self.program.outputs):
            raise VerificationError(f"@{t} DECIDE C{copy}: patches {rest} left, not the output")
        self.outputs[copy] = run.patches[rest[0]]
        self.outputs[copy].name = f"C{copy}.out"

    def _merge(self, o: Op, t: int) -> None:
        port = next(x.index for x in o.terms if x.kind == "p")
        qs = sorted(x.index for x in o.terms if x.kind == "q")
        if port in self.pmerges:
            raise VerificationError(f"{o}: port {port} is already in a merge")
        state = self.ports[port][0]
        if state is None or any(w.state is state for w in self.walks):
            raise VerificationError(f"{o}: port {port}'s bottom tile holds no state at round {t}")
        if o.rounds != self.d or o.via is None:
            raise VerificationError(f"{o}: a consumption's merge runs d = {self.d} rounds through a bus rectangle")
        via: Rect = o.via
        c0, c1 = via.x // self.d, (via.x + via.w) // self.d - 1
        row = -(via.y // self.d)
        pcell = self.port_cells[port][0]
        cells = [self._cell(self.h.data[q].tile) for q in qs]
        if pcell != (c1, row - 1) or any(r != row + 1 or not c0 <= c < c1 for c, r in cells) \
                or min(c for c, _ in cells) != c0:
            raise SpecError(f"{o}: the circuit merges data patches under a bus that runs from the leftmost of them "
                            f"to the port at its right end (verify factory's picture); this merge does not")
        blk = BlockLayout(c1 + 1, 3, tuple(cells), (c1, row + 1), (c1, row))
        prog = dataclasses.replace(self.program, block=blk, burst=(), checks=(), outputs=(),
                                   merges=(Merge(tuple(range(len(qs))), tuple((c, row) for c in range(c0, c1 + 1)),
                                                 str(o)),))
        layout = FactoryLayout(prog)
        merge = prog.merges[0]
        if layout.magic() != state.region:
            raise VerificationError(f"{o}: the port's state is not under the bus's last tile")
        ancilla = layout.ancilla_region(merge) - layout.magic()
        self.b.reset(ancilla, "X")
        members = [self.data[q] for q in qs] + [state]
        self.pmerges[port] = _Merge(members, ancilla, layout, merge, t, -1, port, tuple(qs))
        self.regs[o.reg] = self.pmerges[port]
        self.counts["consumptions"] += 1

    def _readout(self, o: Op, t: int) -> None:
        port = next(x.index for x in o.terms if x.kind == "p")
        m = self.pmerges.pop(port, None)
        if m is None or t != m.start + self.d:
            raise VerificationError(f"{o}: no merge of port {port} ends at round {t}")
        recs = self.b.measure(m.ancilla | m.layout.magic(), "X")
        state = m.members[-1]
        m.x_recs = {q: [recs[c] for c in path] + state.frame for q, path in (m.paths or {}).items()}
        self.ports[port][0] = None
        self.regs[o.reg] = m

    def _correction(self, o: Op) -> None:
        if o.cond is None:
            raise VerificationError(f"{o}: a correction of the nominal stream is conditioned on its outcome")
        reg = o.cond[0]
        m = self.regs.get(reg)
        if m is None or m.x_recs is None:
            raise VerificationError(f"{o}: register {reg} holds no finished consumption")
        qs = list(m.data)
        for term in o.terms:
            if term.kind != "q" or term.index not in qs or term.basis != "Z":
                raise VerificationError(f"{o}: the consumption that wrote {reg} merged Z of data patches {qs}")
            k = qs.index(term.index)
            if o.action == "ROTATE":
                if not reg.startswith("z") or o.angle != "pi/4":
                    raise VerificationError(f"{o}: the teleported pi/8 rotation's correction is pi/4, on the "
                                            f"merge's outcome z<p>")
                self.counts["rotations"] += 1       # the identity under the |+> stand-in (module docstring)
            else:
                recs = m.x_recs[k] if reg.startswith("x") else list(m.z_recs or [])
                if self.basis == "x":                 # a Z frame commutes with the twin's Z observables
                    self.obs[term.index] += recs
                self.counts["frames"] += 1

    def _start(self, t: int) -> None:
        """Resets due at round ``t``: factory merges, route steps, steps down a port."""
        b = self.b
        for run in self.runs.values():
            j = run.next_merge
            if j < len(self.program.merges) and t == run.start + j * self.d:
                merge = run.layout.program.merges[j]
                anc = run.layout.ancilla_region(merge) - run.layout.magic()
                b.reset(anc, "X")
                magic = _Patch(f"C{run.copy}.m", run.layout.magic())
                b.reset(magic.region, self.prep)
                if self.basis == "x":
                    b.error("Z", run.layout.row(magic.region), self.eps)
                members = [run.patches[q] for q in merge.patches] + [magic]
                self.fmerges.append(_Merge(members, anc, run.layout, merge, t, t + self.d))
                run.next_merge += 1
        for w in list(self.walks):
            if any(s[0] is w.state for s in self.steps):
                continue
            cell = w.cells.pop(0)
            if not w.cells:                         # the step into the port's top tile runs on to its lowest
                cells = self.ports[w.port]          # free tile in the same move (the bottom faces the bus)
                held = self._vacating(w.port)
                if cells[-1] is not None or len(cells) - 1 in held:
                    raise VerificationError(f"@{t}: a state reaches port {w.port}'s top tile, which is full")
                low = len(cells) - 1
                while low > 0 and cells[low - 1] is None and low - 1 not in held:
                    low -= 1
                cells[low] = w.state
                cell = self.port_cells[w.port][low]
            self._step(w.state, cell, t, w.port)
        for port, cells in self.ports.items():
            vacating = self._vacating(port)
            for i in range(1, len(cells)):
                q = cells[i]
                if q is not None and cells[i - 1] is None and i - 1 not in vacating and port not in self.pmerges \
                        and not any(s[0] is q for s in self.steps):
                    low = i - 1                     # one move down to the lowest free tile
                    while low > 0 and cells[low - 1] is None and low - 1 not in vacating:
                        low -= 1
                    cells[low], cells[i] = q, None
                    vacating.add(i)
                    self._step(q, self.port_cells[port][low], t, port)

    def _step(self, state: _Patch, cell: tuple[int, int], t: int, port: int) -> None:
        """Grow ``state`` over the seam and ``cell`` (new qubits in |+>); measure the old tile out a round later."""
        target = self._cell_region(cell)
        x0 = min(x for x, _ in target)
        ys = [y for _, y in state.region] + [y for _, y in target]
        tall = rectangle(x0, min(ys), self.d, max(ys) - min(ys) + 1)
        if {x for x, _ in state.region} != {x for x, _ in target}:
            raise VerificationError(f"@{t}: a step from {min(state.region)} to {cell} leaves its column")
        self.b.reset(tall - state.region, "X")
        left = tall - target
        old = state.region
        state.region, state.rects = tall, (tall,)
        self.steps.append((state, left, target, t + self.step_rounds, old))
        self.counts["moves"] += 1

    def _round(self, t: int) -> None:
        comps: list[tuple[Region, tuple[Region, ...], frozenset[Coord]]] = []
        for q in self._patches():
            comps.append((q.region, q.rects, frozenset()))
        merges = [*self.fmerges, *self.pmerges.values()]
        for m in merges:
            region = m.ancilla.union(*(q.region for q in m.members))
            rects = tuple(r for q in m.members for r in q.rects)
            comps.append((region, rects, m.layout.bus_order_anchors(m.merge)))
        key = frozenset(comps)
        if key not in self.cache:
            total = sum(len(r) for r, _, _ in comps)
            qubits = frozenset().union(*(r for r, _, _ in comps))
            if len(qubits) != total:
                raise VerificationError(f"@{t}: two patches or merges of the stream share qubits in the circuit")
            pairs = x_edges([r for _, rects, _ in comps for r in rects])
            horizontal = frozenset().union(*(h for _, _, h in comps))
            checks = code_checks([r for r, _, _ in comps], pairs, horizontal)
            self.cache[key] = ((qubits, checks), cx_layers(checks))
        (qubits, checks), layers = self.cache[key]
        recs = self.b._round(qubits, checks, layers)
        for m in merges:
            if m.start == t:
                # the frame paths (X of a merged patch joined to the magic patch's) and the merge's Z outcome
                region = m.ancilla | m.layout.magic()
                if m.port < 0:                      # a fresh |m>: any representative of its X will do
                    m.paths = {i: frame_path(checks, m.layout.column(q.region), region)
                               for i, q in enumerate(m.members[:-1])}
                else:                               # the state's X is its leftmost column (its frame's)
                    col = frozenset(_column(m.members[-1].region))
                    m.paths = {i: col | frame_path(checks, m.layout.column(q.region) | col, m.ancilla)
                               for i, q in enumerate(m.members[:-1])}
                    target = m.layout.row(m.layout.magic()).union(*(m.layout.row(q.region) for q in m.members[:-1]))
                    m.z_recs = [recs[k] for k in merge_product(checks, target)]
                if self.basis == "z":                 # the merge's outcome P Z_m (chooses the pi/4 correction)
                    target = m.layout.row(m.layout.magic()).union(*(m.layout.row(q.region) for q in m.members[:-1]))
                    self._observable([recs[k] for k in merge_product(checks, target)] +
                                     [r for q in m.members for r in q.zframe])
        if self.basis == "z":
            for state, _, entered, end, old in self.steps:
                if end == t + self.step_rounds:       # Z of the old tile's top row = Z of the new one's, times checks
                    target = _top_row(old) | _top_row(entered)
                    state.zframe += [recs[k] for k in merge_product(checks, target)]


def _top_row(region: Region) -> frozenset[Coord]:
    """The top row of a rectangular region (a logical Z of a patch)."""
    y = max(y for _, y in region)
    return frozenset(q for q in region if q[1] == y)


def _column(region: Region) -> list[Coord]:
    """The leftmost column of a rectangular region (a logical X of a patch), bottom to top."""
    x = min(x for x, _ in region)
    return sorted(q for q in region if q[0] == x)


def stream_circuit(stream: ProgramStream, p: float = 0.0, eps: float = 0.0,
                   forced: Iterable[ForcedError] = (), basis: str = "x",
                   step_rounds: int | None = None) -> StreamCircuit:
    """The whole nominal stream as one Stim circuit (module docstring), circuit-level noise ``p`` everywhere and
    input error ``eps`` on every injected state. ``forced``: Pauli errors applied with certainty before a round
    (the circuit's round ``t`` is the stream's round ``t``; coordinates as :func:`patch_qubits` gives them).

    Raises:
        SpecError: a stream the circuit does not cover (a trace, a two-level unit, a distance other than 3 or 5,
            more than :data:`MAX_DATA` data patches or :data:`MAX_CONSUMPTIONS` consumptions, a merge or route
            outside ``verify factory``'s picture).
        VerificationError: operations that do not fit together (a merge without its state, a correction that
            reads another consumption's register, patches that share qubits).
    """
    if not 0 <= p < 0.5 or not 0 <= eps < 1:
        raise SpecError(f"p={p}, eps={eps}: give p in [0, 0.5) and eps in [0, 1)")
    w = _Walker(stream, float(p), float(eps), basis, step_rounds)
    w.b.forced = tuple(forced)
    return w.build()


def patch_qubits(stream: ProgramStream, tile: Tile) -> frozenset[Coord]:
    """The circuit's data qubits of the stream's ``d x d`` tile at ``tile`` (module docstring, "Geometry").

    Examples:
        >>> from magicpipe.lattice.whole import ProgramLayout, program_stream2, unit_one_level
        >>> s = program_stream2(ProgramLayout(2, 3), unit_one_level("15-to-1", 3), 1, [(0, 1, 1, 3)])
        >>> sorted(patch_qubits(s, Tile(3, 6)))[:2]
        [(4, -8), (4, -7)]
    """
    d = stream.header.data_distance
    if tile.x % d or tile.y % d:
        raise SpecError(f"tile {tile} is not on the distance-{d} grid")
    return rectangle(tile.x // d * (d + 1), -(tile.y // d) * (d + 1), d, d)


# graph-like distances found, by the SHA-256 of the circuit's text (a few ms to hash against 0.3 s for the search
# at d = 3): a process that asks again for the same circuit (``verify stream`` and its ``--twin`` on one stream,
# a test suite) searches once
_DISTANCES: dict[bytes, int] = {}


def stream_distance(sc: StreamCircuit) -> int:
    """Graph-like distance of a noisy stream circuit (``shortest_graphlike_error``; build it with p > 0, eps = 0:
    each input error is a weight-1 logical by design)."""
    key = hashlib.sha256(str(sc.circuit).encode()).digest()
    if key not in _DISTANCES:
        if len(_DISTANCES) >= 64:
            _DISTANCES.pop(next(iter(_DISTANCES)))
        _DISTANCES[key] = len(sc.circuit.shortest_graphlike_error(ignore_ungraphlike_errors=True))
    return _DISTANCES[key]


def sample_stream_circuit(sc: StreamCircuit, shots: int, seed: int = 0, batch: int = 4096) -> StreamSample:
    """Sample the noisy circuit, decode with PyMatching, post-select on the checks (every run accepted) and count
    the accepted shots with a wrong data observable."""
    import pymatching

    dem = sc.circuit.detector_error_model(decompose_errors=True)
    matching = pymatching.Matching.from_detector_error_model(dem)
    sampler = sc.circuit.compile_detector_sampler(seed=seed)
    n = sc.data_observables
    accepted = errors = 0
    for start in range(0, shots, batch):          # bounded memory: one batch of detection events at a time
        dets, obs = sampler.sample(min(batch, shots - start), separate_observables=True)
        wrong = matching.decode_batch(dets) ^ obs
        ok = ~np.any(wrong[:, n:], axis=1)
        accepted += int(ok.sum())
        errors += int((np.any(wrong[:, :n], axis=1) & ok).sum())
    return StreamSample(shots, accepted, errors, seed)
