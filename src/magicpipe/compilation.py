"""``magicpipe.compile``: one entry point from a program to its whole-program plan.

A program is a Qiskit ``QuantumCircuit``, a path to an OpenQASM 2/3 file, a path to a JSON file of logical
counts (the Azure estimator's ``logicalCounts`` keys), or a :class:`~magicpipe.compiler.LogicalCounts`.
Circuits are counted by :mod:`magicpipe.passes` (their real layers go to the planner); counts are planned
by the estimator's conventions. The plan itself is :func:`magicpipe.compiler.compilation.plan_counts`,
which the Qiskit pass and the command line call too.
"""

from __future__ import annotations

import pathlib
from typing import Any
from collections.abc import Sequence

from magicpipe.compiler import Hardware, LogicalCounts
from magicpipe.compiler.budget import ErrorBudget
from magicpipe.compiler.compilation import Compilation, plan_counts
from magicpipe.compiler.source import Source
from magicpipe.errors import SpecError

__all__ = ["compile", "load_counts", "describe", "front_table", "Compilation"]


def load_counts(path: str | pathlib.Path) -> LogicalCounts:
    """Logical counts from a JSON file (``logicalCounts`` keys, or an estimator result holding them)."""
    p = pathlib.Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            f"counts file {str(p)!r} does not exist; give the path of a JSON file of logical counts"
        ) from None
    except UnicodeDecodeError:
        raise SpecError(f"counts file {str(p)!r} is not UTF-8 text; write the counts as JSON") from None
    except OSError as e:
        raise SpecError(
            f"cannot read counts file {str(p)!r} ({e.strerror}); check the path and its permissions"
        ) from None
    return LogicalCounts.from_json(text)


def compile(  # noqa: A001 - the public verb of the package
    program: Any,
    *,
    hardware: Hardware | None = None,
    error_budget: float | ErrorBudget = 1e-3,
    objective: str = "volume",
    max_physical_qubits: int | None = None,
    max_runtime_us: float | None = None,
    max_levels: int = 3,
    storage_decay: bool = True,
    grow_slots: bool = True,
    catalogue: bool = True,
    layout: str = "fast",
    synthesis: str = "auto",
    extra_sources: Sequence[Source] = (),
    baselines: Sequence[str] = ("sequential", "parallel"),
    optimization_level: int | None = None,
    toffoli_t_cost: int = 4,
    optimize_t: bool = False,
    handoff: bool = True,
) -> Compilation:
    """Count ``program``'s magic-state demand and plan the factories and the run of the whole program.

    Args:
        program: a ``QuantumCircuit``, a path to OpenQASM 2/3 or to a counts JSON file, or ``LogicalCounts``.
        hardware: physical error rates, gate times and error model (default ``Hardware()``). A ``Hardware``
            that names no model gets the project's default, ``measured``, as on the command line (the core's
            ``Hardware()`` alone plans with the paper's); an explicit model, ``PAPER`` included, is used as
            given. The plan names the model it used (``hardware.model``).
        error_budget: the program's total failure probability, or an ``ErrorBudget`` with its shares.
        objective: ``"volume"`` (least qubits x runtime), ``"qubits"`` or ``"runtime"``.
        max_physical_qubits: the most physical qubits the whole program may use.
        max_runtime_us: the longest runtime, in microseconds.
        max_levels: most distillation levels.
        storage_decay: charge the storage decay of buffered states (off: as the resource estimators assume).
        grow_slots: where the decay would miss the target, let a dynamic pipeline hold its states in buffer
            slots at a higher distance, their qubits charged (off: such configurations are dropped).
        catalogue: offer the factory catalogue (Litinski's blocks, 20-to-4, cultivation) beside the pipeline.
        layout: data block layout, ``fast``, ``intermediate`` or ``compact``.
        synthesis: rotation synthesis: a model name (``mixed-fallback``, ``azure``, ``azure-2022``) or ``'a,b'``;
            for circuits also ``gridsynth``/``formula``/``gridsynth-auto`` (per angle); ``auto`` picks each
            route's default (``mixed-fallback`` for circuits, ``azure`` -- the same numbers -- for counts).
        extra_sources: more factory sources to offer the planner.
        baselines: baselines planned on the same program.
        optimization_level: for circuits, Qiskit's Clifford+RZ optimisation level to run before counting.
        toffoli_t_cost: T states per Toffoli-class gate, 4 (one ancilla and a measurement) or 7.
        optimize_t: for circuits, first reduce the T-count with pyzx (``magicpipe[zx]``), kept when it helps.
        handoff: charge each factory copy the move of each state into its port (d rounds, as the stream moves
            it); off: the estimators' convention (a state is ready where it is made).

    Returns:
        The :class:`~magicpipe.compiler.compilation.Compilation`.

    Examples:
        >>> import magicpipe
        >>> from magicpipe.compiler import Hardware, LogicalCounts
        >>> c = magicpipe.compile(LogicalCounts(100, t_count=10**6), hardware=Hardware(p=1e-3, eps=1e-3))
        >>> c.hardware.model.name, c.chosen.method, c.chosen.physical_qubits < c.baseline("sequential").physical_qubits
        ('measured', 'cultivation', True)
        >>> from magicpipe.compiler import PAPER
        >>> paper_hw = Hardware(p=1e-3, eps=1e-3, model=PAPER)
        >>> paper = magicpipe.compile(LogicalCounts(100, t_count=10**6), hardware=paper_hw)
        >>> paper.hardware.model.name, paper.chosen.method
        ('paper', 'cultivation+15-to-1')
    """
    from magicpipe.error_models import with_default_model

    hw = with_default_model(hardware)  # rates without a model plan with the default model, as the CLI does
    budget = error_budget if isinstance(error_budget, ErrorBudget) else ErrorBudget(error_budget)
    opts = dict(
        objective=objective,
        max_physical_qubits=max_physical_qubits,
        max_runtime_us=max_runtime_us,
        max_levels=max_levels,
        storage_decay=storage_decay,
        grow_slots=grow_slots,
        catalogue=catalogue,
        layout=layout,
        extra_sources=tuple(extra_sources),
        baselines=tuple(baselines),
        handoff=handoff,
    )
    if isinstance(program, (str, pathlib.Path)) and str(program).lower().endswith(".json"):
        program = load_counts(program)
    if isinstance(program, LogicalCounts):
        model = "azure" if synthesis == "auto" else synthesis
        return plan_counts(program, hw, budget, synthesis=model, toffoli_t=toffoli_t_cost, **opts)
    from magicpipe.passes.planner import circuit_compilation

    return circuit_compilation(program, hw, budget, synthesis=synthesis, optimization_level=optimization_level,
                               toffoli_t_cost=toffoli_t_cost, optimize_t=optimize_t, **opts)


