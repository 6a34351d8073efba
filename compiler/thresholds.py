"""Launch and resumption thresholds (paper Sec. 5.3, Eqs. 5-6, Fig. 5) and the supply lanes they assume.

``launch_rule="eq5"`` is the paper's continuous-rate formula. ``launch_rule="exact"`` evaluates Fig. 5(a) on
the discrete production curve: the pre-buffer is the largest gap between the cumulative demand of the steps
and the cumulative output of the lanes, which Eq. 5's ``floor(span * R_prod)`` can underestimate by a whole
batch when lanes deliver several states at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from magicpipe.compiler.allocator import Allocation, Producer, max_rate_allocation
from magicpipe.compiler.factory import Factory

__all__ = ["supply_lanes", "launch_threshold", "lane_deposits", "prebuffer"]


def supply_lanes(
    high: Factory, menu: Sequence[Producer], qubit_budget: int, slot_qubits: int, buffer_slots: int
) -> Allocation:
    """Rate-maximising supply beside the running high-level factory (Eqs. 11-13)."""
    pool = qubit_budget - high.qubits - buffer_slots * slot_qubits
    return max_rate_allocation(tuple(menu), max(pool, 0))


def lane_deposits(lanes: list[tuple[int, int, int]], start: int, horizon: int) -> list[tuple[int, int]]:
    """(time, states) of back-to-back runs of each lane ``(free_at, rounds, outputs)`` up to ``horizon``."""
    out = []
    for free_at, rounds, outputs in lanes:
        t = max(free_at, start) + rounds
        while t <= horizon:
            out.append((t, outputs))
            t += rounds
    return out


def prebuffer(step_times: Sequence[int], per_step: int, deposits: Sequence[tuple[int, int]]) -> int:
    """Least initial stock so that no step at ``step_times`` finds the buffer short (Fig. 5(a), discrete)."""
    deposits = sorted(deposits)
    n = len(deposits)
    need, got, j, demand = per_step, 0, 0, 0
    for t in step_times:
        demand += per_step  # the first k steps take k * per_step
        while j < n and deposits[j][0] <= t:
            got += deposits[j][1]
            j += 1
        if demand - got > need:
            need = demand - got
    return need


def launch_threshold(
    high: Factory, supply: Allocation, menu: Sequence[Producer], buffer_slots: int, rule: str = "exact"
) -> int:
    """N_th: states to hold before launching the high-level factory (Eq. 5 and its exact form).

    Examples:
        >>> from magicpipe.compiler import Factory, FIFTEEN_TO_ONE
        >>> low = Producer("15-to-1@d5", 735, 55, 1, 0.998, 2e-7, 5)
        >>> high = Factory(FIFTEEN_TO_ONE, 17)
        >>> lanes = Allocation(55, ((0, 1, 1),), 735, 1, 1 / 55)
        >>> launch_threshold(high, lanes, [low], 8), launch_threshold(high, lanes, [low], 8, rule="eq5")
        (12, 12)
    """
    proto = high.protocol
    cap = proto.burst + buffer_slots
    if rule == "greedy":
        return min(proto.burst + proto.inputs_per_step, cap)
    if rule == "eq5":
        span = proto.steps * high.step_rounds
        slack = proto.inputs - math.floor(span * supply.rate)
        return min(max(proto.burst + proto.inputs_per_step, slack), cap)
    lanes = [(0, menu[i].rounds, menu[i].outputs) for i, c, _ in supply.runs for _ in range(c)]
    steps = high.step_offsets()
    deposits = lane_deposits(lanes, 0, steps[-1])
    return min(proto.burst + prebuffer(steps, proto.inputs_per_step, deposits), cap)
