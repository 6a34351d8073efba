"""The factory catalogue: Litinski's one- and two-level factories, costed and named.

A :class:`Factory` is one catalogue entry, a whole factory as the program sees it: its footprint in
physical qubits, its mean time per successful run in code cycles (failed runs included), the states one
run delivers and each state's error. :func:`one_level` and :func:`two_level` cost Litinski's factories
(Litinski 2019, Secs. 3-4): a first-level 15-to-1 block, or ``n`` first-level blocks feeding an upper
block (15-to-1, 20-to-4 or 8-to-CCZ) two states per step.

Geometry and timing of the two-level factory, as Litinski lays it out: the ``n`` first-level blocks (each
``(d_X + 4 d_Z)`` wide and ``3 d_X + d_m2 / 2`` tall, plus ``2 d_m`` for its output) sit on both sides of
a routing region of ``20 d_m2^2 + 2 d_X2 d_m2`` qubits' worth of area that leads to the upper block
(``(w_X d_X2 + w_Z d_Z2) x 3 d_X2``). Each input travels ``10 d_m2 + n (d_X + 4 d_Z) / 4`` patch widths.
An upper step (two rotations) waits for two first-level outputs, ``t = max(6 d_m / (n/2) / (1 - f_1),
d_m2)`` cycles, and a run takes ``inputs / 2`` steps, ``/ (1 - f_2)`` with retries. Each patch's qubit
count is ``2 d^2`` as in Litinski's footprints (the project's ``2 d^2 - 1`` differs by one per patch).

Names render as ``(15-to-1)_{17,7,7}`` and ``(15-to-1)^6_{13,5,5} x (20-to-4)_{23,11,13}``.
"""

from __future__ import annotations

from typing import Any

import dataclasses
import functools
from dataclasses import dataclass, field

from magicpipe.compiler.blockmodel import BlockRun, NoiseModel, run_layout
from magicpipe.compiler.blocks import FIRST_LEVEL, Layout, get_layout
from magicpipe.compiler.cultivation import CultivationPoint, cultivation_point  # noqa: F401 (doctests)
from magicpipe.compiler.hardware import check_distance
from magicpipe.compiler.source import Source

from magicpipe.errors import SpecError

__all__ = ["Factory", "Feed", "block_name", "cultivation_factory", "cultivation_fed", "one_level", "two_level",
           "upper_level"]


def block_name(protocol: str, distances: tuple[int, ...], copies: int = 1) -> str:
    """``(15-to-1)_{17,7,7}``, with ``^n`` for ``copies > 1``.

    Examples:
        >>> block_name("15-to-1", (13, 5, 5), 6)
        '(15-to-1)^6_{13,5,5}'
    """
    power = f"^{copies}" if copies > 1 else ""
    return f"({protocol}){power}_{{{','.join(str(d) for d in distances)}}}"


@dataclass(frozen=True, slots=True)
class Factory:
    """One catalogue entry: a whole factory (module docstring).

    Attributes:
        name: block text, e.g. ``(15-to-1)_{17,7,7}``.
        method: ``"litinski"``, ``"cultivation"`` or ``"cultivation+15-to-1"``.
        kind: ``"T"`` or ``"CCZ"``.
        qubits: physical qubits.
        cycles: mean code cycles per successful run, failures included.
        startup: code cycles from an empty factory to its first outputs (no failure on the way).
        outputs: states per successful run.
        output_error: error of each output state (of the CCZ state for 8-to-CCZ).
        p_fail: probability that a run of the last level is discarded.
        inputs: raw input states (or cultivation attempts' worth) per successful run, failures aside.
        distances: the distances of every block, lowest level first, flattened.
        detail: further JSON-able facts.
    """

    name: str
    method: str
    kind: str
    qubits: int
    cycles: float
    startup: float
    outputs: int
    output_error: float
    p_fail: float
    inputs: int
    distances: tuple[int, ...]
    detail: tuple[tuple[str, object], ...] = field(default=())

    @property
    def volume_per_state(self) -> float:
        """Qubit-cycles per output state."""
        return self.qubits * self.cycles / self.outputs

    def source(self) -> Source:
        """This factory as a :class:`~magicpipe.compiler.Source` for the whole-program planner (rounds =
        code cycles)."""
        return Source(name=self.name, method=self.method, qubits=self.qubits, startup_rounds=self.startup,
                      period_rounds=self.cycles, outputs=self.outputs, output_error=self.output_error,
                      kind=self.kind, distances=self.distances,
                      detail=(("p_fail", self.p_fail), ("inputs", self.inputs)) + self.detail)

    def info(self) -> dict[str, Any]:
        """JSON-able summary."""
        return {"name": self.name, "method": self.method, "kind": self.kind, "qubits": self.qubits,
                "cycles": self.cycles, "startup": self.startup, "outputs": self.outputs,
                "output_error": self.output_error, "p_fail": self.p_fail, "inputs": self.inputs,
                "distances": list(self.distances), **dict(self.detail)}


