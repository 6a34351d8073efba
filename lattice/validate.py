"""The validator behind ``magicpipe check``: replays a stream and reports every broken rule.

Rules (:data:`Rule`), each checked as the instructions are replayed in order:

* ``order`` -- times never go back; a factory is launched once and acted on only while it runs.
* ``on-floorplan`` -- every region, tile and slot lies on the header's floor plan, and each SLOT tile holds a patch
  of the slots' distance (the largest whose patch fits ``slot_qubits``: grown slots are larger tiles).
* ``tile-free`` -- no two patches share a tile: a launch lands on tiles no running factory, slot or data patch
  holds, except a region its stalled owner lent to it.
* ``qubit-budget`` -- buffer plus running factories never exceed the header's qubits (a factory that lent its
  ancilla region counts its data patches only).
* ``slot-empty`` / ``slot-full`` -- a step never takes from an empty slot; a state never lands on a full slot
  (nor is discarded as buffer-full while a slot is free).
* ``input-pattern`` -- a factory consumes its protocol's burst at launch and ``inputs_per_step`` at every step,
  in step order, with its data patches home; direct hand-overs are taken in their round.
* ``move-path`` -- a move starts where its patch is, steps tile to tile inside its block, crosses no other
  patch nor a route of the same round, and happens during a stall; data is home before the step resumes.
* ``timing`` -- a run yields after its factory's rounds; step k + 1 starts ``step_rounds`` after step k unless
  a STALL at that round delays it to its RESUME (a reuse cycle that ends short of states may STALL the same
  step again); a factory outputs one step after its last.
* ``conservation`` -- produced = consumed + discarded + left in a slot, as the TALLY states.

Examples:
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> from magicpipe.compiler.pipeline import Pipeline
    >>> from magicpipe.lattice.emit import build_stream
    >>> stream = build_stream(pareto_front(Pipeline.from_distances((5, 17))).points[0].schedule)
    >>> check(stream)
    []
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable, Iterator

from magicpipe.compiler.hardware import patch_qubits
from magicpipe.errors import VerificationError
from magicpipe.lattice.replay import RULES, Broken, Replay, Rule
from magicpipe.lattice.stream import Header, Instruction, Stream, numbered

__all__ = ["RULES", "Audit", "Rule", "Violation", "audit", "check", "validate", "REGION_NAMES"]

REGION_NAMES = ("factory", "buffer", "low", "fill")


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken rule: where, which instruction, which rule, and the values that break it."""

    line: int
    instruction: str
    rule: Rule
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.rule}: {self.message}\n    {self.instruction}"


@dataclass(frozen=True, slots=True)
class Audit:
    """What a replay found: the violations, and figures of the stream as replayed."""

    violations: tuple[Violation, ...]
    instructions: int
    last_round: int
    peak_qubits: int
    moves: int
    factories: int


def _check_header(h: Header) -> Iterator[Violation]:
    """Distances, budget, regions and slots (lines as ``str(header)`` numbers them, from the version line)."""
    off = h.line - 1 if h.line else 0
    bad = [d for d in h.distances if d < 3 or d % 2 == 0]
    pipeline = f"PIPELINE protocol={h.protocol} distances={','.join(map(str, h.distances))}"
    if bad or not h.distances:
        yield Violation(3 + off, pipeline, "order", f"code distances must be odd and >= 3 (got {bad or 'none'})")
    elif list(h.distances) != sorted(h.distances):
        yield Violation(3 + off, pipeline, "order", "distances are listed lowest level first, and a level never "
                        "runs below the one it feeds")
    budget_line = (f"BUDGET qubits={h.qubit_budget} slots={h.buffer_slots} slot_qubits={h.slot_qubits} "
                   f"move_rounds={h.move_rounds}")
    d_slot = h.distances[0] if h.distances else 0
    if h.buffer_slots and d_slot >= 3 and h.slot_qubits < patch_qubits(d_slot):
        yield Violation(4 + off, budget_line, "qubit-budget", f"slot_qubits={h.slot_qubits} is less than one "
                        f"d={d_slot} patch ({patch_qubits(d_slot)} qubits): every buffered state is a patch")
    while d_slot >= 3 and patch_qubits(d_slot + 2) <= h.slot_qubits:  # slots grown to a higher distance
        d_slot += 2
    if len(h.slots) != h.buffer_slots:
        yield Violation(4 + off, budget_line, "on-floorplan", f"BUDGET declares {h.buffer_slots} slots but "
                        f"{len(h.slots)} SLOT lines place them")
    first_region = 6 + off
    for k, r in enumerate(h.regions):
        if r.name not in REGION_NAMES:
            yield Violation(first_region + k, str(r), "on-floorplan", f"region name {r.name!r} is not one of "
                            f"{', '.join(REGION_NAMES)}")
        elif r.distance not in h.distances:
            yield Violation(first_region + k, str(r), "on-floorplan", f"region {r.name} is tiled at d={r.distance}, "
                            f"not a distance of the PIPELINE ({','.join(map(str, h.distances))})")
        if not h.bounds.contains(r.rect):
            yield Violation(first_region + k, str(r), "on-floorplan", f"region {r.name} {r.rect} leaves the floor "
                            f"plan ({h.width} x {h.height})")
    first_slot = first_region + len(h.regions)
    for k, s in enumerate(h.slots):
        text = f"SLOT {k} {s}"
        if d_slot and (s.w < d_slot or s.h < d_slot):
            yield Violation(first_slot + k, text, "on-floorplan", f"slot {k} at {s} is smaller than a d={d_slot} patch")
        if not h.bounds.contains(s) or (h.regions and not any(r.rect.contains(s) for r in h.regions)):
            yield Violation(first_slot + k, text, "on-floorplan", f"slot {k} at {s} is off the floor plan's regions")
        for j in range(k):
            if h.slots[j].overlaps(s):
                yield Violation(first_slot + k, text, "tile-free", f"slot {k} at {s} overlaps slot {j} at {h.slots[j]}")


def audit(stream: Stream, instructions: Iterable[Instruction] | None = None) -> Audit:
    """Replay the stream against every rule.

    Args:
        stream: the stream (its header is used; its instructions unless ``instructions`` is given, which lets a
            caller validate a generator without holding it).
    """
    header = stream.header
    replay = Replay(header)
    out: list[Violation] = list(_check_header(header))
    last = (0, "")
    count = 0
    for line, inst in numbered(header, stream.instructions if instructions is None else instructions):
        count += 1
        last = (line, str(inst).splitlines()[0])
        try:
            replay.apply(inst)
        except Broken as e:
            out.append(Violation(line, last[1], e.rule, e.message))
    try:
        replay.close()
    except Broken as e:
        out.append(Violation(last[0], last[1], e.rule, e.message))
    return Audit(tuple(out), count, replay.time, replay.peak, replay.moves, len(replay.factories) + len(replay.ended))


def check(stream: Stream, instructions: Iterable[Instruction] | None = None) -> list[Violation]:
    """Every rule the stream breaks (empty when it is valid); the first is where replay stopped trusting it."""
    return list(audit(stream, instructions).violations)


def validate(stream: Stream) -> None:
    """Raise on the first violation.

    Raises:
        VerificationError: with every violation as ``counterexample``.
    """
    found = check(stream)
    if found:
        raise VerificationError(str(found[0]) + (f"\n(and {len(found) - 1} more)" if len(found) > 1 else ""), found)

