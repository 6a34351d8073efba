"""Dynamic pipelines made of catalogue levels, as sources for the whole-program planner.

The catalogue (:mod:`~magicpipe.compiler.catalogue_search`) offers Litinski's two-level factories and
cultivation-fed blocks with their own round-based timing (what Litinski's and QRE v3's factories assume): a
fixed number of lower blocks in lock step with the upper block, which waits for two fresh states every step.
Here the *same levels* -- the same lower block or cultivation point, the same upper block at the same
distances ``(d_X, d_Z, d_m)`` -- are scheduled by the project's dynamic scheduler
(:func:`~magicpipe.compiler.dynamic.simulate`: partial-input launch, supply lanes, lending, a buffer):

* **cultivation feeding Litinski's upper 15-to-1** -- the two cultivation points of least volume per kept
  state that the 15-to-1 can distil to the target (``35 e^3 <= target / 2``) but that miss it alone
  (:func:`~magicpipe.compiler.producers.cultivation_producer`: a run is one attempt, kept with the published
  acceptance; seeded restarts);
* **Litinski's asymmetric first-level blocks** ``(15-to-1)_{d_X,d_Z,d_m}`` feeding his upper 15-to-1 (the two
  blocks of least volume per state with ``35 e^3 <= target / 2``) or his 20-to-4 (the cheapest with
  ``22 e^2 <= target / 2``), as the catalogue picks them (:func:`~magicpipe.compiler.producers.catalogue_producer`).

The upper block as the scheduler sees it (:class:`BlockFactory`): its ``I`` inputs are taken two a step
(15-to-1: one at the launch, then 7 steps; 20-to-4: 10 steps), a run lasting Litinski's ``I/2 d_m`` cycles
(a step is ``ceil(I d_m / 2 / steps)`` rounds); its footprint is the catalogue's (block plus routing region),
its 5 (7) logical patches are data, the rest (ancillas and routing) is lent during a stall. Each lower copy
carries its routing strip as in the catalogue (a first-level block ``(d_X + 4 d_Z) d_m2`` qubits more, a
cultivation patch ``15 d_m2``); buffer slots are patches at the lower level's output distance. A configuration
is ``n`` lower copies (lanes) and ``B`` slots: ``Q = Q_upper + B Q_slot + n Q_lower``.

Period, start-up and error: the seeded Monte Carlo of the scheduler itself (``executions`` back-to-back
top-level runs, ``shots`` seeds, the failure-aware policy; every failed cultivation attempt and rejected
block drawn): the start-up is the mean end of the first execution, the period the mean spacing of the later
ones over the upper block's success probability. The upper block's error is Litinski's per-rotation model
(:func:`~magicpipe.compiler.blockmodel.run_layout`) with the measured mean step (the period over ``I/2``:
stalls make the patches idle longer) and ``10 d_m2 + n w / 4`` patch widths of travel, then charged the
storage decay of the buffered states (the mean added input error, bounded above by scaling the output error
by ``((e + added) / e)^k``, ``k`` = 3 for 15-to-1, 2 for 20-to-4).

Bounded search: ``n`` from one below to one above the copies that keep the upper block busy
(``ceil(I T_state / T_run)``), and the baseline's copies and half of them; ``B`` in {2, 4, 8}. A configuration
whose qubits and period lower bound ``max(T_run, I T_state / (n + lendable / Q_lower)) / P_upper`` (the lanes
and the copies the block's lent region holds during a stall) are both no better than an evaluated point's is
skipped, and so (in the planner) is one its baseline dominates that way; at one buffer size, once more lanes
no longer shorten the measured period, larger lane counts are skipped (a heuristic: the buffer or the block is
the bottleneck). The planner tries one cultivation point and one first-level block under the 15-to-1
(``PLANNER_BLOCKS``), measures at most ``PLANNER_MEASURES`` configurations of each, fewest qubits first, with
fewer seeds (``SHOTS``); benchmarks try two of each and the 20-to-4, and measure every configuration.
Evaluations and baselines are cached, so the plan's second target and its budget splits reuse them.

**Baseline and gain.** The baseline is the catalogue composite on the same lower level and upper protocol
(4 or 8 cultivation patches, 4 or 6 first-level blocks; the one of least volume per state), its upper
distances found by the catalogue's descent for the same target; the dynamic sources use those distances.
``dynamic_gain`` is the baseline's volume per state over the dynamic source's (``Q x period / outputs``): > 1
when the dynamic schedule of the same levels is cheaper.
"""

