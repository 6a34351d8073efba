"""Argument types and parser plumbing shared by every command.

* :func:`finite_float` and :func:`bounded_int` are argparse ``type=`` callables that refuse what the model
  cannot take (``inf``, ``nan``, values out of range) with a message naming the range.
* :class:`Parser` prints one ``magicpipe <command>: error: ...`` line instead of the usage block.
* :func:`harden` walks every (sub)parser once all commands are registered: a plain ``type=float`` becomes
  ``finite_float()``, and ``--debug`` / ``--force`` are added where they belong, so commands added later get
  the same treatment without editing them.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterator

__all__ = ["Parser", "finite_float", "bounded_int", "harden", "leaf_parsers", "STORAGE_DECAY_CHOICES",
           "storage_decay_options"]

# ``--storage-decay`` on every command that plans (compile, bench peers): one spelling, one meaning
STORAGE_DECAY_CHOICES = ("on", "fixed-slots", "off")


def storage_decay_options(choice: str) -> dict[str, bool]:
    """``magicpipe.compile``'s ``storage_decay`` and ``grow_slots`` for a ``--storage-decay`` choice: ``on``
    charges the decay and may grow buffer slots to a higher distance, ``fixed-slots`` charges it with the slots
    at the producer's distance, ``off`` charges none.

    Examples:
        >>> storage_decay_options("fixed-slots")
        {'storage_decay': True, 'grow_slots': False}
    """
    if choice not in STORAGE_DECAY_CHOICES:
        raise ValueError(f"--storage-decay must be one of {STORAGE_DECAY_CHOICES}, got {choice!r}")
    return {"storage_decay": choice != "off", "grow_slots": choice == "on"}


def _interval(lo: float, hi: float, lo_open: bool, hi_open: bool) -> str:
    left = "(" if lo_open or lo == -math.inf else "["
    right = ")" if hi_open or hi == math.inf else "]"
    return f"{left}{lo:g}, {hi:g}{right}"


def finite_float(lo: float = -math.inf, hi: float = math.inf, *, lo_open: bool = False,
                 hi_open: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite float in the interval from ``lo`` to ``hi`` (closed unless ``*_open``).

    Examples:
        >>> probability = finite_float(0, 1, lo_open=True, hi_open=True)
        >>> probability("1e-3")
        0.001
        >>> probability("inf")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: must be a finite number in (0, 1), got 'inf'
    """
    where = _interval(lo, hi, lo_open, hi_open)
    what = "a finite number" + (f" in {where}" if math.isfinite(lo) or math.isfinite(hi) else "")

    def parse(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        below = x <= lo if lo_open else x < lo
        above = x >= hi if hi_open else x > hi
        if not math.isfinite(x) or below or above:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
        return x

    parse.__name__ = "finite_float"
    return parse


def bounded_int(lo: int | None = None, hi: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer with ``lo <= n <= hi`` (either bound may be None).

    Examples:
        >>> bounded_int(1)("4")
        4
        >>> bounded_int(1)("0")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: must be an integer >= 1, got '0'
    """
    parts = ([f">= {lo}"] if lo is not None else []) + ([f"<= {hi}"] if hi is not None else [])
    where = "an integer" + (" " + " and ".join(parts) if parts else "")

    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {where}, got {text!r}") from None
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            raise argparse.ArgumentTypeError(f"must be {where}, got {text!r}")
        return n

    parse.__name__ = "bounded_int"
    return parse


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``PROG: error: MESSAGE; see 'PROG --help'``."""

    def error(self, message: str):  # type: ignore[override]
        if message.startswith("argument ") and message.endswith("expected one argument"):
            message += " (a value that starts with '-' is written OPTION=VALUE)"
        self.exit(2, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


def leaf_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Every parser under ``parser`` that runs a command (has no subcommands of its own), each once."""
    seen: set[int] = set()
    stack = [parser]
    while stack:
        p = stack.pop(0)
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs and p is not parser:
            yield p
        for a in subs:
            for child in a.choices.values():
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append(child)


def _has(parser: argparse.ArgumentParser, option: str) -> bool:
    return option in parser._option_string_actions


def harden(parser: argparse.ArgumentParser) -> None:
    """Make every command's parser refuse non-finite floats and accept ``--debug`` (and ``--force`` where it
    writes files); record each command's full name (``magicpipe bench two-level``) as ``args.command_prog``."""
    for leaf in leaf_parsers(parser):
        for action in leaf._actions:
            if action.type is float:
                action.type = finite_float()
        if not _has(leaf, "--debug"):
            leaf.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                              help="show the Python traceback of an error (and keep the staging folder)")
        json_file = _has(leaf, "--json") and leaf._option_string_actions["--json"].nargs != 0
        writes = any(a.dest == "out" for a in leaf._actions) or json_file
        if writes and not _has(leaf, "--force"):
            leaf.add_argument("--force", action="store_true",
                              help="replace files in the output place that magicpipe did not write")
        leaf.set_defaults(command_prog=leaf.prog)
