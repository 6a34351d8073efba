"""A lower bound on the qubit-round volume of one top-level execution.

Every schedule must at least pay for the factory runs it needs, each for exactly its own qubits and rounds:
no idle qubit, no buffer, no stall. Per level-l output state that is
``v_l = (Q_l T_l + N_l v_(l-1)) / (M_l P_l)`` (failed runs are paid and yield nothing), with ``v_0 = 0`` (raw
states are free). For one execution of the top level, the unit the schedules are charged in (the paper's
Table 3 times one top-level run from an empty pipeline), the bound is ``Q_L T_L + N_L v_(L-1)``.

``efficiency(Q, T) = Q T / bound`` is therefore at least 1, and 1 would be a pipeline with no waste.
"""

from __future__ import annotations

from magicpipe.compiler.pipeline import Pipeline

__all__ = ["lower_bound", "efficiency"]


def lower_bound(pipeline: Pipeline) -> float:
    """Least qubit-round volume of one top-level execution of ``pipeline``.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> round(lower_bound(Pipeline.from_distances((5, 17))))
        2225777
    """
    v = 0.0
    levels = pipeline.levels
    for lv in levels[:-1]:
        proto = lv.factory.protocol
        v = (lv.qubits * lv.rounds + proto.inputs * v) / (proto.outputs * lv.p_succ)
    top = levels[-1]
    return top.qubits * top.rounds + top.factory.protocol.inputs * v


def efficiency(qubits: float, rounds: float, pipeline: Pipeline) -> float:
    """``Q T / lower_bound``: 1 is no waste; the dynamic pipeline's figure is reported beside each point."""
    return qubits * rounds / lower_bound(pipeline)
