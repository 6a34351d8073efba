"""The whole program: its data block, its layers of magic-state demand, the factory copies that feed it,
and the Pareto front of (physical qubits, runtime) over every way of feeding it.

The program model
    The program's logical qubits sit in a data block of Litinski's layouts (A Game of Surface Codes, 2019,
    Sec. 3): ``fast`` (``2n + ceil(sqrt(8n)) + 1`` tiles, one logical cycle per layer of T states; the layout
    the Azure Resource Estimator assumes, Beverland et al. 2022 Eq. D1), ``intermediate`` (``2n + 4`` tiles,
    5 cycles per layer) and ``compact`` (``ceil(1.5n) + 3`` tiles, 9 cycles per layer). A layer consumes its
    states at its start, through the block's ports, and lasts ``cycles_per_layer`` logical cycles of ``d``
    rounds at the program's distance ``d``. When the states a layer needs are not there, the program waits;
    the wait is part of the runtime. The data block's logical error is ``tiles x cycles x p_L(d)`` over the
    whole runtime, waits included, and ``d`` is the least odd distance that keeps it within the logical share
    of the budget.

Layers from a circuit or from counts
    A counted circuit brings its own layers (:class:`~magicpipe.compiler.layers.DemandTimeline`). Counts
    without one get the Azure estimator's conventions (Beverland et al. 2022, App. C): ``C = M_meas + M_R +
    M_T + 3 (M_CCZ + M_CCiX) + A_rot D_R`` layers holding ``M = M_T + A_rot M_R + 4 (M_CCZ + M_CCiX)`` T states,
    ``A_rot`` the synthesis model's T states per rotation at the synthesis share of the budget, the states
    spread as evenly as whole numbers allow (two runs).

The supply
    ``K`` copies of one :class:`~magicpipe.compiler.source.Source`, started ``P / K`` apart so that between
    them they deliver ``outputs`` states every ``P / K`` rounds after the first batch at ``startup``. States
    wait in buffer patches at the ports (``peak layer demand + outputs`` of them, at the program's distance);
    a copy pauses while the buffer is full. The supply is simulated as a fluid at the copies' mean rate,
    run by run of the timeline (:func:`simulate`), so the cost follows the number of distinct runs, never the
    number of states: 10^12 states cost what 10^6 do. The fluid differs from whole batches by less than one
    batch interval per run.
"""

from __future__ import annotations

from typing import Any

import math
from dataclasses import dataclass
from collections.abc import Iterator, Mapping, Sequence

from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.counts import LogicalCounts
from magicpipe.compiler.hardware import Hardware, patch_qubits
from magicpipe.compiler.layers import DemandTimeline
from magicpipe.compiler.source import Source
from magicpipe.compiler.supplies import KindTimeline, split_toffolis, spread_kinds
from magicpipe.compiler.synthesis import SynthesisModel
from magicpipe.errors import InfeasibleError, SpecError

__all__ = [
    "LAYOUTS", "DataBlock", "ProgramDemand", "ProgramPoint", "ProgramFront", "Simulation",
    "program_demand", "data_block", "simulate", "plan_program", "non_dominated", "undominated_sources", "OBJECTIVES",
]

# layout -> (tiles as a function of n, logical cycles per layer)
LAYOUTS: dict[str, tuple[str, int]] = {
    "fast": ("2n + ceil(sqrt(8n)) + 1", 1),
    "intermediate": ("2n + 4", 5),
    "compact": ("ceil(1.5n) + 3", 9),
}
OBJECTIVES = ("volume", "qubits", "runtime")
_MAX_DISTANCE = 201
_EPS = 1e-9


def _tiles(layout: str, n: int) -> int:
    if layout == "fast":
        return 2 * n + math.ceil(math.sqrt(8 * n)) + 1
    if layout == "intermediate":
        return 2 * n + 4
    if layout == "compact":
        return math.ceil(1.5 * n) + 3
    raise SpecError(f"unknown data layout {layout!r}; use one of {sorted(LAYOUTS)}")


