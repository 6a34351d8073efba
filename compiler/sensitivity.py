"""Would the plan change at the pessimistic edge of its error model?

A plan is made with an :class:`~magicpipe.compiler.errormodel.ErrorModel`; the model states an uncertainty
interval whose pessimistic edge is a second model (``model.pessimistic()``). :func:`sensitivity` runs the
caller's planning step again on the same hardware with that edge model and compares what it chose -- the
distances, the program's distance, anything the caller names -- and says whether planning there fails.
Optionally it also evaluates the nominal choice under the edge model (e.g. "the chosen distances would
deliver 3e-9 where 1e-9 was the target").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from collections.abc import Callable, Mapping

from magicpipe.compiler.hardware import Hardware
from magicpipe.errors import MagicpipeError

__all__ = ["Sensitivity", "sensitivity"]

Choice = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """The plan's choices under its model and under the pessimistic edge.

    Attributes:
        model: the model's name.
        edge_model: the edge's name (equal to ``model`` when the model states no interval).
        nominal: what the planner chose under the model, as ``(key, value)`` pairs.
        edge: what it chooses under the edge; None when planning fails there.
        reason: why planning fails at the edge ("" when it does not).
        nominal_at_edge: the nominal choice evaluated under the edge model (the caller's figures).
        edge_provenance: what the edge is made of (the edge model's provenance: the widths, the bounds added
            and the assumptions they rest on).
    """

    model: str
    edge_model: str
    nominal: tuple[tuple[str, Any], ...]
    edge: tuple[tuple[str, Any], ...] | None
    reason: str = ""
    nominal_at_edge: tuple[tuple[str, Any], ...] = ()
    edge_provenance: str = ""

    @property
    def feasible_at_edge(self) -> bool:
        return self.edge is not None

    @property
    def changed(self) -> tuple[str, ...]:
        """Keys whose value differs at the edge (all of them when planning fails there)."""
        nominal = dict(self.nominal)
        if self.edge is None:
            return tuple(nominal)
        edge = dict(self.edge)
        return tuple(k for k in nominal if edge.get(k) != nominal[k])

    @property
    def changes(self) -> bool:
        return bool(self.changed)

    def message(self) -> str:
        """One sentence for a terminal or a plan."""
        if self.edge_model == self.model:
            return f"error model {self.model!r} states no uncertainty interval: no sensitivity check"
        if self.edge is None:
            return f"at the pessimistic edge of {self.model!r} the plan is infeasible: {self.reason}"
        if not self.changes:
            return f"the plan's choices stand at the pessimistic edge of {self.model!r}"
        edge = dict(self.edge)
        moved = ", ".join(f"{k} {v} -> {edge[k]}" for k, v in self.nominal if k in self.changed)
        return f"at the pessimistic edge of {self.model!r} the plan would change: {moved}"

    def to_dict(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return list(v) if isinstance(v, tuple) else v

        return {
            "model": self.model, "edge_model": self.edge_model,
            "nominal": {k: plain(v) for k, v in self.nominal},
            "edge": None if self.edge is None else {k: plain(v) for k, v in self.edge},
            "feasible_at_edge": self.feasible_at_edge, "reason": self.reason or None,
            "changed": list(self.changed), "changes": self.changes,
            "nominal_at_edge": {k: plain(v) for k, v in self.nominal_at_edge},
            "message": self.message(), "edge_provenance": self.edge_provenance or None,
        }


def sensitivity(
    choose: Callable[[Hardware], Choice],
    hardware: Hardware,
    evaluate: Callable[[Hardware], Choice] | None = None,
    nominal: Choice | None = None,
) -> Sensitivity:
    """Run ``choose`` under ``hardware.model`` and under its pessimistic edge and compare.

    Args:
        choose: the planning step; returns what it chose, e.g. ``{"distances": (5, 15)}``. It may raise a
            MagicpipeError (an infeasible plan, a p above the edge's threshold).
        hardware: the hardware of the plan; its model's ``pessimistic()`` is the edge.
        evaluate: optional; called with the edge hardware, returns figures of the *nominal* choice there.
        nominal: the nominal choice when the caller already has it (saves planning twice).

    Returns:
        The :class:`Sensitivity`.

    Examples:
        >>> from magicpipe.compiler.errormodel import ErrorModel, PAPER
        >>> from dataclasses import replace
        >>> model = replace(PAPER, name="demo", edge=replace(PAPER, name="demo edge", A=0.3))
        >>> hw = Hardware(p=1e-3, eps=1e-3, model=model)
        >>> s = sensitivity(lambda h: {"p_L(7) < 1e-5": h.logical_error(7) < 1e-5}, hw)
        >>> s.changes, s.message()
        (True, "at the pessimistic edge of 'demo' the plan would change: p_L(7) < 1e-5 True -> False")
    """
    chosen = dict(nominal) if nominal is not None else dict(choose(hardware))
    edge_model = hardware.model.pessimistic()
    if edge_model is hardware.model:
        return Sensitivity(hardware.model.name, edge_model.name, tuple(chosen.items()), tuple(chosen.items()))
    edge_choice: tuple[tuple[str, Any], ...] | None = None
    reason = ""
    at_edge: tuple[tuple[str, Any], ...] = ()
    try:
        edge_hw = replace(hardware, model=edge_model)
    except MagicpipeError as e:
        return Sensitivity(hardware.model.name, edge_model.name, tuple(chosen.items()), None, str(e),
                           edge_provenance=edge_model.provenance)
    try:
        edge_choice = tuple(dict(choose(edge_hw)).items())
    except MagicpipeError as e:
        reason = str(e)
    if evaluate is not None:
        try:
            at_edge = tuple(dict(evaluate(edge_hw)).items())
        except MagicpipeError as e:
            at_edge = (("error", str(e)),)
    return Sensitivity(hardware.model.name, edge_model.name, tuple(chosen.items()), edge_choice, reason, at_edge,
                       edge_model.provenance)
