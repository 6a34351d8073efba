"""The dynamic two-level pipeline of the paper's Sec. 5: a logical-cycle-accurate scheduler.

Three phases (Sec. 5.2). (1) *Fill*: every qubit but the buffer runs low-level factories, chosen by the
allocator's least-time ILP (Eqs. 7-10), until ``N_th`` states are ready. (2) *Run*: the high-level factory
launches with a partial input (Sec. 5.3), the qubits left beside it and the buffer run *supply lanes* chosen
by rate maximisation (Eqs. 11-13); a lane relaunches as long as the states in the buffer and in flight fall
short of the remaining demand and its output will find a free slot. (3) *Reuse*: when a step finds the
buffer empty the factory stalls; if lending its ancilla region shortens the stall, its data patches move
aside (``move_rounds``), the region (plus any idle qubits) runs the least-time allocation for the shortfall,
then the data patches move back and the step starts.

Thresholds. ``launch_rule="exact"`` (default) evaluates Fig. 5(a) on the discrete production curve of the
supply lanes: the pre-buffer is the largest gap between cumulative demand and cumulative lane production
over the steps. ``launch_rule="eq5"`` uses the paper's continuous-rate Eqs. 5-6. In both the launch needs at
least the burst plus the first step's input (the first rotation takes its state at launch), and the
threshold is capped by what the buffer can hold (``N_burst + N_buf`` at launch, ``N_buf`` at resumption).

Stall policy (``stall_policy``): ``"shortest"`` (default) lends the region only when that resumes sooner
than waiting for the lanes; ``"always"`` and ``"never"`` are there to measure the choice.

Steady state (``tops > 1``): once an execution ends its region is free, so the next execution's data patches
take the burst states as they arrive (they need no slot) and it launches when the burst and the pre-buffer
are there.

Randomness: pass ``rng`` (a ``random.Random``) to make every low-level run fail with probability
``1 - p_succ``; without it every run succeeds (the paper's no-failure simulation, Sec. 6). The outcome is
drawn at the launch but the scheduler learns it only when the run ends: every decision counts a run in
flight as yielding all its outputs.

Policy: :class:`~magicpipe.compiler.options.DynamicOptions` (``PAPER`` by default) -- when lanes relaunch,
when a waiting stall resumes, how the fill is sized (``docs/model.md``).
"""

from __future__ import annotations

import heapq
import math
import numbers
import random
from dataclasses import dataclass
from typing import cast
from collections.abc import Sequence

from magicpipe.compiler.allocator import Allocation, Producer, min_time_allocation
from magicpipe.compiler.factory import Factory
from magicpipe.compiler.options import PAPER, DynamicOptions
from magicpipe.compiler.schedule import Run, Schedule, Stall, Take, TopRun
from magicpipe.compiler.thresholds import lane_deposits, launch_threshold, prebuffer, supply_lanes
from magicpipe.errors import InfeasibleError, SpecError

__all__ = ["DynamicOptions", "PAPER", "simulate"]

_HORIZON = 10_000_000  # rounds; a schedule that runs longer is treated as stuck


@dataclass(frozen=True, slots=True)
class _StallInProgress:
    """A stall being served: where it began, N'_th and the rotations left then, and a reuse cycle's plan."""

    start: int
    step: int
    threshold: int
    remaining: int
    reuse: bool = False
    moved_out: int = -1
    reclaimed: int = -1
    alloc: Allocation | None = None

    def record(self, top: int, end: int, resumed: bool) -> Stall:
        return Stall(top, self.step, self.start, end, self.reuse, self.threshold, self.remaining,
                     self.moved_out, self.reclaimed, resumed)


