"""The real 15-to-1 protocol under circuit-level noise: one noise realisation, both error types, T states.

The ``|+>`` stand-in (:mod:`~magicpipe.verification.factory`) carries the Z-type errors of the factory; its Z
twin sees the X-type errors and misread merges the stand-in cannot carry; :mod:`~magicpipe.verification.stand_in`
then costs those for the real protocol one shot of the twin at a time and adds them to the stand-in's numbers as
if the two circuits were independent (first order). This module removes that approximation where a Clifford
circuit can carry it:

1. **One realisation of the noise for both bases.** The factory circuit and its Z twin have the same gates,
   noise channels and measurements in the same order; they differ only in the bases of the data's (and ``|m>``'s)
   preparation and final readout, their detectors and observables. ``stim.FlipSimulator`` with stabiliser
   randomisation disabled runs the factory circuit (noise of the real protocol: data and ``|m>`` prepared in the
   X basis, input errors ``E(eps)`` as twirled Z) up to the final data readout and returns, per shot, the flip of
   every measurement *and* the X and Z parts of the Pauli frame on the data. The final X readout's flips are the
   frame's Z parts, the twin's final Z readout's flips its X parts. With these records both circuits' detectors
   and observables are evaluated on the same shot (a detector is the parity of its records' flips, whatever the
   state), so Y errors count in both, with their correlations.
2. **Both decoders on the same shot.** PyMatching on the factory's detector error model corrects the X readouts
   (residual Z-type flips of the output and the four checks); PyMatching on the twin's corrects the Z readouts
   and merge outcomes (residual X-type errors per data patch and misread merges, split into events by
   :func:`~magicpipe.verification.stand_in.split_events`).
3. **The real protocol by state vector, per shot.** The shot's X errors (at their slots) and misreads
   (``exp(+-i pi/4 P)``, the sign averaged) go into the protocol's 15 rotations on 32 amplitudes; its Z-type
   flips commute with every rotation and act at the end. The shot's acceptance probability and its accepted
   wrong output (accepted x infidelity with the magic state) follow exactly (:func:`real_outcome`).

So acceptance and output error are the real protocol's, with input errors and Clifford errors of both types in
the same shot, not first-order sums. What stays out: the ``|0>`` patch of Litinski's auto-corrected rotation
(its ``Z_m (x) Y`` measurement needs a twist defect, not built here), coherent (untwirled) input noise, and the
decoder's prior for the twin's X-type preparation flips on ``|0>`` (the twin's error model has them; the real
preparation in ``|+>`` does not, so the twin's decoder weighs a few edges slightly wrong).

Examples:
    >>> run = sample_real(3, 0.0, 0.05, shots=512, seed=1)
    >>> run.shots, run.stand_in_accepted == round(run.accepted)  # without Clifford noise they agree exactly
    (512, True)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymatching
import stim
from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, Protocol
from magicpipe.verification.factory import ForcedError, factory_circuit
from magicpipe.verification.sampling import check_positive, check_seed
from magicpipe.verification.stand_in import _masks, _outcome, _run, split_events

from magicpipe.errors import VerificationError

__all__ = ["JointCircuits", "RealRun", "joint_circuits", "real_outcome", "sample_real"]

_BATCH = 1024


@functools.lru_cache(maxsize=8192)
def real_outcome(
    x_errors: tuple[tuple[int, int], ...],
    misreads: tuple[int, ...],
    z_flips: int,
    protocol: Protocol = FIFTEEN_TO_ONE,
) -> tuple[float, float]:
    """The real protocol's acceptance and accepted wrong output for one shot's logical events.

    Args:
        x_errors: ``(patch, slot)``: X on data patch ``patch`` before merge ``slot`` (0-based).
        misreads: merges whose outcome was misread (``exp(+-i pi/4 P)`` left, the sign averaged).
        z_flips: bit mask over the data patches: a Z-type flip of that patch's X readout (a check) or of the
            output.
        protocol: the protocol.

    Returns:
        ``(accept, wrong)``: the probability the checks accept, and accept x (1 - fidelity with the magic state).

    Examples:
        >>> real_outcome((), (), 0)
        (1.0, 0.0)
        >>> real_outcome((), (), 1 << 4)  # Z on the output: accepted, wrong
        (1.0, 1.0)
        >>> real_outcome((), (), 1)  # Z on check patch 1: rejected
        (0.0, 0.0)
    """
    masks = _masks(protocol)
    n, burst = protocol.logical_qubits, protocol.burst
    ideal = _outcome(_run(masks, n, burst, (), {}), protocol, None)[2]
    index = np.arange(1 << n)
    phase = 1 - 2 * (np.bitwise_count(index & z_flips) & 1).astype(np.int64)
    signs = [dict(zip(misreads, s)) for s in _signs(len(misreads))]
    accept = wrong = 0.0
    for sign in signs:
        psi = _run(masks, n, burst, x_errors, sign) * phase
        a, infidelity, _ = _outcome(psi, protocol, ideal)
        accept += a / len(signs)
        wrong += a * infidelity / len(signs)
    return round(accept, 12) + 0.0, max(round(wrong, 12), 0.0) + 0.0


def _signs(k: int) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = [()]
    for _ in range(k):
        out = [s + (v,) for s in out for v in (1, -1)]
    return out


def _records(circuit: stim.Circuit) -> tuple[list[list[int]], dict[int, list[int]]]:
    """Absolute measurement indices of every detector, and of every observable (the circuit is flat)."""
    detectors: list[list[int]] = []
    observables: dict[int, list[int]] = {}
    count = 0
    for inst in circuit:
        if isinstance(inst, stim.CircuitRepeatBlock):
            raise VerificationError("joint sampling needs a flat circuit (no REPEAT blocks)", inst)
        name = inst.name
        if name in ("MPP", "MXX", "MYY", "MZZ"):
            raise VerificationError(f"joint sampling reads single-qubit measurements only, got {name}", inst)
        if name in ("M", "MX", "MY", "MR", "MRX", "MRY"):
            count += len(inst.targets_copy())
        elif name == "DETECTOR":
            detectors.append([count + t.value for t in inst.targets_copy()])
        elif name == "OBSERVABLE_INCLUDE":
            k = int(inst.gate_args_copy()[0])
            observables.setdefault(k, []).extend(count + t.value for t in inst.targets_copy())
    return detectors, observables


def _clearing(circuit: stim.Circuit) -> stim.Circuit:
    """``circuit`` with every reset clearing both parts of the Pauli frame.

    A frame simulator resets only the part of the frame that matters in the reset's basis: ``RX`` clears Z and
    leaves X (harmless on ``|+>``), ``R`` the reverse. Joint sampling reads both parts, so an X left on a
    ``|+>``-reset qubit would be taken for an X error (e.g. on ``|m>``, carried from one merge to the next).
    Preceding each reset by the other basis's clears the frame; the state and the noise are unchanged.
    """
    out = stim.Circuit()
    for inst in circuit:
        if isinstance(inst, stim.CircuitInstruction) and inst.name in ("R", "RX"):
            out.append("RX" if inst.name == "R" else "R", inst.targets_copy())
        out.append(inst)
    return out


def _parities(flips: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """Rows of ``flips`` (records x packed shots) XORed per group: (groups x packed shots)."""
    out = np.zeros((len(groups), flips.shape[1]), dtype=np.uint8)
    for i, g in enumerate(groups):
        if g:
            out[i] = np.bitwise_xor.reduce(flips[g], axis=0)
    return out


@dataclass(frozen=True)
class JointCircuits:
    """The factory and its Z twin for one (d, p, eps), split for joint sampling (module docstring).

    Attributes:
        body: the factory circuit up to (not including) the final X readout of the data.
        data: the qubit indices of the final readout, in its order.
        x_detectors, x_observables, z_detectors, z_observables: measurement indices of each circuit's
            detectors and observables (the two circuits' records line up one to one).
        x_matching, z_matching: PyMatching for each circuit's detector error model.
    """

    d: int
    p: float
    eps: float
    body: stim.Circuit
    data: tuple[int, ...]
    x_detectors: list[list[int]]
    x_observables: list[list[int]]
    z_detectors: list[list[int]]
    z_observables: list[list[int]]
    x_matching: pymatching.Matching
    z_matching: pymatching.Matching


def joint_circuits(
    d: int, p: float, eps: float, *, protocol: Protocol = FIFTEEN_TO_ONE, forced: tuple[ForcedError, ...] = ()
) -> JointCircuits:
    """Build both circuits and check that their measurements line up (module docstring).

    Raises:
        SpecError: a parameter outside its domain (as :func:`~magicpipe.verification.factory.factory_circuit`).
        VerificationError: the two circuits' measurements do not line up.
    """
    cx = factory_circuit(d, p, eps, basis="x", protocol=protocol, forced=forced)
    cz = factory_circuit(d, p, 0.0, basis="z", protocol=protocol, forced=forced)
    if cx.num_measurements != cz.num_measurements:
        raise VerificationError(f"factory and twin measure {cx.num_measurements} and {cz.num_measurements} times")
    last = max(i for i, inst in enumerate(cx) if isinstance(inst, stim.CircuitInstruction) and inst.name == "MX")
    final = cx[last]
    twin_final = [inst for inst in cz if isinstance(inst, stim.CircuitInstruction) and inst.name == "M"][-1]
    data = tuple(t.value for t in final.targets_copy())
    if data != tuple(t.value for t in twin_final.targets_copy()) or cx.num_measurements - len(data) != sum(
        len(inst.targets_copy()) for inst in cx[:last] if inst.name in ("M", "MX")
    ):
        raise VerificationError("the factory's final X readout and the twin's Z readout do not line up")
    xd, xo = _records(cx)
    zd, zo = _records(cz)
    return JointCircuits(
        d, float(p), float(eps), _clearing(cx[:last]), data, xd, [xo.get(k, []) for k in range(cx.num_observables)], zd,
        [zo.get(k, []) for k in range(cz.num_observables)],
        _matching(cx if not forced else factory_circuit(d, p, eps, basis="x", protocol=protocol)),
        _matching(cz if not forced else factory_circuit(d, p, 0.0, basis="z", protocol=protocol)),
    )


def _matching(circuit: stim.Circuit) -> pymatching.Matching:
    """PyMatching for the circuit's noise (built without forced errors: the decoder knows the noise only)."""
    return pymatching.Matching.from_detector_error_model(circuit.detector_error_model(decompose_errors=True))


@dataclass(frozen=True, slots=True)
class RealRun:
    """Counts of :func:`sample_real` (sums over shots; divide by ``shots``).

    Attributes:
        shots: runs sampled.
        accepted: sum of the real protocol's acceptance probability.
        accepted_sq: sum of its square (for the standard error).
        wrong: sum of accepted x output infidelity.
        wrong_sq: sum of its square.
        cross: sum of accept x wrong (for the ratio's standard error).
        stand_in_accepted: runs the stand-in accepts (Z-type flips only: what ``factory_task`` counts).
        stand_in_errors: of those, runs with a flipped output.
        x_events: X-type logical errors on data patches seen by the twin.
        misreads: misread merges seen by the twin.
        seconds: wall time of sampling and decoding.
    """

    d: int
    p: float
    eps: float
    shots: int
    accepted: float
    accepted_sq: float
    wrong: float
    wrong_sq: float
    cross: float
    stand_in_accepted: int
    stand_in_errors: int
    x_events: int
    misreads: int
    seed: int
    seconds: float

    @property
    def acceptance(self) -> float:
        return self.accepted / self.shots

    @property
    def acceptance_sigma(self) -> float:
        n = self.shots
        var = max(self.accepted_sq / n - self.acceptance**2, 0.0)
        return math.sqrt(var / n)

    @property
    def output_error(self) -> float:
        return self.wrong / self.accepted if self.accepted > 0 else math.nan

    @property
    def output_error_sigma(self) -> float:
        """Standard error of the ratio wrong / accepted (delta method over shots)."""
        n = self.shots
        if self.accepted <= 0:
            return math.nan
        r = self.output_error
        # variance of (wrong_i - r accept_i) per shot
        var = (self.wrong_sq - 2 * r * self.cross + r * r * self.accepted_sq) / n
        return math.sqrt(max(var, 0.0) / n) / (self.accepted / n)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "d": self.d, "p": self.p, "eps": self.eps, "shots": self.shots, "seed": self.seed,
            "acceptance": self.acceptance, "acceptance_sigma": self.acceptance_sigma,
            "output_error": self.output_error, "output_error_sigma": self.output_error_sigma,
            "stand_in_acceptance": self.stand_in_accepted / self.shots,
            "stand_in_output_error": (self.stand_in_errors / self.stand_in_accepted
                                      if self.stand_in_accepted else math.nan),
            "x_events_per_run": self.x_events / self.shots, "misreads_per_run": self.misreads / self.shots,
            "sums": {"accepted": self.accepted, "accepted_sq": self.accepted_sq, "wrong": self.wrong,
                     "wrong_sq": self.wrong_sq, "cross": self.cross, "stand_in_accepted": self.stand_in_accepted,
                     "stand_in_errors": self.stand_in_errors, "x_events": self.x_events, "misreads": self.misreads},
            "seconds": self.seconds,
        }


