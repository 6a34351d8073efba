"""Litinski's distillation blocks as data: rotation lists laid out on asymmetric-distance patches.

Litinski ("Magic State Distillation: Not as Costly as You Think", Quantum 3, 205 (2019), Sec. 3 and
App. A; public model code in ``litinski/magicstates``) writes a protocol as a list of Z-type pi/8 Pauli
product rotations on a few logical qubits, some of which are measured in the X basis at the end (the
checks) while the others hold the outputs. Each rotation consumes one input magic state through a
lattice-surgery measurement whose ancilla runs along some of the block's patches. The patches have three
distances: ``d_X`` (the output patches, and the side along which the ancilla meets them), ``d_Z`` (the
check patches) and ``d_m`` (the measurement ancilla, which also sets the duration of one step).

A :class:`Layout` holds one protocol in that form: the rotations grouped into steps (those done in the same
time slot), for each rotation the ancilla's length in patch widths ``a_X d_X + a_Z d_Z + a_m d_m`` and the
output patches whose Z boundary it exposes, and after each step the role of every qubit's patch while it
waits for the next step (``-`` absent, ``o`` output patch, ``c`` check patch, ``r`` an output that is being
consumed, ``w`` an output that waits one more step, then is consumed). The numbers are read off Litinski's
figures and model; the data below is ours, written in this form.

Every :class:`Layout` is checked when it is built: as many rotations as the protocol consumes inputs, Pauli
strings and role strings of the protocol's width, outputs and checks disjoint and covering every qubit, a
released output only once. :mod:`magicpipe.compiler.blockmodel` evaluates a layout's output error,
failure probability, footprint and time; the verification package (``catalogue`` module) checks its rotation list
by state vector and enumeration.
"""

from __future__ import annotations

from dataclasses import dataclass

from magicpipe.errors import SpecError

__all__ = ["FIRST_LEVEL", "LAYOUTS", "Layout", "Rotation", "Step", "get_layout"]

_ROLES = "-ocrw"


@dataclass(frozen=True, slots=True)
class Rotation:
    """One pi/8 rotation ``exp(i s pi/8 P)`` of a layout.

    Attributes:
        pauli: ``P`` as a string of ``I`` and ``Z`` (character ``i`` acts on qubit ``i``), with an optional
            leading ``-`` for ``s = -1``.
        ancilla: ``(a_X, a_Z, a_m)``: the lattice-surgery ancilla spans ``a_X d_X + a_Z d_Z + a_m d_m``
            patch widths; ``None`` for a single-qubit rotation done by injecting the input state straight
            into the patch (first-level blocks only).
        exposed: output qubits whose Z boundary the ancilla runs along (they pick up storage errors during
            the measurement); ``None`` means the output qubits in the rotation's support.
    """

    pauli: str
    ancilla: tuple[int, int, int] | None
    exposed: tuple[int, ...] | None = None

    @property
    def sign(self) -> int:
        return -1 if self.pauli.startswith("-") else 1

    @property
    def letters(self) -> str:
        return self.pauli.lstrip("+-")

    @property
    def mask(self) -> int:
        """Bit ``i`` set where the rotation acts on qubit ``i``."""
        return sum(1 << i for i, c in enumerate(self.letters) if c == "Z")

    def ancilla_length(self, dx: int, dz: int, dm: int) -> float:
        """Length of the ancilla in units of one patch width (0 for an injected rotation)."""
        if self.ancilla is None:
            return 0.0
        ax, az, am = self.ancilla
        return float(ax * dx + az * dz + am * dm)


@dataclass(frozen=True, slots=True)
class Step:
    """Rotations done in one time slot, then the role of each qubit's patch until the next slot."""

    rotations: tuple[Rotation, ...]
    storage: str