from __future__ import annotations

from typing import Any

import dataclasses
import functools
import math
import random
import statistics
from dataclasses import dataclass

from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.blockmodel import NoiseModel, run_layout
from magicpipe.compiler.blocks import get_layout
from magicpipe.compiler.catalogue import Factory as CatalogueFactory
from magicpipe.compiler.catalogue_search import _descend, _fed, _one, _two, first_level_grid
from magicpipe.compiler.cultivation import CultivationPoint, cultivation_points
from magicpipe.compiler.decay import storage_decay
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.hardware import Hardware, patch_qubits
from magicpipe.compiler.options import FAILURE_AWARE, DynamicOptions
from magicpipe.compiler.pareto import MC_BELOW
from magicpipe.compiler.producers import CULTIVATION_DISTANCE, catalogue_producer, cultivation_producer
from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, Protocol
from magicpipe.compiler.schedule import Schedule
from magicpipe.compiler.source import Source
from magicpipe.errors import InfeasibleError, SpecError

__all__ = ["BlockFactory", "DynamicEntry", "Lower", "Measured", "block_factory", "dynamic_catalogue",
           "dynamic_catalogue_sources", "gain_summary", "lockstep", "measure", "schedule"]

METHOD = "dynamic-catalogue"
BUFFERS = (2, 4, 8)
#: upper blocks the planner tries (20-to-4 costs 35-50 ms per block-model evaluation: benchmarks pass it)
PLANNER_BLOCKS = ("15-to-1",)
EXECUTIONS = 4
#: configurations the planner measures per (upper block, lower level, distances), the fewest qubits first
PLANNER_MEASURES = 4
#: seeds per configuration (planner, benchmarks) when the lower level's success is below MC_BELOW (cultivation)
SHOTS = (4, 8)
#: ... and when it is above (first-level blocks)
SHOTS_RELIABLE = (2, 4)
_FLOOR = {"15-to-1": (35.0, 3), "20-to-4": (22.0, 2)}


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockFactory(Factory):
    """One of Litinski's upper blocks as the dynamic scheduler's high-level factory (module docstring).

    ``protocol`` carries the input pattern (burst, steps, two inputs a step); ``distance`` is ``d_X``. The
    footprint, step, data patches and errors are the block's, not the paper's 15-tile factory's:
    ``output_error(e)`` is ``error`` (the block model at input error ``eps_in``) scaled by ``(e / eps_in)^power``
    for ``e > eps_in`` (an upper bound: only the input term grows). Its own fields are keyword-only, without
    defaults: :func:`block_factory` gives every one.
    """

    block: str
    upper: tuple[int, int, int]
    footprint: int
    data: int
    step: int
    eps_in: float
    error: float
    p_succ: float
    power: int
    scale: int

    @property
    def qubits(self) -> int:
        return self.footprint

    @property
    def data_qubits(self) -> int:
        return self.data

    @property
    def lendable_qubits(self) -> int:
        return self.footprint - self.data

    @property
    def step_rounds(self) -> int:
        return self.step

    @property
    def rounds(self) -> int:
        return self.protocol.steps * self.step

    def output_error(self, eps_in: float) -> float:
        ratio = eps_in / self.eps_in if self.eps_in > 0 else 1.0
        return self.error * max(1.0, ratio) ** self.power

    def success_probability(self, eps_in: float) -> float:
        return self.p_succ


