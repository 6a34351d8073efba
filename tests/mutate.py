"""Mutation testing of the pure core: how many small, meaningful changes of ``compiler/`` do the tests notice?

Usage (from the repository root, with the project installed editable)::

    python tests/mutate.py --count 40 --seed 12 --timeout 200 --out mutants.csv
    python tests/mutate.py --list              # every candidate mutation, nothing run
    python tests/mutate.py --mutant compiler/steady.py:44:7:compare   # re-run named mutants (checking a new pin)
    python tests/mutate.py --count 40 --seed 35 --timeout 200 --wider "tests/compiler tests/lattice ..."  # two rates

Every candidate is one AST change at one place of one module of ``compiler/``:

* ``compare``  -- ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``;
* ``arith``    -- ``+`` <-> ``-``;
* ``minmax``   -- a call of ``min`` becomes ``max`` and back;
* ``const``    -- an integer or float constant ``c`` becomes ``c + 1`` or ``c - 1`` (two candidates);
* ``bool``     -- ``True`` <-> ``False``, ``and`` <-> ``or``.

Meaningful mutants. A mutant is *meaningful* when some input within the documented contract makes the mutated
core return a different value or raise differently. Places where no mutant can be meaningful are not candidates
(a fixed, structural rule): docstrings and other strings; the arguments of ``raise`` (error messages) and of
``assert`` and of a module's helper that only raises (``check._fail``); ``__all__``; ``__repr__``/``__str__``
bodies; type annotations; the arguments of ``lru_cache``/``cache`` (a memo's size changes speed only) and of the
``warnings`` calls (which warnings are shown); the default of a parameter named ``seed`` (which fixed stream a
default seed picks is arbitrary; determinism is the contract).
A drawn mutant that survives is *equivalent* only for one of three written reasons, argued per mutant in
``docs/testing.md``: (a) a dead value -- a default every call passes, an initial value overwritten before it is
read, a part of a record no code reads; (b) a bound that never binds -- a clamp no reachable state hits, an ILP
variable the constraints force to zero; (c) an effort limit -- a cap, horizon or pruning threshold whose contract
is only "large enough", moved by one so that only inputs that exhaust it, or digits below the module's stated
precision, change; and a value computed only to be formatted into an error message. Every other survivor counts
against the kill rate, transcribed data (a published table that no invariant constrains) included.

Which tests run. The candidates are listed in a fixed order (module, line, column, kind) and ``--count`` of them
drawn with ``random.Random(seed)``, so the same seed draws the same mutants on the same code. Each mutant runs only
the test files that can notice it: a traced run records which lines of ``compiler/`` each test file runs, kept in
``--cache`` per test file and keyed by the project's sources, the tests' helpers and that file (a new or edited
test file is traced alone; a change of a source retraces all); a mutant's statement (a compound statement's
header only) run by some files' tests runs those files, cheapest first; one run only at import (a module or
class body: a table, a default, a dataclass field, whichever test imported the module first) runs every file,
those that run the module first; one that no test runs is ``uncovered`` and not run (it survives: nothing could
notice). ``--all-tests`` runs every file for every mutant instead. ``--wider TESTS`` names a second noticing set
(a superset of ``--tests``, e.g. the whole suite without ``tests/verification``): the mutants ``--tests`` leaves
alive run against it too, and both rates are reported. A mutant is named ``path:line:col:kind``; its ``id``
(``name:after@index``, in the CSV) is unique where the name is not, and ``--mutant`` takes either.

Each mutant is written over its module (the module is rewritten with ``ast.unparse``, so the whole file is
reformatted, but only the one node differs), then ``pytest FILES -x -q -p no:randomly`` runs in a subprocess with
``--timeout`` seconds of wall time (and ``--test-timeout`` per test), Hypothesis derandomised (``CI=true``); the
module's original bytes are restored afterwards, also on an error or Ctrl-C. A mutant is ``killed`` when the
tests fail (or the module no longer imports), ``timeout`` when they run past the limit (counted as killed: a hang
is noticed), ``survived`` when they pass. The CSV has a row per mutant; the kill rate is printed at the end.

The tests run against the worktree's own files, so do not run other tests or edit ``compiler/`` meanwhile.
"""

