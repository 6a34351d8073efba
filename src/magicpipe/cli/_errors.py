"""One line for each kind of failure a user's input can cause at the command line.

:func:`describe` turns an exception into the text after ``magicpipe <command>: error:``; :data:`USER_ERRORS`
are the exception types that mean "the input is wrong" (exit status 2) rather than "magicpipe has a bug".
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from pathlib import Path, PurePath

from magicpipe.errors import MagicpipeError

__all__ = ["USER_ERRORS", "describe", "is_user_error", "debug_requested"]

USER_ERRORS: tuple[type[BaseException], ...] = (MagicpipeError, OSError, UnicodeDecodeError, RecursionError,
                                                 json.JSONDecodeError, MemoryError)

_OS_FIXES = {
    errno.ENOENT: ("does not exist", "check the path"),
    errno.EACCES: ("is not accessible (permission denied)", "choose a place you may read or write"),
    errno.EPERM: ("is not accessible (operation not permitted)", "choose a place you may read or write"),
    errno.ENOTDIR: ("goes through a file as if it were a folder", "choose a path whose folders are folders"),
    errno.EISDIR: ("is a folder where a file was expected", "give a file name"),
    errno.EEXIST: ("already exists", "remove it or choose another name"),
    errno.ENOTEMPTY: ("is a folder that is not empty", "choose another place"),
    errno.ENOSPC: ("cannot be written: no space left on the device", "free space or choose another place"),
    errno.EROFS: ("is on a read-only file system", "choose a writable place"),
    errno.ENAMETOOLONG: ("has a name that is too long", "choose a shorter path"),
    errno.ELOOP: ("goes through too many symbolic links", "check the links"),
}


def _os_error(e: OSError) -> str:
    name = e.filename if e.filename is not None else "a file"
    what, fix = _OS_FIXES.get(e.errno or 0, (f"cannot be used ({e.strerror or e})", "check the path"))
    return f"{name} {what}; {fix}"


def _non_utf8_input(args: argparse.Namespace | None) -> str | None:
    """The first file named on the command line that is not UTF-8 text."""
    for value in vars(args).values() if args is not None else ():
        for v in value if isinstance(value, (list, tuple)) else (value,):
            if not isinstance(v, (str, PurePath)):
                continue
            path = Path(v)
            try:
                if path.is_file() and path.stat().st_size < 1 << 28:
                    path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                return str(path)
            except (OSError, ValueError):
                continue
    return None


def _null_byte(e: BaseException) -> bool:
    return isinstance(e, ValueError) and "null byte" in str(e)


def is_user_error(e: BaseException) -> bool:
    """True when ``e`` comes from the input (exit status 2), False when it is a bug in magicpipe."""
    return isinstance(e, USER_ERRORS) or _null_byte(e)


def describe(e: BaseException, args: argparse.Namespace | None = None) -> str:
    """The message of ``e`` as the user should read it: the problem, then the fix."""
    if _null_byte(e):
        return "a path on the command line contains a NUL byte; remove it"
    if isinstance(e, MagicpipeError):
        return str(e)
    if isinstance(e, OSError):
        return _os_error(e)
    if isinstance(e, UnicodeDecodeError):
        name = _non_utf8_input(args) or "an input file"
        return (f"{name} is not UTF-8 text (byte {e.object[e.start:e.start + 1]!r} at offset {e.start}); "
                f"save it as UTF-8")
    if isinstance(e, json.JSONDecodeError):
        return f"a JSON input does not parse (line {e.lineno}, column {e.colno}: {e.msg}); check the file"
    if isinstance(e, RecursionError):
        return (f"the input nests too deeply to read (deeper than Python's recursion limit of "
                f"{sys.getrecursionlimit()}); flatten it, e.g. fewer nested blocks")
    if isinstance(e, MemoryError):
        return "out of memory; use a smaller input or fewer workers"
    return f"{type(e).__name__}: {e}"


def debug_requested(args: argparse.Namespace | None) -> bool:
    """``--debug`` on the command line, or ``MAGICPIPE_DEBUG=1`` in the environment."""
    return bool(getattr(args, "debug", False)) or os.environ.get("MAGICPIPE_DEBUG", "") not in ("", "0")
