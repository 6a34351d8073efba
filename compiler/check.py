"""The invariants every dynamic schedule keeps, checked at every event round (:func:`check`).

* budget: the qubits in use (:meth:`Schedule.qubits_in_use`) never exceed ``qubit_budget``;
* buffer bounds: after the deposits and after the takes of every round the buffer holds between 0 and
  ``buffer_slots`` states (:meth:`Schedule.buffer_trace`);
* input patterns: each execution of the high-level factory takes its burst at the launch, then one take of
  ``inputs_per_step`` per step, the first at the launch and each later one ``step_rounds`` after the previous
  plus the stalls in between; it ends ``step_rounds`` after the last take; fill runs begun since the previous
  execution end by the launch; a reuse stall moves the data patches out before it reclaims them (at its start and
  end when moves take 0 rounds) and its reuse runs lie in that window;
* conservation: states produced (less discarded) = states taken + states left in the buffer at the end;
* outputs once: a run yields all its producer's outputs or none (20-to-4: four), discards at most those; every
  output, followed one by one (first in, first out), is taken once, no earlier than its run's end, or is
  still in the buffer at the end;
* without ``allow_failures``: no run failed and nothing was discarded (but by spare fill copies, which the
  failure-aware policy sizes for the expected failures).

The tests, ``magicpipe pipeline`` and the report call it on every schedule they use.
"""

from __future__ import annotations

from collections import deque

from magicpipe.compiler.schedule import Schedule

from magicpipe.errors import VerificationError

__all__ = ["check"]


def _fail(message: str, **values: object) -> None:
    raise VerificationError(message, values)


def _budget_and_buffer(s: Schedule) -> None:
    for t in s.event_times():
        used = s.qubits_in_use(t)
        if used > s.qubit_budget:
            _fail(f"round {t}: {used} qubits in use exceed the budget of {s.qubit_budget}", round=t, qubits=used,
                  budget=s.qubit_budget)
    for t, peak, level in s.buffer_trace():
        if not 0 <= level <= peak <= s.buffer_slots:
            _fail(f"round {t}: the buffer holds {peak} states after the deposits and {level} after the takes, "
                  f"outside [0, {s.buffer_slots}] slots", round=t, peak=peak, level=level, slots=s.buffer_slots)


def _execution(s: Schedule, index: int) -> None:
    proto, top = s.high.protocol, s.tops[index]
    takes = sorted((k for k in s.takes if k.top == index), key=lambda k: (k.time, k.step))
    steps = [k.step for k in takes]
    if steps != list(range(proto.steps + 1)):
        _fail(f"execution {index} (launch at round {top.launch}): takes for steps {steps}, expected 0..{proto.steps} "
              f"once each", execution=index, steps=steps)
    burst = takes[0]
    if burst.count != proto.burst or burst.time != top.launch:
        _fail(f"execution {index}: burst of {burst.count} states at round {burst.time}, expected {proto.burst} at the "
              f"launch round {top.launch}", execution=index, take=burst)
    for k in takes[1:]:
        if k.count != proto.inputs_per_step:
            _fail(f"round {k.time}: execution {index} step {k.step} takes {k.count} states, the protocol's pattern "
                  f"is {proto.inputs_per_step} per step", execution=index, take=k)
    if takes[1].time != top.launch:  # the steps above are 0..steps, steps >= 1: there are two takes at least
        _fail(f"round {takes[1].time}: execution {index}'s first rotation starts after its launch at round "
              f"{top.launch}", execution=index, take=takes[1])
    for a, b in zip(takes[1:], takes[2:]):
        stalled = sum(x.end - x.start for x in s.stalls if x.top == index and x.step == b.step)
        if b.time - a.time != s.high.step_rounds + stalled:
            _fail(f"round {b.time}: execution {index} step {b.step} starts {b.time - a.time} rounds after step "
                  f"{a.step}, expected {s.high.step_rounds} + {stalled} stalled", execution=index, take=b)
    if top.end != takes[-1].time + s.high.step_rounds:
        _fail(f"round {top.end}: execution {index} ends {top.end - takes[-1].time} rounds after its last step, "
              f"expected {s.high.step_rounds}", execution=index, end=top.end)
    since = s.tops[index - 1].end if index else 0
    for r in s.runs:
        if r.role == "fill" and since <= r.start < top.launch and r.end > top.launch:
            _fail(f"round {top.launch}: fill run {r.id} ends at round {r.end}, after execution {index}'s launch "
                  f"that needs its region", execution=index, run=r)


