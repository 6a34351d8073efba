"""A whole-program stream run at the logical level: does every consumption, with the corrections the stream
writes, apply exactly a T gate to its data patch, whatever the outcomes?

Each data patch is one qubit, prepared in ``|+>`` (so a T gate's phase shows); each consumption's magic patch
is one more qubit prepared in ``|T> = T|+>`` when its merge starts. The stream's own operations are applied in
order (REPEATs written out): ``MEASURE z Z:q.. Z:p..`` projects onto an eigenspace of the Pauli product,
``MEASURE x X:p..`` onto one of ``X_m`` (the magic qubit is then reset for the port's next state), ``ROTATE
... angle=pi/4`` applies ``exp(-i pi/4 P)``, ``FRAME`` the Pauli ``P`` -- conditioned as the stream says. In a
nominal stream the outcomes are drawn with their quantum probabilities; in a sampled trace they are the trace's
own (each has probability 1/2, and the run is post-selected on them). At the end the data qubits must be in
``prod_q T^(k_q) |+>``, ``k_q`` the states the stream consumed on patch q: fidelity 1 on every branch, a
deterministic observable. This checks the stream's classical control (which register each correction reads,
and the pi/4 and Pauli corrections of each teleportation); it is not a circuit-level simulation of the
surface code (no patches, no noise: ``magicpipe verify factory`` does that for the factory).

A CCZ state (a port of ``lanes=3``) is three qubits prepared in ``CCZ |+++>`` at its first lane's merge; its
lanes' merges and readouts act as a T state's do, its corrections are ``exp(-i angle P)`` for ``ROTATE`` (one or
two Z factors, angle +-pi/4) and ``P`` for ``FRAME``, conditioned on one register or an ``&``-product; the ideal
state then also carries ``CCZ`` on each consumed state's three data patches.

Examples:
    >>> from magicpipe.lattice.whole import ProgramLayout, program_stream2, unit_one_level
    >>> s = program_stream2(ProgramLayout(2, 3), unit_one_level("15-to-1", 3), 2, [(0, 3, 2, 3)])
    >>> r = run_logical(s, shots=20, seed=1)
    >>> r.min_fidelity > 1 - 1e-9, r.consumptions
    (True, 6)
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

import numpy as np
from magicpipe.lattice.stream2 import ProgramStream, expand_repeats

from magicpipe.errors import SpecError, VerificationError

__all__ = ["MAX_QUBITS", "LogicalRun", "program_circuit", "run_logical", "unit_factory_circuit",
           "unit_factory_instructions"]

MAX_QUBITS = 16
_T = np.exp(1j * np.pi / 4)


@dataclass(frozen=True, slots=True)
class LogicalRun:
    """Shots run, the least fidelity to the ideal T gates over them, consumptions per shot, and how often each
    correction fired."""

    shots: int
    min_fidelity: float
    consumptions: int
    rotations: int
    frames: int


class _State:
    def __init__(self, n: int, slots: int) -> None:
        self.n, self.N = n, n + slots
        if self.N > MAX_QUBITS:
            raise SpecError(f"{n} data patches and {slots} magic patches in flight: the logical run simulates at most "
                            f"{MAX_QUBITS} qubits; use a smaller program")
        psi = np.zeros((2,) * self.N, dtype=complex)
        idx = tuple([slice(None)] * n + [0] * slots)
        psi[idx] = 1.0
        psi = psi / np.sqrt(2 ** n)
        self.psi = psi
        self.free = list(range(n, self.N))

    def z_sign(self, qubits) -> np.ndarray:
        """The +-1 eigenvalue of the product of Z on ``qubits`` at every basis state."""
        sign = np.ones((2,) * self.N)
        for q in qubits:
            shape = [1] * self.N
            shape[q] = 2
            sign = sign * np.array([1, -1]).reshape(shape)
        return sign

    def measure_z(self, qubits, forced: int, rng: random.Random) -> int:
        sign = self.z_sign(qubits)
        p1 = float(np.sum(np.abs(self.psi) ** 2 * (sign < 0)))
        out = forced if forced >= 0 else int(rng.random() < p1)
        keep = (sign < 0) if out else (sign > 0)
        prob = p1 if out else 1 - p1
        if prob < 1e-12:
            raise VerificationError(f"outcome {out} of Z on {qubits} has probability 0")
        self.psi = np.where(keep, self.psi, 0) / np.sqrt(prob)
        return out

    def hadamard(self, q: int) -> None:
        a = np.moveaxis(self.psi, q, 0)
        a = np.stack(((a[0] + a[1]) / np.sqrt(2), (a[0] - a[1]) / np.sqrt(2)))
        self.psi = np.moveaxis(a, 0, q)

    def phase(self, q: int, factor: complex) -> None:
        a = np.moveaxis(self.psi, q, 0).copy()
        a[1] = a[1] * factor
        self.psi = np.moveaxis(a, 0, q)

    def x(self, q: int) -> None:
        self.psi = np.flip(self.psi, axis=q)


def _one_shot(ops, n: int, slots: int, trace: bool, rng: random.Random,
              lanes: dict[int, int] | None = None) -> tuple[float, int, int, int]:
    st = _State(n, slots)
    magic: dict[tuple[int, int], int] = {}          # (port, lane) -> qubit
    regs: dict[str, int] = {}
    counts = np.zeros(n, dtype=int)
    triples: list[list[int]] = []                   # data patches of each CCZ state consumed
    open_ccz: dict[int, list[int]] = {}             # port -> its CCZ state's data patches so far
    rot = fr = done = 0
    for op in ops:
        if op.action == "MEASURE":
            pt = next(t for t in op.terms if t.kind == "p")
            key = (pt.index, pt.lane)
            data = [t.index for t in op.terms if t.kind == "q"]
            if data and pt.lane < 0:
                m = st.free.pop(0)
                magic[key] = m
                st.hadamard(m)          # |+>
                st.phase(m, _T)         # |T>
                regs[op.reg] = st.measure_z(data + [m], op.outcome if trace else -1, rng)
                for q in data:
                    counts[q] += 1
            elif data:                  # a lane of a CCZ state: its three qubits are CCZ|+++> at its first merge
                if key not in magic:
                    ms = [st.free.pop(0) for _ in range((lanes or {}).get(pt.index, 3))]
                    for j, m in enumerate(ms):
                        magic[(pt.index, j)] = m
                        st.hadamard(m)
                    st.psi = np.where(_all_one(st, ms), -st.psi, st.psi)
                    open_ccz[pt.index] = []
                regs[op.reg] = st.measure_z(data + [magic[key]], op.outcome if trace else -1, rng)
                open_ccz[pt.index] += data
            else:
                m = magic.pop(key)
                st.hadamard(m)
                regs[op.reg] = st.measure_z([m], op.outcome if trace else -1, rng)
                if regs[op.reg]:        # reset the magic qubit for the port's next state
                    st.x(m)
                st.free.append(m)
                if pt.lane < 0:
                    done += 1
                elif not any(k[0] == pt.index for k in magic):
                    triples.append(open_ccz.pop(pt.index))
                    done += 1
        elif op.action in ("ROTATE", "FRAME"):
            if op.cond is not None and (op.cond[1] != 1 or not all(regs.get(r, -1) == 1
                                                                   for r in op.cond[0].split("&"))):
                continue
            qs = [t.index for t in op.terms]
            if op.action == "FRAME":
                st.psi = st.psi * st.z_sign(qs)
                fr += 1
            else:
                angle = {"pi/4": np.pi / 4, "-pi/4": -np.pi / 4}.get(op.angle)
                if angle is None:
                    raise VerificationError(f"ROTATE angle={op.angle}: the logical run knows pi/4 and -pi/4")
                # exp(-i angle P) for the Pauli product P of the terms (one Z: S up to a global phase)
                st.psi = st.psi * np.exp(-1j * angle * st.z_sign(qs))
                rot += 1
    ideal = np.zeros((2,) * st.N, dtype=complex)
    idx = tuple([slice(None)] * n + [0] * slots)
    data = np.ones((2,) * n, dtype=complex) / np.sqrt(2 ** n)
    for q in range(n):
        shape = [1] * n
        shape[q] = 2
        data = data * np.array([1, _T ** counts[q]]).reshape(shape)
    for tri in triples:
        ones = np.ones((2,) * n, dtype=bool)
        for q in tri:
            shape = [1] * n
            shape[q] = 2
            ones = ones & np.array([False, True]).reshape(shape)
        data = np.where(ones, -data, data)
    ideal[idx] = data
    return float(abs(np.vdot(ideal, st.psi)) ** 2), done, rot, fr


def _all_one(st: _State, qubits) -> np.ndarray:
    """Where every qubit of ``qubits`` is 1 (CCZ's phase)."""
    ones = np.ones((2,) * st.N, dtype=bool)
    for q in qubits:
        shape = [1] * st.N
        shape[q] = 2
        ones = ones & np.array([False, True]).reshape(shape)
    return ones


def run_logical(stream: ProgramStream, shots: int = 100, seed: int = 0) -> LogicalRun:
    """Run the stream's consumptions ``shots`` times at the logical level (module docstring).

    Raises:
        SpecError: too many qubits for the state-vector simulation.
        VerificationError: an outcome a trace names has probability 0.
    """
    h = stream.header
    n = len(h.data)
    ops = [op for op in expand_repeats(stream.ops) if op.action in ("MEASURE", "ROTATE", "FRAME")]
    # most merges in flight at once: one magic qubit each
    lanes = {p.index: p.lanes for p in h.ports}
    busy: set[tuple[int, int]] = set()
    most = 0
    for op in ops:
        if op.action == "MEASURE":
            pt = next(t for t in op.terms if t.kind == "p")
            if any(t.kind == "q" for t in op.terms):
                busy |= {(pt.index, j) for j in range(lanes.get(pt.index, 1))} if pt.lane >= 0 else {(pt.index, -1)}
            else:
                busy.discard((pt.index, pt.lane))
            most = max(most, len(busy))
    trace = h.mode == "trace"
    rng = random.Random(seed)
    worst, done, rot, fr = 1.0, 0, 0, 0
    for _ in range(1 if trace else shots):
        f, done, r, x = _one_shot(ops, n, max(most, 1), trace, rng, lanes)
        worst, rot, fr = min(worst, f), rot + r, fr + x
    return LogicalRun(1 if trace else shots, worst, done, rot, fr)


def unit_factory_circuit(stream: ProgramStream, p: float = 0.0, eps: float = 0.0, basis: str = "x"):
    """The Stim circuit of the stream's factory, built from the unit's own ``MEASURE`` lines.

    The unit's version-1 stream is parsed and its top-level factory's Pauli-product measurements (one merge
    and one ``Xm`` readout per injected rotation, then the checks, :func:`unit_factory_instructions`) are handed
    to :func:`magicpipe.verification.factory.factory_circuit`, which checks them against the protocol and lays
    them out as lattice-surgery merges at circuit level.

    Raises:
        SpecError: no unit, a unit whose top level is fed by injection (one-level: no merges to read), or a top
            distance other than 3 or 5 (what ``verify factory`` simulates).
    """
    from magicpipe.verification.factory import factory_circuit

    d, lines = unit_factory_instructions(stream)
    return factory_circuit(d, p, eps if basis == "x" else 0.0, basis=basis, instructions=lines)


def unit_factory_instructions(stream: ProgramStream):
    """The top distance and the top-level factory's ``MEASURE`` lines of the stream's unit, in the block's
    bottom-port picture: when the floor plan put the port on the block's top routing row (buffer rows above
    the block, ``lattice.floorplan``), the tiles are mirrored (row r to rows - 1 - r), so ``verify factory``'s
    builder lays out the block's mirror image, the picture whose distance it checks (the circuit is the same up
    to the reflection).

    Raises:
        SpecError: as :func:`unit_factory_circuit`.
    """
    from magicpipe.compiler.protocols import get_protocol
    from magicpipe.grammar.parser import parse
    from magicpipe.lattice.block import BlockLayout
    from magicpipe.lattice.geometry import Tile

    h = stream.header
    if not h.units:
        raise SpecError("the stream has no unit")
    u = h.units[0]
    d = u.distances[-1]
    if len(u.distances) < 2:
        raise SpecError(f"unit {u.name} is a one-level factory fed by injection: it states no merges to build a "
                        f"circuit from")
    if d not in (3, 5):
        raise SpecError(f"unit {u.name}'s top level runs at d={d}; the factory circuit is built at d = 3 or 5")
    text = f"MAGICPIPE_LSI 1\nHARDWARE p={h.p!r} eps={h.eps!r} t_2q_ns={h.t_2q_ns!r} t_meas_ns={h.t_meas_ns!r}\n"
    v1 = parse(text + u.text)
    top = next(i.target for i in v1.instructions if i.action == "OUTPUT" and i.peer == "program")
    lines = [i for i in v1.instructions if i.action == "MEASURE" and i.target == top]
    rows = BlockLayout.for_protocol(get_protocol(u.protocol)).rows
    if any(t.y // d == rows - 1 for i in lines for t in i.tiles):
        lines = [dataclasses.replace(i, tiles=tuple(Tile(t.x, (rows - 1) * d - t.y) for t in i.tiles))
                 for i in lines]
    return d, lines


def program_circuit(stream: ProgramStream, p: float = 0.0):
    """The program side of a small stream as one Stim circuit: its consumptions, read from its own merges,
    as lattice-surgery merges at the program's distance.

    The data patches sit in a row on ``verify factory``'s tile grid, the routing bus under them and the magic
    patch hanging under the bus's last tile (the stream's zone is this picture mirrored: data under the bus, the
    port above it). Each ``MEASURE z<p> Z:q<i> Z:p<p>`` of the stream, in order, becomes a merge of data patch i
    with a fresh magic patch through the bus from i's column to the last one, ``d`` rounds, split by the X
    readout; the magic state is the ``|+>`` stand-in of ``verify factory`` (its pi/4 correction is the
    identity), and each readout's outcome enters its data patch's X observable as the Pauli-frame update the
    stream's ``FRAME`` applies. Observable k is data patch k's logical X.

    Raises:
        SpecError: more than 5 data patches or 12 consumptions (a circuit for checks, not for programs), or a
            distance other than 3 or 5.
    """
    from magicpipe.lattice.block import BlockLayout
    from magicpipe.verification.factory_circuit import build_factory
    from magicpipe.verification.factory_program import FactoryProgram, Merge

    h = stream.header
    n, d = len(h.data), h.data_distance
    merges_in = [op for op in expand_repeats(stream.ops)
                 if op.action == "MEASURE" and any(t.kind == "q" for t in op.terms)]
    if n > 5 or len(merges_in) > 12 or d not in (3, 5):
        raise SpecError(f"{n} data patches, {len(merges_in)} consumptions at d={d}: the program circuit is built for "
                        f"at most 5 patches and 12 consumptions at d = 3 or 5")
    cols = max(n, 2)
    block = BlockLayout(cols, 3, tuple((k, 1) for k in range(n)), (cols - 1, 2), (cols - 1, 0))
    merges = []
    for op in merges_in:
        qs = tuple(sorted(t.index for t in op.terms if t.kind == "q"))
        bus = tuple((c, 0) for c in range(min(qs), cols))
        merges.append(Merge(qs, bus, str(op)))
    program = FactoryProgram("program", d, block, (), tuple(merges), (), tuple(range(n)))
    return build_factory(program, float(p), 0.0, "x")
