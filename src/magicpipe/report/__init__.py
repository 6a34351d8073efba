"""The operator's report: metrics, pictures and a one-page HTML report of a pipeline beside the baselines.

``load(path)`` reads a stream, a ``plan.json`` or a ``summary.json`` into a :class:`Report`;
``build_report(pipeline, schedule)`` makes one from objects; ``write_report(report, out)`` writes
``metrics.json``, every picture (PNG and SVG) and ``report.html``. What happened is the core's
:class:`~magicpipe.compiler.schedule.Schedule` (the dynamic one, the baselines' from
:mod:`magicpipe.compiler.baselines`, or one read back from a stream with
:func:`magicpipe.lattice.schedule_from_stream`); :func:`measure` computes the figures from its
:class:`SpaceTime` (:meth:`SpaceTime.from_schedule`, :meth:`SpaceTime.from_schedules`). The schema of
``metrics.json`` is in ``docs/report.md``.

Pure (no files, no drawing): :mod:`.spacetime`, :mod:`.metrics`, :mod:`.build`, :mod:`.benchmarks`. The edge:
:mod:`.load` reads inputs, :mod:`.charts` / :mod:`.figures` / :mod:`.floorplan` draw, :mod:`.write` and
:mod:`.html` write.

Examples:
    >>> from magicpipe.compiler import Pipeline
    >>> from magicpipe.compiler.pareto import pareto_front
    >>> pipe = Pipeline.from_distances((5, 17))
    >>> report = build_report(pipe, pareto_front(pipe).min_volume().schedule)
    >>> dyn = report.metric("dynamic")
    >>> dyn.makespan, round(dyn.throughput_per_ms, 2), dyn.stalls
    (242, 10.33, 0)
"""

from magicpipe.report.build import Report, build_report
from magicpipe.report.charts import Cell, read_cells
from magicpipe.report.load import load
from magicpipe.report.metrics import Metrics, ProgramRate, Usage, measure
from magicpipe.report.spacetime import Box, BufferTrace, Gap, Ledger, SpaceTime
from magicpipe.report.write import SCHEMA, report_dict, write_report

__all__ = [
    "Box", "BufferTrace", "Cell", "Gap", "Ledger", "Metrics", "ProgramRate", "Report", "SCHEMA", "SpaceTime", "Usage",
    "build_report", "load", "measure", "read_cells", "report_dict", "write_report",
]