@dataclass(frozen=True, slots=True)
class ProgramDemand:
    """What the program asks of the factories: its layers, states and error shares.

    Attributes:
        counts: the logical counts.
        timeline: T states per layer.
        t_states: states in all (``timeline.total``).
        rotation_t: T states per rotation (0 when the counts have no rotation or the timeline came with them).
        budgets: absolute ``(logical, distillation, synthesis)`` shares.
        target: error each state may carry, ``distillation share / t_states`` (1 without states).
        derived: whether the layers were derived from counts by the estimator's conventions.
        synthesis_error: the synthesis error charged to the plan.
        kinds: the same layers by kind, T states and CCZ states (one per Toffoli-class gate), when the program
            has Toffolis whose layers are known (counts: spread by the estimator's convention; a circuit: its
            Toffoli timeline); None otherwise. Same layers, ``t_total + toffoli_t x ccz_total == t_states``; for
            a circuit ``kinds.all_t(toffoli_t) == timeline`` (counts spread each kind on its own).
        toffoli_t: T states per Toffoli in ``timeline``.
        handoff: charge each copy the move of each state into its port (:func:`handoff_rounds`; off: the
            estimators' convention, a state ready where it is made).
    """

    counts: LogicalCounts
    timeline: DemandTimeline
    t_states: int
    rotation_t: int
    budgets: tuple[float, float, float]
    target: float
    derived: bool
    synthesis_error: float = 0.0
    kinds: KindTimeline | None = None
    toffoli_t: int = 4
    handoff: bool = True

    def info(self) -> dict[str, Any]:
        out = {"t_count": self.t_states, "layers": self.timeline.layers, "peak_per_layer": self.timeline.peak,
               "rotation_t_count": self.rotation_t, "target_error_per_state": self.target,
               "layers_derived_from_counts": self.derived, "synthesis_error": self.synthesis_error,
               "budgets": dict(zip(("logical", "distillation", "synthesis"), self.budgets))}
        if self.kinds is not None:
            out |= {"ccz_count": self.kinds.ccz_total, "t_count_besides_ccz": self.kinds.t_total,
                    "toffoli_t": self.toffoli_t}
            if self.counts.ccz_timeline is not None:  # given with the circuit's own timeline: not derived
                out["ccz_timeline"] = self.counts.ccz_timeline.to_dict()
        return out


def _spread(states: int, layers: int) -> DemandTimeline:
    if layers <= 0:
        return DemandTimeline()
    q, r = divmod(states, layers)
    lengths = tuple(n for n in (r, layers - r) if n)
    values = tuple(v for n, v in ((r, q + 1), (layers - r, q)) if n)
    return DemandTimeline(lengths, values)


def program_demand(counts: LogicalCounts, budget: ErrorBudget, synthesis: SynthesisModel,
                   toffoli_t: int = 4, reserve_synthesis: bool = False) -> ProgramDemand:
    """The program's layers and per-state target (module docstring, "Layers from a circuit or from counts").

    ``reserve_synthesis`` keeps the synthesis share of the budget (and charges it) when the rotations were
    synthesised before counting, at a precision the counts do not record.

    Examples:
        >>> from magicpipe.compiler.synthesis import SYNTHESIS_MODELS
        >>> d = program_demand(LogicalCounts(100, rotation_count=5600, rotation_depth=114), ErrorBudget(1e-3),
        ...                    SYNTHESIS_MODELS["azure"])
        >>> d.rotation_t, d.t_states, d.timeline.layers
        (18, 100800, 7652)
    """
    has_rot = counts.rotation_count > 0
    budgets = budget.split(has_rot or reserve_synthesis)
    if counts.timeline is not None:
        tl = counts.timeline
        derived, a_rot = False, 0
    else:
        a_rot = synthesis.rotation_t_count(budgets[2] / counts.rotation_count) if has_rot else 0
        states = counts.t_count + a_rot * counts.rotation_count + toffoli_t * counts.toffolis
        layers = (counts.measurement_count + counts.rotation_count + counts.t_count + 3 * counts.toffolis
                  + a_rot * counts.rotation_depth)
        tl = _spread(states, max(layers, 1) if states else layers)
        derived = True
    m = tl.total
    target = budgets[1] / m if m else 1.0
    syn = budgets[2] if ((derived and has_rot) or reserve_synthesis) else 0.0
    kinds = None
    if derived and counts.toffolis and tl.layers:
        kinds = spread_kinds(m - toffoli_t * counts.toffolis, counts.toffolis, tl.layers)
    elif not derived and counts.ccz_timeline is not None and counts.ccz_timeline.total:
        kinds = split_toffolis(tl, counts.ccz_timeline, toffoli_t)
    return ProgramDemand(counts, tl, m, a_rot, budgets, target, derived, syn, kinds, toffoli_t)


