"""The static baselines of the paper's Sec. 6, exactly as defined there.

Sequential (Beverland et al. 2022, ref. [7])
    Level l runs ``n_l = 16^(L-l)`` factory copies; levels run one after the other on the same qubits.
    ``Q = max_l n_l Q_l``, ``T = sum_l T_l``. No buffer; residual failures are ignored, as in the paper.

Parallel (ref. [78])
    One top-level factory (``n_L = 1``); lower levels are rate-matched,
    ``n_(l-1) M_(l-1) P_(l-1) / T_(l-1) = n_l N_l / T_l``, and the count is rounded *up* to an integer at each
    level (production must not be slower than consumption), with the success probability P of the producing
    level in the rate. Every factory has its own buffer: 4 patches for a level-1 factory and 8 for a higher
    one, each patch at the distance of the factory it belongs to. ``Q = sum_l n_l (Q_l + B_l)``, ``T = T_L``.

These three choices -- P in the rate, ceil at each level, buffer patches at their factory's distance --
reproduce the ratios sequential/parallel of the paper's Table 3 (superconducting rows) to five digits:
0.96437 for (3, 9), 0.98536 for (5, 15), 0.84898 for (5, 17) (``tests/compiler/test_baselines.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from magicpipe.compiler.pipeline import Pipeline

__all__ = ["BaselineCost", "sequential", "parallel"]

# Rate matching divides floats; a count this close above an integer is that integer.
_CEIL_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class BaselineCost:
    """Qubits and rounds one static pipeline needs for one top-level state.

    Attributes:
        method: ``"sequential"`` or ``"parallel"``.
        qubits: physical qubits.
        rounds: stabilizer rounds.
        copies: factory copies per level, lowest level first.
        buffer_qubits: qubits of buffer patches (0 for sequential).
    """

    method: str
    qubits: int
    rounds: float
    copies: tuple[int, ...]
    buffer_qubits: int = 0

    @property
    def volume(self) -> float:
        """Qubit-round volume ``Q * T``."""
        return self.qubits * self.rounds


def sequential(pipeline: Pipeline, fan_out: int = 16) -> BaselineCost:
    """The sequential baseline: ``n_l = fan_out^(L-l)``, ``Q = max n_l Q_l``, ``T = sum T_l``.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> c = sequential(Pipeline.from_distances((3, 9)))
        >>> c.qubits, c.rounds, c.copies
        (4080, 132, (16, 1))
    """
    L = len(pipeline.levels)
    copies = tuple(fan_out ** (L - lv.index) for lv in pipeline.levels)
    qubits = max(n * lv.qubits for n, lv in zip(copies, pipeline.levels))
    rounds = sum(lv.rounds for lv in pipeline.levels)
    return BaselineCost("sequential", qubits, rounds, copies)


def parallel(pipeline: Pipeline, buffer_patches: tuple[int, int] = (4, 8)) -> BaselineCost:
    """The parallel baseline: one top factory, rate-matched lower levels, fixed buffers.

    Args:
        pipeline: the levels.
        buffer_patches: buffer patches per level-1 factory and per higher-level factory.

    Examples:
        >>> from magicpipe.compiler import Pipeline
        >>> c = parallel(Pipeline.from_distances((3, 9)))
        >>> c.qubits, c.rounds, c.copies
        (5641, 99, (6, 1))
    """
    levels = pipeline.levels
    copies = [0] * len(levels)
    copies[-1] = 1
    for i in range(len(levels) - 1, 0, -1):
        hi, lo = levels[i], levels[i - 1]
        demand_rate = copies[i] * hi.factory.protocol.inputs / hi.rounds
        supply_rate = lo.factory.protocol.outputs * lo.p_succ / lo.rounds
        copies[i - 1] = math.ceil(demand_rate / supply_rate - _CEIL_TOLERANCE)
    buffer_qubits = 0
    qubits = 0
    for n, lv in zip(copies, levels):
        patches = buffer_patches[0] if lv.index == 1 else buffer_patches[1]
        buf = patches * lv.factory.patch_qubits
        buffer_qubits += n * buf
        qubits += n * (lv.qubits + buf)
    return BaselineCost("parallel", qubits, levels[-1].rounds, tuple(copies), buffer_qubits)
