"""The report: its SVGs are the same bytes on every render (no date, ids from a fixed salt), and it notes a
schedule that breaks an invariant of magicpipe.compiler.check."""

from magicpipe.compiler import Pipeline
from magicpipe.compiler.pareto import pareto_front

from magicpipe.report import build_report
from magicpipe.report.figures import pyplot, spacetime_figure
from magicpipe.report.write import save_svg


def test_two_renders_are_byte_identical(tmp_path):
    pipe = Pipeline.from_distances((3, 9))
    report = build_report(pipe, pareto_front(pipe).min_volume().schedule)
    plt = pyplot()
    paths = []
    for i in range(2):
        fig = spacetime_figure(report.spacetimes, report.metrics)
        paths.append(tmp_path / f"{i}.svg")
        save_svg(fig, paths[-1])
        plt.close(fig)
    first, second = (p.read_bytes() for p in paths)
    assert first == second
    assert b"<dc:date>" not in first
    assert b'clip-path="url(#' in first  # the figure has the hashed ids that used to change on every render


def test_the_report_notes_a_schedule_that_breaks_an_invariant():
    import dataclasses

    pipe = Pipeline.from_distances((3, 9))
    schedule = pareto_front(pipe).min_volume().schedule
    assert not any("invariant" in n for n in build_report(pipe, schedule).notes)
    tight = dataclasses.replace(schedule, qubit_budget=schedule.peak_qubits() - 1)
    notes = [n for n in build_report(pipe, tight).notes if "invariant" in n]
    assert len(notes) == 1 and f"exceed the budget of {schedule.peak_qubits() - 1}" in notes[0]
