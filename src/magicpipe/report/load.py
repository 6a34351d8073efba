"""Read what ``magicpipe report`` is given -- a stream, a ``plan.json``, a ``summary.json`` or a folder holding
one -- into a :class:`~magicpipe.report.build.Report`. This module reads files; everything it calls is pure.

* ``schedule.lsi`` (``magicpipe pipeline`` / ``magicpipe compile``): the schedule is read back from the stream
  (:func:`magicpipe.lattice.schedule_from_stream`), the pipeline from its header;
* ``summary.json`` (``magicpipe pipeline``): the pipeline is rebuilt from its distances and hardware, the
  front recomputed (deterministic) and its least-volume point -- the one the command wrote -- reported; the
  floor plan comes from the ``schedule.lsi`` beside it, else is laid out again;
* ``plan.json`` (``magicpipe compile``): the plan made again from what it records (the planner is
  deterministic); its chosen point's pipeline copy, with the program's T-count and runtime, beside the
  baselines at the chosen point's distances (a chosen source that is not a 15-to-1 pipeline has none: the
  least-volume pipeline's are shown, and a note names its distances).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from magicpipe.compiler.failures import expected_delay
from magicpipe.compiler.feeds import METHODS
from magicpipe.compiler.hardware import ErrorModel, Hardware, LogicalErrorModel
from magicpipe.compiler.pareto import ParetoFront, pareto_front
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.errors import MagicpipeError, SpecError
from magicpipe.report.build import Report, build_report
from magicpipe.report.metrics import ProgramRate
from magicpipe.lattice.readback import pipeline_of, repetition, schedule_from_stream

if TYPE_CHECKING:
    from magicpipe.compiler.compilation import Compilation

__all__ = ["load", "load_stream", "load_summary", "load_plan"]

_FOLDER_FILES = ("summary.json", "plan.json", "schedule.lsi")
_NO_FLOORPLAN = "no floor plan: the lattice layer lays out two-level schedules whose producers are one factory"


def load(path: Path, *, front: bool = True) -> Report:
    """The report of ``path``: a ``.lsi`` stream, a ``plan.json``, a ``summary.json``, or a folder with one.

    Args:
        path: the input.
        front: compute the dynamic Pareto front (for Fig. 8; a second or so per two-level pipeline).

    Raises:
        SpecError: the path is none of these, or its content is not what its kind needs.
    """
    path = Path(path)
    if path.is_dir():
        found = next((path / f for f in _FOLDER_FILES if (path / f).exists()), None)
        if found is None:
            raise SpecError(f"{path} holds none of {', '.join(_FOLDER_FILES)}; pass a stream, a plan.json or a "
                            f"summary.json (magicpipe pipeline / magicpipe compile write them)")
        path = found
    if not path.exists():
        raise SpecError(f"{path} does not exist; check the path")
    if path.suffix == ".lsi":
        return load_stream(path, front=front)
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise SpecError(f"{path} is neither a .lsi stream nor JSON: {e}") from None
    if isinstance(data, dict) and str(data.get("schema", "")).startswith("magicpipe.plan/"):
        return load_plan(path, data, front=front)
    if isinstance(data, dict) and "dynamic_min_volume" in data:
        return load_summary(path, data, front=front)
    raise SpecError(f"{path}: a JSON file the report reads is a plan.json (key 'magicpipe_plan') or a summary.json "
                    f"of magicpipe pipeline (key 'dynamic_min_volume')")


def _front(pipe: Pipeline, wanted: bool) -> ParetoFront | None:
    if not wanted or len(pipe.levels) < 2:
        return None
    return pareto_front(pipe)


def load_stream(path: Path, *, front: bool = True) -> Report:
    """The report of a ``.lsi`` stream."""
    from magicpipe.grammar import parse_file

    stream = parse_file(path)
    model, beside = _model_beside(path)
    schedule = schedule_from_stream(stream, model)
    pipe = pipeline_of(stream.header, model)
    if model is None:
        notes = ["the stream's header has no error model and no summary.json or plan.json beside it names one: "
                 "the paper's (Eq. 2 with A = 0.03, p_th = 0.01; Eqs. 3-4) is assumed for success probabilities, "
                 "baselines and decay"]
    else:
        notes = [f"error model {model.name!r} read from {beside} (the stream's header has no field for it)"]
    if any(not r.success or r.discarded for r in schedule.runs):
        model = float(schedule.rounds)
        notes.append("runs failed or were turned away in this stream: its makespan is a sampled outcome and "
                     "stands in for the cost model's rounds")
    else:
        model = schedule.rounds + expected_delay(schedule)
    rep = repetition(stream)
    if rep is not None:
        notes.append(f"the stream repeats one period of {rep[1]} rounds {rep[0]:,} times; the figures are those "
                     f"of one period")
    return build_report(pipe, schedule, model_rounds=model, front=_front(pipe, front), stream=stream,
                        repetition=rep, source=f"stream {path.name}", notes=tuple(notes))


def _model_beside(path: Path) -> tuple[ErrorModel | None, str]:
    """The error model of the summary.json or plan.json that ``magicpipe pipeline`` / ``compile`` wrote beside a
    stream, if any."""
    for name in ("summary.json", "plan.json"):
        side = path.parent / name
        if not side.exists():
            continue
        try:
            data = json.loads(side.read_text())
        except (OSError, ValueError):
            continue
        data = data.get("magicpipe_plan", data) if isinstance(data, dict) else {}
        found = data.get("error_model") or (data.get("hardware") or {}).get("error_model")
        if isinstance(found, dict):
            return ErrorModel.from_dict(found, str(side)), f"the {name} beside the stream"
    return _model_comment(path)


def _model_comment(path: Path) -> tuple[ErrorModel | None, str]:
    """The shipped model ('paper' or 'measured') a stream's first-line comment names (grammar.writer)."""
    from magicpipe.compiler.errormodel import PAPER, load_measured
    from magicpipe.grammar.writer import MODEL_COMMENT

    with open(path, encoding="utf-8") as f:
        first = f.readline()
    if first.startswith(f"# {MODEL_COMMENT}"):
        for model in (PAPER, load_measured()):
            if f"name={model.name!r}" in first and f"A={model.A:.4g}," in first:
                return model, "the stream's first-line comment"
    return None, ""


