"""``magicpipe stream``: a program's whole stream, sampled with --seed, checked, delivered = t_count."""

import pathlib

from magicpipe.cli import main

EXAMPLES = pathlib.Path(__file__).parents[2] / "examples"


def test_stream_writes_a_checked_trace_that_delivers_the_t_count(tmp_path, capsys):
    out = tmp_path / "adder"
    assert main(["stream", str(EXAMPLES / "adder8.qasm"), "--out", str(out), "--seed", "4", "--jsonl"]) == 0
    said = capsys.readouterr().out
    assert "trace seed 4" in said and "delivered 112 of t_count 112" in said
    assert main(["check", str(out)]) == 0
    assert "delivered 112" in capsys.readouterr().out
    assert (out / "schedule.jsonl").read_text().count("\n") > 100


def test_check_exports_json_lines_of_a_version_2_stream(tmp_path, capsys):
    import json

    from magicpipe.grammar.jsonl import from_jsonl
    from magicpipe.grammar.parser2 import parse_program
    from magicpipe.lattice.whole import ProgramLayout, program_stream2, unit_one_level

    s = program_stream2(ProgramLayout(2, 9), unit_one_level("15-to-1", 5), 2, [(0, 40, 2, 9)])
    (tmp_path / "schedule.lsi").write_text(str(s))
    out = tmp_path / "s.jsonl"
    assert main(["check", str(tmp_path), "--json", str(out)]) == 0
    assert "delivered 80" in capsys.readouterr().out
    lines = out.read_text().splitlines()
    assert json.loads(lines[0])["kind"] == "header"
    head, ops = from_jsonl(lines)
    assert parse_program(str(s)).ops == tuple(ops)
    (tmp_path / "schedule.lsi").write_text(str(s).replace("LAYER states=2", "LAYER states=3", 1))
    assert main(["check", str(tmp_path)]) == 1
