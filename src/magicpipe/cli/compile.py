"""``magicpipe compile PROGRAM --out DIR``: an OpenQASM 2/3 program's magic-state demand and distillation plan.

Runs the passes of :func:`magicpipe.passes.pass_manager` on the program, writes ``DIR/plan.json``
(``{"program", "magicpipe_demand", "magicpipe_plan"}``, the dicts the passes put in the circuit's metadata)
and prints a short summary. Qiskit is reached only through :mod:`magicpipe.passes`, imported when the command
runs.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time
from typing import Any

from magicpipe.errors import MagicpipeError, SpecError

__all__ = ["register", "parse_model", "add_error_model_option"]


def register(subparsers: Any) -> None:
    """Add the ``compile`` command."""
    p = subparsers.add_parser(
        "compile",
        help="count an OpenQASM program's magic states and plan the distillation pipelines that feed it",
        description="Count the magic states of an OpenQASM 2 or 3 program and plan its distillation "
                    "pipelines (dynamic, sequential, parallel); writes OUT/plan.json.",
    )
    p.add_argument("program", metavar="PROGRAM", help="OpenQASM 2 or 3 file (version read from its header)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder, created if missing")
    p.add_argument("--error-budget", type=float, default=1e-3, metavar="PROB",
                   help="total failure probability of the program (dimensionless, in (0, 1); default: %(default)s)")
    p.add_argument("--budget-split", default="1/3,1/3,1/3", metavar="L,D,S",
                   help="shares of the budget for logical errors, distillation and rotation synthesis "
                        "(fractions summing to 1; default: %(default)s)")
    p.add_argument("--physical-error", type=float, default=1e-4, metavar="P",
                   help="physical error rate per operation (dimensionless, below the code threshold; default: %(default)s)")
    p.add_argument("--magic-error", type=float, default=1e-4, metavar="EPS",
                   help="error of a raw injected magic state (dimensionless, in (0, 1); default: %(default)s)")
    p.add_argument("--t-2q-ns", type=float, default=50.0, metavar="NS",
                   help="two-qubit gate time in ns (default: %(default)s)")
    p.add_argument("--t-meas-ns", type=float, default=100.0, metavar="NS",
                   help="measurement time in ns (default: %(default)s)")
    add_error_model_option(p)
    p.add_argument("--objective", choices=("volume", "qubits", "time"), default="volume",
                   help="dynamic Pareto point: least qubit-time volume, fewest qubits (fastest within "
                        "--qubit-budget), or fastest (default: %(default)s)")
    p.add_argument("--qubit-budget", type=int, default=None, metavar="QUBITS",
                   help="physical qubits one dynamic pipeline copy may use (default: no limit)")
    p.add_argument("--layer-time-us", type=float, default=None, metavar="US",
                   help="program time per layer of magic-state demand, in us (default: one logical cycle, "
                        "d stabilizer rounds, at the program's code distance)")
    p.add_argument("--synthesis", choices=("auto", "gridsynth", "formula"), default="auto",
                   help="T-count of arbitrary rotations: Qiskit's gridsynth, the fitted formula "
                        "3.03 log2(1/eps) + 1.27 T, or gridsynth up to 200 distinct angles (default: %(default)s)")
    p.add_argument("--optimization-level", type=int, choices=(0, 1, 2, 3), default=None, metavar="N",
                   help="first run Qiskit's Clifford+RZ translation and optimisation at this level (0-3; "
                        "default: count the program as written)")
    p.add_argument("--max-levels", type=int, default=3, metavar="L",
                   help="most distillation levels to consider (default: %(default)s)")
    p.add_argument("--max-wait-us", type=float, default=0.0, metavar="US",
                   help="how much later than one pipeline run the program may start, in us, so that fewer "
                        "pipeline copies fill a buffer of states first (default: %(default)s, no slowdown)")
    p.set_defaults(run=run)


def add_error_model_option(p: argparse.ArgumentParser) -> None:
    """``--error-model paper|measured|FILE`` (default measured) and the hidden old name ``--pl-model``."""
    from magicpipe.error_models import DEFAULT_ERROR_MODEL, ERROR_MODEL_HELP

    p.add_argument("--pl-model", dest="error_model", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.add_argument("--error-model", dest="error_model", default=DEFAULT_ERROR_MODEL, metavar="MODEL",
                   help=ERROR_MODEL_HELP)


def parse_model(text: str):
    """``'paper'``, ``'measured'``, ``'A,p_th'`` or a model file, as an :class:`~magicpipe.compiler.ErrorModel`.

    Examples:
        >>> parse_model("0.1,0.008")
        ErrorModel(name='custom', A=0.1, p_th=0.008)
    """
    from magicpipe.error_models import resolve_error_model

    return resolve_error_model(text)


def _split(text: str) -> tuple[float, float, float]:
    try:
        parts = [eval_fraction(x) for x in text.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 3:
        raise SpecError(f"--budget-split needs three fractions L,D,S such as 1/3,1/3,1/3, got {text!r}")
    return parts[0], parts[1], parts[2]


def eval_fraction(text: str) -> float:
    """``'1/3'`` or ``'0.25'`` as a float."""
    num, _, den = text.strip().partition("/")
    return float(num) / float(den) if den else float(num)


def run(args: argparse.Namespace) -> int:
    from magicpipe.compiler import Hardware
    from magicpipe.passes import ErrorBudget, load_program, pass_manager, summary
    from magicpipe.passes.program import line_of

    hardware = Hardware(p=args.physical_error, eps=args.magic_error, t_2q_ns=args.t_2q_ns,
                        t_meas_ns=args.t_meas_ns, model=parse_model(args.error_model))
    budget = ErrorBudget(args.error_budget, *_split(args.budget_split))
    pm = pass_manager(error_budget=budget, hardware=hardware, objective=args.objective,
                      qubit_budget=args.qubit_budget, layer_time_us=args.layer_time_us, synthesis=args.synthesis,
                      optimization_level=args.optimization_level, max_levels=args.max_levels,
                      max_wait_us=args.max_wait_us)
    t0 = time.perf_counter()
    circuit = load_program(args.program)
    times: dict[str, float] = {}
    try:
        out = pm.run(circuit, callback=lambda **kw: times.__setitem__(type(kw["pass_"]).__name__, kw["time"]))
    except Exception as e:  # the passes wrap magicpipe errors in TranspilerError
        cause = e.__cause__
        if isinstance(cause, MagicpipeError):
            name = getattr(cause, "instruction", None)
            if name:
                line = line_of(pathlib.Path(args.program).read_text(), name)
                if line:
                    raise SpecError(f"{cause} (first use at line {line} of {args.program})") from e
            raise cause from e
        raise
    total = time.perf_counter() - t0
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    record = {"program": str(args.program), "magicpipe_demand": out.metadata["magicpipe_demand"],
              "magicpipe_plan": out.metadata["magicpipe_plan"]}
    stream = _write_plan_stream(_plan(pm), out_dir)
    record["stream"] = stream
    record["error_model"] = hardware.model.info()
    sens = _sensitivity(pm, args)
    record["sensitivity"] = sens.to_dict()
    (out_dir / "plan.json").write_text(json.dumps(record, indent=1) + "\n")
    print(summary(_plan(pm), _demand(pm)))
    if stream.get("file"):
        print(f"stream: {out_dir / stream['file']} checked, floor plan {stream['floorplan_qubits']} qubits "
              f"(layout overhead {stream['layout_overhead']:.3f})")
    else:
        print(f"stream: none written ({stream['reason']})")
    print(f"error model: {hardware.model!r}; {sens.message()}")
    print(f"demand {times.get('MagicStateDemand', 0.0):.2f} s, plan {times.get('DistillationPlanner', 0.0):.2f} s, "
          f"total {total:.2f} s; wrote {out_dir / 'plan.json'}")
    return 0


def _write_plan_stream(plan, out_dir: pathlib.Path) -> dict:
    """Write and check OUT/schedule.lsi for the plan's dynamic point (two or more levels).

    The point is found again on the same storage-decay-aware front the planner chose it from.
    """
    from magicpipe.cli.pipeline import _write_stream
    from magicpipe.compiler import Pipeline
    from magicpipe.compiler.pareto import pareto_front

    if not plan.distances:
        return {"file": None, "reason": "the program consumes no magic states"}
    if len(plan.distances) < 2:
        return {"file": None, "reason": "a one-level pipeline is one factory fed raw states: nothing to schedule"}
    dynamic = plan.method("dynamic")
    front = pareto_front(Pipeline.from_distances(plan.distances, plan.hardware), max_output_error=plan.target_error)
    point = next(p for p in front.points if p.qubits == dynamic.qubits and p.buffer_slots == dynamic.detail[0])
    return _write_stream(point.schedule, out_dir)


def _sensitivity(pm, args: argparse.Namespace):
    """The plan's distances re-chosen at the pessimistic edge of its error model (``plan.json``'s
    ``sensitivity``): same demand and options, the edge model in place of the model."""
    from magicpipe.compiler import Pipeline
    from magicpipe.compiler.sensitivity import sensitivity
    from magicpipe.passes import plan_distillation

    plan, demand = _plan(pm), _demand(pm)

    def choose(hw):
        p = plan_distillation(demand, hw, args.objective, args.qubit_budget, args.layer_time_us, args.max_levels,
                              args.max_wait_us)
        return {"distances": p.distances, "program_distance": p.program.distance}

    def evaluate(hw):  # the nominal choice under the edge model
        out = {"program_logical_error": _program_error(plan, hw), "logical_budget": plan.budgets[0]}
        if plan.distances:
            out |= {"output_error": Pipeline.from_distances(plan.distances, hw).output_error,
                    "target_error": plan.target_error}
        return out

    nominal = {"distances": plan.distances, "program_distance": plan.program.distance}
    return sensitivity(choose, plan.hardware, evaluate, nominal)


def _program_error(plan, hw) -> float:
    pc = plan.program
    return pc.patches * (pc.runtime_rounds / pc.distance) * hw.logical_error(pc.distance)


def _plan(pm):
    return pm.property_set["magicpipe_plan"]


def _demand(pm):
    return pm.property_set["magicpipe_demand"]