@functools.lru_cache(maxsize=8)
def _pattern(block: str) -> Protocol:
    layout = get_layout(block)
    n = layout.inputs
    return dataclasses.replace(
        FIFTEEN_TO_ONE, name=block, burst=n % 2, steps=n // 2, inputs_per_step=2, outputs=layout.states,
        rotations=tuple(r.letters for r in layout.rotations),
        checks=tuple("".join("X" if i == q else "I" for i in range(layout.qubits)) for q in layout.checks),
        output_qubits=layout.outputs, reference="Litinski 2019 (upper block), inputs taken two a step")


@functools.lru_cache(maxsize=4096)
def _block_run(noise: NoiseModel, block: str, upper: tuple[int, int, int], step: float, transport: float,
               eps_in: float) -> tuple[float, float]:
    """(error per output state, success probability) of the upper block."""
    layout = get_layout(block)
    run = run_layout(layout, noise, upper, step_cycles=step, transport=transport, input_error=(eps_in, 0.0, 0.0))
    return run.infidelity / layout.states, 1.0 - run.p_fail


def block_factory(hardware: Hardware, block: str, upper: tuple[int, int, int], eps_in: float, transport: float,
                  step_cycles: float | None = None) -> BlockFactory:
    """Litinski's upper ``block`` at ``upper = (d_X, d_Z, d_m)`` fed states of error ``eps_in`` over
    ``transport`` patch widths, as a scheduler factory; its error is evaluated with patches idling
    ``step_cycles`` per step (default and least: ``d_m``, Litinski's step ``t`` when the feed keeps up; a run
    is ``I / 2`` such steps).

    Its times are in units of ``1 / scale`` rounds so that a run lasts Litinski's ``I d_m / 2`` cycles
    exactly (15-to-1: 7 steps of ``15 d_m / 14`` rounds, ``scale = 14 / gcd(15 d_m, 14)``); the caller scales the
    producers' rounds and the policy's moves by ``scale`` and divides the schedule's times by it.

    Examples:
        >>> f = block_factory(Hardware(p=1e-3, eps=1e-3), "15-to-1", (17, 7, 7), 1e-4, 100.0)
        >>> f.protocol.burst, f.protocol.steps, f.scale, f.step_rounds, f.rounds / f.scale, f.qubits
        (1, 7, 2, 15, 52.5, 7026)
    """
    layout = get_layout(block)
    dx, dz, dm = upper
    pattern = _pattern(block)
    num, den = layout.inputs * dm, 2 * pattern.steps
    scale = den // math.gcd(num, den)
    step = num * scale // den
    footprint = 2 * (layout.patch_widths(dx, dz) * 3 * dx + 20 * dm * dm + 2 * dx * dm)
    noise = NoiseModel.from_hardware(hardware)
    idle = float(dm) if step_cycles is None else max(float(dm), step_cycles)  # Litinski's t: I / 2 steps of t >= d_m
    error, p_succ = _block_run(noise, block, upper, round(idle, 3), round(transport, 6), eps_in)
    return BlockFactory(pattern, dx, hardware, block=block, upper=upper, footprint=footprint,
                        data=layout.qubits * 2 * dx * dz, step=step, eps_in=eps_in, error=error, p_succ=p_succ,
                        power=_FLOOR[block][1], scale=scale)


@dataclass(frozen=True, slots=True)
class Lower:
    """A lower level: its producer (routing strip included), its text and distances, its width for travel."""

    producer: Producer
    text: str
    distances: tuple[int, ...]
    width: int
    point: CultivationPoint | None = None


def _lower_block(noise: NoiseModel, ds: tuple[int, int, int], dm2: int) -> Lower:
    f = _one(noise, ds)
    width = ds[0] + 4 * ds[1]
    p = catalogue_producer(f)
    return Lower(dataclasses.replace(p, qubits=p.qubits + width * dm2), "(15-to-1)", ds, width)


