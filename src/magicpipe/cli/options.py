"""Options shared by several commands, spelled one way everywhere.

The hardware is ``--physical-error``, ``--magic-error``, ``--t-2q-ns`` and ``--t-meas-ns`` on every command; the
older spellings ``--p``, ``--eps``, ``--t2q-ns``, ``--tmeas-ns`` are still accepted, hidden from ``--help``, for a
release. :func:`option` adds one option with hidden aliases; :func:`hardware_options` the four of them.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["option", "hardware_options", "hardware"]

OLD_SPELLINGS = {"--physical-error": "--p", "--magic-error": "--eps", "--t-2q-ns": "--t2q-ns",
                 "--t-meas-ns": "--tmeas-ns"}
"""The hidden alias of each hardware option."""


def option(parser: argparse.ArgumentParser, name: str, *hidden: str, **kwargs: Any) -> None:
    """Add ``name`` with ``kwargs`` and each of ``hidden`` as an alias of it that ``--help`` does not show.

    Examples:
        >>> p = argparse.ArgumentParser()
        >>> option(p, "--physical-error", "--p", type=float, default=1e-4, help="physical error rate")
        >>> p.parse_args(["--p", "1e-3"]).physical_error, p.parse_args([]).physical_error
        (0.001, 0.0001)
        >>> "--p P" in p.format_help()
        False
    """
    action = parser.add_argument(name, **kwargs)
    alias = {k: v for k, v in kwargs.items() if k in ("type", "nargs", "choices", "action", "metavar")}
    for other in hidden:
        parser.add_argument(other, dest=action.dest, default=argparse.SUPPRESS, help=argparse.SUPPRESS, **alias)


def hardware_options(parser: argparse.ArgumentParser, *, p: float = 1e-4, eps: float = 1e-4,
                     error_model: bool = True) -> None:
    """The four hardware options with their defaults (dests ``physical_error``, ``magic_error``, ``t_2q_ns``,
    ``t_meas_ns``) and, with ``error_model``, ``--error-model`` (dest ``error_model``)."""
    from magicpipe.cli._args import finite_float

    gate_ns = finite_float(0, 1e9, lo_open=True)  # up to a second per gate
    option(parser, "--physical-error", "--p", type=float, default=p, metavar="P",
           help="physical error rate per operation (dimensionless, below the code threshold; default: %(default)s)")
    option(parser, "--magic-error", "--eps", type=finite_float(0, 1, lo_open=True, hi_open=True), default=eps,
           metavar="EPS",
           help="error of a raw injected magic state (dimensionless, in (0, 1); default: %(default)s)")
    option(parser, "--t-2q-ns", "--t2q-ns", type=gate_ns, default=50.0, metavar="NS",
           help="two-qubit gate time in ns (default: %(default)s)")
    option(parser, "--t-meas-ns", "--tmeas-ns", type=gate_ns, default=100.0, metavar="NS",
           help="measurement time in ns (default: %(default)s)")
    if error_model:
        from magicpipe.cli.compile import add_error_model_option

        add_error_model_option(parser)


def hardware(args: argparse.Namespace, **extra: Any):
    """The :class:`~magicpipe.compiler.Hardware` of the parsed hardware options and ``--error-model`` (``extra``
    overrides, e.g. ``model``)."""
    from magicpipe.compiler import Hardware

    if "model" not in extra and getattr(args, "error_model", None) is not None:
        from magicpipe.error_models import resolve_error_model

        extra["model"] = resolve_error_model(args.error_model)
    return Hardware(p=args.physical_error, eps=args.magic_error, t_2q_ns=args.t_2q_ns, t_meas_ns=args.t_meas_ns,
                    **extra)