from __future__ import annotations

import argparse
import ast
import copy
import csv
import hashlib
import inspect
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("compare", "arith", "minmax", "const", "bool")
_FLIP_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
                 ast.NotEq: ast.Eq}
_FLIP_ARITH = {ast.Add: ast.Sub, ast.Sub: ast.Add}
_FLIP_BOOL = {ast.And: ast.Or, ast.Or: ast.And}


@dataclass(frozen=True)
class Mutant:
    """One candidate: ``path`` relative to the root, the ``index``-th node met in a walk of the module, the kind,
    and a before/after description."""

    path: str
    line: int
    col: int
    kind: str
    index: int
    variant: int
    before: str
    after: str
    span: tuple[int, int] = (0, 0)

    @property
    def name(self) -> str:
        return f"{self.path}:{self.line}:{self.col}:{self.kind}"

    @property
    def ident(self) -> str:
        """``name:after@index``: unique where the name is not (``a - b - c`` has two ``-`` at one column)."""
        return f"{self.name}:{self.after}@{self.index}"


def _skipped(tree: ast.Module) -> set[int]:
    """ids of nodes inside places a mutation cannot make visible (see the module docstring)."""
    skip: set[int] = set()

    def mark(node: ast.AST) -> None:
        skip.update(id(n) for n in ast.walk(node))

    def only_raises(f: ast.stmt) -> bool:
        body = [b for b in getattr(f, "body", [])
                if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]  # a docstring
        return isinstance(f, ast.FunctionDef) and len(body) == 1 and isinstance(body[0], ast.Raise)

    raisers = {f.name for f in tree.body if only_raises(f)}  # helpers that only raise: their arguments are messages
    for node in ast.walk(tree):
        if isinstance(node, (ast.Raise, ast.Assert)):
            mark(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name in ("__repr__", "__str__"):
                mark(node)
            if node.returns is not None:
                mark(node.returns)
            for a in node.args.args + node.args.kwonlyargs + node.args.posonlyargs:
                if a.annotation is not None:
                    mark(a.annotation)
            positional = node.args.posonlyargs + node.args.args
            defaults = list(zip(positional[len(positional) - len(node.args.defaults):], node.args.defaults))
            defaults += [(a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d is not None]
            for a, d in defaults:
                if a.arg == "seed":  # which fixed stream a default seed picks is arbitrary: determinism is the contract
                    mark(d)
        elif isinstance(node, ast.AnnAssign):
            mark(node.annotation)
        elif (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
              or isinstance(node, ast.Call) and _call_name(node) in _NOT_VALUES
              or isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in raisers):
            mark(node)
    return skip


def _call_name(node: ast.Call) -> str:
    """``f`` of ``f(...)`` and ``m.f(...)``."""
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


# Calls whose arguments change no value a caller receives: a memo's size (speed only), and the warnings machinery
# (which warnings are shown or silenced, not what is computed).
_NOT_VALUES = {"lru_cache", "cache", "catch_warnings", "simplefilter", "filterwarnings", "warn"}


def _spans(tree: ast.Module) -> dict[int, tuple[int, int]]:
    """id of every node -> the lines of its innermost statement that run when that node is evaluated: a simple
    statement's lines; a compound statement's header (decorators, ``def`` line and defaults, an ``if`` or
    ``while`` test, a ``for`` iterable, ``with`` items, an ``except`` clause's type), not its body."""
    spans: dict[int, tuple[int, int]] = {}

    def header(stmt: ast.AST) -> tuple[int, int]:
        start = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])  # type: ignore[attr-defined]
        body = getattr(stmt, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            return start, max(start, body[0].lineno - 1)
        return start, stmt.end_lineno or stmt.lineno  # type: ignore[attr-defined]

    def visit(node: ast.AST, span: tuple[int, int]) -> None:
        if isinstance(node, (ast.stmt, ast.excepthandler)):
            span = header(node)
        spans[id(node)] = span
        for child in ast.iter_child_nodes(node):
            visit(child, span)

    visit(tree, (0, 0))
    return spans


def _variants(node: ast.AST) -> list[tuple[str, str, str]]:
    """``(kind, before, after)`` of every mutation of ``node`` itself."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _FLIP_COMPARE:
        new = _FLIP_COMPARE[type(node.ops[0])]
        return [("compare", type(node.ops[0]).__name__, new.__name__)]
    if isinstance(node, ast.BinOp) and type(node.op) in _FLIP_ARITH:
        return [("arith", type(node.op).__name__, _FLIP_ARITH[type(node.op)].__name__)]
    if isinstance(node, ast.AugAssign) and type(node.op) in _FLIP_ARITH:
        return [("arith", type(node.op).__name__ + "=", _FLIP_ARITH[type(node.op)].__name__ + "=")]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "max"):
        return [("minmax", node.func.id, "max" if node.func.id == "min" else "min")]
    if isinstance(node, ast.BoolOp):
        return [("bool", type(node.op).__name__, _FLIP_BOOL[type(node.op)].__name__)]
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return [("bool", repr(node.value), repr(not node.value))]
        if isinstance(node.value, (int, float)):
            before = repr(node.value)
            return [("const", before, repr(node.value + 1)), ("const", before, repr(node.value - 1))]
    return []


def candidates(paths: list[Path]) -> list[Mutant]:
    """Every candidate mutation of ``paths``, in a fixed order."""
    out: list[Mutant] = []
    for path in paths:
        tree = ast.parse(path.read_text())
        skip = _skipped(tree)
        spans = _spans(tree)
        for index, node in enumerate(ast.walk(tree)):
            if id(node) in skip:
                continue
            for variant, (kind, before, after) in enumerate(_variants(node)):
                out.append(Mutant(str(path.relative_to(ROOT)), getattr(node, "lineno", 0),
                                  getattr(node, "col_offset", 0), kind, index, variant, before, after,
                                  spans[id(node)]))
    out.sort(key=lambda m: (m.path, m.line, m.col, m.kind, m.index, m.variant))
    return out


def mutated_source(m: Mutant) -> str:
    """The module's source with mutation ``m`` applied."""
    tree = ast.parse((ROOT / m.path).read_text())
    node = next(n for i, n in enumerate(ast.walk(tree)) if i == m.index)
    if isinstance(node, ast.Compare):
        node.ops = [_FLIP_COMPARE[type(node.ops[0])]()]
    elif isinstance(node, (ast.BinOp, ast.AugAssign)):
        node.op = _FLIP_ARITH[type(node.op)]()
    elif isinstance(node, ast.Call):
        node.func = copy.copy(node.func)
        node.func.id = m.after  # type: ignore[attr-defined]
    elif isinstance(node, ast.BoolOp):
        node.op = _FLIP_BOOL[type(node.op)]()
    elif isinstance(node, ast.Constant):
        node.value = (not node.value) if isinstance(node.value, bool) else node.value + (1 if m.variant == 0 else -1)
    return ast.unparse(tree) + "\n"


# --- which tests can notice a mutant: the lines each test file runs ------------------------------------------------

IMPORT = "<import>"  # lines run outside any test: module bodies, class bodies, ``def`` lines and their defaults


class _Tracer:
    """A pytest plugin recording, per test file, the lines of ``compiler/`` that its tests run (setup, call and
    teardown). Memo caches of the project are cleared when a new test file starts, so a file's lines do not
    depend on what an earlier file left in a cache; the run before any test (collection, imports) is ``IMPORT``."""

    def __init__(self, folder: Path) -> None:
        self.prefix = str(folder) + os.sep
        self.lines: dict[str, set[tuple[str, int]]] = {IMPORT: set()}
        self.sink = self.lines[IMPORT]
        self.file = ""
        self.seconds: dict[str, float] = {}

    def _global(self, frame, event, arg):  # noqa: ANN001, ANN202 (sys.settrace's signature)
        return self._local if frame.f_code.co_filename.startswith(self.prefix) else None

    def _local(self, frame, event, arg):  # noqa: ANN001, ANN202
        if event == "line":
            # a module or class body (no fresh locals) runs once, at the import, whichever test imports it first:
            # its lines are IMPORT's, so a mutant there reaches every file, not only the first importer
            sink = self.sink if frame.f_code.co_flags & inspect.CO_NEWLOCALS else self.lines[IMPORT]
            sink.add((frame.f_code.co_filename, frame.f_lineno))
        return self._local

    def start(self) -> None:
        import threading

        threading.settrace(self._global)
        sys.settrace(self._global)

    def pytest_runtest_protocol(self, item, nextitem):  # noqa: ANN001, ANN201 (a hook wrapper, see _run_trace)
        file = item.nodeid.split("::")[0]
        if file != self.file:
            self.file = file
            _clear_caches()
        self.sink = self.lines.setdefault(file, set())
        start = time.perf_counter()
        yield
        self.seconds[file] = self.seconds.get(file, 0.0) + time.perf_counter() - start
        self.sink = self.lines[IMPORT]


def _clear_caches() -> None:
    """Empty the project's memo caches; a cache of one entry is a lazily built singleton whose identity tests
    may check, so it is kept."""
    for name, module in list(sys.modules.items()):
        if name.startswith("magicpipe") and module is not None:
            for value in list(vars(module).values()):
                info = getattr(value, "cache_info", None)
                if callable(info) and getattr(value, "__module__", "") == name and info().maxsize != 1:
                    value.cache_clear()


_SOURCES = ("compiler", "lattice", "grammar", "passes", "verification", "src")
_TRACE_VERSION = "2"  # what the tracer records; a change retraces (2: module and class bodies always IMPORT's)


def _common_hash() -> hashlib._Hash:
    """A hash of what every test file's trace depends on besides the file itself: the project's sources (a test of
    ``lattice/`` runs the core through ``lattice/``), the tests' helpers (every ``.py`` of ``tests/`` not named
    ``test_*``: conftests, shared builders; not this script) and ``pyproject.toml`` (pytest's options)."""
    h = hashlib.sha256(_TRACE_VERSION.encode())
    files = [f for folder in _SOURCES for f in sorted((ROOT / folder).rglob("*.py"))]
    files += [f for f in sorted((ROOT / "tests").rglob("*.py"))
              if not f.name.startswith("test_") and f.name != "mutate.py"]
    for f in [*files, ROOT / "pyproject.toml"]:
        if f.exists():
            h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return h


def _test_files(tests: list[str]) -> list[str]:
    """The test files ``tests`` names (a folder: its ``test_*.py`` files, recursively), relative to the root."""
    out: list[str] = []
    for t in tests:
        target = ROOT / t
        found = sorted(target.rglob("test_*.py")) if target.is_dir() else [target]
        out += [str(f.relative_to(ROOT)) for f in found if str(f.relative_to(ROOT)) not in out]
    return out


def trace(tests: list[str], cache_dir: Path) -> dict[str, dict[str, list[int]]]:
    """``{test file: {module path: [lines run]}}`` for the unmutated core, with ``IMPORT`` for the lines run
    outside tests; each test file's lines are computed once per state of the files (a traced run, a few times
    slower than a plain run) and kept in ``cache_dir``, keyed by the project's sources, the tests' helpers and
    that file: adding or editing one test file traces that file only. ``"<seconds>"`` holds each file's traced
    time (the cheapest files run first, so a mutant that fails stops early)."""
    common = _common_hash()
    files = _test_files(tests)
    keys = {}
    for f in files:
        h = common.copy()
        h.update(f.encode() + b"\0" + (ROOT / f).read_bytes())
        keys[f] = cache_dir / "files" / f"{h.hexdigest()[:16]}.json"
    imports = cache_dir / f"import-{common.hexdigest()[:16]}.json"
    missing = [f for f in files if not keys[f].exists()] if imports.exists() else files
    if missing:
        (cache_dir / "files").mkdir(parents=True, exist_ok=True)
        out = cache_dir / f"run-{os.getpid()}.json"
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", CI="true")
        proc = subprocess.run([sys.executable, __file__, "--trace-to", str(out), "--tests",
                               " ".join(missing)], cwd=ROOT, env=env)
        if proc.returncode != 0 or not out.exists():
            raise SystemExit(f"mutate.py: error: the traced run of {' '.join(missing)} failed (exit "
                             f"{proc.returncode}); the unmutated tests must pass first")
        run = json.loads(out.read_text())
        out.unlink()
        seconds = run.pop("<seconds>")
        known = json.loads(imports.read_text()) if imports.exists() else {}
        for module, lines in run.pop(IMPORT).items():  # module bodies: the same whichever files import them
            known[module] = sorted(set(known.get(module, [])) | set(lines))
        imports.write_text(json.dumps(known, sort_keys=True))
        for f in missing:
            keys[f].write_text(json.dumps({"lines": run.get(f, {}), "seconds": seconds.get(f, 0.0)},
                                          sort_keys=True))
    table: dict = {IMPORT: json.loads(imports.read_text())}
    timing = {}
    for f in files:
        entry = json.loads(keys[f].read_text())
        table[f] = entry["lines"]
        timing[f] = entry["seconds"]
    table["<seconds>"] = timing
    return table


def _run_trace(tests: list[str], out: Path) -> int:
    import pytest

    _Tracer.pytest_runtest_protocol = pytest.hookimpl(hookwrapper=True)(_Tracer.pytest_runtest_protocol)
    tracer = _Tracer(ROOT / "compiler")
    tracer.start()
    code = pytest.main([*tests, "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "--timeout=0"],
                       plugins=[tracer])
    sys.settrace(None)
    if code != 0:
        return int(code)
    table: dict = {}
    for file, lines in tracer.lines.items():
        by_module: dict[str, set[int]] = {}
        for filename, line in lines:
            by_module.setdefault(str(Path(filename).relative_to(ROOT)), set()).add(line)
        table[file] = {k: sorted(v) for k, v in sorted(by_module.items())}
    table["<seconds>"] = {f: round(t, 3) for f, t in tracer.seconds.items()}
    out.write_text(json.dumps(table, sort_keys=True))
    return 0


def select(m: Mutant, table: dict[str, dict[str, list[int]]]) -> list[str] | None:
    """The test files that can notice ``m``: those whose tests run a line of its statement (``m.span``). A
    statement run only outside tests (a module-level table, a default, a dataclass field) can reach any test, so
    every file, those that run the module first. ``[]``: no test runs the statement, so none can notice. Within
    each group the files run cheapest first (``table["<seconds>"]``, when the trace timed them)."""
    lo, hi = m.span
    seconds = table.get("<seconds>", {})

    def runs(lines: list[int]) -> bool:
        return any(lo <= line <= hi for line in lines)

    files = sorted((f for f in table if f not in (IMPORT, "<seconds>")), key=lambda f: seconds.get(f, 0.0))
    hit = [f for f in files if runs(table[f].get(m.path, []))]
    if hit:
        return hit
    if runs(table[IMPORT].get(m.path, [])):
        return sorted(files, key=lambda f: m.path not in table[f])
    return []


def run_one(m: Mutant, pytest_args: list[str], timeout: float) -> tuple[str, float]:
    """Apply ``m``, run the tests, restore the module; ``(status, seconds)``."""
    path = ROOT / m.path
    original = path.read_bytes()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", CI="true")
    start = time.perf_counter()
    try:
        path.write_text(mutated_source(m))
        try:
            proc = subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
            status = "survived" if proc.returncode == 0 else "killed"
        except subprocess.TimeoutExpired:
            status = "timeout"
    finally:
        path.write_bytes(original)
    return status, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="mutation testing of compiler/ (see the module docstring)")
    p.add_argument("--count", type=int, default=30, help="mutants to draw (default 30)")
    p.add_argument("--seed", type=int, default=1, help="seed of the draw (default 1)")
    p.add_argument("--kinds", default=",".join(KINDS), help=f"kinds to draw from (default {','.join(KINDS)})")
    p.add_argument("--modules", default="compiler", help="folder or file(s), comma-separated (default compiler)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant's test run (default 300)")
    p.add_argument("--tests", default="tests/compiler", help="what pytest runs (default tests/compiler)")
    p.add_argument("--wider", default="",
                   help="a second, wider noticing set: the mutants --tests leaves alive run against it too, and both "
                        "rates are reported (the CSV's wider_status); e.g. the whole suite but tests/verification")
    p.add_argument("--out", type=Path, default=Path("mutants.csv"), help="CSV written (default mutants.csv)")
    p.add_argument("--list", action="store_true", help="list the candidates and exit")
    p.add_argument("--all-tests", action="store_true",
                   help="run every test file of --tests for each mutant, not only those that run its line")
    p.add_argument("--cache", type=Path, default=ROOT / "build" / "mutate",
                   help="where the traced lines are kept (default build/mutate)")
    p.add_argument("--mutant", action="append", default=[],
                   help="run these mutants instead of a draw: 'path:line:col:kind' or 'path:line:col:kind:after' "
                        "or 'path:line:col:kind:after@index' (the CSV's id, unique) (repeatable; e.g. to check that "
                        "a new test kills the survivor it was written for)")
    p.add_argument("--test-timeout", type=float, default=60.0,
                   help="seconds per test within a mutant's run (pytest-timeout; default 60): a hang fails fast")
    p.add_argument("--trace-to", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.trace_to:
        return _run_trace(args.tests.split(), args.trace_to)
    paths: list[Path] = []
    for item in args.modules.split(","):
        target = ROOT / item
        paths += sorted(target.glob("*.py")) if target.is_dir() else [target]
    kinds = set(args.kinds.split(","))
    pool = [m for m in candidates(paths) if m.kind in kinds]
    if args.list:
        for m in pool:
            print(f"{m.name}\t{m.before} -> {m.after}")
        print(f"{len(pool)} candidates", file=sys.stderr)
        return 0
    if args.mutant:
        chosen = [m for m in pool if {m.name, f"{m.name}:{m.after}", m.ident} & set(args.mutant)]
    else:
        chosen = random.Random(args.seed).sample(pool, min(args.count, len(pool)))
    options = ["-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", f"--timeout={args.test_timeout:g}"]
    table = None if args.all_tests else trace(args.tests.split(), args.cache)
    rows = []
    for k, m in enumerate(chosen, start=1):
        files = args.tests.split() if table is None else select(m, table)
        status, seconds = run_one(m, [*files, *options], args.timeout) if files else ("uncovered", 0.0)
        rows.append({"mutant": m.name, "before": m.before, "after": m.after, "status": status,
                     "seconds": round(seconds, 1), "tests": len(files), "id": m.ident})
        print(f"[{k}/{len(chosen)}] {status:<9} {seconds:6.1f} s {len(files):3d} files  {m.name}  "
              f"{m.before} -> {m.after}", flush=True)
    if args.wider:  # the mutants --tests did not kill, against the wider set (a superset notices what it did)
        wide = None if args.all_tests else trace(args.wider.split(), args.cache)
        for row, m in zip(rows, chosen):
            row["wider_status"] = row["status"]
            if row["status"] in ("survived", "uncovered"):
                files = args.wider.split() if wide is None else select(m, wide)
                status, seconds = run_one(m, [*files, *options], args.timeout) if files else ("uncovered", 0.0)
                row["wider_status"] = status
                print(f"[wider] {status:<9} {seconds:6.1f} s {len(files):3d} files  {m.name}  "
                      f"{m.before} -> {m.after}", flush=True)
    with args.out.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["mutant"])
        w.writeheader()
        w.writerows(rows)
    for column, label in (("status", args.tests), ("wider_status", args.wider)):
        if label:
            killed = sum(r[column] in ("killed", "timeout") for r in rows)
            print(f"{label}: killed {killed} of {len(rows)} ({100 * killed / max(len(rows), 1):.0f}%)")
    print(f"{len(rows)} mutants of {len(pool)} candidates; wrote {args.out}")
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
