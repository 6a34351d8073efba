"""Lattice surgery: the floor plan of a pipeline, the timed instruction stream, and its validator.

``plan_floor(schedule)`` lays a two-level schedule out on a tile grid (Fig. 4 of the paper),
``emit(schedule, floorplan)`` yields its instructions lazily, ``build_stream`` collects them with a header,
and ``check(stream)`` lists every rule the stream breaks. The text form lives in :mod:`magicpipe.grammar`.

Examples:
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> from magicpipe.compiler.pipeline import Pipeline
    >>> schedule = pareto_front(Pipeline.from_distances((5, 17))).min_volume().schedule
    >>> stream = build_stream(schedule)
    >>> check(stream), stream.instructions[-1].tally.balanced
    ([], True)
"""

from magicpipe.lattice.block import BlockLayout, MovePlan, Parking, Route, TileRect, choose_parking, plan_moves
from magicpipe.lattice.emit import build_stream, emit, header
from magicpipe.lattice.floorplan import FloorPlan, Site, place, plan_floor
from magicpipe.lattice.geometry import Rect, Tile
from magicpipe.lattice.stream import (ACTIONS, FORMAT_VERSION, PROGRAM, Header, Instruction, Region, Stream, Tally,
                                      Trace)
from magicpipe.lattice.readback import schedule_from_stream
from magicpipe.lattice.recost import recost
from magicpipe.lattice.validate import RULES, Audit, Violation, audit, check, validate
from magicpipe.lattice.stream2 import Op, ProgramHeader, ProgramStream, Unit
from magicpipe.lattice.whole import (ProgramLayout, emit_program, program_stream2, stream_for_point, unit_from_schedule,
                                     unit_one_level)
from magicpipe.lattice.check2 import RULES2, Audit2, Violation2, audit2, check2

__all__ = [
    "ACTIONS", "Audit", "BlockLayout", "FORMAT_VERSION", "FloorPlan", "Header", "Instruction", "MovePlan",
    "PROGRAM", "Parking", "RULES", "Rect", "Region", "Route", "Site", "Stream", "Tally", "Tile", "TileRect", "Trace",
    "Violation", "audit", "build_stream", "check", "choose_parking", "emit", "header", "place", "plan_floor",
    "plan_moves", "recost", "schedule_from_stream", "validate",
    # format 2, the whole program
    "Op", "ProgramHeader", "ProgramStream", "Unit", "ProgramLayout", "emit_program", "program_stream2",
    "stream_for_point", "unit_from_schedule", "unit_one_level", "RULES2", "Audit2", "Violation2", "audit2", "check2",
]
