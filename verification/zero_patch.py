"""The ``|0>`` patch of the auto-corrected rotation, which the factory circuit leaves out: a proxy and a bound.

In Litinski's auto-corrected pi/8 rotation (Litinski 2019, "Magic state distillation: not as costly as you
think", Fig. 4(b)) the ``P Z_m`` merge is followed by a ``Z_m (x) Y_0`` merge of the ``|m>`` patch with a fresh
``|0>`` patch (one logical cycle, ``d`` rounds); ``|m>`` is then read in X and the ``|0>`` patch in X or Z as the
first outcome says, which applies the pi/4 correction or not. The factory circuit
(:mod:`~magicpipe.verification.factory_circuit`) has no ``|0>`` patch: ``|m>`` is read in X at the split of its
``P Z_m`` merge. What the omitted merge can do, per rotation:

* **misread** its outcome (measurement errors along the merge, an X error on ``|m>`` or a Y-flipping error on
  the ``|0>`` patch before it): the wrong correction, ``exp(+-i pi/4 P)`` -- exactly the cost of a misread
  ``P Z_m`` (:func:`~magicpipe.verification.stand_in.real_effect` with ``misreads=(j,)``);
* put a **Z-type error on** ``|m>`` while it waits the extra cycle (or flip the ``|0>`` patch's final readout):
  the Pauli ``P`` on the data, twice a misread's cost (a misread is ``P`` with probability 1/2).

The circuit builder has no Y-type merge (a twist defect, or an in-place Y readout). The *proxy* measured here is
the Z-type merge of the same two patches through one seam row, ``Z_m Z_0``, at the factory circuit's noise,
check order and detector rules (:class:`~magicpipe.verification.factory_circuit.CircuitBuilder`):
``|m>`` (bottom), a seam row, the ``|0>`` patch (top), all reset at the merge's start, ``d`` merged rounds, the
split, then both patches read out. Basis ``"z"``: observable 0 is the merge outcome (first merged round; a
misread), 1 and 2 the patches' logical Z (X-type errors). Basis ``"x"``: observable 0 is ``X_m X_0`` with its
frame through the seam (Z-type errors on either patch). A Y-type merge's region also has to reach the ``|0>``
patch's second boundary, so :func:`zero_patch_cost` scales the proxy's misreads by ``twist`` (2 by default: twice
the boundary; not measured).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pymatching
import stim

from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, Protocol
from magicpipe.errors import SpecError
from magicpipe.verification.factory_circuit import CircuitBuilder, frame_path, merge_product
from magicpipe.verification.stand_in import real_effect
from magicpipe.verification.surgery import Coord, code_checks, rectangle, x_edges

__all__ = ["ZeroPatchRates", "seam_merge_circuit", "seam_merge_rates", "zero_patch_cost"]


def _geometry(d: int) -> tuple[frozenset[Coord], frozenset[Coord], frozenset[Coord]]:
    """``|m>`` at the bottom, one seam row, the ``|0>`` patch on top (pitch ``d + 1``)."""
    return rectangle(0, 0, d, d), rectangle(0, d, d, 1), rectangle(0, d + 1, d, d)


def seam_merge_circuit(d: int, p: float, basis: str) -> stim.Circuit:
    """The proxy merge ``Z_m Z_0`` (module docstring) at distance ``d`` and circuit noise ``p``.

    Raises:
        SpecError: an even or small distance, a ``p`` outside [0, 0.5) or an unknown basis.
    """
    if isinstance(d, bool) or not isinstance(d, int) or d < 3 or d % 2 == 0:
        raise SpecError(f"distance {d!r} must be an odd integer >= 3")
    if not 0 <= p < 0.5:
        raise SpecError(f"p={p!r} must lie in [0, 0.5)")
    if basis not in ("x", "z"):
        raise SpecError(f"basis must be 'x' or 'z', got {basis!r}")
    magic, seam, zero = _geometry(d)
    merged = magic | seam | zero
    checks = code_checks([merged], x_edges([magic, zero]))
    b = CircuitBuilder(p)
    prep = "X" if basis == "x" else "Z"
    b.reset(magic | zero, prep)
    b.reset(seam, "X")
    first = b.rounds(merged, checks, d)[0]
    if basis == "z":
        rows = frozenset(q for q in magic | zero if q[1] in (d - 1, 2 * d))
        b.observables[0] += [first[k] for k in merge_product(checks, rows)]
    split = b.measure(seam, "X")
    out = b.measure(magic | zero, prep)
    if basis == "z":
        b.observables[1] += [out[q] for q in magic if q[1] == d - 1]
        b.observables[2] += [out[q] for q in zero if q[1] == 2 * d]
    else:
        column = frozenset(q for q in magic | zero if q[0] == 0)
        path = frame_path(checks, column, seam)
        b.observables[0] += [out[q] for q in column] + [split[q] for q in path]
    for k in sorted(b.observables):
        b.append("OBSERVABLE_INCLUDE", [f"rec[{r - b.n_meas}]" for r in b.observables[k]], k)
    return b.c


@dataclass(frozen=True, slots=True)
class ZeroPatchRates:
    """Per merge of the proxy: ``misread`` (its outcome wrong), ``x_error`` (an X-type logical error on either
    patch), ``z_error`` (``X_m X_0`` wrong: a Z-type error on either patch), from ``shots`` decoded runs of each
    basis; ``errors`` the counts behind them (misread, x, z)."""

    d: int
    p: float
    shots: int
    misread: float
    x_error: float
    z_error: float
    errors: tuple[int, int, int]

    def stderr(self, rate: float) -> float:
        return math.sqrt(max(rate * (1 - rate), 1e-300) / self.shots)


def _decoded_flips(circuit: stim.Circuit, shots: int, seed: int) -> np.ndarray:
    dem = circuit.detector_error_model(decompose_errors=True)
    matching = pymatching.Matching.from_detector_error_model(dem)
    det, obs = circuit.compile_detector_sampler(seed=seed).sample(shots, separate_observables=True)
    return np.asarray(matching.decode_batch(det), dtype=bool) ^ obs


def seam_merge_rates(d: int, p: float, shots: int, seed: int = 1) -> ZeroPatchRates:
    """Sample the proxy merge in both bases (``shots`` each, PyMatching) and count its failures per merge."""
    if isinstance(shots, bool) or not isinstance(shots, int) or shots < 1:
        raise SpecError(f"shots must be a positive integer, got {shots!r}")
    z = _decoded_flips(seam_merge_circuit(d, p, "z"), shots, seed)
    x = _decoded_flips(seam_merge_circuit(d, p, "x"), shots, seed + 1)
    counts = (int(z[:, 0].sum()), int((z[:, 1] | z[:, 2]).sum()), int(x[:, 0].sum()))
    return ZeroPatchRates(d, p, shots, counts[0] / shots, counts[1] / shots, counts[2] / shots, counts)


def zero_patch_cost(misread: float, z_error: float, p_l: float, twist: float = 2.0,
                    protocol: Protocol = FIFTEEN_TO_ONE) -> dict[str, float]:
    """First-order cost of the omitted ``Z_m Y_0`` merges (module docstring): one per injected rotation, each
    misread with probability ``twist x misread`` and leaving ``P`` with probability ``z_error``.

    Returns:
        ``reject`` and ``accepted_wrong`` added per factory run, and the same over ``p_l`` (the layout's p_L per
        patch per cycle) as the additions to the coefficients b and a.

    Examples:
        >>> cost = zero_patch_cost(misread=0.01, z_error=0.0, p_l=1e-3, twist=1.0)
        >>> round(cost["reject"], 4), round(cost["b"], 1), cost["a"]  # 11 rotations, each misread rejected half
        (0.055, 55.0, 0.0)
    """
    if not (p_l > 0 and twist > 0 and misread >= 0 and z_error >= 0):
        raise SpecError(f"need p_l > 0, twist > 0 and non-negative rates, got {p_l}, {twist}, {misread}, {z_error}")
    merges = protocol.steps * protocol.inputs_per_step
    reject = wrong = 0.0
    for j in range(merges):
        r, w = real_effect((), (j,), protocol)
        reject += (twist * misread + 2 * z_error) * r
        wrong += (twist * misread + 2 * z_error) * w
    return {"reject": reject, "accepted_wrong": wrong, "b": reject / p_l, "a": wrong / p_l}


def main(argv: list[str] | None = None) -> int:
    """``python -m magicpipe.verification.zero_patch --distance D --p P [P ...] --p-l PL [PL ...] --shots N``:
    the proxy's rates and the bound, one JSON line per p (``--p-l``: the factory layout's p_L at each p, from
    ``magicpipe verify real``)."""
    import argparse
    import json

    ap = argparse.ArgumentParser(prog="python -m magicpipe.verification.zero_patch", description=main.__doc__)
    ap.add_argument("--distance", type=int, required=True)
    ap.add_argument("--p", type=float, nargs="+", required=True)
    ap.add_argument("--p-l", type=float, nargs="+", required=True)
    ap.add_argument("--shots", type=int, default=100_000)
    ap.add_argument("--twist", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if len(args.p_l) != len(args.p):
        raise SpecError("give one --p-l per --p")
    for p, p_l in zip(args.p, args.p_l):
        r = seam_merge_rates(args.distance, p, args.shots, args.seed)
        row = {"d": r.d, "p": p, "shots": r.shots, "errors": list(r.errors), "misread": r.misread,
               "x_error": r.x_error, "z_error": r.z_error, "p_l": p_l,
               "proxy": zero_patch_cost(r.misread, r.z_error, p_l, 1.0),
               f"twist_{args.twist:g}": zero_patch_cost(r.misread, r.z_error, p_l, args.twist)}
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
