"""What the ``|+>`` stand-in cannot carry, and what it would cost the real protocol.

The circuit-level factory (:mod:`magicpipe.verification.factory`) replaces every magic state by ``|+>``, so it
is a Clifford circuit Stim can sample. Two kinds of error then have no effect in it, although the real protocol
(with ``T|+>`` injected) feels them:

* **X-type logical errors on a data patch** (X or Y on patch ``k``). The stand-in's data stay in X eigenstates,
  so X does nothing. In the real protocol ``X_k exp(-i pi/8 P) = exp(+i pi/8 P) X_k`` for ``k`` in ``P``: the
  error turns every later rotation on ``k`` the wrong way, and ends as ``X_k`` on the result -- harmless on a
  check qubit's ``|+>``, but on the output it is ``X|m>``, of fidelity 1/2 with ``|m>``.
* **A wrong merge outcome** (the product ``P Z_m`` misread: measurement errors along the merge, or an X error
  on ``|m>`` before its merge, which flips that product). In the real protocol the outcome selects the
  ``pi/4`` correction, so a misread leaves ``exp(+-i pi/4 P)`` with either sign equally likely; averaged over
  the sign that is the Pauli ``P`` with probability 1/2 -- like a faulty input, caught by the checks alone.

The Z twin of the factory (:func:`~magicpipe.verification.factory.factory_events_task`) measures both: its
observables are each data patch's logical Z (flipped by X-type errors) and each merge's outcome. A decoded
shot's wrong observables are split into events (:func:`split_events`: an X error on patch ``k`` before merge
``j`` flips Z_k and the outcome of every later merge containing ``k``; what is left are misreads), and each
event is run through the real protocol by state vector (:func:`real_effect`, 32 amplitudes, the rotations of
the protocol's own list) to get what it costs: the chance the checks reject, and the chance the checks accept
a wrong output (accepted x output infidelity). Summed over the twin's shots, these are first-order estimates
of the rejection and output error the stand-in leaves out.

Examples:
    >>> reject, wrong = real_effect(x_errors=((4, 11),))  # X on the output after the last rotation
    >>> round(reject, 12), round(wrong, 12)
    (0.0, 0.5)
    >>> reject, wrong = real_effect(misreads=(0,))  # merge 1 misread: P = Z1 Z2 Z5 with probability 1/2
    >>> round(reject, 12), round(wrong, 12)
    (0.5, 0.0)
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from magicpipe.compiler.protocols import FIFTEEN_TO_ONE, Protocol

__all__ = ["Events", "carried_events", "real_effect", "split_events", "stand_in_costs"]


def _masks(protocol: Protocol) -> list[int]:
    return [sum(1 << i for i, c in enumerate(r) if c == "Z") for r in protocol.rotations]


def _rotate(psi: np.ndarray, mask: int, angle: float) -> np.ndarray:
    """``exp(-i angle P) psi`` for the Z-type Pauli ``P`` on ``mask`` (bit i = qubit i)."""
    index = np.arange(len(psi))
    sign = 1 - 2 * (np.bitwise_count(index & mask) & 1)
    return psi * np.exp(-1j * angle * sign)


def _outcome(psi: np.ndarray, protocol: Protocol, ideal: np.ndarray | None) -> tuple[float, float, np.ndarray]:
    """Acceptance, output infidelity given acceptance (against ``ideal``), and the accepted output state."""
    n = protocol.logical_qubits
    out = protocol.output_qubits[0]
    amps = psi.reshape([2] * n)  # axis j is qubit n - 1 - j
    for q in range(n):
        if q != out:  # project qubit q onto |+>
            axis = n - 1 - q
            plus = (np.take(amps, 0, axis=axis) + np.take(amps, 1, axis=axis)) / math.sqrt(2)
            amps = np.expand_dims(plus, axis)
    state = amps.reshape(-1)
    accept = float(np.vdot(state, state).real)
    state = state / math.sqrt(accept) if accept > 1e-15 else state
    infidelity = 0.0 if ideal is None or accept <= 1e-15 else 1 - abs(np.vdot(ideal, state)) ** 2
    return accept, float(infidelity), state


@functools.lru_cache(maxsize=4096)
def real_effect(
    x_errors: tuple[tuple[int, int], ...] = (),
    misreads: tuple[int, ...] = (),
    protocol: Protocol = FIFTEEN_TO_ONE,
) -> tuple[float, float]:
    """What X errors and misread merges do to the real protocol (T states injected), by state vector.

    Args:
        x_errors: ``(patch, slot)`` pairs (0-based): X on data patch ``patch`` just before merge ``slot``
            (``slot`` = number of merges: after the last one).
        misreads: merges (0-based) whose ``P Z_m`` outcome is misread; each leaves ``exp(+-i pi/4 P)``, the
            sign averaged over.
        protocol: a protocol with Z-type rotations, X-type checks on single qubits and one output.

    Returns:
        ``(reject, accepted_wrong)``: the probability the checks reject, and the probability they accept while
        the output is not the magic state (acceptance times output infidelity).
    """
    masks = _masks(protocol)
    n, burst = protocol.logical_qubits, protocol.burst
    ideal = _outcome(_run(masks, n, burst, (), {}), protocol, None)[2]
    reject = wrong = 0.0
    signs = list(itertools.product((1, -1), repeat=len(misreads)))
    for sign in signs:
        psi = _run(masks, n, burst, x_errors, dict(zip(misreads, sign)))
        accept, infidelity, _ = _outcome(psi, protocol, ideal)
        reject += (1 - accept) / len(signs)
        wrong += accept * infidelity / len(signs)
    return max(reject, 0.0), max(wrong, 0.0)


def _run(masks: list[int], n: int, burst: int, x_errors, misread: dict[int, int]) -> np.ndarray:
    psi = np.full(1 << n, (1 << n) ** -0.5, dtype=complex)
    for mask in masks[:burst]:
        psi = _rotate(psi, mask, math.pi / 8)
    merges = masks[burst:]
    index = np.arange(1 << n)
    for slot in range(len(merges) + 1):
        for patch, at in x_errors:
            if at == slot:
                psi = psi[index ^ (1 << patch)]
        if slot < len(merges):
            psi = _rotate(psi, merges[slot], math.pi / 8)
            if slot in misread:
                psi = _rotate(psi, merges[slot], -misread[slot] * math.pi / 4)
    return psi


@dataclass(frozen=True, slots=True)
class Events:
    """One failing twin shot split into events: X errors ``(patch, slot)`` and misread merges."""

    x_errors: tuple[tuple[int, int], ...]
    misreads: tuple[int, ...]


def split_events(mistakes: str, protocol: Protocol = FIFTEEN_TO_ONE) -> Events:
    """Split a twin shot's wrong observables (sinter's ``_E`` string) into X errors and misreads.

    Observables ``0 .. n-1`` are the data patches' logical Z, then one per merge. For each patch whose Z is
    wrong (in order), the slot is the one whose implied merge flips (every later merge on the patch) best match
    the wrong merges on that patch; those flips are then removed. The merge flips left are misreads.

    Examples:
        >>> split_events("E____" + "_______EE_E")  # X on patch 1 before merge 8: merges 8, 9, 11 hold it
        Events(x_errors=((0, 7),), misreads=())
        >>> split_events("_____" + "E__________")
        Events(x_errors=(), misreads=(0,))
    """
    n = protocol.logical_qubits
    merges = _masks(protocol)[protocol.burst :]
    flips = {j for j, c in enumerate(mistakes[n : n + len(merges)]) if c == "E"}
    x_errors = []
    for patch in (q for q, c in enumerate(mistakes[:n]) if c == "E"):
        holding = [j for j, m in enumerate(merges) if m >> patch & 1]
        seen = flips & set(holding)
        slot = min(range(len(merges) + 1), key=lambda t: (len({j for j in holding if j >= t} ^ seen), -t))
        x_errors.append((patch, slot))
        flips ^= {j for j in holding if j >= slot}
    return Events(tuple(x_errors), tuple(sorted(flips)))


def stand_in_costs(combos: dict[str, int], shots: int, protocol: Protocol = FIFTEEN_TO_ONE) -> dict[str, object]:
    """From a twin run's ``obs_mistake_mask=`` counts: event rates and their cost to the real protocol.

    Returns:
        A JSON-ready dict: ``x_error_per_patch`` (shots with an X-type logical error on each data patch, per
        shot), ``misread_per_merge`` (per shot), ``reject`` and ``accepted_wrong`` (per shot, first order: the
        rejection and the accepted wrong outputs these events would add to the real protocol), and
        ``events_per_shot``.
    """
    n, m = protocol.logical_qubits, protocol.steps * protocol.inputs_per_step
    x_counts, misreads = Counter(), Counter()
    reject = wrong = 0.0
    events = 0
    for key, count in combos.items():
        if not key.startswith("obs_mistake_mask="):
            continue
        split = split_events(key.split("=", 1)[1], protocol)
        for patch, _ in split.x_errors:
            x_counts[patch] += count
        for j in split.misreads:
            misreads[j] += count
        events += count * (len(split.x_errors) + len(split.misreads))
        r, w = real_effect(split.x_errors, split.misreads, protocol)
        reject += count * r
        wrong += count * w
    return {
        "x_error_per_patch": [x_counts[q] / shots for q in range(n)],
        "misread_per_merge": [misreads[j] / shots for j in range(m)],
        "events_per_shot": events / shots,
        "reject": reject / shots,
        "accepted_wrong": wrong / shots,
    }


def carried_events(combos: dict[str, int], shots: int, protocol: Protocol = FIFTEEN_TO_ONE) -> dict[str, object]:
    """From the factory's own tally (``factory_events_task`` basis x): the Z-type events it carries, per run.

    A wrong-observable combination is a logical Z on one data patch (one patch wrong), or on merge ``j`` an
    error equal to its rotation's ``P`` -- a Z error of the ``|m>`` patch or of the bus, the counterpart of a
    misread (exactly ``P``'s patches wrong); anything else is ``other`` (two or more events at once).

    Returns:
        A JSON-ready dict: ``z_error_per_patch``, ``p_error_per_merge``, ``other`` (per run).
    """
    n = protocol.logical_qubits
    patch_of = list(protocol.output_qubits) + [c.index("X") for c in protocol.checks]
    merges = [frozenset(i for i, c in enumerate(r) if c == "Z") for r in protocol.rotations[protocol.burst :]]
    patches, on_merge = Counter(), Counter()
    other = 0
    for key, count in combos.items():
        if not key.startswith("obs_mistake_mask="):
            continue
        wrong = frozenset(patch_of[k] for k, c in enumerate(key.split("=", 1)[1]) if c == "E")
        if wrong in merges:
            on_merge[merges.index(wrong)] += count
        elif len(wrong) == 1:
            patches[next(iter(wrong))] += count
        else:
            other += count
    return {
        "z_error_per_patch": [patches[q] / shots for q in range(n)],
        "p_error_per_merge": [on_merge[j] / shots for j in range(len(merges))],
        "other": other / shots,
    }