def _lower_point(point: CultivationPoint, dm2: int) -> Lower:
    p = cultivation_producer(point)
    return Lower(dataclasses.replace(p, qubits=p.qubits + CULTIVATION_DISTANCE * dm2), f"({point.label})",
                 (point.d1, CULTIVATION_DISTANCE), CULTIVATION_DISTANCE, point)


@dataclass(frozen=True, slots=True)
class Measured:
    """One configuration run continuously, by seeded Monte Carlo (module docstring).

    ``first`` and ``period`` are means over ``shots`` seeds (rounds); ``period_stderr`` is the standard error
    of the period; ``output_error`` is per output state, the measured step and the storage decay charged.
    """

    qubits: int
    first: float
    period: float
    period_stderr: float
    p_top: float
    output_error: float
    attempts: float
    shots: int

    @property
    def period_per_run(self) -> float:
        """Mean rounds per successful top-level run (its failures included)."""
        return self.period / self.p_top


def measure(hardware: Hardware, block: str, upper: tuple[int, int, int], lower: Lower, lanes: int,
            buffer_slots: int, *, shots: int = 8, executions: int = EXECUTIONS, seed: int = 1) -> Measured:
    """Run ``lanes`` copies of ``lower`` and ``buffer_slots`` slots beside the upper ``block`` at ``upper``
    continuously, ``shots`` seeded times (module docstring).

    Raises:
        SpecError: fewer than 2 executions or no shot.
        InfeasibleError: the scheduler cannot run the configuration.

    Examples:
        >>> from magicpipe.compiler.cultivation import cultivation_point
        >>> low = _lower_point(cultivation_point(1e-3, 3, 1.0), 7)
        >>> m = measure(Hardware(p=1e-3, eps=1e-3), "15-to-1", (17, 7, 7), low, 4, 8)
        >>> m.qubits, m.period >= 52.5, m.shots
        (12854, True, 8)
    """
    if executions < 2 or shots < 1:
        raise SpecError(f"executions={executions} must be >= 2 and shots={shots} >= 1")
    return _measure(hardware, block, upper, lower, lanes, buffer_slots, shots, executions, seed)


def schedule(hardware: Hardware, block: str, upper: tuple[int, int, int], lower: Lower, lanes: int,
             buffer_slots: int, *, executions: int = EXECUTIONS, seed: int | None = 1) -> Schedule:
    """One seeded schedule of the configuration (``seed=None``: no failure), its times in ``1 / scale`` rounds
    of the block (:func:`block_factory`), for :func:`~magicpipe.compiler.check.check` and reports."""
    args = _args(hardware, block, upper, lower, lanes, buffer_slots)
    return simulate(*args, tops=executions, rng=None if seed is None else random.Random(seed))


def _transport(upper: tuple[int, int, int], lower: Lower, lanes: int) -> float:
    """Patch widths a state travels to the upper block: ``10 d_m2 + n w / 4`` (module docstring)."""
    return 10 * upper[2] + lanes * lower.width / 4


def _args(hardware: Hardware, block: str, upper: tuple[int, int, int], lower: Lower, lanes: int, buffer_slots: int
          ) -> tuple[BlockFactory, tuple[Producer], int, int, int, DynamicOptions]:
    producer = lower.producer
    high = block_factory(hardware, block, upper, producer.eps_out, _transport(upper, lower, lanes))
    scale = high.scale
    slot = patch_qubits(producer.distance)
    q = high.qubits + buffer_slots * slot + lanes * producer.qubits
    policy = dataclasses.replace(FAILURE_AWARE, move_rounds=FAILURE_AWARE.move_rounds * scale)
    return high, (dataclasses.replace(producer, rounds=producer.rounds * scale),), q, buffer_slots, slot, policy