def _hardware(hw: dict, fallback_stab: float | None = None) -> Hardware:
    if isinstance(hw.get("error_model"), dict):  # the whole model (plans since issue 12)
        lem = ErrorModel.from_dict(hw["error_model"], "the input's error_model")
    else:
        model = hw.get("logical_error_model") or {}
        lem = LogicalErrorModel(model.get("A", 0.03), model.get("p_th", 0.01), model.get("source", "paper Eq. 2"))
    t2q, tmeas = hw.get("t_2q_ns"), hw.get("t_meas_ns")
    if t2q is None or tmeas is None:  # summary.json gives T_stab only: keep T_2q = 50 ns, fit T_meas
        stab = hw.get("t_stab_ns", fallback_stab or 400.0)
        t2q, tmeas = (50.0, stab - 300.0) if stab > 300.0 else (stab / 7.0, stab / 7.0)
    return Hardware(p=hw["p"], eps=hw["eps"], t_2q_ns=t2q, t_meas_ns=tmeas, model=lem)


def _stream_beside(path: Path, data: dict, schedule):
    """The stream ``magicpipe pipeline`` wrote beside its summary, else the schedule laid out again."""
    from magicpipe.grammar import parse_file
    from magicpipe.lattice import build_stream

    name = (data.get("stream") or {}).get("file")
    if name and (path.parent / name).exists():
        return parse_file(path.parent / name)
    try:
        return build_stream(schedule)
    except MagicpipeError:
        return None  # composed (three-level) schedules have no floor plan


def load_summary(path: Path, data: dict | None = None, *, front: bool = True) -> Report:
    """The report of a ``summary.json`` of ``magicpipe pipeline``."""
    data = data if data is not None else json.loads(Path(path).read_text())
    try:
        pipe = Pipeline.from_distances(tuple(data["distances"]), _hardware(data))
        want = data["dynamic_min_volume"]
    except KeyError as e:
        raise SpecError(f"{path}: key {e} is missing; is it the summary.json of magicpipe pipeline?") from None
    pf = pareto_front(pipe)
    point = pf.min_volume()
    notes = []
    if (point.qubits, point.buffer_slots) != (want["qubits"], want["buffer_slots"]):
        notes.append(f"the recomputed least-volume point (Q = {point.qubits}, {point.buffer_slots} slots) differs "
                     f"from the summary's (Q = {want['qubits']}, {want['buffer_slots']} slots): the summary was "
                     f"written by another version or with other options; the recomputed one is reported")
    stream = _stream_beside(Path(path), data, point.schedule)
    if stream is None:
        notes.append(_NO_FLOORPLAN)
    return build_report(pipe, point.schedule, model_rounds=point.rounds, front=pf if front else None, stream=stream,
                        source=f"summary {Path(path).name}", notes=tuple(notes))