def _distances(ds: tuple[int, int, int], what: str) -> tuple[int, int, int]:
    if len(ds) != 3:
        raise SpecError(f"{what}: give three distances (d_X, d_Z, d_m), got {ds!r}")
    for d in ds:
        check_distance(d)
    return (int(ds[0]), int(ds[1]), int(ds[2]))


@functools.lru_cache(maxsize=4096)
def first_level_run(noise: NoiseModel, distances: tuple[int, int, int]) -> BlockRun:
    """One first-level 15-to-1 block at ``distances``: 6 steps of ``d_m`` cycles."""
    dm = distances[2]
    return run_layout(FIRST_LEVEL, noise, distances, step_cycles=dm, transport=dm, input_error=noise.injection)


def first_level_qubits(distances: tuple[int, int, int]) -> int:
    dx, dz, dm = distances
    return 2 * (FIRST_LEVEL.patch_widths(dx, dz) * 3 * dx + 2 * dm)


def one_level(noise: NoiseModel, distances: tuple[int, int, int]) -> Factory:
    """A single first-level 15-to-1 block, ``(15-to-1)_{d_X,d_Z,d_m}``.

    Examples:
        >>> f = one_level(NoiseModel.litinski(1e-3), (17, 7, 7))
        >>> f.qubits, round(f.cycles, 1), f"{f.output_error:.2e}"
        (4618, 42.6, '4.51e-08')
    """
    distances = _distances(distances, "one-level factory")
    run = first_level_run(noise, distances)
    steps = len(FIRST_LEVEL.steps) * distances[2]
    return Factory(name=block_name(FIRST_LEVEL.protocol, distances), method="litinski", kind="T",
                   qubits=first_level_qubits(distances), cycles=steps / (1 - run.p_fail), startup=float(steps),
                   outputs=1, output_error=run.infidelity, p_fail=run.p_fail, inputs=FIRST_LEVEL.inputs,
                   distances=distances)


@dataclass(frozen=True, slots=True)
class Feed:
    """What an upper block sees of its feeders: input error, time per step, footprint and travel."""

    error: float
    step_cycles: float
    qubits: float
    transport: float
    startup: float
    name: str
    inputs: int
    distances: tuple[int, ...]


def first_level_feed(noise: NoiseModel, distances: tuple[int, int, int], copies: int, upper_dm: int) -> Feed:
    """``copies`` first-level 15-to-1 blocks feeding an upper block of measurement distance ``upper_dm``."""
    if copies < 2 or copies % 2:
        raise SpecError(
            f"first-level copies must be an even number >= 2 (they feed two rotations a step), got {copies}"
        )
    distances = _distances(distances, "first level")
    dx, dz, dm = distances
    run = first_level_run(noise, distances)
    width = FIRST_LEVEL.patch_widths(dx, dz)
    step = max(6 * dm / (copies / 2) / (1 - run.p_fail), upper_dm)
    qubits = 2 * copies * (width * (3 * dx + upper_dm / 2) + 2 * dm)
    return Feed(error=run.infidelity, step_cycles=step, qubits=qubits, transport=10 * upper_dm + copies / 4 * width,
                startup=6.0 * dm, name=block_name(FIRST_LEVEL.protocol, distances, copies),
                inputs=FIRST_LEVEL.inputs, distances=distances)


