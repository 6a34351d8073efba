"""``magicpipe stream PROGRAM --out DIR [--seed S]``: the whole program's lattice-surgery stream (format 2).

Counts the program's magic states and plans its factories as ``magicpipe compile`` does (through
:mod:`magicpipe.passes`), then writes ``DIR/schedule.lsi``: the data patches, the planned copies of the chosen
one- or two-level factory, ports, routes, every consumption and the classical control
(:func:`magicpipe.lattice.whole.emit_program`), checked before it is moved into place. With ``--seed S`` the
file is one sampled trace with every outcome resolved; ``--jsonl`` also writes ``schedule.jsonl``.
"""

from __future__ import annotations

import argparse
import math
import pathlib
from typing import Any

from magicpipe.errors import SpecError

__all__ = ["program_inputs", "register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``stream`` command."""
    p = subparsers.add_parser(
        "stream",
        help="write the whole program's lattice-surgery stream (format 2) and check it",
        description="Plan an OpenQASM program's factories and write its whole lattice-surgery stream: data "
                    "patches, factory copies, ports, routes, consumptions and classical control (OUT/schedule.lsi).",
    )
    p.add_argument("program", metavar="PROGRAM", help="OpenQASM 2 or 3 file")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder, created if missing")
    p.add_argument("--error-budget", type=float, default=1e-3, metavar="PROB",
                   help="total failure probability of the program (default: %(default)s)")
    p.add_argument("--physical-error", type=float, default=1e-4, metavar="P",
                   help="physical error rate per operation (default: %(default)s)")
    p.add_argument("--magic-error", type=float, default=1e-4, metavar="EPS",
                   help="error of a raw injected magic state (default: %(default)s)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="write one sampled trace (acceptance and outcomes resolved) instead of the nominal stream")
    p.add_argument("--jsonl", action="store_true", help="also write OUT/schedule.jsonl (JSON Lines export)")
    p.set_defaults(run=run)


def program_inputs(demand, plan):
    """The plain inputs of :func:`~magicpipe.lattice.whole.emit_program` for a passes ``Plan``.

    Returns:
        ``(layout, unit, copies, consumption runs, acceptance probability of a run)``.

    Raises:
        SpecError: no magic state, or a plan of three levels (composed units have no floor plan yet).
    """
    from magicpipe.compiler import Pipeline
    from magicpipe.compiler.pareto import pareto_front
    from magicpipe.lattice.whole import (
        ProgramLayout,
        consumption_runs,
        unit_from_schedule,
        unit_one_level,
    )

    if not plan.distances:
        raise SpecError("the program consumes no magic state: there is no stream to write")
    if len(plan.distances) > 2:
        raise SpecError(f"the plan has {len(plan.distances)} levels {plan.distances}; whole-program streams are "
                        f"written for one- and two-level plans (composed units have no floor plan yet); "
                        f"try --error-budget larger or compile with --max-levels 2")
    m = plan.method("dynamic")
    pipe = Pipeline.from_distances(plan.distances, plan.hardware)
    if len(plan.distances) == 1:
        unit = unit_one_level("15-to-1", plan.distances[0], plan.hardware)
    else:
        front = pareto_front(pipe, max_output_error=plan.target_error)
        point = next(p for p in front.points if p.qubits == m.qubits and p.buffer_slots == m.detail[0])
        unit = unit_from_schedule(point.schedule)
    rounds = max(1, round(plan.program.layer_rounds))
    start = math.ceil(m.timeline.head_start_rounds)
    runs = consumption_runs(demand.timeline.lengths, demand.timeline.states, rounds, start=start)
    layout = ProgramLayout(demand.logical_qubits, plan.program.distance)
    return layout, unit, m.timeline.copies, runs, pipe.levels[-1].p_succ


def run(args: argparse.Namespace) -> int:
    from magicpipe.compiler import Hardware
    from magicpipe.grammar.jsonl import to_jsonl
    from magicpipe.grammar.parser2 import open_program
    from magicpipe.grammar.writer2 import write_program
    from magicpipe.lattice.whole import emit_program
    from magicpipe.passes import load_program
    from magicpipe.passes.budget import ErrorBudget
    from magicpipe.passes.demand import count_demand
    from magicpipe.passes.plan import plan_distillation

    hardware = Hardware(p=args.physical_error, eps=args.magic_error)
    demand = count_demand(load_program(args.program), ErrorBudget(args.error_budget))
    plan = plan_distillation(demand, hardware)
    layout, unit, copies, runs, p_accept = program_inputs(demand, plan)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    head, ops = emit_program(layout, unit, copies, runs, hardware=hardware, seed=args.seed, p_accept=p_accept)
    path, audit = write_program(out / "schedule.lsi", head, ops)
    if args.jsonl:
        h, read, _, f = open_program(path)
        with f, open(out / "schedule.jsonl", "w", encoding="utf-8") as g:
            g.writelines(line + "\n" for line in to_jsonl(h, read))
    print(f"{path}: {'trace seed ' + str(args.seed) if args.seed is not None else 'nominal'}; plan "
          f"{plan.distances} at program distance {layout.distance}, {copies} copies of unit {unit.name} "
          f"({unit.qubits} qubits, {unit.rounds} rounds); {audit.operations} operations over {audit.last_round} "
          f"rounds, {audit.runs} runs ({audit.rejected} rejected), {audit.qubits} qubits; checked, delivered "
          f"{audit.delivered} of t_count {demand.t_count}")
    return 0