class _Sim:
    """Mutable state of one simulation; :func:`simulate` is the public entry."""

    def __init__(
        self,
        high: Factory,
        menu: Sequence[Producer],
        qubit_budget: int,
        buffer_slots: int,
        slot_qubits: int,
        options: DynamicOptions,
        tops: int,
        rng: random.Random | None,
    ) -> None:
        self.high, self.menu, self.Q = high, tuple(menu), qubit_budget
        self.cap, self.slot_qubits, self.opt, self.n_tops, self.rng = buffer_slots, slot_qubits, options, tops, rng
        self.proto = high.protocol
        self.step_rounds = high.step_rounds
        self.buffer_qubits = buffer_slots * slot_qubits
        self.supply = supply_lanes(high, self.menu, qubit_budget, slot_qubits, buffer_slots)
        self.n_th = launch_threshold(high, self.supply, self.menu, buffer_slots, options.launch_rule)
        self.lanes = [i for i, c, _ in self.supply.runs for _ in range(c)]  # producer index per lane
        self.lane_free = [0] * len(self.lanes)
        self.next_free = 0 if self.lanes else _HORIZON + 1  # min(lane_free): no lane is idle before it
        self.lane_runs = [(self.menu[p].rounds, self.menu[p].outputs) for p in self.lanes]  # per lane
        self.idle_pool = qubit_budget - high.qubits - self.buffer_qubits - self.supply.qubits
        self.outputs = tuple(p.outputs for p in self.menu)  # per producer, read in the event loop
        self.runs: list[Run] = []
        self.in_flight: list[Run] = []
        self.flight_outputs = 0  # promised outputs of the runs in flight (kept with ``in_flight``)
        self.ending: dict[int, list[Run]] = {}  # the runs in flight by their end round, in launch order
        self.events: list[int] = []
        self.pending: set[int] = set()  # the rounds in ``events``: each is queued once
        self.buffer = 0
        self.takes: list[Take] = []
        self.stalls: list[Stall] = []
        self.tops: list[TopRun] = []
        self.mode = "pre"
        self.top_index = 0
        # set before they are read: at the first launch (launch_top), at the first stall (stall_decision), and by
        # the fill at round 0 (plan_fill: it raises rather than plan no fill, since N_th >= 1)
        self.launch_time: int
        self.next_step: int
        self.step_time: int
        self.stall: _StallInProgress
        self.fill: Allocation

    # -- bookkeeping -------------------------------------------------------------------------------
    def at(self, t: int) -> None:
        if t not in self.pending:
            self.pending.add(t)
            heapq.heappush(self.events, t)

    def start_run(self, producer: int, start: int, role: str, lane: int) -> None:
        p = self.menu[producer]
        ok = True if self.rng is None else self.rng.random() < p.p_succ
        run = Run(len(self.runs), producer, start, start + p.rounds, p.qubits, role, lane, ok, p.outputs if ok else 0)
        self.runs.append(run)
        self.in_flight.append(run)
        self.flight_outputs += p.outputs
        self.ending.setdefault(run.end, []).append(run)
        self.at(run.end)

    def start_allocation(self, alloc: Allocation, t0: int, role: str) -> None:
        lane = 0
        for i, copies, k in alloc.runs:
            for _ in range(copies):
                for j in range(k):
                    self.start_run(i, t0 + j * self.menu[i].rounds, role, lane)
                lane += 1

    def promised(self, r: Run) -> int:
        """States a run in flight will yield as far as the scheduler knows: all of them (a failure shows only
        when the run ends, so decisions never see ``r.outputs`` of a run that has not ended; the event loop reads
        ``self.outputs[r.producer]`` inline)."""
        return self.outputs[r.producer]

    def in_flight_outputs(self) -> int:
        return self.flight_outputs

    def remaining_demand(self) -> int:
        proto = self.proto
        if self.mode in ("pre", "relaunch"):
            left_this = proto.inputs
        elif self.mode == "finishing":
            left_this = 0
        else:
            left_this = (proto.steps - self.next_step + 1) * proto.inputs_per_step
        later = (self.n_tops - self.top_index - 1) * proto.inputs
        return left_this + later

    def future_steps(self, t: int, n: int | None = None) -> list[int]:
        """Start rounds of the remaining ``n`` steps (default: of the current execution) run from ``t``."""
        if n is None:
            n = self.proto.steps - self.next_step + 1
        step = self.step_rounds
        return list(range(t, t + n * step, step))  # empty for n <= 0

    def projected_deposits(self, t: int, horizon: int) -> list[tuple[int, int]]:
        """(round, states) of the runs in flight and of back-to-back lane runs up to ``horizon``, all after ``t``."""
        outs = self.outputs
        dep = [(r.end, outs[r.producer]) for r in self.in_flight if r.end > t]
        lanes = [(free, rounds, outputs) for free, (rounds, outputs) in zip(self.lane_free, self.lane_runs)]
        return dep + lane_deposits(lanes, t, horizon)

    def needed(self, t: int) -> int:
        """N'_th for resuming at ``t`` (Eq. 6, or its exact form), capped by the buffer."""
        steps = self.future_steps(t)
        if self.opt.launch_rule == "eq5":
            n_in = len(steps) * self.proto.inputs_per_step
            slack = n_in - math.floor(len(steps) * self.high.step_rounds * self.supply.rate)
            need = max(self.proto.inputs_per_step, slack)
        else:
            need = prebuffer(
                steps, self.proto.inputs_per_step, self.projected_deposits(t, steps[-1])
            )
        return min(need, self.cap)

    # -- supply lanes --------------------------------------------------------------------------------
    def launch_lanes(self, t: int) -> None:
        """Relaunch idle supply lanes (``lanes`` option: while demand is uncovered, or into any free slot)."""
        if self.next_free > t:
            return  # no lane is idle (or there is none)
        demand = self.remaining_demand()
        if demand <= 0:
            return
        free_rule = self.opt.lanes == "free"
        blocked: set[int] = set()  # producers whose next output would not fit: the same for every idle lane
        for j, p in enumerate(self.lanes):
            if self.lane_free[j] > t or p in blocked:
                continue
            if not free_rule and self.buffer + self.in_flight_outputs() >= demand:
                return
            prod = self.menu[p]
            if not self.fits(t, t + prod.rounds, prod.outputs):
                blocked.add(p)
                continue
            self.start_run(p, t, "supply", j)
            self.lane_free[j] = t + prod.rounds
            self.next_free = min(self.lane_free)

    def fits(self, t: int, end: int, outputs: int) -> bool:
        """Would ``outputs`` more states at ``end`` keep the projected occupancy within the buffer?"""
        cap = self.cap + (self.proto.burst if self.mode == "relaunch" else 0)
        if self.buffer + self.in_flight_outputs() + outputs <= cap:
            return True  # even if nothing were taken meanwhile
        changes: dict[int, int] = {end: outputs}
        outs = self.outputs
        for r in self.in_flight:
            changes[r.end] = changes.get(r.end, 0) + outs[r.producer]
        last = max(changes)  # to the last committed deposit, not just ``end``: later takes only lower the level
        takes = range(0)
        if self.mode == "run":  # the steps still to start (all after t: a step at t has begun)
            step = self.step_rounds
            stop = self.step_time + (self.proto.steps - self.next_step + 1) * step
            takes = range(self.step_time, min(stop, last + 1), step)
        per_step = self.proto.inputs_per_step
        level, stalled = self.buffer, False
        for time in sorted(changes.keys() | set(takes)) if takes else sorted(changes):
            level += changes.get(time, 0)
            if level > cap:
                return False
            if not stalled and time in takes:
                if level >= per_step:
                    level -= per_step
                else:
                    stalled = True  # the step would stall: assume nothing more is taken (conservative)
        return True

    # -- the high-level factory ----------------------------------------------------------------------
    def take(self, t: int, step: int, count: int) -> None:
        self.buffer -= count
        self.takes.append(Take(t, self.top_index, step, count))

    def begin_step(self, t: int) -> None:
        self.take(t, self.next_step, self.proto.inputs_per_step)
        if self.next_step == self.proto.steps:
            self.mode = "finishing"
            self.step_time = t + self.high.step_rounds
        else:
            self.next_step += 1
            self.step_time = t + self.high.step_rounds
        self.at(self.step_time)

    def launch_top(self, t: int) -> None:
        self.launch_time = t
        self.buffer -= self.proto.burst
        self.takes.append(Take(t, self.top_index, 0, self.proto.burst))
        self.mode = "run"
        self.next_step = 1
        self.begin_step(t)

    def stall_decision(self, t: int) -> None:
        remaining = self.proto.steps - self.next_step + 1
        need = self.needed(t)
        wait_until = self.wait_time(t, self.resume_level(t, need))
        reuse_plan = self.reuse_plan(t) if self.opt.stall_policy != "never" else None
        use_reuse = reuse_plan is not None and (
            self.opt.stall_policy == "always" or reuse_plan[0] < wait_until or (wait_until >= _HORIZON)
        )
        if wait_until >= _HORIZON and not use_reuse:
            raise InfeasibleError(
                f"the high-level factory stalls at round {t} with no way to get states: no supply lane fits beside "
                f"it and its ancilla region ({self.high.lendable_qubits} qubits) hosts no low-level factory; "
                f"raise the qubit budget above {self.Q}"
            )
        if use_reuse and reuse_plan is not None:
            _, alloc = reuse_plan
            m = self.opt.move_rounds
            self.stall = _StallInProgress(t, self.next_step, need, remaining, True, t + m, t + m + alloc.rounds, alloc)
            self.mode = "moving_out"
            self.at(t + m)
        else:
            self.stall = _StallInProgress(t, self.next_step, need, remaining)
            self.mode = "waiting"

    def wait_time(self, t: int, need: int) -> int:
        """Round at which the buffer reaches ``need`` from runs in flight and back-to-back lanes."""
        level = self.buffer
        if level >= need:
            return t
        horizon = t + 64 * max(p.rounds for p in self.menu)
        queue = [(r.end, self.promised(r), 0) for r in self.in_flight if r.end > t]
        # each lane's next deposit; its later ones follow every run
        for free, (rounds, outputs) in zip(self.lane_free, self.lane_runs):
            queue.append((max(free, t) + rounds, outputs, rounds))
        heapq.heapify(queue)
        while queue:
            time, n, period = heapq.heappop(queue)
            if time > horizon:
                break
            level += n
            if level >= need:
                return time
            if period:
                heapq.heappush(queue, (time + period, n, period))
        return _HORIZON

    def reuse_plan(self, t: int) -> tuple[int, Allocation] | None:
        m = self.opt.move_rounds
        pool = self.high.lendable_qubits + self.idle_pool
        if all(p.qubits > pool for p in self.menu):
            return None
        expected = self.buffer + self.in_flight_outputs()
        resume = t + 2 * m
        for _ in range(3):  # runs at least once, so alloc is bound after it
            target = self.needed(resume) - expected
            if target <= 0:
                if expected >= self.proto.inputs_per_step:
                    return None  # what is in flight covers the need: waiting is enough
                target = self.proto.inputs_per_step - expected
            room = self.cap - expected  # the free slots (>= target: N'_th is capped by the buffer)
            try:  # runs of several outputs (20-to-4) must fit whole
                alloc = min_time_allocation(self.menu, pool, min(target, room), at_most=room)
            except InfeasibleError:
                return None  # no whole number of runs fits the buffer: wait instead
            new_resume = t + 2 * m + alloc.rounds
            if new_resume == resume:
                break
            resume = new_resume
        return resume, alloc

    def close_stall(self, t: int, resumed: bool) -> None:
        self.stalls.append(self.stall.record(self.top_index, t, resumed))

    def finish_stall(self, t: int) -> None:
        self.close_stall(t, resumed=True)
        self.mode = "run"
        self.begin_step(t)

    # -- the loop ----------------------------------------------------------------------------------
    def run(self) -> Schedule:
        pool = self.Q - self.buffer_qubits
        self.plan_fill(0, pool)
        while self.events:
            t = heapq.heappop(self.events)
            self.pending.discard(t)
            if t > _HORIZON:
                raise InfeasibleError(f"schedule did not finish within {_HORIZON} rounds")
            self.step(t, pool)
            if len(self.tops) == self.n_tops:
                break
        if len(self.tops) < self.n_tops:
            raise InfeasibleError(f"schedule stopped after {len(self.tops)} of {self.n_tops} executions")
        return Schedule(
            self.high, self.menu, self.Q, self.cap, self.slot_qubits, self.n_th, self.supply, self.fill,
            tuple(self.runs), tuple(self.tops), tuple(self.takes), tuple(self.stalls), self.opt.move_rounds, self.opt,
        )

    def plan_fill(self, t: int, pool: int, threshold: int | None = None) -> None:
        """Phase 1: the least-time allocation for the launch threshold whose early states fit the buffer.

        States of all but the last batch wait in slots until the launch; when they would not fit, the
        allocation is solved again on fewer qubits (fewer copies, more batches). The ``fill`` and
        ``fill_margin`` options raise the target above N_th; if no allocation for the raised target fits,
        N_th is used.
        """
        base = self.n_th if threshold is None else threshold
        goal = base
        if self.opt.fill == "expected":
            goal = math.ceil(goal / min(p.p_succ for p in self.menu) - 1e-9)
        goal = min(goal + self.opt.fill_margin, self.proto.burst + self.cap)
        if threshold is None:
            pool = self.block_fill_pool(pool)
        alloc = self.fill_allocation(t, pool, goal - self.buffer - self.in_flight_outputs(), goal > base)
        if alloc is None:
            goal = base
            alloc = self.fill_allocation(t, pool, goal - self.buffer - self.in_flight_outputs(), False)
        if alloc is None:
            return
        if t == 0:
            self.fill = alloc
        self.start_allocation(alloc, t, "fill")
        if self.opt.spare_fill:
            self.start_spares(alloc, t, pool)

    def block_fill_pool(self, pool: int) -> int:
        """The phase-1 pool with the ``block_fill`` option: copies packed on the idle block plus the rest by qubits."""
        if self.opt.block_fill < 0 or len(self.menu) != 1:
            return pool
        q = self.menu[0].qubits
        copies = self.opt.block_fill + (pool - self.high.qubits) // q  # the pool is Q - buffer >= the factory
        return min(pool, copies * q)

    def fill_allocation(self, t: int, pool: int, target: int, raised: bool) -> Allocation | None:
        """The least-time allocation of ``target`` states whose early batches fit the buffer and whose whole
        output fits the buffer and the burst at the launch (runs of several outputs can overshoot ``target``;
        None: nothing to do, or a ``raised`` target that does not fit)."""
        if target <= 0:
            return None
        smallest = min(p.qubits for p in self.menu)
        room = self.cap + self.proto.burst - self.buffer - self.in_flight_outputs()
        while True:
            try:  # runs of several outputs (20-to-4) must fit whole
                alloc = min_time_allocation(self.menu, pool, target, at_most=max(room, target))
            except InfeasibleError:
                alloc = min_time_allocation(self.menu, pool, target)
            early = sum(
                c * (k - 1) * self.menu[i].outputs
                + (c * k * self.menu[i].outputs if k * self.menu[i].rounds < alloc.rounds else 0)
                for i, c, k in alloc.runs
            )
            if self.buffer + early <= self.cap and alloc.produced <= room:
                return alloc
            if pool - smallest < smallest:
                if raised:
                    return None
                if t == 0:
                    over = (f"its runs yield {alloc.produced} states, more than the {room} the burst and the "
                            f"buffer hold at the launch" if alloc.produced > room else
                            "the states of its early batches would not fit")
                    raise InfeasibleError(
                        f"the fill phase cannot gather N_th={self.n_th} states: with {self.cap} buffer slots {over}; "
                        f"use more slots or a larger qubit budget"
                    )
                return alloc  # a re-plan after failures: some states may be discarded (counted in the schedule)
            pool -= smallest

    def start_spares(self, alloc: Allocation, t: int, pool: int) -> None:
        """Spare fill copies on the pool's idle qubits, ending with the last batch (``spare_fill`` option).

        They are sized so that, at the expected success rate, the burst and the buffer fill up; when every
        run succeeds the states that find no slot are discarded (``Run.discarded``).
        """
        cheapest = min(range(len(self.menu)), key=lambda i: (self.menu[i].qubits, -self.menu[i].outputs))
        prod = self.menu[cheapest]
        hold = self.proto.burst + self.cap
        room = math.ceil(hold / prod.p_succ - 1e-9) - self.buffer - self.in_flight_outputs()
        copies = min((pool - alloc.qubits) // prod.qubits, max(room, 0) // prod.outputs)
        if copies <= 0 or alloc.rounds < prod.rounds or alloc.rounds % prod.rounds:
            return
        start = t + alloc.rounds - prod.rounds
        for lane in range(alloc.copies, alloc.copies + copies):
            self.start_run(cheapest, start, "fill", lane)

    def step(self, t: int, pool: int) -> None:
        done = self.ending.pop(t, ())
        arriving = self.buffer
        if done:
            self.in_flight = [r for r in self.in_flight if r.end != t]
            self.flight_outputs -= sum(self.outputs[r.producer] for r in done)
            arriving += sum(r.outputs for r in done)
        # the burst of a launch this round bypasses the buffer, so it does not need room
        launching = self.mode == "pre" and (arriving >= self.n_th or self.short_launch_ready(arriving))
        room = self.cap + (self.proto.burst if launching or self.mode == "relaunch" else 0)
        for r in done:
            accepted = min(r.outputs, max(room - self.buffer, 0))
            if accepted < r.outputs:
                self.runs[r.id] = Run(r.id, r.producer, r.start, r.end, r.qubits, r.role, r.lane, r.success,
                                      r.outputs, r.outputs - accepted)
            self.buffer += accepted
        mode = self.mode
        if mode in ("pre", "relaunch"):
            fills_running = any(r.role == "fill" for r in self.in_flight)
            threshold = self.n_th if mode == "pre" else self.relaunch_threshold(t)
            if (
                self.buffer >= threshold or (mode == "pre" and self.short_launch_ready(self.buffer))
            ) and not fills_running:
                self.launch_top(t)
            elif mode == "pre" and not self.in_flight:  # (so the buffer is short of the threshold: no launch)
                self.plan_fill(t, pool)
        elif mode == "run" and t == self.step_time:
            if self.buffer >= self.proto.inputs_per_step:
                self.begin_step(t)
            else:
                self.stall_decision(t)
        elif mode == "finishing" and t == self.step_time:
            self.tops.append(TopRun(self.top_index, self.launch_time, t))
            self.top_index += 1
            if self.top_index < self.n_tops:
                self.mode = "relaunch"
                threshold = self.relaunch_threshold(t)
                if self.buffer >= threshold:
                    self.launch_top(t)
                else:  # the ancilla region is free until the next launch (its data patches hold the burst
                    # states as they arrive): fill it, as in phase 1
                    region = self.high.lendable_qubits + self.idle_pool
                    if any(p.qubits <= region for p in self.menu):
                        self.plan_fill(t, region, threshold)
        elif mode == "waiting":
            if self.buffer >= self.proto.inputs_per_step and self.buffer >= self.resume_level(t):
                self.finish_stall(t)
        elif mode == "moving_out" and t == self.stall.moved_out:
            self.start_allocation(cast(Allocation, self.stall.alloc), t, "reuse")  # set when moving out
            self.mode = "reusing"
            self.at(self.stall.reclaimed)
        elif mode == "reusing" and t == self.stall.reclaimed:
            self.mode = "moving_back"
            self.at(t + self.opt.move_rounds)
        elif mode == "moving_back" and t == self.stall.reclaimed + self.opt.move_rounds:
            if self.buffer >= self.proto.inputs_per_step:
                self.finish_stall(t)
            else:  # reuse runs failed: close this cycle and decide again
                self.close_stall(t, resumed=False)
                self.stall_decision(t)
        if self.mode not in ("pre", "moving_out"):  # during a move-out the reuse runs have first claim on slots
            self.launch_lanes(t)
        if self.mode == "waiting" and not self.in_flight:
            # nothing will arrive (failed runs, or no lane fits): decide again, lending the region if it can
            self.close_stall(t, resumed=False)
            self.stall_decision(t)

    def resume_level(self, t: int, need: int | None = None) -> int:
        """States a waiting stall resumes at (``resume`` option): N'_th, or one step's inputs; never more than
        whole runs of the lanes can bring without overflowing the buffer (a 20-to-4 lane adds 4 at a time)."""
        if self.opt.resume == "greedy":
            return self.proto.inputs_per_step
        return min(self.needed(t) if need is None else need, self.cap, self.reachable())

    def reachable(self, places: int | None = None, batch: int | None = None) -> int:
        """The fullest ``places`` (default: the buffer) get from the states held and in flight plus whole runs of
        ``batch`` states (default: the lanes' smallest): all of them for one-output runs, less for runs of several."""
        if places is None:
            places = self.cap
        if batch is None:
            batch = min((outputs for _, outputs in self.lane_runs), default=1)
        held = self.buffer + self.in_flight_outputs()
        return held + batch * max((places - held) // batch, 0)

    def short_launch_ready(self, states: int) -> bool:
        """``short_launch``: the fill is over (nothing of it in flight), ``states`` cover the launch itself, and
        supply lanes will run beside the factory (without them a stall lends the region: a re-fill is sooner)."""
        return (self.opt.short_launch and bool(self.lanes) and states >= self.proto.burst + self.proto.inputs_per_step
                and not any(r.role == "fill" for r in self.in_flight))

    def relaunch_threshold(self, t: int) -> int:
        """States to hold before launching the next execution at ``t`` (steady state): burst plus pre-buffer, or the
        fullest level whole runs reach when that is lower and still covers the launch (runs of several outputs)."""
        steps = self.future_steps(t, self.proto.steps)
        dep = self.projected_deposits(t, steps[-1])
        want = self.proto.burst + min(prebuffer(steps, self.proto.inputs_per_step, dep), self.cap)
        # no more than whole runs of the menu's producers can bring into the burst and the slots without overflowing
        # them (a 2-output producer cannot fill the last single slot), as long as that covers the launch itself
        whole = self.reachable(self.cap + self.proto.burst, min(p.outputs for p in self.menu))
        return whole if self.proto.burst + self.proto.inputs_per_step <= whole < want else want


def simulate(
    high: Factory,
    menu: Sequence[Producer],
    qubit_budget: int,
    buffer_slots: int,
    slot_qubits: int,
    options: DynamicOptions = PAPER,
    *,
    tops: int = 1,
    rng: random.Random | None = None,
) -> Schedule:
    """Schedule ``tops`` executions of ``high`` fed by ``menu`` on ``qubit_budget`` qubits.

    Args:
        high: the high-level factory.
        menu: the low-level producer types the allocator may launch.
        qubit_budget: the total qubits Q (buffer, high-level factory and low-level factories).
        buffer_slots: N_buf, slots for states waiting between the levels.
        slot_qubits: qubits of one slot (a patch at the producers' output distance).
        options: the modelling choices.
        tops: high-level executions to run back to back (1: the paper's "one state from an empty
            pipeline"; more: the steady state).
        rng: makes low-level runs fail at random (seeded Monte Carlo); None: no failures.

    Returns:
        The schedule.

    Raises:
        SpecError: a count that is not an integer, ``buffer_slots < 1``, ``slot_qubits < 1`` or ``tops < 1``.
        InfeasibleError: the budget cannot hold the high-level factory, the buffer and one low-level factory,
            or leaves the factory with no way to get states.
    """
    for name, value in (("qubit_budget", qubit_budget), ("buffer_slots", buffer_slots), ("slot_qubits", slot_qubits),
                        ("tops", tops)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise SpecError(f"{name} must be an integer, got {value!r}")
    if slot_qubits < 1:
        raise SpecError(f"slot_qubits={slot_qubits} must be positive: a slot holds a patch of the producers' output")
    if buffer_slots < high.protocol.inputs_per_step:
        raise SpecError(
            f"buffer_slots={buffer_slots} must be at least {high.protocol.inputs_per_step}, the states one step takes"
        )
    if tops < 1:
        raise SpecError(f"tops={tops} must be at least 1")
    smallest = min(p.qubits for p in menu)
    floor_q = max(high.qubits, smallest) + buffer_slots * slot_qubits
    if qubit_budget < floor_q:
        raise InfeasibleError(
            f"qubit budget {qubit_budget} is below one factory and its buffer: the {high.protocol.name} factory at "
            f"d={high.distance} needs {high.qubits} qubits and {buffer_slots} buffer slots "
            f"{buffer_slots * slot_qubits}; "
            f"raise the budget to at least {floor_q}"
        )
    return _Sim(high, menu, qubit_budget, buffer_slots, slot_qubits, options, tops, rng).run()