def upper_level(noise: NoiseModel, layout: Layout, distances: tuple[int, int, int], feed: Feed,
                method: str = "litinski") -> Factory:
    """An upper ``layout`` block at ``distances`` fed by ``feed``."""
    distances = _distances(distances, f"{layout.protocol} level")
    dx2, dz2, dm2 = distances
    run = run_layout(layout, noise, distances, step_cycles=feed.step_cycles, transport=feed.transport,
                     input_error=(feed.error, 0.0, 0.0))
    qubits = feed.qubits + 2 * (layout.patch_widths(dx2, dz2) * 3 * dx2 + 20 * dm2 * dm2 + 2 * dx2 * dm2)
    run_cycles = layout.inputs / 2 * feed.step_cycles
    per_state = run.infidelity / layout.states if layout.kind == "T" else run.infidelity
    return Factory(
        name=f"{feed.name} x {block_name(layout.protocol, distances)}", method=method, kind=layout.kind,
        qubits=round(qubits), cycles=run_cycles / (1 - run.p_fail), startup=feed.startup + run_cycles,
        outputs=layout.states, output_error=per_state, p_fail=run.p_fail, inputs=layout.inputs * feed.inputs,
        distances=feed.distances + distances,
        detail=(("input_error", feed.error), ("step_cycles", feed.step_cycles)),
    )


def two_level(noise: NoiseModel, first: tuple[int, int, int], copies: int, protocol: str,
              upper: tuple[int, int, int]) -> Factory:
    """``copies`` first-level 15-to-1 blocks feeding one upper ``protocol`` block.

    Examples:
        >>> f = two_level(NoiseModel.litinski(1e-3), (13, 5, 5), 6, "20-to-4", (23, 11, 13))
        >>> f.name, f.qubits, round(f.cycles, 1), f"{f.output_error:.3g}"
        ('(15-to-1)^6_{13,5,5} x (20-to-4)_{23,11,13}', 43344, 130.0, '1.44e-10')
    """
    layout = get_layout(protocol)
    upper = _distances(upper, f"{protocol} level")
    return upper_level(noise, layout, upper, first_level_feed(noise, first, copies, upper[2]))


def cultivation_factory(point: CultivationPoint) -> Factory:
    """One cultivation patch as a factory: one state per kept attempt, ``point.rounds`` rounds per state on
    average, restarts included (:mod:`magicpipe.compiler.cultivation`).

    Examples:
        >>> f = cultivation_factory(cultivation_point(1e-3, 3, 0.0))
        >>> f.name, f.qubits, round(f.cycles, 1), f"{f.output_error:.2e}"
        ('(cultivation:2.7e-06)_{3,15}', 454, 17.8, '2.65e-06')
    """
    return Factory(name=point.name, method="cultivation", kind="T", qubits=point.qubits, cycles=point.rounds,
                   startup=point.rounds, outputs=1, output_error=point.error, p_fail=1 - point.acceptance,
                   inputs=1, distances=(point.d1, 15),
                   detail=(("acceptance", point.acceptance), ("attempts", point.attempts),
                           ("attempt_rounds", point.attempt_rounds), ("volume", point.volume),
                           ("tightness", point.tightness), ("data", point.data)))


def cultivation_feed(point: CultivationPoint, copies: int, upper_dm: int) -> Feed:
    """``copies`` cultivation patches feeding an upper block of measurement distance ``upper_dm``.

    Our placement, by analogy with Litinski's: the patches (distance 15) line both sides of the routing
    region, each with a strip ``upper_dm / 2`` wide towards it; a state travels ``10 d_m2 + copies * 15 / 4``
    patch widths. An upper step waits for two kept states, ``max(2 T / copies, d_m2)`` cycles on average.
    """
    if copies < 2 or copies % 2:
        raise SpecError(
            f"cultivation copies must be an even number >= 2 (they feed two rotations a step), got {copies}"
        )
    return Feed(error=point.error, step_cycles=max(2 * point.rounds / copies, upper_dm),
                qubits=copies * (point.qubits + 15 * upper_dm), transport=10 * upper_dm + copies * 15 / 4,
                startup=point.rounds, name=block_name(point.label, (point.d1, 15), copies), inputs=1,
                distances=(point.d1, 15))


def cultivation_fed(noise: NoiseModel, point: CultivationPoint, copies: int, protocol: str,
                    upper: tuple[int, int, int]) -> Factory:
    """``copies`` cultivation patches feeding one upper ``protocol`` block, e.g.
    ``(cultivation:6.8e-06)^4_{3,15} x (15-to-1)_{23,7,9}``."""
    layout = get_layout(protocol)
    upper = _distances(upper, f"{protocol} level")
    fed = upper_level(
        noise, layout, upper, cultivation_feed(point, copies, upper[2]), method=f"cultivation+{protocol}"
    )
    return dataclasses.replace(fed, detail=fed.detail + (("cultivation_data", point.data),))
