"""The report's storage decay names the slots' distance, grown or not (compiler/decay.py)."""

from magicpipe.compiler import Pipeline
from magicpipe.compiler.decay import storage_decay
from magicpipe.compiler.pareto import pareto_front
from magicpipe.report import build_report
from magicpipe.report.html import _decay


def test_report_decay_is_at_the_grown_slots_distance():
    pipe = Pipeline.from_distances((5, 17))
    point = pareto_front(pipe, max_output_error=1e-18).min_volume()  # 8 slots grown from d = 5 to d = 7
    report = build_report(pipe, point.schedule, model_rounds=point.rounds)
    dyn = report.metric("dynamic").decay
    assert dyn.slot_distance == 7 and dyn.eps_out_with_decay == point.output_error
    assert dyn.eps_out_with_decay == storage_decay(point.schedule, pipe.hardware, 7).eps_out_with_decay
    assert report.metric("dynamic").to_dict()["decay"]["slot_distance"] == 7
    assert report.metric("dynamic").qubit_budget == point.qubits
    assert "in slots at d=7;" in _decay(report.metric("dynamic"))
    assert report.metric("sequential").decay.slot_distance == 5
