"""Design-space sweeps: a grid of hardware, error budgets and architectures over one program, one row per point.

A :class:`Grid` holds one tuple of values per parameter (:data:`PARAMS`); its points are the product, in a
fixed order, numbered from 0. Each point is worked out by :func:`evaluate_point` -- a pure function of the
program and the point's parameters, so a point gives the same row on any machine -- and becomes one row
(:func:`point_row`): the index, the parameters, ``status`` (``ok`` or ``infeasible``), the result fields
(:data:`RESULT_FIELDS`), the reason of an infeasible point, and ``seconds`` (the only column that depends on
where it ran). ``magicpipe sweep`` (:mod:`magicpipe.cli.sweep`) is the edge that appends those rows to a CSV
file as they finish and resumes from it.

:func:`sweep_definition` is what identifies a sweep (program digest and grid); a resumed run must match it,
and :func:`definition_difference` names the first parameter that does not.
"""

from __future__ import annotations

import hashlib
import itertools
import pathlib
import time
from dataclasses import dataclass, fields
from typing import Any

from magicpipe.compiler import Hardware
from magicpipe.errors import InfeasibleError, SpecError

__all__ = [
    "Grid", "PARAMS", "RESULT_FIELDS", "COLUMNS", "RUN_DEPENDENT_COLUMNS", "SCHEMA", "evaluate_point",
    "point_row", "run_point", "load_sweep_program", "sweep_definition", "definition_difference",
]

SCHEMA = "magicpipe.sweep/2"  # 2: the error model is an axis (and a column)

# Parameters of a point, in the grid's nesting order (the last varies fastest).
PARAMS = ("p", "eps", "t_2q_ns", "t_meas_ns", "error_model", "error_budget", "max_levels", "method", "objective")

# What evaluate_point returns for a feasible point (the keys, exactly).
RESULT_FIELDS = (
    "t_count",          # T-type magic states the program consumes
    "distances",        # the T-state factory's code distances, lowest level first ("5-17"; "" without one)
    "output_error",     # error of one distilled state
    "copies",           # copies of the T-state factory feeding the program
    "ccz_copies",       # copies of the CCZ factory meeting the Toffolis with CCZ states (0: Toffolis take T states)
    "ccz_distances",    # the CCZ factory's code distances, as the catalogue lists them ("" without one)
    "ccz_output_error", # error of one CCZ state (0.0 without CCZ factories)
    "factory_qubits",   # physical qubits of those copies and their output buffer
    "data_distance",    # code distance of the program's data patches
    "data_qubits",      # physical qubits of the program's data patches
    "physical_qubits",  # factory_qubits + data_qubits
    "runtime_us",       # the program's running time, the factories' head start included
)
COLUMNS = ("index", *PARAMS, "status", *RESULT_FIELDS, "reason", "seconds")
RUN_DEPENDENT_COLUMNS = ("seconds",)

OBJECTIVES = ("volume", "qubits", "runtime", "time")
# whose chosen point a row reports: the plan's own front with the factory catalogue, the paper's pipeline alone,
# or a baseline on the same program
METHODS = ("all", "dynamic", "sequential", "parallel")


def _values(name: str, values: Any, kind: type) -> tuple:
    values = tuple(dict.fromkeys(values))  # first occurrence order, duplicates dropped
    if not values:
        raise SpecError(f"sweep: give at least one value of {name}")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float) if kind is float else kind):
            raise SpecError(f"sweep: {name} values must be {kind.__name__}s, got {v!r}")
    return tuple(kind(v) for v in values)