@dataclass(frozen=True, slots=True)
class Layout:
    """A protocol's rotation list on Litinski's block (module docstring).

    Attributes:
        protocol: the protocol's name, e.g. ``"15-to-1"``.
        level: ``"first"`` (inputs are injected physical states) or ``"upper"`` (inputs are distilled
            states brought in from feeder factories).
        kind: ``"T"`` or ``"CCZ"``: what the outputs are.
        inputs: input states one run consumes; must equal the number of rotations.
        outputs: qubits that hold the outputs.
        checks: qubits measured in the X basis at the end; all must read +1.
        states: output states one run delivers (20-to-4: 4; 8-to-CCZ: 1 CCZ state on 3 qubits).
        steps: the rotations, grouped in time slots.
        width: ``(w_X, w_Z)``: the block is ``w_X d_X + w_Z d_Z`` patch widths wide and ``3 d_X`` tall.
        reference: where the layout comes from.
    """

    protocol: str
    level: str
    kind: str
    inputs: int
    outputs: tuple[int, ...]
    checks: tuple[int, ...]
    states: int
    steps: tuple[Step, ...]
    width: tuple[int, int]
    reference: str = ""

    def __post_init__(self) -> None:
        where = f"layout {self.protocol} ({self.level} level)"
        if self.level not in ("first", "upper"):
            raise SpecError(f"{where}: level must be 'first' or 'upper', got {self.level!r}")
        if self.kind not in ("T", "CCZ"):
            raise SpecError(f"{where}: kind must be 'T' or 'CCZ', got {self.kind!r}")
        if len(self.rotations) != self.inputs:
            raise SpecError(
                f"{where}: {len(self.rotations)} rotations listed but the protocol consumes {self.inputs} "
                f"input states; list one rotation per input"
            )
        n = self.qubits
        if sorted(self.outputs + self.checks) != list(range(n)):
            raise SpecError(
                f"{where}: outputs {self.outputs} and checks {self.checks} must split the qubits 0..{n - 1} "
                f"between them, each qubit once"
            )
        for k, step in enumerate(self.steps, start=1):
            self._check_step(where, k, step)
        released = [q for q in self.outputs if sum(s.storage[q] in "rw" for s in self.steps) != 1]
        if released:
            raise SpecError(f"{where}: outputs {released} must be consumed ('r' or 'w') after exactly one step")
        if self.states < 1:
            raise SpecError(f"{where}: states per run must be >= 1, got {self.states}")

    def _check_step(self, where: str, k: int, step: Step) -> None:
        n = self.qubits
        if len(step.storage) != n or set(step.storage) - set(_ROLES):
            raise SpecError(
                f"{where}: step {k} storage {step.storage!r} must have {n} characters from {_ROLES!r}"
            )
        for q, role in enumerate(step.storage):
            if role in "orw" and q not in self.outputs:
                raise SpecError(f"{where}: step {k} gives check qubit {q} the output role {role!r}")
            if role == "c" and q not in self.checks:
                raise SpecError(f"{where}: step {k} gives output qubit {q} the check role 'c'")
        for r in step.rotations:
            letters = r.letters
            if len(letters) != n or set(letters) - {"I", "Z"} or len(r.pauli) - len(letters) > 1:
                raise SpecError(f"{where}: step {k} rotation {r.pauli!r} must be {n} letters I/Z, optional sign")
            if r.mask == 0:
                raise SpecError(f"{where}: step {k} has an identity rotation; every rotation must act on a qubit")
            if r.ancilla is None and (self.level != "first" or r.mask.bit_count() != 1):
                raise SpecError(
                    f"{where}: step {k} rotation {r.pauli!r} has no ancilla; only single-qubit rotations of a "
                    f"first-level block are injected directly"
                )
            if r.ancilla is not None and (len(r.ancilla) != 3 or min(r.ancilla) < 0):
                raise SpecError(f"{where}: step {k} rotation {r.pauli!r}: ancilla must be 3 non-negative integers")

    @property
    def rotations(self) -> tuple[Rotation, ...]:
        return tuple(r for s in self.steps for r in s.rotations)

    @property
    def qubits(self) -> int:
        """Logical qubits the rotations act on."""
        return len(self.steps[0].rotations[0].letters) if self.steps and self.steps[0].rotations else 0

    def exposed(self, rotation: Rotation) -> tuple[int, ...]:
        """Output qubits exposed to the ancilla of ``rotation``."""
        if rotation.ancilla is None:
            return ()
        if rotation.exposed is not None:
            return rotation.exposed
        return tuple(q for q in self.outputs if rotation.mask >> q & 1)

    def patch_widths(self, dx: int, dz: int) -> int:
        """Width of the block in units of one physical-qubit pitch (``w_X d_X + w_Z d_Z``)."""
        return self.width[0] * dx + self.width[1] * dz


