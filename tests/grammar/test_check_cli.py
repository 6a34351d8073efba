"""``magicpipe check``: exit 0 on a valid stream, 1 with the violations, 2 on a parse error; JSON export."""

import json
import pathlib

from magicpipe.cli import main
from magicpipe.grammar import STREAM_FILE, loads, parse_file, write_schedule
from magicpipe.lattice.samples import sample_schedule

CORPUS = pathlib.Path(__file__).parents[1] / "data" / "streams"


def test_valid_stream_in_a_folder(tmp_path, capsys):
    write_schedule(sample_schedule(3), tmp_path)
    assert (tmp_path / STREAM_FILE).exists()
    assert main(["check", str(tmp_path), "--json", str(tmp_path / "s.json")]) == 0
    out = capsys.readouterr().out
    assert "valid:" in out and "states: produced" in out
    assert loads((tmp_path / "s.json").read_text()) == parse_file(tmp_path / STREAM_FILE)
    assert json.loads((tmp_path / "s.json").read_text())["format"] == "magicpipe-lsi"


def test_invalid_stream_lists_line_instruction_and_rule(capsys):
    path = CORPUS / "invalid" / "slot-full.lsi"
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{path}:line 31: slot-full: slot 0 already holds a state at round 55"
    assert err[1].strip() == "@55 OUTPUT L5 slot=0 run=5"


def test_parse_error_has_a_caret(capsys):
    assert main(["check", str(CORPUS / "invalid" / "syntax-missing-operand.lsi")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "magicpipe check: error: line 47, column 34: unexpected 'reuse'; expected 'remaining'"
    assert err[2].index("^") == 4 + 33