def _time(us: float) -> str:
    for unit, scale in (("s", 1e6), ("ms", 1e3)):
        if us >= scale:
            return f"{us / scale:.4g} {unit}"
    return f"{us:.4g} us"


def front_table(compilation, rows: int = 12) -> str:
    """The front as a small table with units; the chosen point is marked ``*``."""
    pts = compilation.front.points
    idx = list(range(len(pts)))
    if len(idx) > rows:  # thin evenly, keeping both ends and the chosen point
        step = (len(idx) - 1) / (rows - 1)
        keep = {round(i * step) for i in range(rows)} | {compilation.chosen_index}
        idx = sorted(keep)
    head = (
        f"{'':1} {'physical qubits':>15} {'factory':>11} {'data':>9} {'copies':>6} {'runtime':>12} {'wait':>10}  source"
    )
    lines = [head]
    for i in idx:
        p = pts[i]
        mark = "*" if i == compilation.chosen_index else " "
        copies = f"{p.copies}+{p.ccz_copies}" if p.ccz_source is not None else str(p.copies)  # T + CCZ copies
        lines.append(f"{mark} {p.physical_qubits:>15,} {p.factory_qubits:>11,} {p.data_qubits:>9,} {copies:>6} "
                     f"{_time(p.runtime_us):>12} {_time(compilation.hardware.rounds_to_us(p.wait_rounds)):>10}  "
                     f"{p.name}")
    return "\n".join(lines)


def describe(comp: Compilation) -> str:
    """A few lines for the terminal: the demand, the front as a table, the chosen point and the baselines."""
    d = comp.demand
    c = comp.chosen
    circ = comp.circuit
    parts = []
    if circ:
        parts.append(f"{circ.get('t_gates', 0):,} T gates, {circ.get('rotations', 0):,} rotations")
        if circ.get("rotations"):
            parts.append(f"rotations by {circ.get('synthesis_method')}")
        if circ.get("toffolis"):
            parts.append(f"{circ['toffolis']:,} Toffolis at {circ.get('toffoli_t_cost', 4)} T")
        if circ.get("presynthesized"):
            parts.append("rotations synthesised by Qiskit before counting")
    else:
        parts.append(f"from counts: {d.rotation_t} T per rotation" if d.rotation_t else "from counts")
    if d.kinds is not None:  # Toffolis by layer: the front also has CCZ factories for them (compiler/mixed.py)
        parts.append(f"{d.kinds.ccz_total:,} Toffolis as {d.toffoli_t} T or one CCZ state each")
    lines = [f"demand: {d.t_states:,} T states ({'; '.join(parts)}) over {d.timeline.layers:,} layers "
             f"(peak {d.timeline.peak} per layer); per-state target {d.target:.3g}"]
    if not d.t_states:
        lines.append("the program consumes no magic states: no distillation factory is needed")
    else:
        lines.append(f"pipeline: distances {comp.pipeline_distances}; front of {len(comp.front.points)} points "
                     f"({comp.front.evaluated} evaluated), objective {comp.objective}:")
        lines.append(front_table(comp))
    lines.append(f"chosen: {c.physical_qubits:,} physical qubits ({c.factory_qubits:,} factory, {c.data_qubits:,} "
                 f"data at d={c.data.distance}, {c.buffer_qubits:,} buffer), runtime {_time(c.runtime_us)}, "
                 f"error {c.total_error:.3g}")
    for name, _, pt in comp.baselines:
        if pt is None:
            lines.append(f"{name}: no point within the bounds")
        else:
            lines.append(f"{name}: {pt.physical_qubits:,} physical qubits, runtime {_time(pt.runtime_us)} "
                         f"({pt.copies} copies)")
    return "\n".join(lines)
