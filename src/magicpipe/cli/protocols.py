"""``magicpipe protocols``: the factory catalogue with inputs, outputs, footprint, time and error.

Without ``--target`` it lists the protocols' layouts and a reference set of factories (Litinski's published
configurations and cultivation's operating points) evaluated under the chosen physics; with ``--target E``
it lists the catalogue entries the planner would search for a per-state error ``E``
(:func:`magicpipe.compiler.catalogue_search.catalogue`). ``--json`` prints the same as JSON.
"""

from __future__ import annotations

import argparse
import json
from contextlib import suppress
from typing import Any

__all__ = ["REFERENCE_SET", "register", "run"]

# Litinski 2019's configurations (his public code's main.py): (first-level distances, copies, upper, upper ds)
REFERENCE_SET: tuple[tuple[tuple[int, int, int], int, str | None, tuple[int, int, int] | None], ...] = (
    ((7, 3, 3), 1, None, None),
    ((9, 3, 3), 1, None, None),
    ((11, 5, 5), 1, None, None),
    ((17, 7, 7), 1, None, None),
    ((9, 3, 3), 4, "20-to-4", (15, 7, 9)),
    ((13, 5, 5), 6, "20-to-4", (23, 11, 13)),
    ((13, 5, 5), 4, "20-to-4", (27, 13, 15)),
    ((11, 5, 5), 6, "15-to-1", (25, 11, 11)),
    ((13, 5, 5), 6, "15-to-1", (29, 11, 13)),
    ((7, 3, 3), 4, "8-to-CCZ", (15, 7, 9)),
    ((13, 7, 7), 6, "8-to-CCZ", (25, 15, 15)),
)


def register(subparsers: Any) -> None:
    """Add the ``protocols`` command."""
    p = subparsers.add_parser(
        "protocols",
        help="list the factory catalogue: inputs, outputs, footprint, time and error per entry",
        description="List the distillation protocols (15-to-1, 20-to-4, 8-to-CCZ as Litinski lays them out) "
                    "and the factories of the catalogue -- Litinski's asymmetric-distance blocks, two-level "
                    "combinations, magic-state cultivation -- with their physical qubits, code cycles per run "
                    "(failures included), outputs and output error, under the given physics.",
    )
    p.add_argument("--physical-error", type=float, default=1e-3, metavar="P",
                   help="physical error rate p, dimensionless (default: %(default)s)")
    p.add_argument("--magic-error", type=float, default=None, metavar="E",
                   help="error of a raw injected magic state, dimensionless (default: equal to P)")
    p.add_argument("--physics", choices=("hardware", "litinski"), default="hardware",
                   help="hardware: the --error-model's p_L per d rounds and raw states of error E; litinski: "
                        "his p_L = 0.1 (100 p)^((d+1)/2) per cycle and raw states of error p (default: %(default)s)")
    from magicpipe.cli.compile import add_error_model_option

    add_error_model_option(p)  # the memory model of --physics hardware (litinski has its own)
    p.add_argument("--target", type=float, default=None, metavar="EPS",
                   help="list the catalogue entries meeting this error per output state (dimensionless) instead "
                        "of the reference set")
    p.add_argument(
        "--kinds", default="T,CCZ", metavar="K[,K]", help="output kinds, T and/or CCZ (default: %(default)s)"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--verify", action="store_true",
                   help="instead, check every protocol's rotation list by state vector and its logical-level "
                        "statistics by enumerating all 2^m fault patterns, against the block model at p_L = 0")
    p.set_defaults(run=run)


def _physics(args: argparse.Namespace):
    from magicpipe.compiler import Hardware
    from magicpipe.compiler.blockmodel import NoiseModel

    if args.physics == "litinski":
        if args.magic_error is not None:
            from magicpipe.errors import SpecError

            raise SpecError(
                "--physics litinski takes raw states of error p; drop --magic-error or use --physics hardware"
            )
        return NoiseModel.litinski(args.physical_error)
    from magicpipe.error_models import resolve_error_model

    eps = args.physical_error if args.magic_error is None else args.magic_error
    model = resolve_error_model(args.error_model)
    return NoiseModel.from_hardware(Hardware(p=args.physical_error, eps=eps, model=model))


def _reference(noise, kinds: tuple[str, ...]) -> list:
    from magicpipe.compiler.catalogue import cultivation_factory, one_level, two_level
    from magicpipe.compiler.cultivation import cultivation_points
    from magicpipe.errors import SpecError

    out = []
    for first, copies, upper, ds in REFERENCE_SET:
        f = one_level(noise, first) if upper is None else two_level(noise, first, copies, upper, ds)
        if f.kind in kinds:
            out.append(f)
    if "T" in kinds:
        with suppress(SpecError):
            out += [cultivation_factory(c) for c in cultivation_points(noise.p)]
    return out


def _layouts() -> list[dict]:
    from magicpipe.compiler.blocks import FIRST_LEVEL, LAYOUTS

    return [{"protocol": lay.protocol, "level": lay.level, "kind": lay.kind, "inputs": lay.inputs,
             "outputs": lay.states, "logical_qubits": lay.qubits, "steps": len(lay.steps),
             "width": f"{lay.width[0]} d_X + {lay.width[1]} d_Z"}
            for lay in (FIRST_LEVEL, *LAYOUTS.values())]


