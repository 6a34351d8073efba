"""Write a schedule's stream and check it: what ``magicpipe pipeline`` and ``magicpipe compile`` both do.

:func:`write_checked_stream` lays the schedule out, writes ``schedule.lsi`` lazily, parses the file back and
runs every rule of ``magicpipe check`` on it; the returned dict is the ``stream`` entry of ``summary.json`` and
``plan.json``.
"""

from __future__ import annotations

import os
import pathlib
from typing import Any

from magicpipe.compiler.check import check as check_schedule
from magicpipe.compiler.schedule import Schedule
from magicpipe.grammar.parser import parse_file
from magicpipe.grammar.writer import write_schedule
from magicpipe.lattice.floorplan import plan_floor
from magicpipe.lattice.validate import check

from magicpipe.errors import SpecError, VerificationError

__all__ = ["write_checked_stream"]


def write_checked_stream(schedule: Schedule, out: str | os.PathLike[str]) -> dict[str, Any]:
    """Write ``out/schedule.lsi`` for ``schedule`` and check it (``magicpipe check``'s rules).

    Returns:
        ``{"file", "floorplan_width", "floorplan_height", "floorplan_qubits", "layout_overhead", "move_steps"}``;
        for a schedule the lattice cannot lay out (composed, three-level menus), ``{"file": None, "reason"}``
        saying why no stream was written.

    Raises:
        VerificationError: the schedule breaks an invariant of :func:`magicpipe.compiler.check`, or the written
            stream breaks a rule (the first violation, all of them attached).
    """
    check_schedule(schedule)  # the schedule's own invariants (budget, buffer bounds, input patterns, conservation)
    try:
        fp = plan_floor(schedule)
    except SpecError as e:
        return {"file": None, "reason": str(e)}
    path = write_schedule(schedule, pathlib.Path(out), fp)
    violations = check(parse_file(path))
    if violations:
        raise VerificationError(f"{path}: {violations[0]}", violations)
    return {"file": path.name, "floorplan_width": fp.width, "floorplan_height": fp.height,
            "floorplan_qubits": fp.qubits, "layout_overhead": fp.qubits / schedule.qubit_budget,
            "move_steps": fp.move_steps}
