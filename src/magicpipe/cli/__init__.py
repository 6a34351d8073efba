"""The ``magicpipe`` command line. Each command lives in a module of this package that defines
``register(subparsers)``; files and printing happen here, never in ``magicpipe.compiler``."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from magicpipe.errors import MagicpipeError

# Modules of this package that register commands, in help order.
_COMMAND_MODULES: tuple[str, ...] = ("pipeline", "bench_peers", "verify", "compile", "counts", "check", "report", "protocols",
                                     "sweep")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="magicpipe",
        description="Plan, schedule, emit and verify multi-level magic-state distillation pipelines.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(f"magicpipe.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except MagicpipeError as e:
        print(f"magicpipe {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