def run(args: argparse.Namespace) -> int:
    from magicpipe.compiler.catalogue_search import catalogue
    from magicpipe.errors import SpecError

    if args.verify:
        return _verify(args.json)
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    if not kinds or set(kinds) - {"T", "CCZ"}:
        raise SpecError(f"--kinds must list T and/or CCZ, got {args.kinds!r}")
    noise = _physics(args)
    entries = list(catalogue(noise, args.target, kinds)) if args.target is not None else _reference(noise, kinds)
    notes = _notes(noise.p, args.target) if args.target is not None and "T" in kinds else []
    if args.json:
        doc = {"schema": "magicpipe.protocols/1",
               "physics": {"p": noise.p, "injection": list(noise.injection), "A": noise.A, "p_th": noise.p_th,
                           "per_cycle": noise.per_cycle, "source": noise.source},
               "target": args.target, "protocols": _layouts(), "entries": [f.info() for f in entries],
               "notes": notes}
        print(json.dumps(doc, indent=1, sort_keys=True))
        return 0
    print(f"protocols (p = {noise.p:g}, raw state error {sum(noise.injection):g}, p_L from {noise.source}):")
    print(
        f"  {'protocol':10s} {'level':6s} {'kind':4s} {'inputs':>6s} {'outputs':>7s} "
        f"{'qubits':>6s} {'steps':>5s}  width"
    )
    for row in _layouts():
        print(f"  {row['protocol']:10s} {row['level']:6s} {row['kind']:4s} {row['inputs']:6d} {row['outputs']:7d} "
              f"{row['logical_qubits']:6d} {row['steps']:5d}  {row['width']}")
    title = f"catalogue entries meeting {args.target:g} per state" if args.target is not None else "reference factories"
    print(f"\n{title}:")
    print(f"  {'factory':56s} {'kind':4s} {'inputs':>6s} {'out':>3s} {'qubits':>7s} {'cycles':>8s} "
          f"{'cyc/state':>9s} {'error':>9s} {'p_fail':>8s}")
    for f in entries:
        print(f"  {f.name:56s} {f.kind:4s} {f.inputs:6d} {f.outputs:3d} {f.qubits:7,d} {f.cycles:8.1f} "
              f"{f.cycles / f.outputs:9.1f} {f.output_error:9.2e} {f.p_fail:8.2e}")
    if not entries:
        print("  (none: no catalogue entry reaches this target; lower p or relax the target)")
    for note in notes:
        print(f"note: {note}")
    return 0


def _notes(p: float, target: float) -> list[str]:
    """Why bare cultivation is missing, when it is (below its floor, or p outside its data), or that its
    points are the p = 5e-4 ones standing in for a lower p."""
    from magicpipe.compiler.cultivation import cheapest_meeting
    from magicpipe.errors import InfeasibleError, SpecError

    try:
        point = cheapest_meeting(p, target)
    except (InfeasibleError, SpecError) as e:
        return [str(e)]
    return [f"cultivation: {point.data}"] if point.bound else []


def _verify(as_json: bool) -> int:
    from magicpipe.compiler.blocks import FIRST_LEVEL, LAYOUTS
    from magicpipe.verification.catalogue import (
        check_layout,
        enumerate_layout,
        model_gap,
    )

    rows = []
    for layout in (FIRST_LEVEL, *LAYOUTS.values()):
        check = check_layout(layout)
        enum = enumerate_layout(layout)
        gaps = [model_gap(layout, eps, enum) for eps in (1e-2, 1e-3, 1e-4)]
        lead = next(w for w, c in enumerate(enum.flipped) if c)
        rows.append({"protocol": layout.protocol, "level": layout.level, "state_vector_fidelity": check.fidelity,
                     "checks": list(check.check_values), "patterns": 2 ** layout.inputs,
                     "leading_weight": lead, "leading_count": enum.flipped[lead],
                     "accepted": list(enum.accepted), "flipped": list(enum.flipped),
                     "gaps": [{"eps": g.eps, "output_error": g.enumerated_output_error,
                               "model_output_error_gap": g.output_error_gap,
                               "acceptance_gap": g.acceptance_gap} for g in gaps],
                     "ok": check.ok and all(abs(g.output_error_gap) < 1e-6 for g in gaps)})
    if as_json:
        print(json.dumps({"schema": "magicpipe.protocols-verify/1", "layouts": rows}, indent=1, sort_keys=True))
    else:
        for r in rows:
            worst = max(abs(g["model_output_error_gap"]) for g in r["gaps"])
            print(f"{r['protocol']:9s} {r['level']:6s} state vector fidelity {r['state_vector_fidelity']:.12f}, "
                  f"{r['patterns']:,} patterns: {r['leading_count']} undetected at weight {r['leading_weight']}, "
                  f"block model vs enumeration {worst:.1e} -> {'ok' if r['ok'] else 'FAIL'}")
    return 0 if all(r["ok"] for r in rows) else 1
