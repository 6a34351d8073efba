"""One spelling of each hardware option on every command, the old one accepted and hidden."""

import pytest

from magicpipe.cli import build_parser

_COMMANDS = [["pipeline", "--distances", "5,17", "--out", "x"], ["bench", "two-level", "--out", "x"],
             ["bench", "thresholds", "--out", "x"], ["compile", "p.qasm", "--out", "x"]]


@pytest.mark.parametrize("command", _COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_new_and_old_spellings_agree(command):
    parser = build_parser()
    new = parser.parse_args(command + ["--physical-error", "2e-3", "--magic-error", "3e-3", "--t-2q-ns", "40",
                                       "--t-meas-ns", "80"])
    old = parser.parse_args(command + ["--p", "2e-3", "--eps", "3e-3", "--t2q-ns", "40", "--tmeas-ns", "80"])
    for key in ("physical_error", "magic_error", "t_2q_ns", "t_meas_ns"):
        assert getattr(new, key) == getattr(old, key) != parser.parse_args(command).__dict__[key]


@pytest.mark.parametrize("command", [["pipeline"], ["bench", "two-level"], ["bench", "thresholds"], ["compile"],
                                     ["verify", "memory"], ["verify", "factory"], ["verify", "logical"], ["sweep"]])
def test_help_shows_one_spelling(command, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(command + ["--help"])
    text = capsys.readouterr().out
    assert "--t2q-ns" not in text and "--tmeas-ns" not in text and "--p " not in text and "--eps " not in text
    assert "--physical-error" in text or "--magic-error" in text


def test_verify_keeps_its_lists():
    args = build_parser().parse_args(["verify", "factory", "--p", "1e-3", "2e-3", "--eps", "0.01", "--out", "x"])
    assert (args.physical_error, args.magic_error) == ([1e-3, 2e-3], [0.01])
