"""The error budget lives in the pure core: :class:`magicpipe.compiler.budget.ErrorBudget`."""

from magicpipe.compiler.budget import ErrorBudget

__all__ = ["ErrorBudget"]