@functools.lru_cache(maxsize=4096)
def _measure(hardware: Hardware, block: str, upper: tuple[int, int, int], lower: Lower, lanes: int,
             buffer_slots: int, shots: int, executions: int, seed: int) -> Measured:
    producer = lower.producer
    args = _args(hardware, block, upper, lower, lanes, buffer_slots)
    high, q, scale = args[0], args[2], args[0].scale
    rng = random.Random(seed)
    firsts, periods, attempts = [], [], []
    added = 0.0
    for shot in range(shots):
        s = simulate(*args, tops=executions, rng=rng)
        if shot == 0:  # the buffered states' waits, first in first out, over the executions of the first shot
            added = storage_decay(s, hardware).mean_added / scale  # its waits are in 1/scale rounds
        ends = sorted(t.end / scale for t in s.tops)
        firsts.append(ends[0])
        periods.append((ends[-1] - ends[0]) / (len(ends) - 1))
        attempts.append(len(s.runs) / len(ends))
    period = statistics.fmean(periods)
    timed = block_factory(hardware, block, upper, producer.eps_out, _transport(upper, lower, lanes),
                          2 * period / high.protocol.inputs)
    stderr = statistics.stdev(periods) / math.sqrt(shots) if shots > 1 else 0.0
    return Measured(q, statistics.fmean(firsts), period, stderr, timed.p_succ,
                    timed.output_error(producer.eps_out + added), statistics.fmean(attempts), shots)


