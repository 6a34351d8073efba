"""Error models by name or file, for the command line and ``magicpipe.compile`` (the edge that reads files).

``resolve_error_model("paper" | "measured" | FILE)`` returns an
:class:`~magicpipe.compiler.errormodel.ErrorModel`. FILE is JSON: a model as ``ErrorModel.info()`` writes it
(keys ``name``, ``memory`` {``A``, ``p_th``, optional ``corrections``}, ``protocols``), a calibration of
``magicpipe verify model`` (the model under ``"model"``), or a ``summary.json`` of ``magicpipe verify memory``
(its Eq. 2 fit, which gets the measured model's protocol coefficients). ``A,p_th`` is accepted for the old
``--pl-model`` option.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import replace
from typing import Any

from magicpipe.compiler.errormodel import PAPER, ErrorModel, load_measured
from magicpipe.compiler.hardware import Hardware
from magicpipe.errors import SpecError

__all__ = ["DEFAULT_ERROR_MODEL", "ERROR_MODEL_HELP", "resolve_error_model", "with_default_model"]

DEFAULT_ERROR_MODEL = "measured"
ERROR_MODEL_HELP = ("error model: p_L per patch per logical cycle and the protocols' p_L coefficients; 'measured' "
                    "(fitted to this project's Stim simulations, docs/verification.md), 'paper' (Eq. 2 with "
                    "A = 0.03, p_th = 0.01 and Eqs. 3-4 with 7.1, 356), or a JSON model FILE (default: %(default)s)")


def resolve_error_model(spec: Any) -> ErrorModel:
    """The error model named or stored by ``spec`` (module docstring); an ErrorModel is returned as is.

    Raises:
        SpecError: an unknown name, a file that is missing, not JSON, or not a model (naming what is missing).

    Examples:
        >>> resolve_error_model("paper").name, resolve_error_model("measured").name
        ('paper', 'measured')
        >>> resolve_error_model("0.1,0.008").A
        0.1
    """
    if isinstance(spec, ErrorModel):
        return spec
    if not isinstance(spec, (str, pathlib.Path)):
        raise SpecError(f"an error model is 'paper', 'measured' or a JSON file, got {spec!r}")
    text = str(spec)
    if text == "paper":
        return PAPER
    if text == "measured":
        return load_measured()
    parts = text.split(",")
    if len(parts) == 2:
        try:
            a, p_th = float(parts[0]), float(parts[1])
        except ValueError:
            pass
        else:
            from magicpipe.compiler.hardware import LogicalErrorModel

            return LogicalErrorModel(a, p_th, source=f"A,p_th = {text}")
    path = pathlib.Path(text)
    if not path.is_file():
        raise SpecError(f"error model {text!r} is neither 'paper', 'measured' nor an existing JSON file")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise SpecError(f"cannot read an error model from {path}: {e}") from None
    return _from_data(data, path)


def with_default_model(hardware: Hardware | None) -> Hardware:
    """``hardware`` with the project's default model (:data:`DEFAULT_ERROR_MODEL`) where it chose none.

    The public entry points call it, so that rates given without a model plan as the command line plans
    them; a model given explicitly (``PAPER`` included) is kept, and ``None`` is ``Hardware()``.

    Examples:
        >>> with_default_model(Hardware(p=1e-3, eps=1e-3)).model.name
        'measured'
        >>> with_default_model(Hardware(p=1e-3, eps=1e-3, model=PAPER)).model.name
        'paper'
    """
    hw = Hardware() if hardware is None else hardware
    if hw.model_chosen:
        return hw
    return replace(hw, model=resolve_error_model(DEFAULT_ERROR_MODEL))


def _from_data(data: Any, path: pathlib.Path) -> ErrorModel:
    if isinstance(data, dict) and isinstance(data.get("model"), dict):
        return ErrorModel.from_dict(data["model"], str(path))
    if isinstance(data, dict) and data.get("kind") == "memory":
        fit = data.get("fit")
        if not isinstance(fit, dict) or "A" not in fit or "p_th" not in fit:
            raise SpecError(f"{path} holds no fitted 'A' and 'p_th'; run `magicpipe verify memory` over two or more "
                            f"distances, or `magicpipe verify model` for a full model")
        from magicpipe.compiler.hardware import LogicalErrorModel

        return LogicalErrorModel(float(fit["A"]), float(fit["p_th"]), source=f"fit: {path}")
    return ErrorModel.from_dict(data, str(path))