@dataclass(frozen=True, slots=True)
class DataBlock:
    """The program's data patches: layout, tiles, distance and qubits."""

    layout: str
    logical_qubits: int
    tiles: int
    distance: int
    cycles_per_layer: int

    @property
    def qubits(self) -> int:
        return self.tiles * patch_qubits(self.distance)

    @property
    def layer_rounds(self) -> int:
        return self.cycles_per_layer * self.distance

    def logical_error(self, runtime_rounds: float, hardware: Hardware) -> float:
        """``tiles x cycles x p_L(d)`` over ``runtime_rounds``."""
        return self.tiles * (runtime_rounds / self.distance) * hardware.logical_error(self.distance)

    def info(self) -> dict[str, Any]:
        return {"layout": self.layout, "logical_qubits": self.logical_qubits, "tiles": self.tiles,
                "distance": self.distance, "qubits": self.qubits, "cycles_per_layer": self.cycles_per_layer}


def data_block(logical_qubits: int, distance: int, layout: str = "fast") -> DataBlock:
    """The data block of ``logical_qubits`` in ``layout`` at ``distance``.

    Examples:
        >>> b = data_block(100, 15)
        >>> b.tiles, b.qubits, b.layer_rounds
        (230, 103270, 15)
    """
    if layout not in LAYOUTS:
        raise SpecError(f"unknown data layout {layout!r}; use one of {sorted(LAYOUTS)}")
    return DataBlock(layout, logical_qubits, _tiles(layout, max(logical_qubits, 1)), distance, LAYOUTS[layout][1])


@dataclass(frozen=True, slots=True)
class Simulation:
    """The program run against its supply.

    Attributes:
        runtime_rounds: rounds from the start to the end of the last layer, waits included.
        wait_rounds: rounds the program spent waiting for states.
        startup_wait_rounds: the part of the wait before the first layer could start.
        buffer_states: buffer patches at the ports.
        consumed: states consumed (equals the demand).
        runs: ``(start_round, layers, states_per_layer, layer_rounds, first_wait, wait_rounds)`` per run of the
            timeline: the run's first layer starts at ``start_round + first_wait``.
    """

    runtime_rounds: float
    wait_rounds: float
    startup_wait_rounds: float
    buffer_states: int
    consumed: int
    runs: tuple[tuple[float, int, int, float, float, float], ...]



def handoff_rounds(source: Source) -> int:
    """Rounds a copy spends handing one batch to its port: one lattice-surgery move per output state, ``d``
    rounds at the output patch's distance (the source's last), as the whole-program stream moves it
    (the stream's route step, ``docs/lattice.md``); 0 for a source that states no distances.

    Examples:
        >>> handoff_rounds(Source("c", "cultivation", 463, 81.7, 81.7, 1, 1e-8, distances=(5, 15)))
        15
    """
    return source.outputs * _move_rounds(source)


def _move_rounds(source: Source) -> int:
    """One state's move into its port: ``d`` rounds at the output patch's distance (the source's last)."""
    return source.distances[-1] if source.distances else 0


def cycle_rounds(source: Source, handoff: bool = True) -> float:
    """Mean rounds between a copy's successful batches, the hand-off of each batch to its port included
    (``handoff``)."""
    return source.period_rounds + (handoff_rounds(source) if handoff else 0)


def first_rounds(source: Source, handoff: bool = True) -> float:
    """Rounds from an empty copy to its first state in a port (its startup and, with ``handoff``, that state's
    move)."""
    return source.startup_rounds + (_move_rounds(source) if handoff else 0)

