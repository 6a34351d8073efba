"""Writing streams to files, lazily: a header and a generator of instructions go out line by line.

Examples:
    >>> import io, tempfile, pathlib
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> from magicpipe.compiler.pipeline import Pipeline
    >>> schedule = pareto_front(Pipeline.from_distances((5, 17))).min_volume().schedule
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "schedule.lsi"
    >>> path = write_schedule(schedule, out)
    >>> from magicpipe.grammar.parser import parse_file
    >>> parse_file(path).instructions[-1].tally.balanced
    True
"""

from __future__ import annotations

import os
import pathlib
from typing import IO
from collections.abc import Iterable

from magicpipe.compiler.schedule import Schedule
from magicpipe.lattice.emit import emit, header
from magicpipe.lattice.floorplan import FloorPlan, plan_floor
from magicpipe.lattice.stream import Header, Instruction, Stream

__all__ = ["STREAM_FILE", "write_lines", "write_stream", "write_schedule"]

MODEL_COMMENT = "error_model:"
"""First line of a written schedule, a comment naming the error model it was planned with, e.g.
``# error_model: ErrorModel(name='measured', A=0.1213, p_th=0.00732, ...)`` (the header has no field for it)."""

STREAM_FILE = "schedule.lsi"
"""The name ``magicpipe pipeline`` and ``magicpipe compile`` give the stream in their ``--out`` folder."""


def write_lines(head: Header, instructions: Iterable[Instruction], out: IO[str]) -> int:
    """Write ``head`` then each instruction as it comes; returns how many instructions were written."""
    for line in head.lines():
        out.write(line + "\n")
    n = 0
    for inst in instructions:
        for line in inst.lines():
            out.write(line + "\n")
        n += 1
    return n


def write_stream(stream: Stream, path: str | os.PathLike) -> pathlib.Path:
    """Write ``stream`` to ``path`` (``str(stream)``, without building the whole text first)."""
    path = pathlib.Path(path)
    with open(path, "w", encoding="utf-8") as f:
        write_lines(stream.header, stream.instructions, f)
    return path


def write_schedule(schedule: Schedule, path: str | os.PathLike, floorplan: FloorPlan | None = None) -> pathlib.Path:
    """Lay ``schedule`` out (:func:`~magicpipe.lattice.plan_floor`) and write its stream to ``path`` lazily.

    ``path`` may be a folder, in which case the file is ``path / "schedule.lsi"``.

    Raises:
        InfeasibleError: the floor plan's moves need more rounds than the schedule gives them (re-cost it with
            :func:`magicpipe.lattice.recost` first).
    """
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / STREAM_FILE
    floorplan = floorplan or plan_floor(schedule)
    instructions = emit(schedule, floorplan)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# {MODEL_COMMENT} {schedule.high.hardware.model!r}\n")  # a comment: the format is unchanged
        write_lines(header(schedule, floorplan), instructions, f)
    return path
