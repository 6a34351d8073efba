"""Mutation testing of the pure core: how many small, meaningful changes of ``compiler/`` do the tests notice?

Usage (from the repository root, with the project installed editable)::

    python tests/mutate.py --count 30 --seed 1 --out mutants.csv
    python tests/mutate.py --list              # every candidate mutation, nothing run

Every candidate is one AST change at one place of one module of ``compiler/``:

* ``compare``  -- ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``;
* ``arith``    -- ``+`` <-> ``-``;
* ``minmax``   -- a call of ``min`` becomes ``max`` and back;
* ``const``    -- an integer or float constant ``c`` becomes ``c + 1`` or ``c - 1`` (two candidates);
* ``bool``     -- ``True`` <-> ``False``, ``and`` <-> ``or``.

Places that cannot change a result the tests could see are not candidates: docstrings and other strings, the
arguments of ``raise`` (error messages) and of ``assert``, ``__all__``, ``__repr__``/``__str__`` bodies and type
annotations. The candidates are listed in a fixed order (module, line, column, kind) and ``--count`` of them
drawn with ``random.Random(seed)``, so the same seed draws the same mutants.

Each mutant is written over its module (the module is rewritten with ``ast.unparse``, so the whole file is
reformatted, but only the one node differs), then ``pytest tests/compiler -x -q -p no:randomly`` runs in a
subprocess with ``--timeout`` seconds of wall time; the module's original bytes are restored afterwards, also on
an error or Ctrl-C. A mutant is ``killed`` when the tests fail (or the module no longer imports), ``timeout``
when they run past the limit (counted as killed: a hang is noticed), ``survived`` when they pass. The CSV has a
row per mutant; the kill rate is printed at the end.

The tests run against the worktree's own files, so do not run other tests or edit ``compiler/`` meanwhile.
"""

from __future__ import annotations

import argparse
import ast
import copy
import csv
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

    @property
    def name(self) -> str:
        return f"{self.path}:{self.line}:{self.col}:{self.kind}"


def _skipped(tree: ast.Module) -> set[int]:
    """ids of nodes inside places a mutation cannot make visible (see the module docstring)."""
    skip: set[int] = set()

    def mark(node: ast.AST) -> None:
        skip.update(id(n) for n in ast.walk(node))

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
        elif isinstance(node, ast.AnnAssign):
            mark(node.annotation)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            mark(node)
    return skip


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
        for index, node in enumerate(ast.walk(tree)):
            if id(node) in skip:
                continue
            for variant, (kind, before, after) in enumerate(_variants(node)):
                out.append(Mutant(str(path.relative_to(ROOT)), getattr(node, "lineno", 0),
                                  getattr(node, "col_offset", 0), kind, index, variant, before, after))
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


def run_one(m: Mutant, pytest_args: list[str], timeout: float) -> tuple[str, float]:
    """Apply ``m``, run the tests, restore the module; ``(status, seconds)``."""
    path = ROOT / m.path
    original = path.read_bytes()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
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
    p.add_argument("--out", type=Path, default=Path("mutants.csv"), help="CSV written (default mutants.csv)")
    p.add_argument("--list", action="store_true", help="list the candidates and exit")
    args = p.parse_args(argv)
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
    chosen = random.Random(args.seed).sample(pool, min(args.count, len(pool)))
    pytest_args = [*args.tests.split(), "-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    rows = []
    for k, m in enumerate(chosen, start=1):
        status, seconds = run_one(m, pytest_args, args.timeout)
        rows.append({"mutant": m.name, "before": m.before, "after": m.after, "status": status,
                     "seconds": round(seconds, 1)})
        print(f"[{k}/{len(chosen)}] {status:<8} {seconds:6.1f} s  {m.name}  {m.before} -> {m.after}", flush=True)
    with args.out.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["mutant"])
        w.writeheader()
        w.writerows(rows)
    killed = sum(r["status"] != "survived" for r in rows)
    print(f"killed {killed} of {len(rows)} ({100 * killed / max(len(rows), 1):.0f}%) of {len(pool)} candidates; "
          f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