def simulate(timeline: DemandTimeline, source: Source, copies: int, layer_rounds: float,
             buffer_states: int | None = None, record: bool = True, handoff: bool = True) -> Simulation:
    """Run the program's layers against ``copies`` staggered copies of ``source`` (module docstring).

    The supply is a fluid at rate ``r = copies x outputs / period``, starting with one batch at ``startup``
    and capped by the buffer. Each run of ``L`` layers of ``s`` states is solved in closed form: when
    ``r tau >= s`` only the first layer can wait; otherwise the buffer drains by ``s - r tau`` per layer until
    the program is supply-bound at one layer per ``s / r`` rounds. ``record=False`` leaves out the per-run
    record (``runs``), for the search.

    Examples:
        >>> src = Source("one", "sequential", 100, 10.0, 10.0, 1, 1e-9)
        >>> sim = simulate(DemandTimeline((4,), (1,)), src, copies=1, layer_rounds=5)
        >>> sim.runtime_rounds, sim.wait_rounds   # states at 10, 20, 30, 40; each layer lasts 5
        (45.0, 25.0)
    """
    if copies < 1:
        raise SpecError(f"copies must be >= 1, got {copies}")
    r = copies * source.outputs / cycle_rounds(source, handoff)
    cap: float = buffer_states if buffer_states is not None else timeline.peak + source.outputs
    cap = float(max(cap, timeline.peak, 1))
    # buffer level as a fluid; negative while the first batch is still on its way
    b = source.outputs - r * first_rounds(source, handoff)
    tau = float(layer_rounds)
    r_tau = r * tau
    t = wait = 0.0
    startup_wait = -1.0
    runs: list[tuple[float, int, int, float, float, float]] | None = [] if record else None
    for length, s in zip(timeline.lengths, timeline.states):
        start = t
        if s == 0:
            t += length * tau
            b = min(b + r_tau * length, cap)
            if runs is not None:
                runs.append((start, length, 0, tau, 0.0, 0.0))
            continue
        w = 0.0
        if b < s:
            w = (s - b) / r
            b = float(s)
        first_wait = w
        if startup_wait < 0:
            startup_wait = w
        delta = s - r_tau
        if delta <= 0:
            # never short again in this run: the buffer refills to the cap
            b = b - s + r_tau - (length - 1) * delta
        else:
            free = int((b - s) / delta + _EPS) + 1
            if free >= length:
                b -= length * delta
            else:
                b -= free * delta
                w += (s - b) / r + (length - free - 1) * delta / r
                b = r_tau
        b = min(b, cap)
        t = start + w + length * tau
        wait += w
        if runs is not None:
            runs.append((start, length, s, tau, first_wait, w))
    return Simulation(t, wait, max(startup_wait, 0.0), int(cap), timeline.total, tuple(runs or ()))


@dataclass(frozen=True, slots=True)
class ProgramPoint:
    """One way to run the whole program: ``copies`` of ``source`` feeding ``data``.

    ``schedule`` is the core schedule of one pipeline copy when the source is a scheduled pipeline. A mixed
    point (:mod:`magicpipe.compiler.mixed`) also has ``ccz_copies`` of ``ccz_source`` meeting the Toffolis with
    CCZ states; ``source`` then meets the other T states (``copies`` is 0 when there are none), and the
    simulation's runs count both kinds' states.
    """

    source: Source
    copies: int
    data: DataBlock
    simulation: Simulation
    buffer_qubits: int
    runtime_us: float
    errors: tuple[tuple[str, float], ...]
    schedule: object = None
    budgets: tuple[float, float, float] = (0.0, 0.0, 0.0)
    ccz_source: Source | None = None
    ccz_copies: int = 0

    @property
    def name(self) -> str:
        """The source's name, or ``T source + CCZ source`` for a mixed point."""
        if self.ccz_source is None:
            return self.source.name
        return self.ccz_source.name if not self.copies else f"{self.source.name} + {self.ccz_source.name}"

    @property
    def _main(self) -> Source:
        return self.ccz_source if (self.ccz_source is not None and not self.copies) else self.source

    @property
    def method(self) -> str:
        return self._main.method

    @property
    def distances(self) -> tuple[int, ...]:
        return self._main.distances

    @property
    def factory_qubits(self) -> int:
        """Qubits of every factory copy (buffers at the ports not included)."""
        ccz = self.ccz_copies * self.ccz_source.qubits if self.ccz_source is not None else 0
        return self.copies * self.source.qubits + ccz

    @property
    def data_qubits(self) -> int:
        return self.data.qubits

    @property
    def physical_qubits(self) -> int:
        return self.factory_qubits + self.data_qubits + self.buffer_qubits

    @property
    def runtime_rounds(self) -> float:
        return self.simulation.runtime_rounds

    @property
    def wait_rounds(self) -> float:
        return self.simulation.wait_rounds

    @property
    def total_error(self) -> float:
        return sum(v for _, v in self.errors)

    def consumption(self) -> Iterator[tuple[float, int, int, float, float]]:
        """``(first_layer_round, layers, states_per_layer, layer_rounds, later_wait_rounds)`` of every run.

        The run's first layer consumes its states at ``first_layer_round``; the ``later_wait_rounds`` of the
        run are spread over its other layers (one supply-bound layer every ``states / rate`` rounds).

        Raises:
            SpecError: a mixed point: its runs count two kinds of state; split them with the demand's kinds
                (``lattice.ccz.mixed_runs``, as ``lattice.whole.stream_for_point(..., kinds=)`` does).
        """
        if self.ccz_source is not None:
            raise SpecError(f"the chosen point {self.name!r} meets its Toffolis with CCZ states: its runs count T "
                            f"and CCZ states together; split them with the demand's kinds "
                            f"(the stream's lattice.ccz.mixed_runs)")
        for start, length, s, tau, first, w in self.simulation.runs:
            yield start + first, length, s, tau, w - first

    def info(self, hardware: Hardware) -> dict[str, Any]:
        """The plan.json form of the point (a mixed point adds ``ccz_source`` and ``ccz_copies``)."""
        out = {
            "name": self.name, "method": self.method, "distances": list(self.distances),
            "copies": self.copies, "physical_qubits": self.physical_qubits, "factory_qubits": self.factory_qubits,
            "data_qubits": self.data_qubits, "buffer_qubits": self.buffer_qubits,
            "buffer_states": self.simulation.buffer_states, "data_distance": self.data.distance,
            "runtime_rounds": self.runtime_rounds, "runtime_us": self.runtime_us,
            "wait_us": hardware.rounds_to_us(self.wait_rounds),
            "startup_wait_us": hardware.rounds_to_us(self.simulation.startup_wait_rounds),
            "errors": dict(self.errors),
            "budgets": dict(zip(("logical", "distillation", "synthesis"), self.budgets)),
            "source": self.source.info(),
        }
        if self.ccz_source is not None:
            out |= {"ccz_source": self.ccz_source.info(), "ccz_copies": self.ccz_copies}
        return out

    def __repr__(self) -> str:
        mixed = "" if self.ccz_source is None else f", ccz_copies={self.ccz_copies}"
        return (f"ProgramPoint({self.name!r}, copies={self.copies}{mixed}, physical_qubits={self.physical_qubits}, "
                f"runtime_us={self.runtime_us:g})")


