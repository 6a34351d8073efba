"""A one-line progress report on stderr: done / total, rate and time left, for the commands that run long.

Printed only when the stream is a terminal (a log file or a pipe gets nothing), redrawn in place with a
carriage return at most every ``interval`` seconds and once more, with a newline, when the work ends. No
dependency: the line is what ``tqdm`` would print for a counter, and nothing else is needed from it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO
from collections.abc import Callable

__all__ = ["Progress", "format_seconds"]


def format_seconds(seconds: float) -> str:
    """``h:mm:ss`` (or ``m:ss`` under an hour) of a duration.

    Examples:
        >>> format_seconds(59.4), format_seconds(61), format_seconds(3725)
        ('0:59', '1:01', '1:02:05')
    """
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Count finished work and redraw ``label: done/total unit, rate/s, ETA m:ss`` on ``stream``.

    Args:
        total: units of work in all (points, cells, shots).
        label: what is running, e.g. ``"bench two-level"``.
        unit: the unit's name (``"points"``).
        stream: where to print (default ``sys.stderr``).
        enabled: print or not; default: when ``stream`` is a terminal.
        interval: least seconds between redraws.
        clock: a monotonic clock (tests give their own).
        done: units already finished before this run (a resumed sweep); they count towards ``done`` but not
            towards the rate.

    Examples:
        >>> import io
        >>> out, now = io.StringIO(), iter([0.0, 2.0, 4.0, 4.0]).__next__
        >>> p = Progress(2, "sweep", stream=out, enabled=True, clock=now, interval=0)
        >>> p.update(); p.update(); p.close()
        >>> out.getvalue().split("\\r")[-1]
        'sweep: 2/2 points, 0.5/s, 0:04 elapsed\\n'
    """

    def __init__(
        self,
        total: int,
        label: str,
        *,
        unit: str = "points",
        stream: TextIO | None = None,
        enabled: bool | None = None,
        interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        done: int = 0,
    ) -> None:
        self.total, self.label, self.unit = total, label, unit
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.interval, self.clock = interval, clock
        self.done = self.start_done = done
        self.start = self.last = clock()
        self._text = ""

    def line(self, now: float) -> str:
        """The text of the line at time ``now``."""
        elapsed = now - self.start
        new = self.done - self.start_done
        text = f"{self.label}: {self.done}/{self.total} {self.unit}"
        if new and elapsed > 0:
            rate = new / elapsed
            text += f", {_rate(rate)}/s"
            if self.done < self.total:
                return f"{text}, ETA {format_seconds((self.total - self.done) / rate)}"
        return f"{text}, {format_seconds(elapsed)} elapsed"

    def update(self, n: int = 1) -> None:
        """Count ``n`` more units as done; redraw when ``interval`` has passed."""
        self.done += n
        if not self.enabled:
            return
        now = self.clock()
        if now - self.last >= self.interval:
            self.last = now
            self._draw(self.line(now))

    def close(self) -> None:
        """Draw the final line and end it with a newline."""
        if self.enabled:
            text = self.line(self.clock())
            if text != self._text:
                self._draw(text)
            self.stream.write("\n")
            self.stream.flush()
            self.enabled = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _draw(self, text: str) -> None:
        pad = max(0, len(self._text) - len(text))
        self._text = text
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()


def _rate(rate: float) -> str:
    return f"{rate:.3g}" if rate < 1000 else f"{rate:,.0f}"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
