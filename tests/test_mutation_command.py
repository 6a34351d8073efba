"""The mutation-testing command (tests/mutate.py) on a small module: candidates, one change each, restored."""

import ast
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("mutate", ROOT / "tests" / "mutate.py")
mutate = importlib.util.module_from_spec(_spec)
sys.modules["mutate"] = mutate
_spec.loader.exec_module(mutate)


def test_candidates_change_one_node_and_skip_messages():
    path = ROOT / "compiler" / "baselines.py"
    before = path.read_bytes()
    found = mutate.candidates([path])
    assert found == mutate.candidates([path])  # a fixed order: the same seed draws the same mutants
    assert {m.kind for m in found} == set(mutate.KINDS) and all(m.path == "compiler/baselines.py" for m in found)
    original = ast.dump(ast.parse(path.read_text()))
    for m in found[::7]:
        changed = ast.dump(ast.parse(mutate.mutated_source(m)))
        assert changed != original, m
    assert path.read_bytes() == before  # listing and building mutants write nothing
    tree = ast.parse(before.decode())
    raises = [r for r in ast.walk(tree) if isinstance(r, ast.Raise)]
    messages = {n.lineno for r in raises for n in ast.walk(r) if hasattr(n, "lineno")}
    assert messages and not {m.line for m in found} & messages  # error messages are not mutated


def test_selection_runs_the_files_that_run_the_statement(tmp_path, monkeypatch):
    """A mutant is run against the test files whose tests ran a line of its statement (a compound statement's
    header only); a statement run only at import reaches every file (those that ran the module first); one that
    nothing runs is not run at all."""
    monkeypatch.setattr(mutate, "ROOT", tmp_path)
    (tmp_path / "m.py").write_text(
        "X = 3\n"                        # 1: module level, run at import
        "def f(a, b=2):\n"               # 2: the default is evaluated at import
        "    if a > 1:\n"                # 3
        "        return a + b\n"         # 4
        "    if a < -5:\n"               # 5
        "        return 7\n"             # 6: run by no test
        "    return 0\n"                 # 7
    )
    found = {(m.line, m.kind, m.after): m for m in mutate.candidates([tmp_path / "m.py"])}
    assert {(m.line, m.span) for m in found.values()} == {(1, (1, 1)), (2, (2, 2)), (3, (3, 3)), (4, (4, 4)),
                                                          (5, (5, 5)), (6, (6, 6)), (7, (7, 7))}
    table = {mutate.IMPORT: {"m.py": [1, 2]}, "t1.py": {"m.py": [3, 4]}, "t2.py": {"m.py": [3, 5, 7]},
             "t3.py": {"other.py": [1]}}
    assert mutate.select(found[(4, "arith", "Sub")], table) == ["t1.py"]
    assert mutate.select(found[(3, "const", "2")], table) == ["t1.py", "t2.py"]
    assert mutate.select(found[(7, "const", "1")], table) == ["t2.py"]
    assert mutate.select(found[(1, "const", "4")], table) == ["t1.py", "t2.py", "t3.py"]
    assert mutate.select(found[(2, "const", "3")], table)[-1] == "t3.py"
    assert mutate.select(found[(6, "const", "8")], table) == []


def test_cache_sizes_warnings_and_default_seeds_are_not_mutated():
    """``lru_cache(maxsize=...)`` changes speed, ``warnings`` calls what is shown, a default seed which fixed
    stream is used: none is a candidate; another default (``k=5``) is."""
    tree = ast.parse("import functools, warnings\n@functools.lru_cache(maxsize=64)\ndef f(x, seed=3, *, k=5):\n"
                     "    warnings.warn('w', stacklevel=2)\n    return x + 1\n")
    skip = mutate._skipped(tree)
    kept = [mutate._variants(n) for n in ast.walk(tree) if id(n) not in skip and mutate._variants(n)]
    assert sorted([v[1:] for v in k] for k in kept) == [[("1", "2"), ("1", "0")], [("5", "6"), ("5", "4")],
                                                         [("Add", "Sub")]]


def test_arguments_of_a_raising_helper_are_messages():
    """A module-level function whose body only raises (``check._fail``) takes a message: its calls' arguments
    are not candidates; the condition that calls it is."""
    tree = ast.parse('def _fail(msg, **v):\n    """Doc."""\n    raise ValueError(msg)\n'
                     'def f(a):\n    if a > 2:\n        _fail(f"{a - 1}", got=a + 1)\n')
    skip = mutate._skipped(tree)
    kept = [v[1:] for n in ast.walk(tree) if id(n) not in skip for v in mutate._variants(n)]
    assert sorted(kept) == [("2", "1"), ("2", "3"), ("Gt", "GtE")]
