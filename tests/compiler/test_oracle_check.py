"""``check`` refuses schedules tampered one field at a time, each with the message of the invariant it breaks.

The schedules are the tiny pipelines of ``test_oracle_dynamic.py`` (a 51-qubit factory of one burst state and three
one-input steps of 3 rounds, a 10-qubit producer of 5 rounds), whose event lists are derived by hand there.
"""

from __future__ import annotations

import dataclasses

import pytest

from test_oracle_dynamic import HIGH, LOW

from magicpipe.compiler import check
from magicpipe.compiler.dynamic import simulate
from magicpipe.errors import VerificationError

ONE = simulate(HIGH, (LOW,), 71, 2, 5)  # fill 0-5 (3 copies), launch at 5, takes at 5, 5, 8, 11, end 14
TWO = simulate(HIGH, (LOW,), 71, 2, 5, tops=2)  # the second launch at 19 after a re-fill run 14-19


def _with_take(s, index, **changes):
    takes = list(s.takes)
    takes[index] = dataclasses.replace(takes[index], **changes)
    return dataclasses.replace(s, takes=tuple(takes))


def _with_run(s, index, **changes):
    runs = list(s.runs)
    runs[index] = dataclasses.replace(runs[index], **changes)
    return dataclasses.replace(s, runs=tuple(runs))


def test_the_untampered_schedules_pass():
    check(ONE)
    check(TWO)
    assert [(k.time, k.step) for k in ONE.takes] == [(5, 0), (5, 1), (8, 2), (11, 3)]
    assert [(r.role, r.start, r.end) for r in TWO.runs if r.role == "fill" and r.start > 0] == [("fill", 14, 19)]


def test_a_burst_of_the_wrong_size_at_the_launch():
    with pytest.raises(VerificationError, match="burst of 2 states at round 5, expected 1"):
        check(_with_take(ONE, 0, count=2))


def test_a_first_rotation_after_the_launch():
    """Step 1 moved from the launch (5) to 6, with the later steps kept 3 rounds apart from it (9, 12) and the end
    3 rounds after: only the first rotation's start is wrong."""
    s = _with_take(_with_take(_with_take(ONE, 1, time=6), 2, time=9), 3, time=12)
    s = dataclasses.replace(s, tops=(dataclasses.replace(s.tops[0], end=15),))
    with pytest.raises(VerificationError, match="first rotation starts after its launch at round 5"):
        check(s)


def test_a_re_fill_run_that_ends_after_the_next_launch():
    """The second execution launches at 19; its re-fill run (begun at 14, after the first execution ended) made
    to end at 20 holds the region past the launch."""
    index = next(r.id for r in TWO.runs if r.role == "fill" and r.start == 14)
    with pytest.raises(VerificationError, match="fill run .* ends at round 20, after execution 1's launch"):
        check(_with_run(TWO, index, end=20))


def test_a_buffer_that_goes_below_empty():
    """A fill run that yields nothing (failed) leaves two states for the burst and step 1 at 5, so step 2 at 8
    takes from an empty buffer: the level after the takes is -1 (reported before conservation is counted)."""
    s = _with_run(ONE, 2, success=False, outputs=0)
    with pytest.raises(VerificationError, match="round 8: the buffer holds"):
        check(s, allow_failures=True)
