"""`magicpipe compile` on OpenQASM 2 and 3 files, and its errors."""

import argparse
import json
import pathlib

import pytest

from magicpipe.cli import build_parser, main
from magicpipe.errors import ParseError

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def _compile(tmp_path, program, *options):
    code = main(["compile", str(program), "--out", str(tmp_path), "--max-levels", "2", *options])
    return code, (json.loads((tmp_path / "plan.json").read_text()) if code == 0 else None)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_compile_the_adder_example(tmp_path, capsys):
    code, record = _compile(tmp_path, EXAMPLES / "adder8.qasm")
    assert code == 0
    circuit = record["demand"]["circuit"]
    assert record["demand"]["t_count"] == circuit["t_count"] == 16 * 4  # 2n Toffolis of 4 T each, n = 8
    assert circuit["toffolis"] == 16 and circuit["logical_qubits"] == 18 + 1  # 2n + 2 wires, one Toffoli ancilla
    assert record["schema"] == "magicpipe.plan/2" and list(record["baselines"]) == ["sequential", "parallel"]
    assert "wrote" in capsys.readouterr().out


def test_compile_seven_t_toffolis_on_request(tmp_path):
    code, record = _compile(tmp_path, EXAMPLES / "adder8.qasm", "--toffoli-t-cost", "7")
    assert code == 0
    circuit = record["demand"]["circuit"]
    assert (record["demand"]["t_count"], circuit["t_count"], circuit["ancillas"]) == (16 * 7, 16 * 7, 0)


def test_openqasm3_with_a_loop(tmp_path):
    src = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nfor int i in [0:2] { t q[1]; }\ntdg q[0];\n'
    code, record = _compile(tmp_path, _write(tmp_path, "loop.qasm", src))
    assert code == 0 and record["demand"]["t_count"] == 4


def test_no_magic_states_said_plainly(tmp_path, capsys):
    src = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0];\ncx q[0],q[1];\n'
    code, record = _compile(tmp_path, _write(tmp_path, "bell.qasm", src))
    assert code == 0 and record["front"][record["chosen"]]["factory_qubits"] == 0
    assert "no distillation factory is needed" in capsys.readouterr().out


def test_qasm2_that_does_not_parse(tmp_path, capsys):
    src = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0]\ncx q[0],q[1];\n'
    code, _ = _compile(tmp_path, _write(tmp_path, "bad.qasm", src))
    err = capsys.readouterr().err
    assert code == 2
    assert "line 5, column 1" in err and "needed ';'" in err


def test_qasm3_that_does_not_parse():
    with pytest.raises(ParseError) as info:
        from magicpipe.passes.program import loads_program

        loads_program('OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nh q[0]\ncx q[0], q[1];\n')
    assert info.value.line == 5 and "syntax error at 'cx'" in str(info.value)


def test_unsupported_instruction_named_with_its_line(tmp_path, capsys):
    src = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nopaque oracle a, b;\nqreg q[2];\nt q[0];\noracle q[0], q[1];\n'
    code, _ = _compile(tmp_path, _write(tmp_path, "opaque.qasm", src))
    err = capsys.readouterr().err
    assert code == 2
    assert "unsupported instruction 'oracle'" in err and "instruction #1 on q[0], q[1]" in err
    assert "line 6" in err


@pytest.mark.parametrize("option, message", [
    (["--error-budget", "1.5"], "error budget must lie in (0, 1)"),
    (["--physical-error", "0.02"], "physical error p=0.02 must lie in"),
    (["--magic-error", "0.3"], "distillation threshold"),
    (["--objective", "qubits", "--max-physical-qubits", "50"], "no point of the front meets --max-physical-qubits 50"),
    (["--max-runtime-us", "0.5"], "no point of the front meets --max-runtime-us 0.5; the nearest needs"),
])
def test_bad_options_exit_2_with_the_reason(tmp_path, capsys, option, message):
    code, _ = _compile(tmp_path, EXAMPLES / "adder8.qasm", *option)
    assert code == 2
    assert message in capsys.readouterr().err


def test_every_option_states_its_unit():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    helps = {a.dest: a.help for a in sub.choices["compile"]._actions
             if a.dest not in ("help", "program", "out", "counts", "debug", "force") and a.help != argparse.SUPPRESS}
    units = (
        "dimensionless",
        "ns",
        "us",
        "qubits",
        "fractions",
        "levels",
        "level",
        "Pareto",
        "T-count",
        "'paper'",
        "tiles",
    )
    for dest, text in helps.items():
        assert any(u in text for u in units), f"--{dest} help has no unit: {text}"


def test_logical_error_model_from_the_command_line(tmp_path):
    code, record = _compile(tmp_path, EXAMPLES / "adder8.qasm", "--pl-model", "0.1,0.008", "--physical-error", "1e-3")
    assert code == 0
    model = record["error_model"]
    assert (model["name"], model["memory"]["A"], model["memory"]["p_th"]) == ("custom", 0.1, 0.008)
