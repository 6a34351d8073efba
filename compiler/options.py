"""The dynamic scheduler's policy: every choice the paper leaves open, as one frozen record.

``PAPER`` is the policy that reproduces the paper's Table 3 (``docs/model.md``); ``FAILURE_AWARE`` is the
policy for realistic failure rates (level-1 success well below 1), and :data:`POLICIES` are the ones the
Pareto search tries per cell when no policy is given (it keeps the best by expected time,
:mod:`~magicpipe.compiler.pareto`). Each field's measured effect is in ``docs/model.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from magicpipe.errors import SpecError

__all__ = ["DynamicOptions", "PAPER", "FAILURE_AWARE", "POLICIES", "GREEDY_LAUNCH"]


@dataclass(frozen=True, slots=True)
class DynamicOptions:
    """The modelling choices the paper leaves open (``docs/model.md`` measures each one's effect).

    Attributes:
        launch_rule: ``"exact"`` (Fig. 5 on the discrete production curve), ``"eq5"`` (Eqs. 5-6), or
            ``"greedy"``: launch as soon as the burst and the first step's input are there and let the steps
            wait for the lanes (N'_th for reuse is then the exact one).
        stall_policy: ``"shortest"``, ``"always"`` or ``"never"`` lend the ancilla region on a stall.
        move_rounds: rounds to move the data patches aside, and again to move them back (Fig. 4(c) moves in
            two steps of one round each; the lattice layer re-costs this from real routes).
        lanes: when an idle supply lane relaunches. ``"demand"`` (the paper's reading): only while the
            buffered and in-flight states fall short of the remaining demand. ``"free"``: whenever its output
            will find a free slot and some demand is left (its qubits are paid for anyway), so a failed run is
            covered by a surplus instead of a shortfall one run later.
        resume: when a waiting (not lending) stall ends. ``"threshold"``: once N'_th states are buffered
            (Eq. 6 or its exact form). ``"greedy"``: as soon as the step's inputs are there; never later than
            ``"threshold"`` and the same completion round when nothing fails.
        fill: how many states the fill (phase 1) is sized for. ``"exact"``: N_th. ``"expected"``:
            ``ceil(N_th / p_succ)`` of the smallest fill producer, so that one failed run does not hold the
            launch back by a whole run.
        fill_margin: states added to the fill's target on top of ``fill`` (the search chooses it).
        spare_fill: fill copies on the idle qubits of the fill pool that the least-time allocation leaves
            (their qubits are paid for anyway); they run with the last batch, up to the states the buffer
            and the burst can hold at the launch.
        short_launch: when the fill is over and some of its runs failed, launch with the states there are (at
            least the burst and the first step's input) instead of waiting for a re-fill of the shortfall,
            if supply lanes run beside the factory; the steps then wait for the lanes. Never changes a
            schedule without failures.
        block_fill: layout-aware sizing. ``-1`` (default) counts the first fill's copies by qubits; ``n >= 0``
            counts them by the floor plan: ``n`` low-level blocks pack into the idle high-level block, the
            rest of the fill pool holds what its qubits hold. The lattice layer computes ``n``
            (the lattice layer's ``recost.layout_policies``); the core does not import it.
    """

    launch_rule: str = "exact"
    stall_policy: str = "shortest"
    move_rounds: int = 2
    lanes: str = "demand"
    resume: str = "threshold"
    fill: str = "exact"
    fill_margin: int = 0
    spare_fill: bool = False
    short_launch: bool = False
    block_fill: int = -1

    def __post_init__(self) -> None:
        choices = {"launch_rule": ("exact", "eq5", "greedy"), "stall_policy": ("shortest", "always", "never"),
                   "lanes": ("demand", "free"), "resume": ("threshold", "greedy"), "fill": ("exact", "expected")}
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value not in allowed:
                raise SpecError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}")
        if self.move_rounds < 0:
            raise SpecError(f"move_rounds must be >= 0, got {self.move_rounds}")
        if self.block_fill < -1:
            raise SpecError(f"block_fill must be -1 (count by qubits) or a copy count >= 0, got {self.block_fill}")
        if self.fill_margin < 0:
            raise SpecError(f"fill_margin must be >= 0, got {self.fill_margin}")

    @property
    def label(self) -> str:
        """A short name for tables: ``"paper"``, or the fields that differ from it."""
        diff = [f"{f}={getattr(self, f)}" for f in self.__dataclass_fields__ if getattr(self, f) != getattr(PAPER, f)]
        return "paper" if not diff else ",".join(diff)


PAPER = DynamicOptions()
"""The paper's policy (reproduces Table 3; ``tests/compiler/test_dynamic.py`` pins it)."""

FAILURE_AWARE = DynamicOptions(lanes="free", resume="greedy", fill="expected", spare_fill=True, short_launch=True)
"""Lanes produce into free slots, stalls resume greedily, the fill is sized for its expected failures."""

POLICIES = (PAPER, FAILURE_AWARE)
"""What :func:`~magicpipe.compiler.pareto.pareto_front` tries per cell when no policy is given."""

GREEDY_LAUNCH = DynamicOptions(launch_rule="greedy", lanes="free", resume="greedy", fill="expected", spare_fill=True,
                               short_launch=True)
"""The failure-aware policy launching as soon as the burst and the first step's input are there. The search adds
it to :data:`POLICIES` for two-level pipelines whose level-1 run is longer than the level-2 factory (d1 > d2):
there, waiting for the exact threshold holds the factory back by whole level-1 runs (``docs/model.md``)."""