@dataclass(frozen=True, slots=True)
class Grid:
    """The values of each parameter (:data:`PARAMS`); the sweep's points are their product.

    Raises:
        SpecError: an empty or ill-typed axis, a hardware combination :class:`Hardware` refuses, a budget
            outside (0, 1), ``max_levels`` below 1, an unknown method or objective.

    Examples:
        >>> g = Grid(p=(1e-4, 1e-3), error_budget=(1e-3,), method=("dynamic", "sequential"))
        >>> len(g), g.points()[1]["method"], g.points()[2]["p"]
        (4, 'sequential', 0.001)
    """

    p: tuple[float, ...] = (1e-4,)
    eps: tuple[float, ...] = (1e-4,)
    t_2q_ns: tuple[float, ...] = (50.0,)
    t_meas_ns: tuple[float, ...] = (100.0,)
    error_model: tuple[str, ...] = ("measured",)
    error_budget: tuple[float, ...] = (1e-3,)
    max_levels: tuple[int, ...] = (3,)
    method: tuple[str, ...] = ("dynamic",)
    objective: tuple[str, ...] = ("volume",)

    def __post_init__(self) -> None:
        for f in fields(self):
            kind = {"max_levels": int, "method": str, "objective": str, "error_model": str}.get(f.name, float)
            object.__setattr__(self, f.name, _values(f.name, getattr(self, f.name), kind))
        models = [_model(m) for m in self.error_model]  # each read once (a model file too)
        for *hw, model in itertools.product(self.p, self.eps, self.t_2q_ns, self.t_meas_ns, models):
            Hardware(*hw, model=model)
        for b in self.error_budget:
            if not 0 < b < 1:
                raise SpecError(f"sweep: error budgets must lie in (0, 1), got {b!r}")
        for n in self.max_levels:
            if n < 1:
                raise SpecError(f"sweep: max_levels must be at least 1, got {n}")
        for m in self.method:
            if m not in METHODS:
                raise SpecError(f"sweep: unknown method {m!r}; methods: {', '.join(METHODS)}")
        for o in self.objective:
            if o not in OBJECTIVES:
                raise SpecError(f"sweep: unknown objective {o!r}; objectives: {', '.join(OBJECTIVES)}")

    def __len__(self) -> int:
        n = 1
        for name in PARAMS:
            n *= len(getattr(self, name))
        return n

    def points(self) -> list[dict[str, Any]]:
        """Every point's parameters, in index order."""
        axes = [getattr(self, name) for name in PARAMS]
        return [dict(zip(PARAMS, values)) for values in itertools.product(*axes)]

    def to_dict(self) -> dict[str, list]:
        return {name: list(getattr(self, name)) for name in PARAMS}


def _model(spec: str) -> Any:
    from magicpipe.error_models import resolve_error_model

    return resolve_error_model(spec)


def hardware_of(params: dict[str, Any]) -> Hardware:
    """The :class:`Hardware` of a point, its error model included (``paper``, ``measured`` or a model file)."""
    return Hardware(p=params["p"], eps=params["eps"], t_2q_ns=params["t_2q_ns"], t_meas_ns=params["t_meas_ns"],
                    model=_model(params["error_model"]))