def _stalls(s: Schedule) -> None:
    for x in s.stalls:
        if not x.reuse:
            continue
        # moves of 0 rounds (``move_rounds=0``) lend the region at the stall's start and take it back at its end
        ordered = (x.start < x.moved_out <= x.reclaimed < x.end if s.move_rounds else
                   x.start <= x.moved_out <= x.reclaimed <= x.end)
        if x.resumed and not ordered:
            _fail(f"round {x.start}: reuse stall of execution {x.top} step {x.step} has start {x.start}, moved out "
                  f"{x.moved_out}, reclaimed {x.reclaimed}, end {x.end}; expected start < moved out <= reclaimed "
                  f"< end (<= throughout with moves of 0 rounds)", stall=x)
        for r in s.runs:
            if r.role == "reuse" and x.moved_out <= r.start < x.reclaimed and r.end > x.reclaimed:
                _fail(f"round {x.reclaimed}: reuse run {r.id} ends at round {r.end}, after the ancilla region is "
                      f"reclaimed", stall=x, run=r)


def _outputs_once(s: Schedule, left: int) -> None:
    for r in s.runs:
        made = s.producers[r.producer].outputs
        if r.outputs not in (0, made) or not 0 <= r.discarded <= r.outputs:
            _fail(f"round {r.end}: run {r.id} yields {r.outputs} of its {made} outputs and discards {r.discarded}; "
                  f"a run yields all its outputs or none and discards at most those", run=r)
    ready = sorted((r.end, r.id, j) for r in s.runs for j in range(r.outputs - r.discarded))
    held: deque[tuple[int, int, int]] = deque()
    i = 0
    for k in sorted(s.takes, key=lambda k: (k.time, k.top, k.step)):
        while i < len(ready) and ready[i][0] <= k.time:
            held.append(ready[i])
            i += 1
        if len(held) < k.count:
            _fail(f"round {k.time}: execution {k.top} step {k.step} takes {k.count} states but only {len(held)} "
                  f"outputs have been made and not yet taken", take=k, held=len(held))
        for _ in range(k.count):
            held.popleft()
    if len(held) + len(ready) - i != left:
        _fail(f"the end: {len(held) + len(ready) - i} outputs neither taken nor discarded, but the buffer holds "
              f"{left}", outputs=len(held) + len(ready) - i, left=left)


def check(schedule: Schedule, *, allow_failures: bool = False) -> None:
    """Raise :class:`~magicpipe.errors.VerificationError` at the first invariant ``schedule`` breaks.

    Args:
        schedule: a schedule of :func:`~magicpipe.compiler.dynamic.simulate` (or read back from a stream).
        allow_failures: accept failed runs and discarded states (Monte Carlo schedules).

    Raises:
        VerificationError: the message names the round and the values; ``counterexample`` holds them.

    Examples:
        >>> import dataclasses
        >>> from magicpipe.compiler import Pipeline
        >>> from magicpipe.compiler.pareto import pareto_front
        >>> s = pareto_front(Pipeline.from_distances((5, 17))).min_volume().schedule
        >>> check(s)
        >>> check(dataclasses.replace(s, qubit_budget=9000))
        Traceback (most recent call last):
        ...
        magicpipe.errors.VerificationError: round 0: 9212 qubits in use exceed the budget of 9000
    """
    s = schedule
    if not s.tops:
        _fail("the schedule has no execution of the high-level factory")
    for index in range(len(s.tops)):
        _execution(s, index)
    _stalls(s)
    _budget_and_buffer(s)
    produced = sum(r.outputs - r.discarded for r in s.runs)
    consumed = sum(k.count for k in s.takes)
    final = list(s.buffer_trace())[-1][2]
    if produced != consumed + final:
        _fail(f"round {s.event_times()[-1]}: {produced} states produced but {consumed} taken + {final} left in the "
              f"buffer = {consumed + final}", produced=produced, consumed=consumed, left=final)
    _outputs_once(s, final)
    if allow_failures:
        return
    # only spare fill copies (sized for the expected failures) may make states that find no slot
    lost = [r for r in s.runs if r.discarded and not (r.role == "fill" and s.policy.spare_fill)]
    if lost:
        discarded = sum(r.discarded for r in lost)
        _fail(f"round {lost[0].end}: {discarded} states discarded by a full buffer (first by run {lost[0].id}); "
              f"only spare fill copies may discard", discarded=discarded, run=lost[0])
    failed = [r for r in s.runs if not r.success]
    if failed:
        _fail(f"round {failed[0].end}: run {failed[0].id} failed; a deterministic schedule has no failures "
              f"(pass allow_failures=True for sampled ones)", run=failed[0])