def _decode(matching: pymatching.Matching, detectors: np.ndarray, observables: int) -> np.ndarray:
    if matching.num_edges == 0:  # no error mechanism (p = eps = 0): nothing to correct
        return np.zeros((detectors.shape[0], observables), dtype=np.uint8)
    return np.asarray(matching.decode_batch(detectors), dtype=np.uint8)


def sample_real(
    d: int,
    p: float,
    eps: float,
    *,
    shots: int,
    seed: int,
    protocol: Protocol = FIFTEEN_TO_ONE,
    forced: tuple[ForcedError, ...] = (),
    circuits: JointCircuits | None = None,
) -> RealRun:
    """Sample the real protocol under circuit-level noise (module docstring), in batches of 1024 shots.

    Deterministic for a given ``seed`` (same machine and Stim version).

    Raises:
        SpecError: non-positive shots, a bad seed, or a parameter outside its domain.
    """
    import time

    check_positive("shots", shots)
    check_seed(seed)
    start = time.perf_counter()
    jc = circuits if circuits is not None else joint_circuits(d, p, eps, protocol=protocol, forced=forced)
    patch_of = list(protocol.output_qubits) + [c.index("X") for c in protocol.checks]
    checks_mask = sum(1 << k for k in range(len(protocol.output_qubits), len(patch_of)))
    outputs_mask = sum(1 << k for k in range(len(protocol.output_qubits)))
    sums = dict.fromkeys(("a", "a2", "w", "w2", "aw"), 0.0)
    stand_acc = stand_err = x_events = misreads = 0
    done = 0
    rng = np.random.SeedSequence(seed)
    sim_seeds = rng.generate_state(max(1, -(-shots // _BATCH)), dtype=np.uint64)
    combos: dict[tuple[bytes, int], int] = {}
    for s in sim_seeds:
        batch = min(_BATCH, shots - done)
        sim = stim.FlipSimulator(batch_size=batch, disable_stabilizer_randomization=True, seed=int(s % (1 << 63)))
        sim.do(jc.body)
        xs, zs, ms, _, _ = sim.to_numpy(bit_packed=True, output_xs=True, output_zs=True, output_measure_flips=True)
        data = list(jc.data)
        rec_x = np.concatenate([ms, zs[data]], axis=0)
        rec_z = np.concatenate([ms, xs[data]], axis=0)
        det_x = np.unpackbits(_parities(rec_x, jc.x_detectors), axis=1, count=batch, bitorder="little").T
        det_z = np.unpackbits(_parities(rec_z, jc.z_detectors), axis=1, count=batch, bitorder="little").T
        obs_x = np.unpackbits(_parities(rec_x, jc.x_observables), axis=1, count=batch, bitorder="little").T
        obs_z = np.unpackbits(_parities(rec_z, jc.z_observables), axis=1, count=batch, bitorder="little").T
        res_x = obs_x ^ _decode(jc.x_matching, det_x, obs_x.shape[1])
        res_z = obs_z ^ _decode(jc.z_matching, det_z, obs_z.shape[1])
        weights_x = 1 << np.arange(res_x.shape[1])
        zbits = res_x.astype(np.int64) @ weights_x
        stand_acc += int(np.count_nonzero((zbits & checks_mask) == 0))
        stand_err += int(np.count_nonzero(((zbits & checks_mask) == 0) & ((zbits & outputs_mask) != 0)))
        packed_z = np.packbits(res_z, axis=1, bitorder="little")
        for i in range(batch):
            key = (packed_z[i].tobytes(), int(zbits[i]))
            combos[key] = combos.get(key, 0) + 1
        done += batch
    width = len(jc.z_observables)
    for (zkey, zb), count in combos.items():
        bits = np.unpackbits(np.frombuffer(zkey, dtype=np.uint8), count=width, bitorder="little")
        events = split_events("".join("E" if v else "_" for v in bits), protocol)
        mask = sum(1 << patch_of[k] for k in range(len(patch_of)) if zb >> k & 1)
        a, w = real_outcome(events.x_errors, events.misreads, mask, protocol)
        sums["a"] += count * a
        sums["a2"] += count * a * a
        sums["w"] += count * w
        sums["w2"] += count * w * w
        sums["aw"] += count * a * w
        x_events += count * len(events.x_errors)
        misreads += count * len(events.misreads)
    return RealRun(jc.d, jc.p, jc.eps, shots, sums["a"], sums["a2"], sums["w"], sums["w2"], sums["aw"], stand_acc,
                   stand_err, x_events, misreads, seed, time.perf_counter() - start)


def layout_p_l(d: int, p: float, *, shots: int, seed: int, max_errors: int = 1000) -> dict[str, float]:
    """The per-patch per-cycle ``p_L`` of one patch of the factory's layout (both bases, 3 cycles), sampled.

    Returns:
        ``{"p_L", "relative_sigma", "errors_x", "errors_z", "shots_x", "shots_z"}``.
    """
    from magicpipe.verification.factory import surgery_memory_task
    from magicpipe.verification.memory import patch_rate, per_cycle_rate
    from magicpipe.verification.sampling import sample_task

    rates, spread, out = [], 0.0, {}
    for k, basis in enumerate(("x", "z")):
        s = sample_task(surgery_memory_task(d, p, basis=basis), shots=shots, seed=seed + k, max_errors=max_errors)
        rate = per_cycle_rate(s.errors / s.shots, 3)
        rates.append(rate)
        spread += rate**2 / max(s.errors, 1)
        out[f"errors_{basis}"], out[f"shots_{basis}"] = s.errors, s.shots
    total = sum(rates)
    return {"p_L": patch_rate(rates), "relative_sigma": math.sqrt(spread) / total if total else math.nan, **out}


def real_point(run: RealRun, p_l: dict[str, float] | None, protocol: Protocol = FIFTEEN_TO_ONE) -> dict[str, object]:
    """One point of ``verify real``: the run's rates, the exact logical level, and a, b of the real protocol.

    ``a = (output error - E(eps)) / p_L`` and ``b = -ln(acceptance / A(eps)) / p_L`` as in Sec. 3's fit
    (:mod:`~magicpipe.verification.factory_summary`), here for the real protocol; ``a_stand_in``, ``b_stand_in``
    are the same from the stand-in's counts of the same shots.
    """
    from magicpipe.verification.logical import enumerate_errors

    enum = enumerate_errors(protocol)
    acc0 = enum.acceptance(run.eps) if run.eps > 0 else 1.0
    out0 = enum.output_error(run.eps) if run.eps > 0 else 0.0
    point: dict[str, object] = run.to_dict() | {"logical_exact": {"acceptance": acc0, "output_error": out0}}
    if p_l and p_l["p_L"] > 0 and run.acceptance > 0:
        pl = p_l["p_L"]
        stand_acc = run.stand_in_accepted / run.shots
        stand_out = run.stand_in_errors / run.stand_in_accepted if run.stand_in_accepted else math.nan
        point |= {
            "p_L": p_l,
            "a": (run.output_error - out0) / pl, "a_sigma": run.output_error_sigma / pl,
            "b": -math.log(run.acceptance / acc0) / pl, "b_sigma": run.acceptance_sigma / run.acceptance / pl,
            "a_stand_in": (stand_out - out0) / pl, "b_stand_in": -math.log(stand_acc / acc0) / pl,
        }
    return point


def fit_real(points: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """a and b per distance, fitted through the origin over the points (as Sec. 3's fit), for the real protocol
    and for the stand-in on the same shots (``a_stand_in``, ``b_stand_in``, with the real points' sigmas)."""
    from magicpipe.verification.factory_summary import fit_through_origin

    fit: dict[str, dict[str, Any]] = {}
    for d in sorted({pt["d"] for pt in points}):
        pts = [pt for pt in points if pt["d"] == d and "a" in pt]
        if not pts:
            continue
        pls = [pt["p_L"]["p_L"] for pt in pts]
        row: dict[str, Any] = {}
        for coef in ("a", "b"):
            sig = [pt[f"{coef}_sigma"] * pl for pt, pl in zip(pts, pls)]
            row[coef] = fit_through_origin(pls, [pt[coef] * pl for pt, pl in zip(pts, pls)], sig)
            row[f"{coef}_stand_in"] = fit_through_origin(
                pls, [pt[f"{coef}_stand_in"] * pl for pt, pl in zip(pts, pls)], sig)
        fit[f"d={d}"] = row
    return fit


def run_real(
    distances: list[int], ps: list[float], eps_values: list[float], *, shots: int, seed: int,
    memory_shots: int = 10**6, memory_errors: int = 1000, progress: bool = False,
) -> dict[str, object]:
    """``magicpipe verify real``: :func:`sample_real` and the layout's ``p_L`` at every (d, p, eps).

    Returns:
        ``{"kind": "real_factory", "seed", "points": [...], "fit": {"d=D": {"a", "b"}}, "versions"}``, with a
        and b fitted through the origin per distance (as Sec. 3), one-sigma errors scaled by sqrt(chi2_red).
    """
    import sys

    from magicpipe.verification.summary import versions

    points = []
    for d in dict.fromkeys(distances):
        for p in dict.fromkeys(ps):
            p_l = layout_p_l(d, p, shots=memory_shots, seed=seed, max_errors=memory_errors) if p > 0 else None
            for eps in dict.fromkeys(eps_values):
                run = sample_real(d, p, eps, shots=shots, seed=seed)
                points.append(real_point(run, p_l))
                if progress:
                    print(f"d={d} p={p:g} eps={eps:g}: {shots} runs in {run.seconds:.0f} s", file=sys.stderr)
    fit = fit_real(points)
    return {"kind": "real_factory", "seed": seed, "shots": shots, "points": points, "fit": fit,
            "versions": versions()}
