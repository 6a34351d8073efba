"""The ``magicpipe`` command line. Each command lives in a module of this package that defines
``register(subparsers)``; files and printing happen here, never in ``magicpipe.compiler``.

:func:`main` is the one edge every command passes through: a wrong input ends in exit status 2 and one
``magicpipe <command>: error: ...`` line (``--debug`` shows the traceback); a command with ``--out`` writes
into a staging folder that becomes ``--out`` only when it succeeds (:mod:`magicpipe.cli._output`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from pathlib import Path, PurePath
from typing import Any
from collections.abc import Sequence

from magicpipe.cli import _output
from magicpipe.cli._args import Parser, harden
from magicpipe.cli._errors import debug_requested, describe, is_user_error

# Modules of this package that register commands, in help order.
_COMMAND_MODULES: tuple[str, ...] = (
    "pipeline",
    "bench_peers",
    "verify",
    "compile",
    "counts",
    "check",
    "report",
    "protocols",
    "sweep",
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="magicpipe",
        description="Plan, schedule, emit and verify multi-level magic-state distillation pipelines.",
    )
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback of an error (also MAGICPIPE_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(f"magicpipe.cli.{name}").register(sub)
    harden(parser)
    return parser


class _Rewrite:
    """A text stream that prints the staging folder's path as the ``--out`` the user gave."""

    def __init__(self, stream: Any, old: str, new: str) -> None:
        self._stream, self._old, self._new = stream, old, new

    def write(self, text: str) -> int:
        self._stream.write(text.replace(self._old, self._new))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _run(args: argparse.Namespace, prog: str) -> int:
    given = getattr(args, "out", None)
    if given is None or not isinstance(given, (str, PurePath)) or getattr(args, "out_kind", None) == "none":
        return int(args.run(args) or 0)
    force = getattr(args, "force", False)
    if getattr(args, "out_kind", None) == "file" or (getattr(args, "out_kind", None) is None and
                                                     _output.names_a_file(given)):
        staging = _output.begin_file(given, prog, force=force)
    else:
        staging = _output.begin(given, prog, force=force, seed=getattr(args, "resume_out", False))
    args.out = staging.stage if isinstance(given, PurePath) else str(staging.stage)
    out, err = sys.stdout, sys.stderr
    sys.stdout = _Rewrite(out, str(staging.stage), str(Path(given)))  # type: ignore[assignment]
    sys.stderr = _Rewrite(err, str(staging.stage), str(Path(given)))  # type: ignore[assignment]
    try:
        code = int(args.run(args) or 0)
        if code not in (0, 1):  # a command that reports its own failure writes nothing
            _output.abort(staging)
            return code
        dropped = _output.commit(staging)
    except KeyboardInterrupt as e:
        if staging.resumes:  # a resumable command's CSV is a journal of whole rows: keep what it finished
            _output.commit(staging)
            e.add_note(f"the finished part is in {Path(given)}; run again to resume")
        else:
            _output.abort(staging)
            e.add_note(f"nothing written to {Path(given)}")
        raise
    except BaseException as e:
        keep = debug_requested(args)
        _output.abort(staging, keep=keep)
        e.add_note(f"staging folder kept: {staging.stage}" if keep else f"nothing written to {Path(given)}")
        raise
    finally:
        sys.stdout, sys.stderr = out, err
    if dropped:
        print(f"removed {', '.join(dropped)} of the earlier run in {Path(given)} (this run does not write them)")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status (0 success, 1 a failed check, 2 a wrong input)."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
    except SystemExit as e:  # --help, --version or an argparse error (already printed)
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    prog = getattr(args, "command_prog", f"magicpipe {args.command}")
    if extra:
        print(f"{prog}: error: unrecognized arguments: {' '.join(extra)}; see '{prog} --help'", file=sys.stderr)
        return 2
    try:
        return _run(args, prog)
    except KeyboardInterrupt as e:
        notes = "".join(f" ({n})" for n in getattr(e, "__notes__", ()))
        print(f"{prog}: interrupted{notes}", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 -- the edge: no traceback unless --debug
        if debug_requested(args):
            traceback.print_exc()
        notes = "".join(f" ({n})" for n in getattr(e, "__notes__", ()))
        if is_user_error(e):
            print(f"{prog}: error: {describe(e, args)}{notes}", file=sys.stderr)
            return 2
        print(f"{prog}: internal error: {describe(e)}{notes}; run again with --debug for the traceback and "
              f"report it", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
