"""``magicpipe verify real``: the real 15-to-1 protocol under circuit-level noise, both error types jointly.

One Stim frame simulation carries the factory's Z-type and X-type errors in the same shot, two PyMatching
decoders read them, and the protocol's rotations on T states are applied by state vector
(:mod:`magicpipe.verification.joint`). Writes ``OUT/summary.json`` and ``OUT/points.csv``.
"""

from __future__ import annotations

import argparse
import csv
from typing import Any

from magicpipe.cli._args import bounded_int
from magicpipe.cli.options import option

__all__ = ["add_parser"]

_COLUMNS = ("d", "p", "eps", "shots", "acceptance", "acceptance_sigma", "output_error", "output_error_sigma",
            "stand_in_acceptance", "stand_in_output_error", "x_events_per_run", "misreads_per_run", "a", "a_sigma",
            "b", "b_sigma", "a_stand_in", "b_stand_in", "seconds")


def add_parser(sub: Any) -> None:
    """Add ``verify real`` to the ``verify`` subcommands."""
    real = sub.add_parser("real", help="15-to-1 with T states under circuit-level noise: Z- and X-type errors and "
                                       "misread merges in one shot, the real protocol's acceptance and output error")
    real.add_argument("--distance", type=int, nargs="+", default=[3], help="3, 5 and/or 7 (default: %(default)s)")
    option(real, "--physical-error", "--p", type=float, nargs="+", default=[1e-3, 2e-3],
           help="physical error rates, each in [0, 0.5) (default: %(default)s)")
    option(real, "--magic-error", "--eps", type=float, nargs="+", default=[1e-3],
           help="input magic-state errors, each in [0, 1) (default: %(default)s)")
    real.add_argument("--shots", type=bounded_int(1), default=20000, help="runs per point (default: %(default)s)")
    real.add_argument("--memory-shots", type=bounded_int(1), default=10**6,
                      help="most shots per basis of the layout's memory (the p_L of a, b) (default: %(default)s)")
    real.add_argument("--seed", type=bounded_int(0), default=0, help="seed (default: %(default)s)")
    real.add_argument("--quiet", action="store_true", help="do not print the progress")
    real.add_argument("--out", required=True, metavar="DIR", help="output folder")
    real.set_defaults(run=_run_real)


def _run_real(args: argparse.Namespace) -> int:
    import pathlib

    from magicpipe.verification.collect import write_json
    from magicpipe.verification.joint import run_real

    summary = run_real(args.distance, args.physical_error, args.magic_error, shots=args.shots, seed=args.seed,
                       memory_shots=args.memory_shots, progress=not args.quiet)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_json(summary, out / "summary.json")
    with open(out / "points.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(_COLUMNS)
        for pt in summary["points"]:  # type: ignore[attr-defined]
            w.writerow([pt.get(c, "") for c in _COLUMNS])
    print(f"{'d':>3} {'p':>7} {'eps':>7} {'accept':>8} {'stand-in':>8} {'out err':>9} {'stand-in':>9} {'a':>6} "
          f"{'b':>6} {'a (+)':>6} {'b (+)':>6}")
    for pt in summary["points"]:  # type: ignore[attr-defined]
        ab = (f"{pt['a']:6.2f} {pt['b']:6.1f} {pt['a_stand_in']:6.2f} {pt['b_stand_in']:6.1f}" if "a" in pt else "")
        print(f"{pt['d']:3d} {pt['p']:7.1e} {pt['eps']:7.1e} {pt['acceptance']:8.4f} {pt['stand_in_acceptance']:8.4f} "
              f"{pt['output_error']:9.3e} {pt['stand_in_output_error']:9.3e} {ab}")
    for key, row in summary["fit"].items():  # type: ignore[attr-defined]
        a, b = row["a"], row["b"]
        print(f"{key}: a = {a['c']:.2f} +- {a['sigma']:.2f}, b = {b['c']:.1f} +- {b['sigma']:.1f} (real protocol); "
              f"stand-in a = {row['a_stand_in']['c']:.2f}, b = {row['b_stand_in']['c']:.1f}")
    print(f"wrote {args.out}/summary.json, points.csv")
    return 0
