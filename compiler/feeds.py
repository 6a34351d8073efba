"""Distillation pipelines as :class:`~magicpipe.compiler.source.Source`\\ s for the whole-program planner.

For a per-state target the least-volume pipeline (levels and distances, :func:`~magicpipe.compiler.search.
best_pipeline`, storage decay charged) is taken, and:

* ``dynamic``: every point of its dynamic Pareto front, run continuously (:mod:`~magicpipe.compiler.steady`):
  the first output is the point's expected rounds for one state (its failure delay included, every stall
  counted: :mod:`~magicpipe.compiler.stalls`); the period is the no-failure steady-state spacing plus that
  expected delay, over the top level's success probability (a failed top-level run yields nothing). The
  seeded Monte Carlo of the steady state (``steady_state(..., shots=16)``) is left to the benchmarks: it costs
  twenty times the search;
* ``sequential`` and ``parallel``: the paper's baselines on the same distances; the sequential pipeline makes
  one state per ``sum T_l`` and cannot overlap runs, the parallel one makes a state per ``T_L`` once its lower
  levels are full, after ``sum T_l``; both over the top level's success probability.

A one-level pipeline is one factory whatever the method: it appears once, as method ``"single"``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from magicpipe.compiler.baselines import parallel, sequential
from magicpipe.compiler.hardware import Hardware
from magicpipe.compiler.pipeline import Pipeline
from magicpipe.compiler.source import Source
from magicpipe.errors import InfeasibleError, SpecError

__all__ = ["METHODS", "pipeline_sources", "best_pipeline_for", "candidate_sources"]

METHODS = ("dynamic", "sequential", "parallel")


def _label(pipe: Pipeline) -> str:
    name = pipe.levels[0].factory.protocol.name
    return f"({name}) x{len(pipe.levels)} d={','.join(str(d) for d in pipe.distances)}"


def best_pipeline_for(target: float, hardware: Hardware, max_levels: int = 3, storage_decay: bool = True,
                      grow_slots: bool = True) -> Pipeline:
    """The least-volume dynamic pipeline whose output error (storage decay charged unless told not to, buffer
    slots grown where that meets the target unless ``grow_slots`` is False) meets ``target``."""
    from magicpipe.compiler.search import best_pipeline

    if isinstance(max_levels, bool) or not isinstance(max_levels, int) or max_levels < 1:
        raise SpecError(f"max_levels must be a positive integer, got {max_levels!r}")
    return best_pipeline(target, hardware, method="dynamic", levels=tuple(range(1, max_levels + 1)),
                         storage_decay=storage_decay, grow_slots=grow_slots).pipeline


def pipeline_sources(pipe: Pipeline, target: float, methods: Sequence[str] = METHODS, storage_decay: bool = True,
                     grow_slots: bool = True) -> tuple[list[Source], dict[str, object]]:
    """The sources of ``pipe`` for each method, and the core schedule behind each dynamic source by name.

    With ``storage_decay`` (the default) a dynamic point's output error includes the decay of the states its
    buffer holds and points above ``target`` are left out; without it every point carries the pipeline's
    nominal output error, as the baselines and the estimators assume. With ``grow_slots`` (the default) a
    configuration that misses ``target`` may instead hold its states in slots at a higher distance (its qubits
    charged, :func:`~magicpipe.compiler.pareto.pareto_front`); every dynamic source names its
    ``slot_distance``, and a grown one says so in its name.

    Examples:
        >>> from magicpipe.compiler import Hardware, Pipeline
        >>> pipe = Pipeline.from_distances((5, 17), Hardware(p=1e-4, eps=1e-4))
        >>> srcs, _ = pipeline_sources(pipe, 1e-12, ("sequential", "parallel"))
        >>> [(s.method, s.qubits, s.startup_rounds) for s in srcs]
        [('sequential', 11760, 242.0), ('parallel', 17926, 242.0)]
    """
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise SpecError(f"unknown method(s) {bad}; use {METHODS}")
    top = pipe.levels[-1]
    p_top = top.p_succ
    if len(pipe.levels) == 1:
        src = Source(_label(pipe), "single", top.qubits, float(top.rounds), top.rounds / p_top, 1, pipe.output_error,
                     distances=pipe.distances)
        return [src], {}
    out: list[Source] = []
    schedules: dict[str, object] = {}
    fill = float(sum(lv.rounds for lv in pipe.levels))
    if "dynamic" in methods:
        from magicpipe.compiler.pareto import pareto_front
        from magicpipe.compiler.steady import steady_state

        front = pareto_front(pipe, max_output_error=target if storage_decay else None, grow_slots=grow_slots)
        for pt in front.points:
            try:  # the no-failure steady state; failures enter through the point's expected delay per state
                st = steady_state(pipe, pt, shots=0)
            except InfeasibleError:
                continue
            startup, period = float(pt.rounds), (st.period + pt.expected_delay) / p_top
            grown = pt.slot_distance if pt.grown_qubits else None
            name = f"dynamic {_label(pipe)} Q={pt.qubits} B={pt.buffer_slots}" + (f" slots d={grown}" if grown else "")
            err = pt.output_error if storage_decay else pipe.output_error
            out.append(Source(name, "dynamic", pt.qubits, max(startup, 1.0), period, 1, err,
                              distances=pipe.distances,
                              detail=(("buffer_slots", pt.buffer_slots), ("slot_distance", pt.slot_distance),
                                      ("first_state_rounds", pt.rounds),
                                      ("expected_stall_rounds", pt.expected_delay), ("policy", pt.policy.label))))
            schedules[name] = pt.schedule
    if "sequential" in methods:
        c = sequential(pipe)
        out.append(Source(f"sequential {_label(pipe)}", "sequential", c.qubits, float(c.rounds),
                          c.rounds / p_top, 1, pipe.output_error, distances=pipe.distances,
                          detail=(("copies_per_level", list(c.copies)),)))
    if "parallel" in methods:
        c = parallel(pipe)
        out.append(Source(f"parallel {_label(pipe)}", "parallel", c.qubits, fill, c.rounds / p_top, 1,
                          pipe.output_error, distances=pipe.distances,
                          detail=(("copies_per_level", list(c.copies)),)))
    return out, schedules


def candidate_sources(target: float, hardware: Hardware, max_levels: int = 3, pipelines: int = 3,
                      methods: Sequence[str] = METHODS, storage_decay: bool = True, grow_slots: bool = True
                      ) -> tuple[Pipeline, list[Source], dict[str, object]]:
    """See :func:`_candidate_sources` (the result is cached: plans, re-plans and sweeps ask again)."""
    best, sources, schedules = _candidate_sources(target, hardware, max_levels, pipelines, tuple(methods),
                                                  storage_decay, grow_slots)
    return best, list(sources), dict(schedules)


@functools.lru_cache(maxsize=256)
def _candidate_sources(target: float, hardware: Hardware, max_levels: int, pipelines: int,
                       methods: tuple[str, ...], storage_decay: bool, grow_slots: bool = True
                       ) -> tuple[Pipeline, tuple[Source, ...], tuple[tuple[str, object], ...]]:
    """Sources of several pipelines meeting ``target``: the least-volume dynamic one (returned first) and the
    next ``pipelines - 1`` distance sequences by the dynamic volume bound; each as every method's sources. A
    sequence with no configuration meeting the target once storage decay is charged is skipped.
    """
    from magicpipe.compiler.bounds import lower_bound
    from magicpipe.compiler.search import candidate_pipelines

    best = best_pipeline_for(target, hardware, max_levels, storage_decay, grow_slots)
    others = sorted(candidate_pipelines(target, hardware, tuple(range(1, max_levels + 1))), key=lower_bound)
    chosen = [best] + [p for p in others if p.distances != best.distances][: max(pipelines - 1, 0)]
    sources: list[Source] = []
    schedules: dict[str, object] = {}
    seen: set[str] = set()
    for pipe in chosen:
        try:
            srcs, sch = pipeline_sources(pipe, target, methods, storage_decay, grow_slots)
        except InfeasibleError:
            continue
        for s in srcs:
            if s.name not in seen:
                seen.add(s.name)
                sources.append(s)
        schedules.update(sch)
    return best, tuple(sources), tuple(schedules.items())
