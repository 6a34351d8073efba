"""Layers that consume two kinds of magic state, T and CCZ, and their run against two supplies.

A program with Toffoli-class gates may spend one CCZ state per Toffoli (from an 8-to-CCZ factory) instead
of ``toffoli_t`` T states. Its layers then ask for two kinds: :class:`KindTimeline` holds, run by run, the
T states (everything but the Toffolis) and the CCZ states (the Toffolis) of each layer.

:func:`simulate_supplies` runs such a timeline against one supply per kind. Each kind is the fluid of
:func:`magicpipe.compiler.program.simulate`: ``K`` staggered copies at rate ``r = K x outputs / period``,
the first batch at the start-up, a buffer of ``peak + outputs`` states (a copy pauses while it is full). A
layer starts once *every* kind has its states; a CCZ state only meets CCZ demand and a T state only T
demand, so each kind has its own buffer. With one kind it gives :func:`~magicpipe.compiler.program.simulate`'s
runtime (a test checks it on random timelines).

Closed form per regime. Let ``b`` be a kind's buffer when a layer may start, ``w`` the layer's wait
(the largest ``(s - b) / r`` over kinds, or 0) and ``tau`` the layer's rounds. The layer maps ``b`` to
``m(b) = min(b + g, c)`` with ``g = r (w + tau) - s`` and ``c = cap - max(0, s - r tau)``, so ``k`` layers of
the same wait give ``min(b + k g, c)`` (``g >= 0``) or ``min(b + k g, c + (k - 1) g)`` (``g < 0``). The wait
stays the same while the kind that waits (``b = r tau`` after its first wait) keeps waiting and no draining
kind falls below its need ``s - r w``: that many layers are taken at once. A run changes regime at most once
per kind it makes wait, so the cost follows the number of runs, not of layers or states.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from magicpipe.compiler.layers import DemandTimeline
from magicpipe.errors import SpecError

__all__ = ["KindTimeline", "Supply", "simulate_supplies", "spread_kinds", "split_toffolis"]

_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class KindTimeline:
    """T and CCZ states per layer as runs: ``lengths[j]`` layers of ``t_states[j]`` T and ``ccz_states[j]`` CCZ.

    Examples:
        >>> kt = spread_kinds(7, 3, 4)
        >>> list(kt.layers_of())
        [(3, 2, 1), (1, 1, 0)]
        >>> kt.t_total, kt.ccz_total, kt.layers
        (7, 3, 4)
    """

    lengths: tuple[int, ...] = ()
    t_states: tuple[int, ...] = ()
    ccz_states: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not len(self.lengths) == len(self.t_states) == len(self.ccz_states):
            raise SpecError(f"kind timeline has {len(self.lengths)} run lengths, {len(self.t_states)} T counts and "
                            f"{len(self.ccz_states)} CCZ counts; give one of each per run")
        if any(n <= 0 for n in self.lengths) or any(s < 0 for s in self.t_states + self.ccz_states):
            raise SpecError("kind timeline runs need positive lengths and non-negative state counts")

    def layers_of(self) -> Iterator[tuple[int, int, int]]:
        """``(length, t_states, ccz_states)`` of every run."""
        return iter(zip(self.lengths, self.t_states, self.ccz_states))

    @property
    def layers(self) -> int:
        return sum(self.lengths)

    @property
    def t_total(self) -> int:
        return sum(n * s for n, s in zip(self.lengths, self.t_states))

    @property
    def ccz_total(self) -> int:
        return sum(n * s for n, s in zip(self.lengths, self.ccz_states))

    @property
    def t_peak(self) -> int:
        return max(self.t_states, default=0)

    @property
    def ccz_peak(self) -> int:
        return max(self.ccz_states, default=0)

    def all_t(self, toffoli_t: int) -> DemandTimeline:
        """The same layers with every CCZ paid as ``toffoli_t`` T states."""
        return DemandTimeline.from_counts([]) if not self.lengths else _runs(
            (n, t + toffoli_t * c) for n, t, c in self.layers_of())

    def to_dict(self) -> dict[str, object]:
        return {"layers": self.layers, "t_total": self.t_total, "ccz_total": self.ccz_total,
                "runs": [[n, t, c] for n, t, c in self.layers_of()]}


def _runs(items: Iterator[tuple[int, int]] | Sequence[tuple[int, int]]) -> DemandTimeline:
    lengths: list[int] = []
    states: list[int] = []
    for n, s in items:
        if states and states[-1] == s:
            lengths[-1] += n
        else:
            lengths.append(n)
            states.append(s)
    return DemandTimeline(tuple(lengths), tuple(states))


def _merge(a: DemandTimeline, b: DemandTimeline) -> KindTimeline:
    """Runs over the union of both timelines' run boundaries; ``b`` (no longer than ``a``: both callers ensure
    it) padded with empty layers."""
    if not a.layers:
        return KindTimeline()
    ra = list(zip(a.lengths, a.states))
    rb = list(zip(b.lengths, b.states))
    rb.append((a.layers, 0))  # b's padding: empty layers, at least as many as a has left (the loop stops with a)
    out: list[tuple[int, int, int]] = []
    i = j = 0
    la, lb = ra[0][0], rb[0][0]
    while i < len(ra) and j < len(rb):
        n = min(la, lb)
        t, c = ra[i][1], rb[j][1]
        if out and out[-1][1:] == (t, c):
            out[-1] = (out[-1][0] + n, t, c)
        else:
            out.append((n, t, c))
        la -= n
        lb -= n
        if la == 0:
            i += 1
            la = ra[i][0] if i < len(ra) else 0
        if lb == 0:
            j += 1
            lb = rb[j][0] if j < len(rb) else 0
    return KindTimeline(tuple(o[0] for o in out), tuple(o[1] for o in out), tuple(o[2] for o in out))


def _spread(states: int, layers: int) -> DemandTimeline:
    q, r = divmod(states, layers)
    return _runs([(n, v) for n, v in ((r, q + 1), (layers - r, q)) if n])


def spread_kinds(t_states: int, ccz_states: int, layers: int) -> KindTimeline:
    """``t_states`` and ``ccz_states`` each spread over ``layers`` as evenly as whole numbers allow (the
    estimator's convention for counts without layers, kind by kind)."""
    if layers < 1:
        raise SpecError(f"spreading states needs at least one layer, got {layers}")
    return _merge(_spread(t_states, layers), _spread(ccz_states, layers))


def split_toffolis(all_t: DemandTimeline, toffolis: DemandTimeline, toffoli_t: int) -> KindTimeline:
    """A counted circuit's layers by kind: its T-state timeline (Toffolis paid ``toffoli_t`` T each) less the
    Toffolis, which become CCZ states.

    Raises:
        SpecError: the Toffoli timeline is longer than the T-state timeline or asks, in some layer, for more
            than that layer's T states allow.
    """
    if toffolis.layers > all_t.layers:
        raise SpecError(f"the Toffoli timeline has {toffolis.layers} layers, more than the program's "
                        f"{all_t.layers}; count the circuit again")
    merged = _merge(all_t, toffolis)
    rest = [(n, t - toffoli_t * c, c) for n, t, c in merged.layers_of()]
    if any(t < 0 for _, t, _ in rest):
        raise SpecError(f"a layer has more Toffolis than its T states pay for at {toffoli_t} T each; "
                        f"plan with the toffoli_t the circuit was counted with")
    return KindTimeline(tuple(r[0] for r in rest), tuple(r[1] for r in rest), tuple(r[2] for r in rest))


@dataclass(frozen=True, slots=True)
class Supply:
    """One kind's supply: ``rate`` good states per round, the buffer level ``first`` at round 0 (negative
    while the first batch is on its way: ``outputs - rate x startup``) and the buffer ``cap``."""

    rate: float
    first: float
    cap: float

    @classmethod
    def of(cls, copies: int, outputs: int, period: float, startup: float, peak: int) -> Supply:
        """``copies`` staggered copies of a source (module docstring)."""
        if copies < 1:
            raise SpecError(f"copies must be >= 1, got {copies}")
        r = copies * outputs / period
        return cls(r, outputs - r * startup, float(peak + outputs))


@dataclass(frozen=True, slots=True)
class SupplyRun:
    """The result of :func:`simulate_supplies`: runtime, waits, and ``(start, length, first_wait, wait)`` per
    run (the run's first layer starts at ``start + first_wait``)."""

    runtime_rounds: float
    wait_rounds: float
    startup_wait_rounds: float
    runs: tuple[tuple[float, int, float, float], ...]


def _need_layers(b: float, g: float, c: float, need: float) -> float:
    """Layers (from this one) that keep a kind at or above ``need``: ``min(b + j g, c + (j - 1) g) >= need``."""
    if g >= 0:
        return math.inf if c >= need - _EPS * max(1.0, abs(need)) else 1.0
    j = min((b - need) / -g, 1 + (c - need) / -g)
    return float(max(int(j + _EPS), 0) + 1)


def _advance(b: float, g: float, c: float, k: int) -> float:
    return min(b + k * g, c) if g >= 0 else min(b + k * g, c + (k - 1) * g)


def simulate_supplies(runs: Sequence[Sequence[int]], lengths: Sequence[int], supplies: Sequence[Supply],
                      layer_rounds: float, record: bool = True) -> SupplyRun:
    """Run layers asking ``runs[j][i]`` states of kind ``i`` (for ``lengths[j]`` layers) against
    ``supplies[i]`` (module docstring).

    Examples:
        >>> t, c = Supply(0.5, 1.0, 3.0), Supply(0.1, 1.0, 2.0)
        >>> sim = simulate_supplies([(1, 1)], [3], [t, c], layer_rounds=2.0)
        >>> sim.runtime_rounds, sim.wait_rounds   # CCZ every 10 rounds: layers at 0, 10, 20
        (22.0, 16.0)
    """
    if len(runs) != len(lengths):
        raise SpecError(f"{len(lengths)} run lengths for {len(runs)} runs")
    tau = float(layer_rounds)
    b = [s.first for s in supplies]
    t = wait = 0.0
    startup: float | None = None  # the first wait of the first run that asks for a state
    rec: list[tuple[float, int, float, float]] = []
    for length, ss in zip(lengths, runs):
        if len(ss) != len(supplies):
            raise SpecError(f"a run asks for {len(ss)} kinds but {len(supplies)} supplies are given")
        start, left, w_run = t, int(length), 0.0
        first: float | None = None  # the run's first layer's wait
        while left > 0:
            w = max([0.0] + [(s - bi) / sp.rate for s, bi, sp in zip(ss, b, supplies) if s > 0])
            gs = [sp.rate * (w + tau) - s for s, sp in zip(ss, supplies)]
            cs = [sp.cap - max(0.0, s - sp.rate * tau) for s, sp in zip(ss, supplies)]
            k = math.inf
            for s, bi, sp, g, c in zip(ss, b, supplies, gs, cs):
                if s == 0:
                    continue
                if w > 0 and (s - bi) / sp.rate >= w - _EPS * max(1.0, w):
                    # the kind that waits: steady once it waited before (b = r tau), else one layer alone
                    if abs(bi - sp.rate * tau) > _EPS * max(1.0, s):
                        k = 1
                else:
                    k = min(k, _need_layers(bi, g, c, s - sp.rate * w))
            n = left if k >= left else int(k)  # k >= 1: 1, inf or _need_layers' count
            b = [_advance(bi, g, c, n) for bi, g, c in zip(b, gs, cs)]
            if first is None:
                first = w
            t += n * (w + tau)
            w_run += n * w
            left -= n
        if startup is None and any(ss):
            startup = first
        wait += w_run
        if record:
            rec.append((start, int(length), first or 0.0, w_run))
    return SupplyRun(t, wait, startup or 0.0, tuple(rec))
