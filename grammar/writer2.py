"""Writing a whole-program stream whole or not at all: lazily into a temporary file beside the target, read back
and validated line by line, then moved into place only if it is valid.

Examples:
    >>> import pathlib, tempfile
    >>> from magicpipe.lattice.whole import ProgramLayout, emit_program, unit_one_level
    >>> head, ops = emit_program(ProgramLayout(2, 9), unit_one_level("15-to-1", 5), 2, [(0, 3, 2, 9)])
    >>> path, audit = write_program(pathlib.Path(tempfile.mkdtemp()) / "schedule.lsi", head, ops)
    >>> path.name, audit.delivered, audit.violations
    ('schedule.lsi', 6, ())
"""

from __future__ import annotations

import os
import pathlib
import tempfile
from collections.abc import Iterable

from magicpipe.lattice.check2 import Audit2, audit2
from magicpipe.lattice.stream2 import Op, ProgramHeader, ProgramStream

from magicpipe.errors import VerificationError

__all__ = ["write_program"]


def write_program(path: str | os.PathLike, header: ProgramHeader, ops: Iterable[Op], *,
                  check: bool = True) -> tuple[pathlib.Path, Audit2 | None]:
    """Write ``header`` and ``ops`` to ``path`` (a folder means ``path / "schedule.lsi"``).

    Raises:
        VerificationError: the stream breaks a rule (the file is not written; the violations are the
            counterexample).
    """
    from magicpipe.grammar.parser2 import open_program

    path = pathlib.Path(path)
    if path.is_dir():
        path = path / "schedule.lsi"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for line in header.lines():
                f.write(line + "\n")
            for op in ops:
                for line in op.lines():
                    f.write(line + "\n")
        found = None
        if check:
            h, read, where, f = open_program(tmp)
            with f:
                found = audit2(ProgramStream(h, ()), read, header_lines=where)
            if found.violations:
                raise VerificationError(f"the stream breaks {len(found.violations)} rule(s), first: "
                                        f"{found.violations[0]}", found.violations)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
        return path, found
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
