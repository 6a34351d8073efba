"""How many pipeline copies a program needs (paper Eq. 14).

A pipeline that yields one state every ``T`` rounds yields ``floor(T_prog / T)`` states over a program of
``T_prog`` rounds, so ``M`` states take ``ceil(M / floor(T_prog / T))`` copies; a program shorter than one run
takes ``M`` copies (every state needs its own pipeline).
"""

from __future__ import annotations

import math

from magicpipe.errors import SpecError

__all__ = ["eq14_copies"]

# a program time that is a whole number of runs, up to float rounding, counts as that many runs
_EPS = 1e-9


def eq14_copies(states: int, program_rounds: float, run_rounds: float) -> int:
    """``ceil(M / floor(T_prog / T))`` of Eq. 14, or ``M`` when the program is shorter than one run.

    Raises:
        SpecError: a run that takes no time.

    Examples:
        >>> eq14_copies(100, 1000, 30), eq14_copies(5, 10, 30), eq14_copies(0, 10, 30)
        (4, 5, 0)
    """
    if states <= 0:
        return 0
    if run_rounds <= 0:
        raise SpecError(f"a pipeline run must take positive time, got {run_rounds} rounds")
    runs = math.floor(program_rounds / run_rounds + _EPS)
    return states if runs == 0 else math.ceil(states / runs)
