"""``magicpipe compile PROGRAM|--counts FILE --out DIR``: the whole-program plan of a circuit or of logical counts.

Calls :func:`magicpipe.compile`, writes ``DIR/plan.json`` (schema ``magicpipe.plan/2``: the front, the chosen
point, the baselines' fronts, the counts, the budget and the error model) and, when the chosen point is a
scheduled pipeline, the validated stream of one copy (``DIR/schedule.lsi``); prints the front as a table.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time
from typing import Any

from magicpipe.cli.options import hardware_options
from magicpipe.errors import SpecError

__all__ = ["register", "parse_model"]


def register(subparsers: Any) -> None:
    """Add the ``compile`` command."""
    p = subparsers.add_parser(
        "compile",
        help="plan a whole program (OpenQASM circuit or logical counts): factories, copies, qubits and runtime",
        description="Count the magic states of an OpenQASM 2 or 3 program, or read its logical counts (the Azure "
                    "estimator's logicalCounts JSON), and plan the whole program: the front of (physical qubits, "
                    "runtime), the chosen point and the sequential and parallel baselines; writes OUT/plan.json.",
    )
    p.add_argument("program", metavar="PROGRAM", nargs="?", default=None,
                   help="OpenQASM 2 or 3 file (version read from its header), or a counts .json file")
    p.add_argument("--counts", metavar="FILE.json", default=None,
                   help="logical counts as JSON (numQubits, tCount, rotationCount, rotationDepth, cczCount, "
                        "ccixCount, measurementCount), e.g. written by qsharp/qdk or by 'magicpipe counts'")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder, created if missing")
    p.add_argument("--error-budget", type=float, default=1e-3, metavar="PROB",
                   help="total failure probability of the program (dimensionless, in (0, 1); default: %(default)s)")
    p.add_argument("--budget-split", default="1/3,1/3,1/3", metavar="L,D,S",
                   help="shares of the budget for logical errors, distillation and rotation synthesis "
                        "(fractions summing to 1; default: %(default)s)")
    hardware_options(p)
    p.add_argument("--pl-model", default="paper", metavar="MODEL",
                   help="logical error model p_L = A (p/p_th)^((d+1)/2): 'paper' (A = 0.03, p_th = 0.01), "
                        "'A,p_th', or a summary.json of 'magicpipe verify memory' (default: %(default)s)")
    p.add_argument("--objective", choices=("volume", "qubits", "runtime", "time"), default="volume",
                   help="the point of the front: least qubits x runtime, fewest physical qubits, or shortest "
                        "runtime, within the bounds below ('time' is an old name of 'runtime'; default: %(default)s)")
    p.add_argument("--max-physical-qubits", type=int, default=None, metavar="QUBITS",
                   help="the most physical qubits the whole program may use (default: no limit)")
    p.add_argument("--max-runtime-us", type=float, default=None, metavar="US",
                   help="the longest runtime of the whole program, in us (default: no limit)")
    p.add_argument("--layout", choices=("fast", "intermediate", "compact"), default="fast",
                   help="data block layout (Litinski 2019): fast 2n+ceil(sqrt(8n))+1 tiles, 1 cycle per layer; "
                        "intermediate 2n+4, 5 cycles; compact ceil(1.5n)+3, 9 cycles (default: %(default)s)")
    p.add_argument("--synthesis", default="auto", metavar="MODEL",
                   help="T-count (T states) per arbitrary rotation at the budget's per-rotation error eps: "
                        "'mixed-fallback' (expected T-count of Kliuchnikov et al. 2023's mixed fallback protocol, "
                        "ceil(0.53 log2(1/eps) + 4.86)), 'azure' (the Azure estimator's formula, the same numbers), "
                        "'azure-2022' (+5.3), 'gridsynth' (Qiskit's Ross-Selinger word, exact per angle; circuits), "
                        "'formula' (3.03 log2(1/eps) + 1.27, fitted to gridsynth; circuits), 'gridsynth-auto' "
                        "(gridsynth up to 200 distinct angles, else formula; circuits) or 'a,b' for "
                        "a log2(1/eps) + b (default: %(default)s, mixed-fallback for circuits, azure for counts)")
    p.add_argument("--toffoli-t-cost", type=int, choices=(4, 7), default=4, metavar="T",
                   help="T-count (T states) per Toffoli-class gate (ccx, ccz, cswap; mcx with k controls is k-1): "
                        "4 with one ancilla and a measurement (Jones 2013), or 7 without (default: %(default)s)")
    p.add_argument("--optimize-t", action="store_true",
                   help="first reduce the T-count with the ZX-calculus (pyzx full_reduce; needs magicpipe[zx]); "
                        "kept only when it lowers the T-count of the plan; counts before and after go into "
                        "plan.json's circuit record; refused above 20000 gates")
    p.add_argument("--optimization-level", type=int, choices=(0, 1, 2, 3), default=None, metavar="N",
                   help="first run Qiskit's Clifford+RZ translation and optimisation at this level (0-3; "
                        "default: count the program as written)")
    p.add_argument("--storage-decay", choices=("on", "off"), default="on",
                   help="charge the storage decay of buffered states to the dynamic pipeline's output error ('off': "
                        "the nominal error, as the baselines and the resource estimators assume; dimensionless "
                        "switch; default: %(default)s)")
    p.add_argument("--factories", choices=("all", "pipeline"), default="all",
                   help="which factories the front may use: 'all' adds the catalogue (Litinski's asymmetric "
                        "blocks, 20-to-4, magic-state cultivation) to the dynamic pipeline; 'pipeline' keeps the "
                        "paper's 15-to-1 pipeline only (a dimensionless switch; default: %(default)s)")
    p.add_argument("--max-levels", type=int, default=3, metavar="L",
                   help="most distillation levels to consider (default: %(default)s)")
    p.set_defaults(run=run)


def parse_model(text: str):
    """``'paper'``, ``'A,p_th'`` or a path to a fit, as a :class:`~magicpipe.compiler.LogicalErrorModel`.

    Examples:
        >>> parse_model("0.1,0.008")
        LogicalErrorModel(A=0.1, p_th=0.008, source='--pl-model 0.1,0.008')
    """
    from magicpipe.compiler import LogicalErrorModel

    if text == "paper":
        return LogicalErrorModel()
    parts = text.split(",")
    if len(parts) == 2:
        try:
            return LogicalErrorModel(float(parts[0]), float(parts[1]), source=f"--pl-model {text}")
        except ValueError:
            pass
    path = pathlib.Path(text)
    if not path.exists():
        raise SpecError(f"--pl-model {text!r} is neither 'paper', 'A,p_th' nor an existing file")
    try:
        from magicpipe.verification import load_logical_error_model
    except ImportError as e:
        raise SpecError("--pl-model FILE needs magicpipe.verification.load_logical_error_model") from e
    return load_logical_error_model(path)


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
    import magicpipe
    from magicpipe.cli.options import hardware as cli_hardware
    from magicpipe.compiler.budget import ErrorBudget

    if (args.program is None) == (args.counts is None):
        raise SpecError("give exactly one program: an OpenQASM file as PROGRAM, or --counts FILE.json")
    program = args.program if args.counts is None else magicpipe.load_counts(args.counts)
    hardware = cli_hardware(args, model=parse_model(args.pl_model))
    budget = ErrorBudget(args.error_budget, *_split(args.budget_split))
    t0 = time.perf_counter()
    comp = magicpipe.compile(program, hardware=hardware, error_budget=budget, objective=args.objective,
                             max_physical_qubits=args.max_physical_qubits, max_runtime_us=args.max_runtime_us,
                             max_levels=args.max_levels, storage_decay=args.storage_decay == "on",
                             catalogue=args.factories == "all",
                             layout=args.layout, synthesis=args.synthesis,
                             optimization_level=args.optimization_level, toffoli_t_cost=args.toffoli_t_cost,
                             optimize_t=args.optimize_t)
    total = time.perf_counter() - t0
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    record = comp.to_dict()
    record["program"] = str(args.program if args.counts is None else args.counts)
    record["stream"] = _write_chosen_stream(comp, out_dir)
    (out_dir / "plan.json").write_text(json.dumps(record, indent=1) + "\n")
    print(magicpipe.describe(comp))
    stream = record["stream"]
    if stream.get("file"):
        print(f"stream: {out_dir / stream['file']} checked (one pipeline copy), floor plan "
              f"{stream['floorplan_qubits']} qubits (layout overhead {stream['layout_overhead']:.3f})")
    else:
        print(f"stream: none written ({stream['reason']})")
    print(f"planned in {total:.2f} s; wrote {out_dir / 'plan.json'}")
    return 0


def _write_chosen_stream(comp, out_dir: pathlib.Path) -> dict:
    """Write and check OUT/schedule.lsi for the chosen point's pipeline copy, when it is a scheduled pipeline."""
    from magicpipe.grammar import write_checked_stream

    if not comp.demand.t_states:
        return {"file": None, "reason": "the program consumes no magic states"}
    if comp.chosen.schedule is None:
        return {"file": None, "reason": f"the chosen source ({comp.chosen.source.name}) is not a scheduled "
                                         f"multi-level pipeline: nothing to schedule"}
    return write_checked_stream(comp.chosen.schedule, out_dir)