def _r(pauli: str, ancilla: tuple[int, int, int] | None = None, exposed: tuple[int, ...] | None = None) -> Rotation:
    return Rotation(pauli, ancilla, exposed)


_LITINSKI = (
    "Litinski 2019, 'Magic State Distillation: Not as Costly as You Think', Figs. 3, 7, 9, 11; litinski/magicstates"
)

# 15-to-1 at the first level: qubit 0 holds the output, 1-4 are checked. Its four single-qubit rotations are
# injected straight into the patches (steps 1 and 3); the block is (d_X + 4 d_Z) wide, 6 steps of d_m cycles.
FIFTEEN_TO_ONE_FIRST = Layout(
    protocol="15-to-1", level="first", kind="T", inputs=15, outputs=(0,), checks=(1, 2, 3, 4), states=1,
    steps=(
        Step((_r("IZIII"), _r("IIZII"), _r("IIIZI"), _r("IZZZI", (0, 3, 0))), "-ccc-"),
        Step((_r("ZZZII", (1, 2, 0)), _r("ZZIZI", (1, 3, 0))), "occc-"),
        Step((_r("ZIZZI", (1, 3, 0)), _r("ZIIZZ", (1, 4, 0)), _r("IIIIZ")), "occcc"),
        Step((_r("ZZIIZ", (1, 4, 0)), _r("ZIZIZ", (1, 4, 0))), "occcc"),
        Step((_r("ZZZZZ", (1, 4, 0)), _r("IIZZZ", (0, 3, 0))), "rcccc"),
        Step((_r("IZIZZ", (0, 4, 0)), _r("IZZIZ", (0, 4, 0))), "-cccc"),
    ),
    width=(1, 4), reference=_LITINSKI,
)

# 15-to-1 at an upper level: two rotations per step, each fed by a state that travels from the feeders.
FIFTEEN_TO_ONE_UPPER = Layout(
    protocol="15-to-1", level="upper", kind="T", inputs=15, outputs=(0,), checks=(1, 2, 3, 4), states=1,
    steps=(
        Step((_r("IZIII", (1, 1, 1)), _r("IIZII", (0, 3, 1))), "-cc--"),
        Step((_r("IIIZI", (1, 3, 1)), _r("IIIIZ", (0, 1, 1))), "-cccc"),
        Step((_r("ZZZII", (1, 2, 1)), _r("IZZZI", (0, 4, 1))), "occcc"),
        Step((_r("ZIZZI", (1, 3, 1)), _r("ZZIZI", (1, 4, 1))), "occcc"),
        Step((_r("ZZIIZ", (1, 4, 1)), _r("ZIIZZ", (1, 4, 1))), "occcc"),
        Step((_r("ZIZIZ", (1, 4, 1)), _r("ZZZZZ", (1, 4, 1))), "occcc"),
        Step((_r("IZIZZ", (1, 4, 1), exposed=(0,)), _r("IIZZZ", (0, 3, 1))), "rcccc"),
        Step((_r("IZZIZ", (0, 4, 1)),), "-cc-c"),
    ),
    width=(1, 4), reference=_LITINSKI,
)

