"""The error budget shared out per point, without fixed shares: the union bound composed point by point.

A program fails if its data block, one of its magic states or one of its synthesised rotations fails; by the
union bound the three probabilities add, and all a plan needs is that their sum stays within the total. Fixed
shares (thirds, or a few alternatives) waste budget: a factory that needs a tenth of its share leaves the rest
unused while the data block, held to its own share, takes a larger code distance. QRE v3 (``qdk.qre``) checks
only the sum. Here each point of the front gets the shares it actually uses:

* synthesis: the number ``A`` of T states per rotation is a whole number, so the synthesis error comes in
  steps. For each candidate ``A`` the rotations are synthesised to the error ``A`` T states reach by the
  model ``ceil(a log2(1/eps) + b)`` (:mod:`~magicpipe.compiler.synthesis`), its curve read at ``A``:
  ``eps(A) = 2^(-(A - b) / a)``, the least error the model counts as ``A`` T states (QRE v3 charges the same
  for its ``num_ts_per_rotation``). The share is ``R eps(A)`` for ``R`` rotations. ``A`` changes
  the program itself (``A R`` states, ``A`` layers per rotation layer), so each candidate is its own demand;
  the candidates run from the least ``A`` whose synthesis error is below half the total to the first whose
  error is below 2%, and always include the ``A`` of the default thirds (:func:`synthesis_choices`).
* distillation: a source (one factory design) delivers states of error ``e``; the program's ``M`` states
  need exactly ``M e`` (:func:`share_front`).
* logical: whatever remains, ``total - R eps(A) - M e``; the data block's code distance is the least that
  keeps its error over the whole runtime, waits included, within it (:func:`~magicpipe.compiler.program.
  plan_program` with that share).

A point so planned never exceeds the total, and it is at least as good as the same source and copies planned
under any fixed split with the same ``A``: its logical share is at least as large, so its distance is no
larger. Each point records its three shares (``budgets``); its errors are within them by construction.

Which factories are offered is the planner's other half: sources are searched at a per-state target, and the
search is the costly part of planning (seconds), so it is done at two targets only
(:mod:`~magicpipe.compiler.compilation`): the default thirds' target and :func:`search_target`, the target
that lets the data block run at its least distance with a little slack for waits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from magicpipe.compiler.hardware import Hardware
from magicpipe.compiler.program import (
    LAYOUTS,
    ProgramDemand,
    ProgramFront,
    ProgramPoint,
    data_block,
    non_dominated,
    plan_program,
    undominated_sources,
)
from magicpipe.compiler.source import Source
from magicpipe.compiler.synthesis import SynthesisModel
from magicpipe.errors import InfeasibleError, MagicpipeError, SpecError

__all__ = ["rotation_error", "synthesis_choices", "share_front", "search_target", "WAIT_SLACK"]

# the search target leaves the data block this much more than its no-wait error (waits lengthen the runtime)
WAIT_SLACK = 0.1
_MOST_CHOICES = 5
_MAX_DISTANCE = 201


def rotation_error(model: SynthesisModel, t_count: int) -> float:
    """The synthesis error per rotation that ``model`` reaches with ``t_count`` T states (a hair above
    ``2^(-(t_count - b) / a)``, so that the model counts it as ``t_count`` whatever the rounding).

    Examples:
        >>> from magicpipe.compiler.synthesis import SYNTHESIS_MODELS
        >>> m = SYNTHESIS_MODELS["azure"]
        >>> e = rotation_error(m, 18)
        >>> m.rotation_t_count(e), m.rotation_t_count(e / 1.01), f"{e:.3g}"
        (18, 19, '3.44e-08')
    """
    curve: float = 2.0 ** (-(t_count - model.b) / model.a)
    if curve >= 0.5:
        raise SpecError(f"synthesis model {model.name} reaches no error below 1/2 with {t_count} T states per "
                        f"rotation; give more")
    eps: float = curve * (1 + 1e-9)  # a hair inside the step, against rounding
    for _ in range(64):
        if model.rotation_t_count(eps) <= t_count:
            return eps
        eps *= 1 - 1e-9
    raise SpecError(f"synthesis model {model.name}: no error reaches {t_count} T states per rotation")


def synthesis_choices(rotations: int, total: float, model: SynthesisModel, keep: int | None = None
                      ) -> tuple[tuple[int, float], ...]:
    """``(A, R eps(A))`` for the T counts per rotation worth trying (module docstring), fewest T first.

    ``keep`` (the default thirds' ``A``) is always among them.

    Examples:
        >>> from magicpipe.compiler.synthesis import SYNTHESIS_MODELS
        >>> [(a, f"{e:.2g}") for a, e in synthesis_choices(5600, 1e-3, SYNTHESIS_MODELS["azure"])]
        [(18, '0.00019'), (19, '5.2e-05'), (20, '1.4e-05')]
    """
    if rotations <= 0:
        return ()
    out: list[tuple[int, float]] = []
    a = max(1, math.floor(model.a * math.log2(rotations / total) + model.b))  # syn error about the total
    while len(out) < _MOST_CHOICES:
        if 2.0 ** (-(a - model.b) / model.a) >= 0.5:  # the model's curve has not started below 1/2
            a += 1
            continue
        err = rotations * rotation_error(model, a)
        if err < 0.5 * total:
            out.append((a, err))
            if err < 0.02 * total:
                break
        a += 1
    if keep is not None and all(k != keep for k, _ in out) and 2.0 ** (-(keep - model.b) / model.a) < 0.5:
        out.append((keep, rotations * rotation_error(model, keep)))
    return tuple(sorted(out))


def _no_wait_error(demand: ProgramDemand, d: int, hardware: Hardware, layout: str) -> float:
    block = data_block(demand.counts.num_qubits, d, layout)
    return block.tiles * max(demand.timeline.layers, 1) * LAYOUTS[layout][1] * hardware.logical_error(d)


def search_target(demands: Sequence[ProgramDemand], total: float, hardware: Hardware, layout: str = "fast",
                  floor: float = 0.0) -> float | None:
    """The per-state target that lets the fastest of ``demands`` run its data block at its least distance.

    For each demand, ``d`` is the least odd distance whose no-wait data error leaves room for the states;
    the demand whose runtime without waits (layers x ``d``) is least wins, and the target is what remains
    for each state once the synthesis error and ``1 + WAIT_SLACK`` times the no-wait data error are taken,
    ``(total - syn - 1.1 E(d)) / M``. When that is below ``floor`` (a target too tight to be worth a source
    search) the next distance is taken. None when no demand has states.
    """
    best: tuple[float, float] | None = None
    for dm in demands:
        if dm.t_states == 0:
            continue
        rest = total - dm.synthesis_error
        for d in range(3, _MAX_DISTANCE + 1, 2):
            left = rest - (1 + WAIT_SLACK) * _no_wait_error(dm, d, hardware, layout)
            if left > 0 and left / dm.t_states >= floor:
                key = (max(dm.timeline.layers, 1) * d * LAYOUTS[layout][1], -left / dm.t_states)
                if best is None or key < best:
                    best = key
                break
    return None if best is None else -best[1]


def share_front(demand: ProgramDemand, sources: Sequence[Source], total: float, hardware: Hardware,
                layout: str = "fast", schedules: Mapping[str, object] | None = None,
                memo: dict[int, tuple[Source, ProgramFront | None]] | None = None) -> ProgramFront:
    """The program's front over ``sources``, each source with the shares it uses (module docstring).

    ``demand`` fixes the program (its layers and states) and the synthesis error it has spent
    (``demand.synthesis_error``); every source that leaves room for the data block is planned with the
    distillation share ``M e`` and the rest as the logical share. When the program has Toffolis by layer and
    CCZ sources are offered, each pair of a T source of the all-T front and a CCZ source is planned likewise
    with the share ``t e_T + c e_C`` it uses (:mod:`~magicpipe.compiler.mixed`).

    ``memo`` is shared by the calls that plan one demand over overlapping sources (a plan's main front and its
    baselines' fronts offer the same one-level sources): a source's front depends only on the demand, the total
    and the source, so each is planned once. It maps ``id(source)`` to the source (kept alive, so the id is not
    reused) and its front (None where it cannot be planned); sources are keyed by identity because their
    ``detail`` may hold lists.

    Raises:
        InfeasibleError: no source leaves any share to the data block, or none can be planned.
    """
    rest = total - demand.synthesis_error
    points: list[ProgramPoint] = []
    evaluated = 0
    for src in sources:
        if src.kind != "T":
            continue
        dist = demand.t_states * src.output_error
        if dist >= rest:
            continue
        if memo is not None and id(src) in memo:
            front = memo[id(src)][1]
        else:
            own = replace(demand, budgets=(rest - dist, dist, demand.synthesis_error), target=src.output_error)
            try:
                front = plan_program(own, [src], hardware, layout, schedules)
            except MagicpipeError:
                front = None
            if memo is not None:
                memo[id(src)] = (src, front)
        if front is None:
            continue
        points += front.points
        evaluated += front.evaluated
    ccz = [s for s in sources if s.kind == "CCZ"]
    if ccz and demand.kinds is not None and demand.kinds.ccz_total:
        more, n = _mixed(demand, [s for s in sources if s.kind == "T"], ccz, rest, hardware, layout,
                         non_dominated(points))
        points += more
        evaluated += n
    if not points:
        best = min((s.output_error for s in sources), default=float("nan"))
        raise InfeasibleError(
            f"no factory leaves room for the data block: the program's {demand.t_states} states at the best "
            f"offered error {best:.3g} use up the {rest:.3g} left after synthesis; raise the error budget or "
            f"lower p or eps"
        )
    return ProgramFront(demand, hardware, non_dominated(points), evaluated)


def _mixed(demand: ProgramDemand, t_sources: Sequence[Source], ccz_sources: Sequence[Source], rest: float,
           hardware: Hardware, layout: str, all_t_front: Sequence[ProgramPoint]) -> tuple[list[ProgramPoint], int]:
    """Mixed points (CCZ states for the Toffolis, :mod:`~magicpipe.compiler.mixed`), each pair of sources with
    the distillation share it uses, ``t e_T + c e_C``, and the rest to the data block; the T sources paired are
    those of the all-T front, as in the fixed-share search."""
    from magicpipe.compiler.mixed import NO_T_SOURCE, evaluate_mixed, mixed_points, pair_error

    kinds = demand.kinds
    assert kinds is not None
    if not kinds.t_total:
        t_side = [NO_T_SOURCE]
    else:
        t_side = list(dict.fromkeys(p.source for p in all_t_front if p.source.kind == "T" and p.copies))
        t_side = t_side or list(t_sources)
    points: list[ProgramPoint] = []
    evaluated = 0
    for c_src in undominated_sources(list(ccz_sources)):
        for t_src in t_side:
            dist = pair_error(demand, t_src, c_src)
            if dist >= rest:
                continue
            own = replace(demand, budgets=(rest - dist, dist, demand.synthesis_error),
                          target=dist / max(demand.t_states, 1))
            try:
                found, n = mixed_points(own, [t_src], [c_src], hardware, layout)
            except MagicpipeError:
                continue
            evaluated += n
            points += [evaluate_mixed(own, p.source, p.copies, c_src, p.ccz_copies, layout, hardware,
                                      start_distance=p.data.distance) for p in non_dominated(found)]
    return points, evaluated
