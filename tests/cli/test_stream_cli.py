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
