"""The operator's report: metrics, pictures and a one-page HTML report of a pipeline beside the baselines.

``load(path)`` reads a stream, a ``plan.json`` or a ``summary.json`` into a :class:`Report`;
``build_report(pipeline, schedule)`` makes one from objects; ``write_report(report, out)`` writes
``metrics.json``, every picture (PNG and SVG) and ``report.html``. The metrics are computed by
:func:`measure` from a :class:`Timeline`, the one form every architecture takes
(:meth:`Timeline.from_schedule`, :func:`sequential_timeline`, :func:`parallel_timeline`). The schema of
``metrics.json`` is in ``docs/report.md``.

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
from magicpipe.report.static import parallel_timeline, sequential_timeline
from magicpipe.report.streams import schedule_from_stream
from magicpipe.report.timeline import Box, BufferTrace, Gap, Ledger, Timeline
from magicpipe.report.write import SCHEMA, report_dict, write_report

__all__ = [
    "Box", "BufferTrace", "Cell", "Gap", "Ledger", "Metrics", "ProgramRate", "Report", "SCHEMA", "Timeline", "Usage",
    "build_report", "load", "measure", "parallel_timeline", "read_cells", "report_dict", "schedule_from_stream",
    "sequential_timeline", "write_report",
]
