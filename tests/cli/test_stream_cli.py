"""``magicpipe compile`` writes the program's whole stream (format 2): sampled with --seed, checked, delivered =
t_count; ``magicpipe check`` exports it as JSON Lines."""

import json
import pathlib

from magicpipe.cli import main

EXAMPLES = pathlib.Path(__file__).parents[2] / "examples"


def test_compile_writes_a_checked_trace_that_delivers_the_t_count(tmp_path, capsys):
    out = tmp_path / "adder"
    assert main(["compile", str(EXAMPLES / "adder8.qasm"), "--factories", "pipeline", "--out", str(out),
                 "--seed", "4", "--jsonl"]) == 0
    said = capsys.readouterr().out
    assert "trace seed 4" in said and "delivered 64" in said  # 16 Toffolis at 4 T
    record = json.loads((out / "plan.json").read_text())
    assert record["stream"]["delivered"] == record["demand"]["t_count"] == 64
    assert main(["check", str(out)]) == 0
    assert "delivered 64" in capsys.readouterr().out
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
