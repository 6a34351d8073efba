"""``--storage-decay on|fixed-slots|off``: one spelling and one meaning on every command that plans."""

import argparse

import pytest

from magicpipe.cli import build_parser, main
from magicpipe.cli._args import STORAGE_DECAY_CHOICES, storage_decay_options
from magicpipe.errors import SpecError


def _choices(*path: str) -> tuple:
    parser = build_parser()
    for name in path:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    action = next(a for a in parser._actions if "--storage-decay" in a.option_strings)
    return tuple(action.choices), action.default


def test_compile_and_bench_peers_spell_it_the_same():
    assert _choices("compile") == _choices("bench", "peers") == (("on", "fixed-slots", "off"), "on")
    assert STORAGE_DECAY_CHOICES == ("on", "fixed-slots", "off")
    assert [storage_decay_options(c) for c in STORAGE_DECAY_CHOICES] == [
        {"storage_decay": True, "grow_slots": True}, {"storage_decay": True, "grow_slots": False},
        {"storage_decay": False, "grow_slots": False}]


@pytest.mark.parametrize("choice", STORAGE_DECAY_CHOICES)
def test_bench_peers_plans_with_the_choice(monkeypatch, tmp_path, capsys, choice):
    """``bench peers`` hands the choice to magicpipe's planner as ``compile`` does (stopped at the first plan)."""
    import magicpipe.peers

    seen = {}

    def ours(counts, preset, **kwargs):
        seen.update(kwargs)
        raise SpecError("stop here")

    monkeypatch.setattr(magicpipe.peers, "ours", ours)
    argv = ["bench", "peers", "--workloads", "100q-1e6T", "--presets", "e3", "--storage-decay", choice,
            "--out", str(tmp_path)]
    assert main(argv) == 2 and "stop here" in capsys.readouterr().err
    assert {k: seen[k] for k in ("storage_decay", "grow_slots")} == storage_decay_options(choice)