def evaluate_point(program: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The figures of one point: :data:`RESULT_FIELDS` for ``program`` under ``params``.

    The program (a circuit or logical counts) is planned by :func:`magicpipe.compile` at the point's hardware,
    budget, levels and objective; the point's ``method`` picks whose chosen point is reported: ``all`` (the
    plan's own front, the factory catalogue included), ``dynamic`` (the paper's pipeline alone), or a baseline
    (``sequential``, ``parallel``) planned on the same program.

    Args:
        program: a Qiskit ``QuantumCircuit`` or :class:`magicpipe.compiler.LogicalCounts`.
        params: one point of a :class:`Grid`.

    Returns:
        A dict with exactly the keys of :data:`RESULT_FIELDS`.

    Raises:
        InfeasibleError: no plan of up to ``max_levels`` levels reaches the point's budget.
        SpecError: bad parameters.
    """
    import magicpipe

    method = params["method"]
    comp = magicpipe.compile(program, hardware=hardware_of(params), error_budget=params["error_budget"],
                             objective=params["objective"], max_levels=params["max_levels"],
                             catalogue=method == "all")
    pt = comp.chosen if method in ("all", "dynamic") else comp.baseline(method)
    if pt is None:
        raise InfeasibleError(f"no {method} point for this program")
    factory = pt.factory_qubits + pt.buffer_qubits
    ccz = pt.ccz_source if pt.ccz_copies else None
    return {
        "t_count": comp.demand.t_states,
        "distances": "-".join(map(str, pt.source.distances)) if pt.copies else "",
        "output_error": pt.source.output_error if pt.copies else 0.0,
        "copies": pt.copies,
        "ccz_copies": pt.ccz_copies,
        "ccz_distances": "-".join(map(str, ccz.distances)) if ccz is not None else "",
        "ccz_output_error": ccz.output_error if ccz is not None else 0.0,
        "factory_qubits": factory,
        "data_distance": pt.data.distance,
        "data_qubits": pt.data_qubits,
        "physical_qubits": factory + pt.data_qubits,
        "runtime_us": pt.runtime_us,
    }


def point_row(index: int, params: dict[str, Any], result: dict[str, Any] | None, reason: str = "",
              seconds: float = 0.0) -> dict[str, Any]:
    """The CSV row of a point (:data:`COLUMNS`); ``result`` None marks it infeasible, for ``reason``."""
    if result is not None and set(result) != set(RESULT_FIELDS):
        raise SpecError(f"sweep: evaluate_point returned {sorted(result)}, expected {sorted(RESULT_FIELDS)}")
    row = {"index": index, **params, "status": "ok" if result is not None else "infeasible"}
    row.update(result or dict.fromkeys(RESULT_FIELDS, ""))
    row.update(reason=reason, seconds=round(seconds, 3))
    return row


def run_point(job: tuple[int, Any, dict[str, Any]]) -> dict[str, Any]:
    """The task a sweep runs per point (on any executor): ``job`` is ``(index, program, params)``.

    An infeasible point is a row with ``status=infeasible``; any other error stops the sweep, naming the point.
    """
    index, program, params = job
    start = time.perf_counter()
    try:
        result = evaluate_point(program, params)
    except InfeasibleError as e:
        return point_row(index, params, None, str(e), time.perf_counter() - start)
    except SpecError as e:
        where = ", ".join(f"{k}={v}" for k, v in params.items())
        raise SpecError(f"point {index} ({where}): {e}") from None
    return point_row(index, params, result, "", time.perf_counter() - start)


def load_sweep_program(path: str | pathlib.Path) -> tuple[Any, dict[str, str]]:
    """Read a program file: ``.json`` as logical counts, anything else as OpenQASM 2/3.

    Returns:
        The program and its identity ``{"file", "kind", "sha256"}`` (the digest of the file's bytes).

    Raises:
        SpecError, ParseError: an unreadable or malformed file.
    """
    path = pathlib.Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SpecError(f"sweep: cannot read program {str(path)!r}: {e.strerror}") from None
    if path.suffix.lower() == ".json":
        from magicpipe.compiler import LogicalCounts

        program, kind = LogicalCounts.from_json(data.decode()), "counts"
    else:
        from magicpipe.passes import load_program

        program, kind = load_program(path), "circuit"
    return program, {"file": path.name, "kind": kind, "sha256": hashlib.sha256(data).hexdigest()}


def sweep_definition(program_id: dict[str, str], grid: Grid) -> dict[str, Any]:
    """What identifies a sweep (written to ``sweep.json``): schema, program digest, grid and row columns."""
    return {"schema": SCHEMA, "program": dict(program_id), "grid": grid.to_dict(), "columns": list(COLUMNS)}


def definition_difference(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """The first difference between two sweep definitions, in words, or None when they are the same sweep.

    Examples:
        >>> a = sweep_definition({"file": "x.qasm", "kind": "circuit", "sha256": "ab"}, Grid())
        >>> definition_difference(a, sweep_definition({"file": "x.qasm", "kind": "circuit", "sha256": "ab"},
        ...                                           Grid(p=(1e-3,))))
        'p is [0.0001] there, [0.001] here'
    """
    if old.get("schema") != new["schema"]:
        return f"schema is {old.get('schema')!r} there, {new['schema']!r} here"
    if old.get("program", {}).get("sha256") != new["program"]["sha256"]:
        return f"the program differs ({old.get('program', {}).get('file')!r} there, {new['program']['file']!r} here)"
    for name in PARAMS:
        there, here = old.get("grid", {}).get(name), new["grid"][name]
        if there != here:
            return f"{name} is {there} there, {here} here"
    if old.get("columns") != new["columns"]:
        return "the row columns differ (written by another magicpipe version)"
    return None
