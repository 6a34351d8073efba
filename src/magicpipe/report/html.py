"""The one-page HTML report: a side-by-side table and every picture, self-contained.

Pictures are inlined as base64 PNG, styles are inline, nothing is fetched: the page views offline, and mailed
alone it is whole. A small inline script counts, once the page has loaded, the pictures that decoded, into
``#render-check`` (``data-loaded`` / ``data-total``), which the rendering test reads from headless Chromium.
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass
from collections.abc import Callable, Sequence

from magicpipe.report.build import Report
from magicpipe.report.metrics import Metrics

__all__ = ["Picture", "render_html", "ROWS"]


@dataclass(frozen=True, slots=True)
class Picture:
    """One picture of the page: ``name`` (its files' stem), a title, a caption and its PNG bytes."""

    name: str
    title: str
    caption: str
    png: bytes


def _num(x: float | None, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, int):
        return f"{x:,}"
    return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"


def _levels(m: Metrics) -> str:
    return "<br>".join(f"L{v.level} (d={v.distance}): {v.succeeded}/{v.runs}"
                       + (f" (model {100 * v.model_success:.3f}%)" if v.model_success is not None else "")
                       for v in m.levels)


def _buffers(m: Metrics) -> str:
    rows = []
    for b in m.buffers:
        cap = "no slots" if b.capacity is None else f"{b.capacity} slots"
        rows.append(f"L{b.level}: peak {b.peak} / {cap}, mean {b.mean:.2f}")
    return "<br>".join(rows) or "–"


def _ledger(m: Metrics) -> str:
    out = []
    for b in m.buffers:
        g = b.ledger
        if g.produced == 0 and g.consumed == 0:
            continue
        mark = "✓" if g.balanced else "✗"
        out.append(f"L{b.level}: {g.produced} = {g.consumed} + {g.discarded} + {g.left} {mark}")
    return "<br>".join(out) or "–"


def _decay(m: Metrics) -> str:
    d = m.decay
    if d is None:
        return "–"
    slots = f" in slots at d={d.slot_distance}" if d.slot_distance else ""
    return (f"mean wait {d.mean_wait_rounds:.1f} rounds (max {d.max_wait_rounds}){slots}; ε_out {d.eps_out:.3g} → "
            f"{d.eps_out_with_decay:.3g} (×{1 + d.relative_increase:.3g})")


ROWS: tuple[tuple[str, Callable[[Metrics], str]], ...] = (
    ("qubits Q", lambda m: _num(m.qubit_budget)),
    ("makespan (one state from empty)", lambda m: f"{_num(m.makespan * m.round_us)} µs ({m.makespan} rounds)"),
    ("cost model T (rounds)", lambda m: _num(m.model_rounds)),
    ("throughput", lambda m: f"{_num(m.throughput_per_ms)} /ms ({_num(m.throughput_per_round)} /round)"),
    ("lead time to first state", lambda m: f"{_num(m.lead_time * m.round_us)} µs"),
    ("mean qubit utilisation", lambda m: f"{100 * m.mean_utilisation:.1f}%"),
    ("stalls", lambda m: f"{m.stalls} ({_num(m.stall_rounds * m.round_us)} µs, "
                         f"{_num(m.stall_idle_qubit_rounds)} idle qubit-rounds)"),
    ("ancilla reuse", lambda m: f"{m.reuse_windows} window(s), {_num(m.reuse_rounds * m.round_us)} µs"),
    ("runs succeeded per level", _levels),
    ("yield (top states per raw state)", lambda m: f"{_num(m.state_yield)} ({m.delivered}/{m.raw_inputs})"),
    ("buffer occupancy", _buffers),
    ("produced = consumed + discarded + left", _ledger),
    ("cost per state", lambda m: f"{_num(m.qubit_us_per_state)} qubit·µs"),
    ("cost model Q·T", lambda m: _num(m.qubit_budget * m.model_rounds) + " qubit-rounds"
     if m.model_rounds is not None else "–"),
    ("program: Eq. 14 copies / qubits", lambda m: f"{m.program_copies} / {_num(m.program_qubits)}"
     if m.program is not None else "–"),
    ("storage decay", _decay),
)
"""The rows of the side-by-side table: a label and how to show a :class:`Metrics`."""

_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px auto;max-width:1180px;
color:#222;line-height:1.4}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px;width:100%}th,td{border:1px solid #ddd;padding:4px 8px;
vertical-align:top;text-align:left}th{background:#f4f4f4}td.best{background:#e8f5e9}
figure{margin:12px 0 24px 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:13px;color:#555}
.meta{font-size:13px;color:#555}.notes li{font-size:13px}
"""

_CHECK = """
<script>
window.addEventListener('load', function () {
  var imgs = document.querySelectorAll('img');
  var ok = 0;
  imgs.forEach(function (i) { if (i.complete && i.naturalWidth > 0) { ok += 1; i.dataset.loaded = 'yes'; } });
  var el = document.getElementById('render-check');
  el.dataset.loaded = ok; el.dataset.total = imgs.length;
  el.textContent = ok + ' of ' + imgs.length + ' pictures shown';
});
</script>
"""


def _table(metrics: Sequence[Metrics]) -> str:
    head = "".join(f"<th>{html.escape(m.name)}</th>" for m in metrics)
    best = min(range(len(metrics)), key=lambda k: metrics[k].qubit_rounds_per_state)
    rows = []
    for label, show in ROWS:
        cells = "".join(f"<td{' class=best' if k == best and label == 'cost per state' else ''}>{show(m)}</td>"
                        for k, m in enumerate(metrics))
        rows.append(f"<tr><th>{html.escape(label)}</th>{cells}</tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


def _figure(p: Picture, vector: bool = True) -> str:
    data = base64.b64encode(p.png).decode("ascii")
    link = f' (vector: <a href="{p.name}.svg">{p.name}.svg</a>)' if vector else ""
    return (f'<figure id="fig-{p.name}"><h2>{html.escape(p.title)}</h2>'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(p.title)}">'
            f'<figcaption>{html.escape(p.caption)}{link}'
            f"</figcaption></figure>")


def render_html(report: Report, pictures: Sequence[Picture], vector: bool = True) -> str:
    """The page of ``report`` with ``pictures``, as one string (``vector``: each links its SVG file).

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> from magicpipe.compiler.pareto import pareto_front
        >>> from magicpipe.report.build import build_report
        >>> pipe = Pipeline.from_distances((3, 9))
        >>> page = render_html(build_report(pipe, pareto_front(pipe).min_volume().schedule), [])
        >>> page.startswith("<!DOCTYPE html>"), "render-check" in page, "http" in page
        (True, True, False)
    """
    pipe = report.pipeline
    hw = pipe.hardware
    title = f"magicpipe report: distances {pipe.distances}"
    meta = (f"source: {html.escape(report.source or 'schedule')} · p = {hw.p:g}, ε = {hw.eps:g}, "
            f"T_stab = {hw.t_stab_ns:g} ns · error model {html.escape(hw.model.name)} (A = {hw.model.A:.3g}, "
            f"p_th = {hw.model.p_th:.3g}) · output error {pipe.output_error:.3g} · protocol "
            f"{html.escape(pipe.levels[0].factory.protocol.name)}")
    if report.program is not None:
        meta += (f" · program: {report.program.states:,} states over "
                 f"{hw.rounds_to_us(report.program.rounds):,.0f} µs")
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in report.notes)
    body = "".join(_figure(p, vector) for p in pictures)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1><p class='meta'>{meta}</p>"
            f"<p class='meta'><span id='render-check'>pictures not checked</span> · figures in "
            f"<a href='metrics.json'>metrics.json</a></p>"
            f"<h2>The dynamic pipeline beside the baselines</h2>{_table(report.metrics)}"
            f"<p class='meta'>Every architecture runs one top-level state from an empty pipeline (the baselines' "
            f"schedules are the core's); the cost model rows are "
            f"the paper's (the dynamic point with its expected failure delay, the baselines' Sec. 6 formulas)."
            f"</p>{body}<h2>Notes</h2><ul class='notes'>{notes or '<li>none</li>'}</ul>{_CHECK}</body></html>")
