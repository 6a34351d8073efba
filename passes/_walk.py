"""The circuit walk behind :class:`~magicpipe.passes.MagicStateDemand`.

One pass over the instructions in order (a topological order) keeps, for every qubit and classical bit,
the first layer at which it is free. A magic-state-consuming operation on qubit ``q`` occupies layers
``[level[q], level[q] + k)`` -- ``k`` its T-count -- and moves ``level[q]`` on; a Clifford gate on several
wires (or a measurement, a barrier) takes no layer but aligns its wires to their latest level. Single-qubit
Cliffords change nothing. Only the intervals are stored (two integers per consuming operation).

Control flow: a ``for_loop`` is walked once per value of its index set with the loop variable bound;
``box`` once; ``if_else`` and ``switch_case`` take the branch that consumes the most states (the plan must
supply the worst case; the count of such choices is reported); ``while_loop``, ``break_loop`` and
``continue_loop`` make the count depend on run-time values and are refused.

Toffoli-class gates (``ccx``, ``ccz``, ``cswap`` and ``mcx`` with ``k >= 2`` controls) are counted as
Toffolis: ``k - 1`` of them for ``mcx`` (a chain of temporary logical ANDs into clean ancillas, uncomputed by
measurement at no T cost; Jones 2013, Gidney 2018), each one layer in which ``toffoli_cost`` states are
consumed at once (the phase polynomial of a Toffoli is a set of commuting pi/8 rotations, one layer of
Litinski's Pauli-based computation).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter

from qiskit.circuit import ParameterExpression, QuantumCircuit

from magicpipe.errors import SpecError
from magicpipe.passes.rotations import angle_key, classify_angle

__all__ = ["KINDS", "TOFFOLI_CLASS", "UnsupportedInstruction", "Walker", "describe_location", "unknown_operations",
           "used_qubits"]


class UnsupportedInstruction(SpecError):
    """An instruction the demand cannot be counted through; ``instruction`` is its name."""

    def __init__(self, message: str, instruction: str) -> None:
        super().__init__(message)
        self.instruction = instruction

_CLIFFORD_1Q = ("id", "x", "y", "z", "h", "s", "sdg", "sx", "sxdg")
_CLIFFORD_MULTI = ("cx", "cz", "cy", "swap", "iswap", "ecr", "dcx")

KINDS: dict[str, str] = {
    **{n: "skip" for n in _CLIFFORD_1Q + ("reset", "delay", "global_phase")},
    **{n: "sync" for n in _CLIFFORD_MULTI + ("measure", "barrier")},
    "t": "t",
    "tdg": "t",
    **{n: "angle" for n in ("rz", "p", "u1", "rx", "ry")},
    **{n: "u" for n in ("u", "u3", "u2")},
    **{n: "flow" for n in ("for_loop", "if_else", "switch_case", "box", "while_loop")},
    **{n: "toffoli" for n in ("ccx", "ccz", "cswap", "mcx", "c3x", "c4x", "mcx_gray", "mcx_vchain",
                              "mcx_recursive")},
}
"""How the walk treats each known operation name; anything else is decomposed by Qiskit first."""

_ROTATION_KINDS = ("angle", "u")
TOFFOLI_CLASS = tuple(n for n, k in KINDS.items() if k == "toffoli")
_IDLE = ("barrier", "delay", "global_phase")


def used_qubits(circuit: QuantumCircuit) -> int:
    """Qubits some instruction other than a barrier or delay acts on (idle device wires excluded)."""
    used: set = set()
    n = circuit.num_qubits
    for inst in circuit.data:
        if inst.name not in _IDLE:
            used.update(inst.qubits)
            if len(used) == n:  # every qubit is used: no need to look further
                break
    return len(used)


def _controls(op) -> int:
    if op.name in ("ccx", "ccz", "cswap"):
        return 2
    return int(getattr(op, "num_ctrl_qubits", 0))
_NOT_STATIC = ("while_loop", "break_loop", "continue_loop")


def unknown_operations(circuit: QuantumCircuit) -> set[str]:
    """Names of operations the walk does not know, inside control flow too."""
    names = set(circuit.count_ops())
    out = {n for n in names if n not in KINDS and n not in _NOT_STATIC}
    if any(KINDS.get(n) == "flow" for n in names):
        for inst in circuit.data:
            if KINDS.get(inst.name) == "flow":
                for block in inst.operation.blocks:
                    out |= unknown_operations(block)
    return out


def describe_location(circuit: QuantumCircuit, name: str) -> str:
    """``"instruction #i on q[0], q[1]"`` for the first instruction called ``name`` (top level)."""
    for i, inst in enumerate(circuit.data):
        if inst.operation.name == name:
            return f"instruction #{i} on {_bits(circuit, inst.qubits)}"
        if KINDS.get(inst.operation.name) == "flow":
            for block in inst.operation.blocks:
                if describe_location(block, name) != "":
                    return f"inside the {inst.operation.name} at instruction #{i}"
    return ""


def _bits(circuit: QuantumCircuit, bits) -> str:
    names = []
    for b in bits:
        regs = circuit.find_bit(b).registers
        names.append(f"{regs[0][0].name}[{regs[0][1]}]" if regs else f"bit {circuit.find_bit(b).index}")
    return ", ".join(names) or "no qubits"


def _angles(op, params) -> tuple[float, ...]:
    if op.name in ("u", "u3"):
        return tuple(params[:3])  # U(theta, phi, lam) = RZ(phi) RY(theta) RZ(lam) up to phase
    if op.name == "u2":
        return (math.pi / 2, params[0], params[1])
    return (params[0],)


class Walker:
    """Walks a circuit; see the module docstring.

    Args:
        circuit: the top-level circuit (only known operations, see :data:`KINDS`).
        costs: T-count of an arbitrary rotation by :func:`~magicpipe.passes.rotations.angle_key`, or None
            for the first walk, which only collects the angles.
        toffoli_cost: T states of one Toffoli (4 with a measured ancilla, 7 without).
    """

    def __init__(self, circuit: QuantumCircuit, costs: dict[float, int] | None = None, toffoli_cost: int = 4) -> None:
        self.circuit = circuit
        self.costs = costs
        self.toffoli_cost = toffoli_cost
        width = circuit.num_qubits + circuit.num_clbits
        self.level = [0] * width
        self.rlevel = [0] * width  # rotation-only depth (each arbitrary rotation one step)
        self.starts = array("q")
        self.ends = array("q")
        self.anc_starts = array("q")  # layers during which Toffoli ancillas are held, one entry per ancilla
        self.anc_ends = array("q")
        self.tof_starts = array("q")  # the layer of each Toffoli (one entry per Toffoli)
        self.tof_ends = array("q")
        self.t_gates = 0
        self.rotation_states = 0
        self.toffolis = 0
        self.measurements = 0
        self.angles: Counter[float] = Counter()
        self.branches = 0
        self.bindings: dict = {}

    def run(self) -> Walker:
        c = self.circuit
        self.walk(c, list(range(c.num_qubits + c.num_clbits)), "")
        return self

    # -- one instruction list ---------------------------------------------------------------------------
    def walk(self, circ: QuantumCircuit, wires: list[int], where: str) -> None:
        index = {b: i for i, b in enumerate(circ.qubits)}
        off = circ.num_qubits
        index.update({b: off + i for i, b in enumerate(circ.clbits)})
        level, rlevel, kinds = self.level, self.rlevel, KINDS
        skip = ("skip", "t", "sync", "toffoli") if self.costs is None else ("skip",)  # the first walk reads angles
        for pos, inst in enumerate(circ.data):
            kind = kinds.get(inst.name)
            if kind in skip:
                continue
            if kind == "t":
                w = wires[index[inst.qubits[0]]]
                self._chain(w, 1)
                self.t_gates += 1
            elif kind == "sync":
                ws = [wires[index[b]] for b in inst.qubits] + [wires[index[b]] for b in inst.clbits]
                if len(ws) == 2:  # the common case (CX, or a measurement), inlined for speed
                    a, b = ws
                    la, lb = level[a], level[b]
                    level[a] = level[b] = la if la > lb else lb
                    ra, rb = rlevel[a], rlevel[b]
                    rlevel[a] = rlevel[b] = ra if ra > rb else rb
                else:
                    self._align(ws)
                if inst.name == "measure":
                    self.measurements += len(inst.qubits)
            elif kind == "toffoli":
                self._toffoli(inst.operation, [wires[index[b]] for b in inst.qubits])
            elif kind in _ROTATION_KINDS:
                self._rotation(inst.operation, wires[index[inst.qubits[0]]], where, pos)
            elif kind == "flow":
                ws = [wires[index[b]] for b in inst.qubits] + [wires[index[b]] for b in inst.clbits]
                self._flow(inst.operation, ws, f"{where}{inst.name} at instruction #{pos} > ")
            else:
                raise UnsupportedInstruction(
                    f"unsupported instruction {inst.name!r} at {where}instruction #{pos} "
                    f"on {_bits(circ, inst.qubits)}: {self._why(inst.name)}", inst.name
                )

    @staticmethod
    def _why(name: str) -> str:
        if name in _NOT_STATIC:
            return ("its number of executions depends on measurement results, so the magic-state count is "
                    "not static; unroll it or replace it by a for_loop over a fixed range")
        return "decompose it into standard gates first"

    def _align(self, ws: list[int]) -> int:
        level, rlevel = self.level, self.rlevel
        top = max(level[w] for w in ws)
        rtop = max(rlevel[w] for w in ws)
        for w in ws:
            level[w] = top
            rlevel[w] = rtop
        return top

    def _toffoli(self, op, ws: list[int]) -> None:
        """``k - 1`` Toffolis for ``k`` controls, one layer of ``toffoli_cost`` states each (module docstring)."""
        k = _controls(op)
        if k < 2:  # a CX or X: Clifford
            self._align(ws)
            return
        n = k - 1
        start = self._align(ws)
        cost = self.toffoli_cost
        for i in range(n):
            for _ in range(cost):
                self.starts.append(start + i)
                self.ends.append(start + i + 1)
            self.tof_starts.append(start + i)
            self.tof_ends.append(start + i + 1)
        ancillas = n if cost == 4 else n - 1  # the 7-T Toffoli is unitary: no ancilla of its own
        for _ in range(ancillas):
            self.anc_starts.append(start)
            self.anc_ends.append(start + n)
        for w in ws:
            self.level[w] = start + n
        self.toffolis += n

    def _chain(self, wire: int, k: int) -> None:
        s = self.level[wire]
        if k:
            self.starts.append(s)
            self.ends.append(s + k)
            self.level[wire] = s + k

    def _value(self, p, name: str, where: str, pos: int) -> float:
        if isinstance(p, ParameterExpression):
            values = {k: v for k, v in self.bindings.items() if k in p.parameters}
            bound = p.bind(values) if values else p
            if bound.parameters:
                names = ", ".join(sorted(str(x) for x in bound.parameters))
                raise SpecError(
                    f"gate {name!r} at {where}instruction #{pos} has unbound parameter(s) {names}; "
                    f"bind them (QuantumCircuit.assign_parameters) before counting magic states"
                )
            return float(bound)
        return float(p)

    def _rotation(self, op, wire: int, where: str, pos: int) -> None:
        k = 0
        for theta in _angles(op, [self._value(p, op.name, where, pos) for p in op.params]):
            try:
                kind = classify_angle(theta)
            except SpecError as e:
                raise SpecError(f"gate {op.name!r} at {where}instruction #{pos}: {e}") from None
            if kind == "t":
                k += 1
                self.t_gates += 1
            elif kind == "arbitrary":
                key = angle_key(theta)
                self.angles[key] += 1
                self.rlevel[wire] += 1
                if self.costs is not None:
                    k += self.costs[key]
                    self.rotation_states += self.costs[key]
        self._chain(wire, k)

    # -- control flow ----------------------------------------------------------------------------------
    def _flow(self, op, ws: list[int], where: str) -> None:
        if ws:  # the body (or the branch choice) waits for every wire it touches
            self._align(ws)
        if op.name == "while_loop":
            raise UnsupportedInstruction(
                f"unsupported instruction 'while_loop' at {where.rstrip(' >')}: {self._why('while_loop')}", "while_loop"
            )
        if op.name == "for_loop":
            indexset, var, body = op.params
            for value in indexset:
                if var is not None:
                    self.bindings[var] = value
                self._block(body, ws, where)
            self.bindings.pop(var, None)
        elif op.name == "box":
            self._block(op.blocks[0], ws, where)
        else:  # if_else, switch_case: the branch that consumes the most
            blocks = [b for b in op.blocks if b is not None]
            if self.costs is None:  # first walk: every branch's angles count towards the synthesis split
                for b in blocks:
                    self._block(b, ws, where)
                return
            best = max(range(len(blocks)), key=lambda i: self._trial(blocks[i], ws, where))
            self.branches += 1
            self._block(blocks[best], ws, where)

    def _block(self, body: QuantumCircuit, ws: list[int], where: str) -> None:
        self.walk(body, ws[: body.num_qubits] + ws[body.num_qubits:][: body.num_clbits], where)

    def _trial(self, body: QuantumCircuit, ws: list[int], where: str) -> tuple[int, int]:
        """(states, end level) of walking ``body``, undone afterwards."""
        saved = (list(self.level), list(self.rlevel), len(self.starts), len(self.anc_starts), len(self.tof_starts),
                 self.t_gates,
                 self.rotation_states, self.toffolis, self.measurements, self.angles.copy(), self.branches)
        self._block(body, ws, where)
        states = len(self.starts) - saved[2]
        end = max((self.level[w] for w in ws), default=0)
        (level, rlevel, n, m, k, self.t_gates, self.rotation_states, self.toffolis, self.measurements,
         self.angles, self.branches) = saved
        self.level[:] = level  # in place: the walks up the stack hold these lists
        self.rlevel[:] = rlevel
        del self.starts[n:]
        del self.ends[n:]
        del self.anc_starts[m:]
        del self.anc_ends[m:]
        del self.tof_starts[k:]
        del self.tof_ends[k:]
        return states, end