@dataclass(frozen=True, slots=True)
class ProgramFront:
    """The non-dominated points, fewest qubits first (so slowest first), and how many were evaluated."""

    demand: ProgramDemand
    hardware: Hardware
    points: tuple[ProgramPoint, ...]
    evaluated: int

    def __repr__(self) -> str:
        return f"ProgramFront({len(self.points)} points of {self.evaluated} evaluated)"

    def choose(self, objective: str = "volume", max_physical_qubits: int | None = None,
               max_runtime_us: float | None = None) -> ProgramPoint:
        """The point of ``objective`` among those within the bounds.

        Raises:
            SpecError: an unknown objective.
            InfeasibleError: no point within the bounds; the message names the bound and the nearest point.
        """
        if objective not in OBJECTIVES:
            raise SpecError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
        pts = list(self.points)
        if not pts:
            raise InfeasibleError("the front is empty: no source meets the per-state error target")
        ok = [p for p in pts if (max_physical_qubits is None or p.physical_qubits <= max_physical_qubits)
              and (max_runtime_us is None or p.runtime_us <= max_runtime_us + _EPS)]
        if not ok:
            bounds = []
            if max_physical_qubits is not None:
                bounds.append(f"--max-physical-qubits {max_physical_qubits}")
            if max_runtime_us is not None:
                bounds.append(f"--max-runtime-us {max_runtime_us:g}")
            if max_physical_qubits is not None:
                near = min(pts, key=lambda p: p.physical_qubits)
                if max_runtime_us is not None:
                    fast = [p for p in pts if p.runtime_us <= max_runtime_us + _EPS]
                    near = min(fast, key=lambda p: p.physical_qubits) if fast else min(pts, key=lambda p: p.runtime_us)
            else:
                near = min(pts, key=lambda p: p.runtime_us)
            raise InfeasibleError(
                f"no point of the front meets {' and '.join(bounds)}; the nearest needs "
                f"{near.physical_qubits} physical qubits and {near.runtime_us:.6g} us ({near.name}, "
                f"{near.copies} copies): relax the bound"
            )
        if objective == "qubits":
            return min(ok, key=lambda p: (p.physical_qubits, p.runtime_us))
        if objective == "runtime":
            return min(ok, key=lambda p: (p.runtime_us, p.physical_qubits))
        return min(ok, key=lambda p: (p.physical_qubits * p.runtime_us, p.physical_qubits))


