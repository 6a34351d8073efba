"""The factory unit of a three-level (composed) dynamic pipeline, as a block unit.

A pipeline of three or more levels is scheduled as a composition (:mod:`magicpipe.compiler.pareto`): its top
factory is fed by *producers* that are Pareto points of the pipeline below it (``pipeline(5, 11):Q4214:B11``:
a two-level pipeline of 4 214 qubits whose own level-1 factories, buffer and level-2 factory run inside it),
not by factories with a floor plan of their own. The unit therefore states the composition's parts as regions
of a block body (:mod:`magicpipe.lattice.units2`), as the catalogue's two-level blocks state their feeders:

    BLOCK method=dynamic protocol=15-to-1 level1=0 level2=5 qubits=57539 rounds=629 fill=22 outputs=1 checks=4
    REGION level2 0 (0,231,44,48) d=11      # one lower pipeline (levels 1-2) of the steady supply
    REGION buffer (0,132,99,11) d=11        # the top factory's buffer slots
    REGION upper (0,33,165,99) d=33         # the top 15-to-1 factory (BlockLayout at its distance)
    OUTPUT 0 (0,0) d=33 side=bottom

Geometry, from the bottom: the output patch, the top factory's block (:class:`~magicpipe.lattice.block.
BlockLayout`), its ``buffer_slots`` slots of ``slot_qubits`` in a row, then one ``level2`` region per lower
pipeline of the schedule's steady supply (``Schedule.supply``: the producers that run beside the top factory),
each a rectangle holding that producer's qubits, in rows no wider than the block; the rectangle holds the
schedule's ``qubit_budget``. The lower pipelines' fill before the first top launch (``Schedule.fill``) uses the
space the top factory takes later; it is the unit's ``fill`` rounds, not a region.

Timing, as for the catalogue's compositions: a run lasts the source's period times the top level's success
probability (the plan's period counts failed runs too), rounded, and the copy's first run starts ``fill =
startup - rounds`` rounds after the copy (the plan's first state at its ``startup_rounds``).
"""

from __future__ import annotations

from typing import Any

import math

from magicpipe.lattice.geometry import SITES_PER_UNIT, Rect, Tile
from magicpipe.lattice.stream2 import Unit

from magicpipe.errors import SpecError

__all__ = ["composed_unit"]


def _rect_for(qubits: int, height: int) -> tuple[int, int]:
    """Width and height of a rectangle of ``height`` (or taller) holding ``qubits`` sites."""
    width = max(1, math.ceil(qubits / (SITES_PER_UNIT * height)))
    return width, max(height, math.ceil(qubits / (SITES_PER_UNIT * width)))


def composed_unit(source: Any, schedule: Any, p_succ: float, name: str = "U") -> tuple[Unit, int]:
    """The block unit of a composed pipeline's point and the rounds before a copy's first run (``fill``).

    ``source`` is the point's :class:`~magicpipe.compiler.Source` (its period and start-up), ``schedule`` its
    composed :class:`~magicpipe.compiler.schedule.Schedule` and ``p_succ`` the top level's success probability.

    Raises:
        SpecError: a schedule without a steady supply of lower pipelines (they would share the top factory's
            space over time).
    """
    from magicpipe.lattice.block import BlockLayout

    high = schedule.high
    d3 = int(high.distance)
    proto = high.protocol
    supply = [(int(k), int(n)) for k, n, *_ in getattr(schedule.supply, "runs", ())]
    if not supply or not schedule.producers:
        raise SpecError(f"the schedule of {source.name!r} runs no lower pipeline beside its top factory (they only "
                        f"fill while it waits, in the space it takes when it launches): its regions would change "
                        f"over time, which a block unit does not state; choose a point with a steady supply")
    wu, hu = BlockLayout.for_protocol(proto).size(d3)
    d2 = max(int(p.distance) for p in schedule.producers)
    slots = int(schedule.buffer_slots)
    lines_regions: list[str] = []
    y = d3 + hu
    if slots:
        lines_regions.append(f"REGION buffer {Rect(0, y, slots * d2, d2)} d={d2}")
        y += d2
    width = max(wu, slots * d2)
    lanes = [schedule.producers[k] for k, n in supply for _ in range(n)]
    h = max(_rect_for(int(p.qubits), 3 * int(p.distance))[1] for p in lanes)
    x, row = 0, 0
    for i, p in enumerate(lanes):
        w, hh = _rect_for(int(p.qubits), h)
        if x and x + w > width:
            x, y = 0, y + row
            row = 0
        lines_regions.append(f"REGION level2 {i} {Rect(x, y, w, hh)} d={int(p.distance)}  # {p.name}")
        x, row = x + w, max(row, hh)
        width = max(width, x)
    height = y + row
    qubits = int(schedule.qubit_budget)
    height = max(height, math.ceil(qubits / (SITES_PER_UNIT * width)))
    run = float(source.period_rounds) * p_succ
    rounds = max(1, round(run))
    fill = max(0, round(float(source.startup_rounds) - run))
    head = (f"BLOCK method=dynamic protocol={proto.name} level1=0 level2={len(lanes)} qubits={qubits} "
            f"rounds={rounds} fill={fill} outputs={proto.outputs} checks={len(proto.checks)}")
    lines = [head]
    lines += [x.split("  #")[0] for x in lines_regions]
    lines.append(f"REGION upper {Rect(0, d3, wu, hu)} d={d3}")
    lines.append(f"OUTPUT 0 {Tile(0, 0)} d={d3} side=bottom")
    ds = tuple(int(d) for d in source.distances)
    return Unit(name, proto.name, ds, width, height, qubits, rounds, proto.outputs, Tile(0, 0), len(proto.checks),
                "\n".join(lines)), fill