# sources that are one 15-to-1 pipeline of their own distances (compiler/feeds.py: its METHODS, and "single" for a
# one-level pipeline): their baselines are like for like
_PIPELINE_METHODS = frozenset({*METHODS, "single"})


def _plan_pipeline(comp: Compilation, hw: Hardware) -> tuple[Pipeline, list[str]]:
    """The pipeline a plan's report measures, and a note saying whose it is when that is not obvious.

    The chosen point's own distances when its source is a 15-to-1 pipeline (its schedule, its baselines and its
    front on the same distances), even where they differ from the least-volume pipeline's
    (``pipeline_distances``); otherwise (cultivation, a catalogue factory, ...) there is no like-for-like
    baseline, and the least-volume pipeline's distances are used and named.
    """
    chosen = comp.chosen
    least = tuple(comp.pipeline_distances)
    if chosen.method in _PIPELINE_METHODS and chosen.distances:
        own = tuple(chosen.distances)
        notes = [] if own == least else [
            f"the chosen point's pipeline, distances {own}, is reported with its own baselines (the least-volume "
            f"pipeline meeting the per-state target has distances {least})"]
        return Pipeline.from_distances(own, hw), notes
    return Pipeline.from_distances(least, hw), [
        f"the chosen source ({chosen.name}, {chosen.method}) is not a 15-to-1 pipeline and has no like-for-like "
        f"baseline: the baselines shown are those of the least-volume 15-to-1 pipeline meeting the per-state "
        f"target, distances {least}"]


def load_plan(path: Path, data: dict | None = None, *, front: bool = True) -> Report:
    """The report of a ``plan.json`` of ``magicpipe compile``: the plan is made again from what it records
    (:func:`~magicpipe.compiler.compilation.replan`; the planner is deterministic) and its chosen point's
    pipeline copy reported, with the program's demand and runtime."""
    from magicpipe.compiler.compilation import replan

    data = data if data is not None else json.loads(Path(path).read_text())
    try:
        hw_data = data["hardware"]
        hw = Hardware(p=hw_data["p"], eps=hw_data["eps"], t_2q_ns=hw_data["t_2q_ns"], t_meas_ns=hw_data["t_meas_ns"],
                      model=ErrorModel.from_dict(data["error_model"], f"{path}'s error_model"))
    except (KeyError, TypeError) as e:
        raise SpecError(f"{path}: {e!r} is missing; is it the plan.json of magicpipe compile?") from None
    comp = replan(data, hw)
    if not comp.pipeline_distances:
        raise SpecError(f"{path}: the program needs no magic states; nothing to report")
    source = f"plan {Path(path).name}"
    chosen = comp.chosen
    pipe, notes = _plan_pipeline(comp, hw)
    program = ProgramRate(comp.demand.t_states, float(chosen.runtime_rounds))
    if chosen.schedule is None:
        return build_report(pipe, None, program=program, source=source,
                            notes=(f"the chosen source ({chosen.source.name}) has no pipeline schedule", *notes))
    pf = (pareto_front(pipe, max_output_error=comp.demand.target,
                       grow_slots=bool(dict(comp.options).get("grow_slots", False))) if front else None)
    from magicpipe.lattice import build_stream

    try:
        stream = build_stream(chosen.schedule)
    except MagicpipeError:
        stream = None
        notes.append(_NO_FLOORPLAN)
    rounds = float(chosen.source.detail_dict().get("first_state_rounds", chosen.source.startup_rounds))
    return build_report(pipe, chosen.schedule, model_rounds=rounds, front=pf, stream=stream, program=program,
                        source=source, notes=tuple(notes))
