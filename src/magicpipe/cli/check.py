"""``magicpipe check STREAM``: parse a lattice-surgery stream (``schedule.lsi``) and validate it.

Exit status 0 when the stream is valid, 1 when it breaks a rule (each violation is printed with its line, its
instruction and the rule), 2 when it does not parse (the error has the line, the column and a caret).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Any

from magicpipe.cli._args import bounded_int
from magicpipe.cli._output import open_file, write_file

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``check`` command."""
    p = subparsers.add_parser(
        "check",
        help="parse and validate a lattice-surgery instruction stream (schedule.lsi)",
        description="Parse a lattice-surgery instruction stream and check every rule of grammar/README.md: "
                    "patches on free tiles, the qubit budget, buffer slots, input patterns, move paths, "
                    "timing and conservation of states.",
    )
    p.add_argument("stream", metavar="STREAM", help="the stream file, or a folder holding schedule.lsi")
    p.add_argument("--max-errors", type=bounded_int(0), default=20, metavar="N",
                   help="violations to print at most (default: %(default)s)")
    p.add_argument("--json", metavar="FILE", default=None,
                   help="also export the stream as JSON to FILE (version 1) or as JSON Lines (version 2); an existing "
                        "FILE is replaced only with --force")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from magicpipe.errors import SpecError

    try:
        return _run(args)
    except UnicodeDecodeError as e:
        raise SpecError(f"{args.stream} is not UTF-8 text ({e.reason} at byte {e.start}); a stream is UTF-8") from None


def _run(args: argparse.Namespace) -> int:
    from magicpipe.errors import SpecError
    from magicpipe.grammar import STREAM_FILE, dumps, parse_file
    from magicpipe.grammar.parser2 import stream_version
    from magicpipe.lattice import audit

    path = pathlib.Path(args.stream)
    if path.is_dir():
        path = path / STREAM_FILE
        if not path.exists():
            raise SpecError(f"{args.stream} is a folder without {STREAM_FILE}; give the stream file or a folder "
                            f"written by magicpipe pipeline / compile")
    if args.json and pathlib.Path(args.json).exists() and not args.force:
        write_file(args.json, b"", force=False, flag="--json")  # refuses before the work, with the message
    if not path.is_file():
        raise SpecError(f"{path} is not a stream file; give a schedule.lsi or the folder that holds one")
    with open(path, encoding="utf-8", errors="strict") as f:
        try:
            version = stream_version(f)
        except UnicodeDecodeError as e:
            raise SpecError(f"{path} is not UTF-8 text ({e.reason} at byte {e.start}); a stream is UTF-8") from None
    if version == 2:
        return _run_v2(path, args)
    stream = parse_file(path)
    found = audit(stream)
    if args.json:
        write_file(args.json, dumps(stream, indent=1), force=args.force, flag="--json")
    h = stream.header
    if found.violations:
        for v in found.violations[: args.max_errors]:
            print(f"{path}:{v}", file=sys.stderr)
        more = len(found.violations) - args.max_errors
        if more > 0:
            print(f"... and {more} more violation(s)", file=sys.stderr)
        print(f"{path}: INVALID: {len(found.violations)} violation(s) of {found.instructions} instructions")
        return 1
    tally = next((i.tally for i in reversed(stream.instructions) if i.action == "TALLY"), None)
    print(f"{path}: valid: {found.instructions} instructions over {found.last_round} rounds, {found.factories} "
          f"factory runs, {found.moves} moves; peak {found.peak_qubits} of {h.qubit_budget} qubits "
          f"(floor plan {h.width} x {h.height}, {h.floorplan_qubits} qubit sites)")
    if tally is not None:
        print(f"states: produced {tally.produced} = consumed {tally.consumed} + discarded {tally.discarded} + "
              f"left {len(tally.left)}; delivered {tally.delivered}")
    return 0


def _run_v2(path: pathlib.Path, args: argparse.Namespace) -> int:
    """A whole-program stream: read and validate it line by line (memory does not grow with its length)."""
    from magicpipe.grammar.jsonl import to_jsonl
    from magicpipe.grammar.parser2 import open_program
    from magicpipe.lattice.check2 import audit2
    from magicpipe.lattice.stream2 import ProgramStream

    header, ops, where, f = open_program(path)
    with f:
        found = audit2(ProgramStream(header, ()), ops, header_lines=where)
    if args.json:  # a second pass over the file, so that memory stays flat
        header, ops, _, f = open_program(path)
        with f, open_file(args.json, force=args.force, flag="--json") as out:
            for line in to_jsonl(header, ops):
                out.write(line + "\n")
    h = header
    if found.violations:
        for v in found.violations[: args.max_errors]:
            print(f"{path}:{v}", file=sys.stderr)
        more = len(found.violations) - args.max_errors
        if more > 0:
            print(f"... and {more} more violation(s)", file=sys.stderr)
        print(f"{path}: INVALID: {len(found.violations)} violation(s) of {found.operations} operations")
        return 1
    print(f"{path}: valid whole-program stream ({h.mode}): {found.operations} operations over {found.last_round} "
          f"rounds; {len(h.copies)} copies of unit {', '.join(u.name for u in h.units)}, {found.runs} runs "
          f"({found.rejected} rejected); {found.qubits} of {h.qubit_budget} qubits (floor plan {h.width} x "
          f"{h.height}); delivered {found.delivered}"
          + (f", delivered_ccz {found.delivered_ccz}" if h.ccz_count else ""))
    return 0