def _least_distance(tiles: int, cycles: float, hardware: Hardware, budget: float) -> int:
    """The least odd distance at which ``tiles`` patches survive ``cycles`` logical cycles within ``budget``."""
    for d in range(3, _MAX_DISTANCE + 1, 2):
        if tiles * cycles * hardware.logical_error(d) <= budget:
            return d
    raise InfeasibleError(
        f"no code distance up to {_MAX_DISTANCE} keeps the program's {tiles} data tiles within the logical "
        f"error budget {budget:.3g}; raise the budget or lower p"
    )


def _evaluate(demand: ProgramDemand, source: Source, copies: int, layout: str, hardware: Hardware,
              schedule: object, record: bool, start_distance: int) -> ProgramPoint:
    n = demand.counts.num_qubits
    cyc = LAYOUTS[layout][1]
    b_log = demand.budgets[0]
    tiles = _tiles(layout, n)
    # from the least distance the data needs with no wait at all (layer_distance) or a point's own, upward while
    # waits push the error over
    d = start_distance
    while True:
        block = DataBlock(layout, n, tiles, d, cyc)
        sim = simulate(demand.timeline, source, copies, block.layer_rounds, record=record, handoff=demand.handoff)
        err = block.logical_error(sim.runtime_rounds, hardware)
        if err <= b_log or d >= _MAX_DISTANCE:
            break
        d += 2
    if err > b_log:
        raise InfeasibleError(
            f"the data block's logical error {err:.3g} exceeds its budget {b_log:.3g} at every distance"
        )
    buffer_qubits = sim.buffer_states * patch_qubits(d)
    errors = (("logical", err), ("distillation", demand.t_states * source.output_error),
              ("synthesis", demand.synthesis_error))
    return ProgramPoint(source, copies, block, sim, buffer_qubits, hardware.rounds_to_us(sim.runtime_rounds),
                        errors, schedule, demand.budgets)


def _copy_grid(k_max: int) -> list[int]:
    ks = set(range(1, min(k_max, 24) + 1))
    k = 24.0
    while k < k_max:
        k *= 1.06
        ks.add(min(k_max, int(math.ceil(k))))
    ks.add(k_max)
    return sorted(ks)


def non_dominated(points: Sequence[ProgramPoint]) -> tuple[ProgramPoint, ...]:
    """The points no other point beats in both physical qubits and runtime, fewest qubits first."""
    pts = sorted(points, key=lambda p: (p.physical_qubits, p.runtime_us, p.name, p.copies, p.ccz_copies))
    out: list[ProgramPoint] = []
    for p in pts:
        if not out or p.runtime_us < out[-1].runtime_us - _EPS:
            out.append(p)
    return tuple(out)


