"""The exceptions magicpipe raises, one class per kind of failure.

Every message restates the broken condition with its values and says what to change.

* :class:`SpecError` -- the input is malformed or outside the model's domain (a distance that is even,
  an error budget outside (0, 1), an input error above the distillation threshold).
* :class:`InfeasibleError` -- the input is well formed but no plan meets it (a qubit budget below one
  factory, a target error no pipeline reaches). The message names the violated bound.
* :class:`ParseError` -- a text stream or program does not parse; carries ``line`` and ``column``.
* :class:`VerificationError` -- a check by simulation or by the validator failed; carries the counterexample.
"""

from __future__ import annotations

__all__ = ["MagicpipeError", "SpecError", "InfeasibleError", "ParseError", "VerificationError"]


class MagicpipeError(Exception):
    """Base class of every error magicpipe raises on purpose."""


class SpecError(MagicpipeError, ValueError):
    """Bad input: a parameter outside the domain of the model."""


class InfeasibleError(MagicpipeError):
    """Well-formed input that no plan satisfies; the message names the bound."""


class ParseError(MagicpipeError, ValueError):
    """Text that does not parse. ``line`` and ``column`` are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0, source_line: str = "") -> None:
        self.line = line
        self.column = column
        self.source_line = source_line
        where = f"line {line}, column {column}: " if line else ""
        caret = ""
        if source_line:
            caret = "\n    " + source_line + "\n    " + " " * max(column - 1, 0) + "^"
        super().__init__(where + message + caret)


class VerificationError(MagicpipeError):
    """A check failed; ``counterexample`` holds what shows it."""

    def __init__(self, message: str, counterexample: object = None) -> None:
        self.counterexample = counterexample
        super().__init__(message)
