"""A corpus of wrong inputs (tests/data/bad_inputs.json), one per kind: each ends in exit status 2 and one
``magicpipe <command>: error:`` line holding the expected fragment, with no traceback and nothing written.

Entries: ``argv`` with placeholders ``{tmp}`` (a fresh folder), ``{examples}`` (the repository's examples) and
``{stream}`` (a valid stream written by the current writer); ``files`` to create first (text, ``{"hex": ...}``
bytes, or ``{"deep_repeat": n}``: a stream whose body nests n REPEAT blocks); ``error`` the fragment.
"""

import json
import math
import pathlib

import pytest
from magicpipe.compiler import Hardware, LogicalErrorModel, Pipeline
from magicpipe.compiler.allocator import Producer
from magicpipe.compiler.dynamic import simulate
from magicpipe.compiler.pareto import level_producer, pareto_front

from magicpipe.cli import main
from magicpipe.errors import SpecError

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = json.loads((ROOT / "tests" / "data" / "bad_inputs.json").read_text())


def _deep_repeat(tmp: pathlib.Path, depth: int) -> str:
    text = _stream(tmp).read_text()
    header = [line for line in text.splitlines() if not line.startswith("@")]
    return "\n".join(header + ["@0 REPEAT count=2 period=1 {"] * depth + ["}"] * depth) + "\n"


def _stream(tmp: pathlib.Path) -> pathlib.Path:
    from magicpipe.grammar import STREAM_FILE, write_schedule
    from magicpipe.lattice.samples import sample_schedule

    folder = tmp / "valid"
    if not (folder / STREAM_FILE).exists():
        folder.mkdir(exist_ok=True)
        write_schedule(sample_schedule(3), folder)
    return folder / STREAM_FILE


def prepare(case: dict, tmp: pathlib.Path) -> list[str]:
    """Create the case's files in ``tmp``; return its argv with the placeholders filled in."""
    for name, content in case.get("files", {}).items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content)
        elif "hex" in content:
            path.write_bytes(bytes.fromhex(content["hex"]))
        else:
            path.write_text(_deep_repeat(tmp, content["deep_repeat"]))
    fill = {"tmp": str(tmp), "examples": str(ROOT / "examples")}
    if any("{stream}" in a for a in case["argv"]):
        fill["stream"] = str(_stream(tmp))
    return [a.format(**fill) for a in case["argv"]]


def _snapshot(tmp: pathlib.Path) -> dict[str, bytes]:
    return {p.relative_to(tmp).as_posix(): p.read_bytes() for p in sorted(tmp.rglob("*")) if p.is_file()}


def test_the_corpus_has_sixty_kinds_with_distinct_ids():
    ids = [c["id"] for c in CORPUS]
    assert len(ids) >= 60 and len(set(ids)) == len(ids)
    assert all(c["error"] for c in CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_bad_input(case, tmp_path, capsys):
    argv = prepare(case, tmp_path)
    before = _snapshot(tmp_path)
    code = main(argv)
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code == 2, captured.err
    assert "Traceback" not in captured.err
    assert lines and lines[0].startswith(f"{case['prog']}: error: "), captured.err
    assert sum(line.startswith("magicpipe") for line in lines) == 1
    assert case["error"].replace("{tmp}", str(tmp_path)) in lines[0], captured.err
    assert _snapshot(tmp_path) == before  # nothing written, nothing changed


INF, NAN = math.inf, math.nan
API = [
    (lambda: Hardware(t_2q_ns=INF), "t_2q_ns must be a finite number, got inf"),
    (lambda: Hardware(t_meas_ns=NAN), "t_meas_ns must be a finite number, got nan"),
    (lambda: Hardware(p=NAN), "p must be a finite number"),
    (lambda: Hardware(eps=INF), "eps must be a finite number"),
    (lambda: Hardware(t_2q_ns="50"), "t_2q_ns must be a finite number, got '50' (str)"),
    (lambda: Hardware(t_2q_ns=-1.0), "gate times must lie in (0, 1e9] ns"),
    (lambda: Hardware(t_meas_ns=1e308), "gate times must lie in (0, 1e9] ns"),
    (lambda: Hardware(model=None), "Hardware.model must be an ErrorModel, got NoneType"),
    (lambda: LogicalErrorModel(A=INF), "prefactor A must be a finite number"),
    (lambda: LogicalErrorModel(p_th=NAN), "threshold p_th must be a finite number"),
    (lambda: Producer("x", INF, 10, 1, 1.0, 1e-9, 3), "qubits must be a finite number"),
    (lambda: Pipeline.from_distances((5, 17), "paper"), "hardware must be a Hardware, got str"),
    (
        lambda: pareto_front(Pipeline.from_distances((3, 5)), max_output_error=NAN),
        "max_output_error must lie in (0, 1)",
    ),
    (lambda: _simulate(qubit_budget=INF), "qubit_budget must be an integer, got inf"),
    (lambda: _simulate(slot_qubits=0), "slot_qubits=0 must be positive"),
    (lambda: _simulate(buffer_slots=2.5), "buffer_slots must be an integer, got 2.5"),
]


def _simulate(qubit_budget=20000, buffer_slots=8, slot_qubits=49):
    pipe = Pipeline.from_distances((5, 17))
    return simulate(pipe.levels[1].factory, (level_producer(pipe, 1),), qubit_budget, buffer_slots, slot_qubits)


@pytest.mark.parametrize("make, message", API, ids=[m for _, m in API])
def test_bad_api_value(make, message):
    with pytest.raises(SpecError) as e:
        make()
    assert message in str(e.value)


def test_error_budget_refuses_non_finite_shares():
    from magicpipe.passes import ErrorBudget

    with pytest.raises(SpecError, match="must be finite numbers"):
        ErrorBudget(1e-3, NAN, 0.5, 0.5)
    with pytest.raises(SpecError, match="error budget must lie in"):
        ErrorBudget(INF)
