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
