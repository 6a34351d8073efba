"""``magicpipe compile PROGRAM|--counts FILE --out DIR``: the whole-program plan of a circuit or of logical counts.

Calls :func:`magicpipe.compile`, writes ``DIR/plan.json`` (schema ``magicpipe.plan/2``: the front, the chosen
point, the baselines' fronts, the counts, the budget and the error model) and the validated stream of the
whole program (``DIR/schedule.lsi``: every factory copy, route, port and consumption); prints the front.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import time
from typing import Any

from magicpipe.cli._args import STORAGE_DECAY_CHOICES, bounded_int, finite_float, storage_decay_options
from magicpipe.cli.options import hardware_options
from magicpipe.errors import SpecError

__all__ = ["register", "parse_model", "add_error_model_option"]


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
                        "(fractions summing to 1); the default thirds are searched per point instead: each factory "
                        "takes the share it uses, the data block the rest (default: %(default)s)")
    hardware_options(p)  # and --error-model
    p.add_argument("--objective", choices=("volume", "qubits", "runtime", "time"), default="volume",
                   help="the point of the front: least qubits x runtime, fewest physical qubits, or shortest "
                        "runtime, within the bounds below ('time' is an old name of 'runtime'; default: %(default)s)")
    p.add_argument("--max-physical-qubits", type=bounded_int(1), default=None, metavar="QUBITS",
                   help="the most physical qubits the whole program may use (default: no limit)")
    p.add_argument("--max-runtime-us", type=finite_float(0, lo_open=True), default=None, metavar="US",
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
    p.add_argument("--storage-decay", choices=STORAGE_DECAY_CHOICES, default="on",
                   help="charge the storage decay of buffered states to the dynamic pipeline's output error; 'on' "
                        "lets a configuration whose decay misses the target hold its states in buffer slots at a "
                        "higher distance (their qubits charged), 'fixed-slots' keeps the slots at the producer's "
                        "distance and drops such configurations, 'off' plans with the nominal error, as the "
                        "baselines and the resource estimators assume (a dimensionless switch; default: "
                        "%(default)s)")
    p.add_argument("--factories", choices=("all", "pipeline"), default="all",
                   help="which factories the front may use: 'all' adds the catalogue (Litinski's asymmetric "
                        "blocks, 20-to-4, magic-state cultivation) to the dynamic pipeline; 'pipeline' keeps the "
                        "paper's 15-to-1 pipeline only (a dimensionless switch; default: %(default)s)")
    p.add_argument("--seed", type=bounded_int(0), default=None, metavar="S",
                   help="write one sampled trace of the stream, every factory run's outcome drawn with this seed "
                        "(an integer; default: the nominal stream, with its outcome-conditioned instructions)")
    p.add_argument("--jsonl", action="store_true",
                   help="also write the stream as JSON Lines (schedule.jsonl; a dimensionless switch)")
    p.add_argument("--max-levels", type=bounded_int(1, 10), default=3, metavar="L",
                   help="most distillation levels to consider (default: %(default)s)")
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
    except (ValueError, ZeroDivisionError):
        parts = []
    if len(parts) != 3 or not all(math.isfinite(x) and x >= 0 for x in parts):
        raise SpecError(f"--budget-split needs three finite fractions L,D,S >= 0 (no zero denominator) such as "
                        f"1/3,1/3,1/3, got {text!r}")
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
    hardware = cli_hardware(args, model=parse_model(args.error_model))
    budget = ErrorBudget(args.error_budget, *_split(args.budget_split))
    t0 = time.perf_counter()
    comp = magicpipe.compile(program, hardware=hardware, error_budget=budget, objective=args.objective,
                             max_physical_qubits=args.max_physical_qubits, max_runtime_us=args.max_runtime_us,
                             max_levels=args.max_levels, **storage_decay_options(args.storage_decay),
                             catalogue=args.factories == "all",
                             layout=args.layout, synthesis=args.synthesis,
                             optimization_level=args.optimization_level, toffoli_t_cost=args.toffoli_t_cost,
                             optimize_t=args.optimize_t)
    total = time.perf_counter() - t0
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    record = comp.to_dict()
    record["program"] = str(args.program if args.counts is None else args.counts)
    record["stream"] = _write_chosen_stream(comp, out_dir, args.seed, args.jsonl)
    from magicpipe.compiler.compilation import plan_sensitivity

    sens = plan_sensitivity(comp, dict(record))
    record["sensitivity"] = sens.to_dict()
    (out_dir / "plan.json").write_text(json.dumps(record, indent=1, allow_nan=False) + "\n")
    print(magicpipe.describe(comp))
    stream = record["stream"]
    if stream.get("file"):
        kind = "nominal" if args.seed is None else f"trace seed {args.seed}"
        print(f"stream: {out_dir / stream['file']} ({kind}) checked: {stream['operations']:,} operations over "
              f"{stream['rounds']:,} rounds, {stream['factory_runs']:,} factory runs ({stream['rejected_runs']} "
              f"rejected), {stream['qubits']:,} qubits; delivered {stream['delivered']:,}"
              + (f" T and {stream['delivered_ccz']:,} CCZ states" if "delivered_ccz" in stream else ""))
    else:
        print(f"stream: none written ({stream['reason']})")
    print(f"error model: {comp.hardware.model!r}; {sens.message()}")
    print(f"planned in {total:.2f} s; wrote {out_dir / 'plan.json'}")
    return 0


def _write_chosen_stream(comp, out_dir: pathlib.Path, seed: int | None = None, jsonl: bool = False) -> dict:
    """Write and check the whole program's stream (format 2, ``OUT/schedule.lsi``) for the chosen point.

    Every factory copy, port, route and consumption of the program is in it (:mod:`magicpipe.lattice.whole`);
    it is checked while written and not left on disk when the check fails. Points whose factory the lattice
    layer does not lay out (a three-level schedule without a steady supply) get the reason instead. A mixed
    point's stream delivers the demand's T states besides the Toffolis and one CCZ state per Toffoli.
    """
    from magicpipe.grammar.writer2 import write_program
    from magicpipe.lattice.whole import stream_for_point

    if not comp.demand.t_states:
        return {"file": None, "reason": "the program consumes no magic states"}
    if comp.chosen.schedule is not None:  # the pipeline copy's invariants (budget, buffer, input patterns)
        from magicpipe.compiler import check

        check(comp.chosen.schedule)
    try:
        head, ops = stream_for_point(comp.chosen, hardware=comp.hardware, seed=seed, kinds=comp.demand.kinds)
    except SpecError as e:
        return {"file": None, "reason": str(e)}
    path, audit = write_program(out_dir / "schedule.lsi", head, ops)
    # a mixed point meets the Toffolis with CCZ states and the rest with T states
    kinds = comp.demand.kinds if comp.chosen.ccz_source is not None else None
    need = (comp.demand.t_states, 0) if kinds is None else (kinds.t_total, kinds.ccz_total)
    if (audit.delivered, audit.delivered_ccz) != need:
        path.unlink()
        raise SpecError(f"the stream delivers {audit.delivered} T and {audit.delivered_ccz} CCZ states but the "
                        f"program needs {need[0]} and {need[1]}")
    record = {"file": path.name, "format": 2, "seed": seed, "delivered": audit.delivered,
              "operations": audit.operations, "rounds": audit.last_round, "factory_runs": audit.runs,
              "rejected_runs": audit.rejected, "qubits": audit.qubits}
    if kinds is not None:
        record["delivered_ccz"] = audit.delivered_ccz
    if jsonl:
        from magicpipe.grammar.jsonl import to_jsonl
        from magicpipe.grammar.parser2 import open_program

        h, read, _, f = open_program(path)
        with f, open(out_dir / "schedule.jsonl", "w", encoding="utf-8") as g:
            g.writelines(line + "\n" for line in to_jsonl(h, read))
        record["jsonl"] = "schedule.jsonl"
    return record