# 20-to-4 (Bravyi-Haah [[20,4,2]] family as Litinski writes it): qubits 0-3 hold four outputs, 4-6 are checked.
TWENTY_TO_FOUR_UPPER = Layout(
    protocol="20-to-4", level="upper", kind="T", inputs=20, outputs=(0, 1, 2, 3), checks=(4, 5, 6), states=4,
    steps=(
        Step((_r("-IIIIZII", (4, 1, 1)), _r("-IIIIIZI", (0, 2, 1))), "----cc-"),
        Step((_r("ZIIIZZI", (4, 2, 1)), _r("-IIIIZZZ", (0, 3, 1))), "o---ccc"),
        Step((_r("ZIIIIZZ", (4, 3, 1)), _r("-IIIIIIZ", (0, 1, 1))), "o---ccc"),
        Step((_r("ZIIIZIZ", (4, 3, 1)), _r("IZIIZZI", (3, 3, 1))), "oo--ccc"),
        Step((_r("ZZZZIZI", (4, 2, 1)), _r("IZIIZIZ", (3, 3, 1))), "ooooccc"),
        Step((_r("ZZZZZII", (4, 1, 1)), _r("IZIIIZZ", (3, 3, 1))), "ooooccc"),
        Step((_r("ZZZZZZZ", (4, 3, 1)), _r("IIZIZZI", (2, 3, 1))), "ooooccc"),
        Step((_r("ZZZZIIZ", (4, 3, 1)), _r("IIZIZIZ", (2, 3, 1))), "rrooccc"),
        Step((_r("IIZIIZZ", (4, 3, 1)), _r("IIIZZZI", (1, 3, 1))), "--roccc"),
        Step((_r("IIIZZIZ", (4, 3, 1)), _r("IIIZIZZ", (1, 3, 1))), "---wccc"),
    ),
    width=(4, 3), reference=_LITINSKI,
)

# 8-to-CCZ (synthillation): qubits 0-2 hold one CCZ state, qubit 3 is checked.
EIGHT_TO_CCZ_UPPER = Layout(
    protocol="8-to-CCZ", level="upper", kind="CCZ", inputs=8, outputs=(0, 1, 2), checks=(3,), states=1,
    steps=(
        Step((_r("ZIIZ", (3, 1, 1)), _r("-IIIZ", (0, 1, 1))), "o--c"),
        Step((_r("-ZZIZ", (3, 1, 1)), _r("-ZIZZ", (3, 1, 1))), "oooc"),
        Step((_r("ZZZZ", (3, 1, 1)), _r("-IZZZ", (2, 1, 1))), "rooc"),
        Step((_r("IZIZ", (3, 1, 1)), _r("IIZZ", (1, 1, 1))), "-rwc"),
    ),
    width=(3, 1), reference=_LITINSKI,
)

FIRST_LEVEL: Layout = FIFTEEN_TO_ONE_FIRST
LAYOUTS: dict[str, Layout] = {
    layout.protocol: layout for layout in (FIFTEEN_TO_ONE_UPPER, TWENTY_TO_FOUR_UPPER, EIGHT_TO_CCZ_UPPER)
}


def get_layout(protocol: str, level: str = "upper") -> Layout:
    """The layout of ``protocol`` at ``level`` ("first" or "upper").

    Examples:
        >>> get_layout("20-to-4").inputs, get_layout("15-to-1", "first").qubits
        (20, 5)
    """
    if level == "first":
        if protocol != FIRST_LEVEL.protocol:
            raise SpecError(f"only {FIRST_LEVEL.protocol} has a first-level layout, got {protocol!r}")
        return FIRST_LEVEL
    try:
        return LAYOUTS[protocol]
    except KeyError:
        raise SpecError(f"unknown protocol {protocol!r}; known: {sorted(LAYOUTS)}") from None