def plan_program(demand: ProgramDemand, sources: Sequence[Source], hardware: Hardware, layout: str = "fast",
                 schedules: Mapping[str, object] | None = None, max_copies: int | None = None) -> ProgramFront:
    """The program's (physical qubits, runtime) front over ``sources`` and their copy counts.

    For each T source that meets the per-state target (``output_error <= demand.target``), copies run from 1
    up to the count at which no layer waits (every integer to 24, then 6% steps); every (source, copies) is
    simulated and the non-dominated points are kept. When the program has Toffolis by layer
    (``demand.kinds``) and ``sources`` hold CCZ sources, mixed points (CCZ states for the Toffolis, T states
    for the rest, :func:`magicpipe.compiler.mixed.mixed_points`) join the same front; CCZ sources are never
    used for T demand.

    Raises:
        InfeasibleError: no source meets the per-state target (and no mixed point meets the budget).
    """
    schedules = schedules or {}
    if demand.t_states == 0:
        block = DataBlock(layout, demand.counts.num_qubits, _tiles(layout, demand.counts.num_qubits),
                          layer_distance(demand, layout, hardware), LAYOUTS[layout][1])
        rounds = float(max(demand.timeline.layers, 1) * block.layer_rounds)
        sim = Simulation(rounds, 0.0, 0.0, 0, 0, ())
        none = Source("no factory", "none", 1, 1.0, 1.0, 1, 0.0)
        pt = ProgramPoint(
            none,
            0,
            block,
            sim,
            0,
            hardware.rounds_to_us(rounds),
            (("logical", block.logical_error(rounds, hardware)), ("distillation", 0.0), ("synthesis", 0.0)),
            None,
            demand.budgets,
        )
        return ProgramFront(demand, hardware, (pt,), 1)
    ok = [s for s in sources if s.output_error <= demand.target * (1 + 1e-12) and s.kind == "T"]
    ccz = [s for s in sources if s.kind == "CCZ"] if demand.kinds is not None else []
    points: list[ProgramPoint] = []
    if ccz:
        from magicpipe.compiler.mixed import evaluate_mixed, mixed_points

        points, evaluated = _all_t_points(demand, ok, hardware, layout, schedules, max_copies)
        more, n = mixed_points(demand, [s for s in sources if s.kind == "T"], ccz, hardware, layout,
                               non_dominated(points), max_copies)
        points += more
        evaluated += n
        if not points:
            raise InfeasibleError(
                f"no factory, nor pair of T and CCZ factories, meets the distillation budget "
                f"{demand.budgets[1]:.3g}; raise the error budget, lower p or eps, or allow more distillation levels")
        kept = [_evaluate(demand, p.source, p.copies, layout, hardware, p.schedule, True, p.data.distance)
                if p.ccz_source is None else evaluate_mixed(demand, p.source, p.copies, p.ccz_source, p.ccz_copies,
                                                            layout, hardware, start_distance=p.data.distance)
                for p in non_dominated(points)]
        return ProgramFront(demand, hardware, tuple(kept), evaluated)
    if not ok:
        best = min((s.output_error for s in sources), default=float("nan"))
        raise InfeasibleError(
            f"no factory reaches the per-state error target {demand.target:.3g} (the best offered gives "
            f"{best:.3g}); raise the error budget, lower p or eps, or allow more distillation levels"
        )
    points, evaluated = _all_t_points(demand, ok, hardware, layout, schedules, max_copies)
    # the kept points again, with their per-run record (the consumption the stream writes)
    kept = [_evaluate(demand, p.source, p.copies, layout, hardware, p.schedule, True, p.data.distance)
            for p in non_dominated(points)]
    return ProgramFront(demand, hardware, tuple(kept), evaluated)


def layer_distance(demand: ProgramDemand, layout: str, hardware: Hardware) -> int:
    """The data block's least distance with no wait at all (the copy grids size themselves by its layers)."""
    return _least_distance(_tiles(layout, demand.counts.num_qubits),
                           float(max(demand.timeline.layers, 1) * LAYOUTS[layout][1]), hardware, demand.budgets[0])


def _all_t_points(demand: ProgramDemand, ok: Sequence[Source], hardware: Hardware, layout: str,
                  schedules: Mapping[str, object], max_copies: int | None) -> tuple[list[ProgramPoint], int]:
    """Every (T source, copies) of the all-T search, unrecorded, and how many were evaluated."""
    points: list[ProgramPoint] = []
    evaluated = 0
    peak = demand.timeline.peak
    d_min = layer_distance(demand, layout, hardware)
    tau = LAYOUTS[layout][1] * d_min
    for src in undominated_sources(ok):
        k_need = max(1, math.ceil(peak * cycle_rounds(src, demand.handoff) / (src.outputs * tau) - _EPS))
        k_max = k_need if max_copies is None else min(k_need, max_copies)
        for k in _copy_grid(k_max):
            pt = _evaluate(demand, src, k, layout, hardware, schedules.get(src.name), record=False,
                           start_distance=d_min)
            points.append(pt)
            evaluated += 1
            if pt.simulation.wait_rounds <= pt.simulation.startup_wait_rounds + _EPS and pt.data.distance == d_min:
                break  # only the first state is waited for at the least distance: more copies cannot help
    return points, evaluated


def undominated_sources(sources: Sequence[Source]) -> list[Source]:
    """The sources no other source beats on every count: one that needs no more qubits, delivers at least as
    many good states per round, starts no later, in batches no larger, with no larger error, is as good for any
    number of copies and any program (first of equals kept)."""
    out: list[Source] = []
    for a in sources:
        if not any(b is not a and b.qubits <= a.qubits and b.rate >= a.rate and b.startup_rounds <= a.startup_rounds
                   and b.outputs <= a.outputs and b.output_error <= a.output_error and b.kind == a.kind
                   and (b.qubits, -b.rate, b.startup_rounds, b.outputs, b.output_error)
                   != (a.qubits, -a.rate, a.startup_rounds, a.outputs, a.output_error) for b in sources):
            out.append(a)
    return out
