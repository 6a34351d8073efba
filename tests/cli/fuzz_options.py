"""Every option of the commands given odd values: each run must end in exit status 0 or 2 with no internal
error and no traceback (not part of the default test run; a few minutes):

    python tests/cli/fuzz_options.py

Prints each run that breaks the rule and the count at the end (0 when none does).
"""

import contextlib
import io
import itertools
import pathlib
import signal
import sys
import tempfile

from magicpipe.cli import main

TINY = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nt q[0];\ncx q[0],q[1];\nrz(0.3) q[1];\n'
VALUES = ["inf", "nan", "-1", "0", "1e308", "", "x", "1e-320", "99999999999999999999", "1,2", "0.5", "3", "1e-300",
          ",", "5,5,5,5,5,5,5,5"]
OPTIONS = {
    "compile": ["--error-budget", "--budget-split", "--physical-error", "--magic-error", "--t-2q-ns", "--t-meas-ns",
                "--pl-model", "--objective", "--max-physical-qubits", "--max-runtime-us", "--layout", "--synthesis",
                "--toffoli-t-cost", "--optimization-level", "--storage-decay", "--factories", "--seed", "--max-levels",
                "--error-model"],
    "counts": ["--toffoli-t-cost", "--out"],
    "protocols": ["--physical-error", "--magic-error", "--physics", "--target", "--kinds"],
    "pipeline": ["--distances", "--p", "--eps", "--t2q-ns", "--tmeas-ns", "--shots", "--seed"],
    "bench two-level": ["--min-distance", "--max-distance", "--p", "--eps", "--t2q-ns", "--tmeas-ns"],
    "bench thresholds": ["--min-exponent", "--max-exponent", "--step", "--max-distance", "--p", "--eps"],
    "report": ["--times", "--cells"],
    "check": ["--max-errors", "--json"],
}


def _base(tmp: pathlib.Path) -> dict[str, list[str]]:
    stream = str(tmp / "p")
    out = str(tmp / "o")
    program = tmp / "tiny.qasm"
    program.write_text(TINY)
    return {
        "compile": ["compile", str(program), "--out", out, "--max-levels", "2"],
        "counts": ["counts", str(program)],
        "protocols": ["protocols"],
        "pipeline": ["pipeline", "--distances", "3,5", "--error-model", "paper", "--out", out],
        "bench two-level": ["bench", "two-level", "--min-distance", "3", "--max-distance", "5", "--workers", "1",
                            "--out", out],
        "bench thresholds": ["bench", "thresholds", "--min-exponent", "10", "--max-exponent", "10", "--max-distance",
                             "9", "--workers", "1", "--out", out],
        "report": ["report", stream, "--out", out, "--no-front"],
        "check": ["check", stream],
    }


def _argv(base: list[str], option: str, value: str) -> list[str]:
    argv = list(base)
    if option in argv:
        argv[argv.index(option) + 1] = value
        return argv
    if option in ("--json", "--out") and "--out" not in argv:
        return argv + [option, f"j/{value}", "--force"]
    return argv + ([f"{option}={value}"] if value.startswith("-") else [option, value])


def _timeout(*_):
    raise TimeoutError


def fuzz(seconds: int = 60) -> int:
    signal.signal(signal.SIGALRM, _timeout)
    broken = 0
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):  # relative outputs land in folder
        tmp = pathlib.Path(folder)
        assert main(["pipeline", "--distances", "3,5", "--error-model", "paper", "--out", str(tmp / "p")]) == 0
        for command, base in _base(tmp).items():
            for option, value in itertools.product(OPTIONS[command], VALUES):
                err = io.StringIO()
                signal.alarm(seconds)
                try:
                    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                        code = main(_argv(base, option, value))
                except TimeoutError:
                    code = "timeout"
                finally:
                    signal.alarm(0)
                text = err.getvalue()
                if code not in (0, 2) or "internal error" in text or "Traceback" in text:
                    broken += 1
                    print(f"{command} {option} {value!r}: {code} {text.strip()[:300]}", flush=True)
    print(f"{broken} run(s) broke the rule")
    return broken


if __name__ == "__main__":
    sys.exit(1 if fuzz() else 0)