def lockstep(producer: Producer, copies: int, step: float, inputs: int, *, holds: bool, runs: int = 12,
             shots: int = 16, seed: int = 1) -> tuple[float, float]:
    """The catalogue composite's own lock-step timing with the lower level's randomness drawn: mean rounds per
    upper run (before the upper block's own failures) and its standard error, over ``shots`` seeded sequences
    of ``runs`` back-to-back runs (the first excluded: it starts empty).

    ``copies`` lower copies each deliver into their own output patch; the upper block takes ``inputs`` states a
    run, one in a half step then two a step of ``step`` rounds (Litinski's ``I/2`` steps of ``t``), each step
    starting when its states are there. A failed lower run restarts at once. ``holds``: the copy is its own
    output patch (a cultivation patch holds its kept state) and restarts only when the state is taken; else
    (a first-level block with its output patch) it restarts at once and waits at the end of its next run while
    the patch is full. Without randomness this is the catalogue's timing, ``I/2 max(2 T / n, t)``.

    Examples:
        >>> p = Producer("x", qubits=100, rounds=10, outputs=1, p_succ=1.0, eps_out=1e-6, distance=7)
        >>> lockstep(p, 4, 7.0, 15, holds=False)   # 2 states every 5 rounds < t = 7: the block sets the pace
        (52.5, 0.0)
    """
    rng = random.Random(seed)

    def run_time() -> float:
        n = 1
        while producer.p_succ < 1 and rng.random() >= producer.p_succ:
            n += 1
        return n * producer.rounds

    means = []
    for _ in range(shots):
        avail = [run_time() for _ in range(copies)]
        t = 0.0
        ends = []
        for _ in range(runs):
            need = [1] + [2] * ((inputs - 1) // 2) if inputs % 2 else [2] * (inputs // 2)
            for m in need:
                chosen = sorted(range(copies), key=lambda i: (avail[i], i))[:m]
                start = max([t] + [avail[i] for i in chosen])
                for i in chosen:
                    avail[i] = start + run_time() if holds else max(avail[i] + run_time(), start)
                t = start + (step / 2 if m == 1 else step)
            ends.append(t)
        means.append((ends[-1] - ends[0]) / (len(ends) - 1))
    mean = statistics.fmean(means)
    return mean, (statistics.stdev(means) / math.sqrt(shots) if shots > 1 else 0.0)


@dataclass(frozen=True, slots=True)
class DynamicEntry:
    """A dynamic catalogue source with its same-levels catalogue baseline (``copies`` lower copies under
    ``block``; ``lower`` is the lower level the source runs)."""

    source: Source
    baseline: CatalogueFactory
    block: str
    copies: int
    lower: Lower

    @property
    def gain(self) -> float:
        """Baseline volume per state over the dynamic source's (> 1: the dynamic schedule is cheaper)."""
        mine = self.source.qubits * self.source.period_rounds / self.source.outputs
        return self.baseline.volume_per_state / mine


def _baseline(noise: NoiseModel, block: str, lower: CultivationPoint | tuple[int, int, int], target: float,
              warm: tuple[int, int, int] | None = None) -> tuple[CatalogueFactory, int] | None:
    """The catalogue composite of least volume per state on ``lower`` under ``block``, and its lower copies."""
    found: list[tuple[CatalogueFactory, int]] = []
    for copies in ((4, 8) if isinstance(lower, CultivationPoint) else (4, 6)):
        if isinstance(lower, CultivationPoint):
            make = functools.partial(_fed, noise, lower, copies, block)
        else:
            make = functools.partial(_two, noise, lower, copies, block)
        f = _descend(make, target, warm)
        if f is not None:
            found.append((f, copies))
            warm = f.distances[-3:]  # type: ignore[assignment]
    return min(found, key=lambda f: (f[0].volume_per_state, f[0].name)) if found else None


_Plan = tuple[str, "CultivationPoint | tuple[int, int, int]", CatalogueFactory, int]


def _plans(noise: NoiseModel, p: float, target: float, blocks: tuple[str, ...], lowers: int) -> list[_Plan]:
    """(upper block, lower level, baseline, its copies) to schedule dynamically: ``lowers`` cultivation points
    and first-level blocks per upper block (module docstring)."""
    out: list[_Plan] = []
    try:
        points = cultivation_points(p)
    except SpecError:
        points = ()
    c3, k3 = _FLOOR["15-to-1"]
    usable = [c for c in points if c3 * c.error**k3 <= target / 2 and c.error > target]
    for point in sorted(usable, key=lambda c: (c.volume, c.name))[:lowers]:
        base = _baseline(noise, "15-to-1", point, target)
        if base is not None:
            out.append(("15-to-1", point) + base)
    firsts = sorted((_one(noise, ds) for ds in first_level_grid()), key=lambda f: (f.volume_per_state, f.name))
    warm: tuple[int, int, int] | None = None
    for block in blocks:
        c, k = _FLOOR[block]
        ok = [f for f in firsts if c * f.output_error**k <= target / 2][: lowers if block == "15-to-1" else 1]
        for f in ok:
            ds = (f.distances[0], f.distances[1], f.distances[2])
            base = _baseline(noise, block, ds, target, warm)
            if base is not None:
                out.append((block, ds) + base)
                warm = base[0].distances[-3:]  # type: ignore[assignment]
    return out


def _configs(high: BlockFactory, producer: Producer, slot: int, copies: int) -> list[tuple[int, int, int, float]]:
    """(qubits, lanes, buffer, period lower bound) in ascending qubits: lanes about those that keep the block
    busy, and the baseline's ``copies`` and half of them.

    The bound: a run lasts ``T_run`` at least, and takes ``I`` states, which at most the ``n`` lanes and the
    copies that fit the region the block lends during a stall make, ``T_state`` rounds each on average:
    ``max(T_run, I T_state / (n + lendable // Q_lower))``.
    """
    t_state = producer.rounds / producer.p_succ / producer.outputs
    inputs = high.protocol.inputs
    run = high.rounds / high.scale
    busy = math.ceil(inputs * t_state / run)
    lent = high.lendable_qubits // producer.qubits
    out = []
    lanes = sorted({max(1, busy - 1), busy, busy + 1, max(1, copies // 2), copies})
    for b in BUFFERS:
        for n in lanes:
            bound = max(run, inputs * t_state / (n + lent))
            out.append((high.qubits + b * slot + n * producer.qubits, n, b, bound))
    return sorted(out)


def dynamic_catalogue(hardware: Hardware, target: float, blocks: tuple[str, ...] = PLANNER_BLOCKS,
                      prune: bool = True) -> tuple[DynamicEntry, ...]:
    """The dynamic catalogue sources meeting ``target`` per state, each with its baseline: per (upper block,
    lower level), the configurations not dominated in (qubits, rounds per state). Cached per (hardware, target,
    blocks, prune).

    With ``prune`` (the planner's setting) a configuration is not measured when its qubits and its period's
    lower bound are both no better than its baseline's (the catalogue offers something at least as good);
    ``prune=False`` measures them all, to report the dynamic gain.

    Raises:
        SpecError: target outside (0, 1) or an unknown upper block.
    """
    if not 0 < target < 1:
        raise SpecError(f"target error must lie in (0, 1), got {target!r}")
    bad = [b for b in blocks if b not in _FLOOR]
    if bad or not blocks:
        raise SpecError(f"upper blocks must be a non-empty tuple of {tuple(_FLOOR)}, got {blocks!r}")
    return _dynamic_catalogue(hardware, float(target), tuple(blocks), prune)


@functools.lru_cache(maxsize=64)
def _dynamic_catalogue(hardware: Hardware, target: float, blocks: tuple[str, ...], prune: bool
                       ) -> tuple[DynamicEntry, ...]:
    noise = NoiseModel.from_hardware(hardware)
    out: list[DynamicEntry] = []
    for block, lower_ds, baseline, copies in _plans(noise, hardware.p, target, blocks, 1 if prune else 2):
        upper = (baseline.distances[-3], baseline.distances[-2], baseline.distances[-1])
        for ds in (upper, (upper[0] + 2, upper[1] + 2, upper[2] + 2)):
            lower = (_lower_point(lower_ds, ds[2]) if isinstance(lower_ds, CultivationPoint)
                     else _lower_block(noise, lower_ds, ds[2]))
            producer = lower.producer
            shots = (SHOTS if producer.p_succ < MC_BELOW else SHOTS_RELIABLE)[0 if prune else 1]
            high = block_factory(hardware, block, ds, producer.eps_out, 10 * ds[2])
            slot = patch_qubits(producer.distance)
            states = high.protocol.outputs
            kept: list[tuple[int, float, Measured | None, int, int]] = []
            measured = met = False
            if prune:  # the baseline stands for the catalogue's entries: what it dominates is not measured
                kept.append((baseline.qubits, baseline.cycles / baseline.outputs, None, 0, 0))
            last_period: dict[int, float] = {}  # buffer size -> the last period measured with it
            saturated: set[int] = set()  # buffer sizes at which more lanes stopped shortening the period
            count = 0
            for q, n, b, bound in _configs(high, producer, slot, copies):
                if any(k[0] <= q and k[1] <= bound / high.p_succ / states for k in kept):
                    continue  # dominated whatever its measured period
                if b in saturated:
                    continue  # more lanes did not shorten the period at this buffer size: the lanes are not short
                if prune and count >= PLANNER_MEASURES:
                    break
                count += 1
                try:
                    m = _measure(hardware, block, ds, lower, n, b, shots, EXECUTIONS, 1)
                except InfeasibleError:
                    continue
                measured = True
                if m.period >= last_period.get(b, math.inf) - 0.5:
                    saturated.add(b)
                last_period[b] = m.period
                if m.output_error > target:
                    continue
                met = True
                per = m.period_per_run / states
                kept = [k for k in kept if not (q <= k[0] and per <= k[1])]
                if not any(k[0] <= q and k[1] <= per for k in kept):
                    kept.append((q, per, m, n, b))
            out += [DynamicEntry(_source(block, ds, lower, n, b, m, baseline), baseline, block, copies, lower)
                    for _, _, m, n, b in kept if m is not None]
            if met or not measured:  # larger distances only help when these missed the target
                break
    return tuple(out)


def _source(block: str, upper: tuple[int, int, int], lower: Lower, lanes: int, slots: int, m: Measured,
            baseline: CatalogueFactory) -> Source:
    power = f"^{lanes}" if lanes > 1 else ""
    low = f"{lower.text}{power}_{{{','.join(str(d) for d in lower.distances)}}}"
    name = f"dynamic {low} x ({block})_{{{','.join(str(d) for d in upper)}}} B={slots}"
    states = get_layout(block).states
    gain = baseline.volume_per_state / (m.qubits * m.period_per_run / states)
    detail: tuple[tuple[str, object], ...] = (
        ("lanes", lanes), ("buffer_slots", slots), ("first_state_rounds", m.first),
        ("period_stderr_rounds", m.period_stderr / m.p_top), ("lower_runs_per_run", m.attempts),
        ("shots", m.shots), ("executions", EXECUTIONS), ("p_top", m.p_top),
        ("baseline", baseline.name), ("baseline_qubits", baseline.qubits),
        ("baseline_period_rounds", baseline.cycles), ("dynamic_gain", gain))
    return Source(name, METHOD, m.qubits, max(m.first, 1.0), m.period_per_run, states, m.output_error,
                  distances=lower.distances + upper, detail=detail)


def dynamic_catalogue_sources(hardware: Hardware, target: float) -> list[Source]:
    """:func:`dynamic_catalogue`'s sources, for the planner.

    Examples:
        >>> srcs = dynamic_catalogue_sources(Hardware(p=1e-3, eps=1e-3), 1e-9)
        >>> all(s.output_error <= 1e-9 and s.method == "dynamic-catalogue" for s in srcs), len(srcs) > 0
        (True, True)
    """
    return [e.source for e in dynamic_catalogue(hardware, target)]


def gain_summary(hardware: Hardware, target: float, blocks: tuple[str, ...] = ("15-to-1", "20-to-4")
                 ) -> dict[str, Any]:
    """The dynamic gain at ``target``, every configuration measured (``prune=False``), for benchmarks: per
    (upper block, lower level) the configuration of least volume per state against its baseline, the best of
    them (``best``: the largest gain), and ``overall_gain``: the least baseline volume per state over the least
    dynamic one (the best of the catalogue's composites against the best dynamic schedule of the same levels).
    ``lockstep_rounds_per_state`` is the baseline's own timing with the lower level's randomness drawn
    (:func:`lockstep`), ``gain_vs_lockstep`` the gain against it. JSON-able.

    Examples:
        >>> g = gain_summary(Hardware(p=1e-4, eps=1e-4), 5e-10, ("15-to-1",))
        >>> g["best"]["gain"] == max(c["gain"] for c in g["cases"])
        True
    """
    cases: dict[str, dict[str, Any]] = {}
    for e in dynamic_catalogue(hardware, target, blocks, prune=False):
        s, b = e.source, e.baseline
        key = b.name
        volume = s.qubits * s.period_rounds / s.outputs
        if key in cases and cases[key]["volume_per_state"] <= volume:
            continue
        lock, lock_se = lockstep(e.lower.producer, e.copies, float(b.distances[-1]), get_layout(e.block).inputs,
                                 holds=e.lower.point is not None)
        lock_state = lock / (1 - b.p_fail) / b.outputs
        cases[key] = {"dynamic": s.name, "qubits": s.qubits, "rounds_per_state": s.period_rounds / s.outputs,
                      "volume_per_state": volume, "output_error": s.output_error,
                      "period_stderr_rounds": s.detail_dict()["period_stderr_rounds"], "baseline": b.name,
                      "baseline_qubits": b.qubits, "baseline_rounds_per_state": b.cycles / b.outputs,
                      "baseline_volume_per_state": b.volume_per_state, "baseline_output_error": b.output_error,
                      "gain": e.gain, "lockstep_rounds_per_state": lock_state,
                      "lockstep_stderr_rounds": lock_se / (1 - b.p_fail) / b.outputs,
                      "gain_vs_lockstep": b.qubits * lock_state / volume}
    rows = sorted(cases.values(), key=lambda c: (-c["gain"], c["dynamic"]))
    overall = (min(c["baseline_volume_per_state"] for c in rows) / min(c["volume_per_state"] for c in rows)
               if rows else None)
    return {"target": target, "cases": rows, "best": rows[0] if rows else None, "overall_gain": overall}
