"""Reading a program: OpenQASM 2 or 3 through Qiskit's loaders, errors as :class:`~magicpipe.errors.ParseError`.

The version comes from the ``OPENQASM`` header. A file without one is OpenQASM 2 when its content says so
(``include "qelib1.inc"``, or ``qreg``/``creg`` declarations, as in QASMBench's files), else OpenQASM 3,
where the header is optional. OpenQASM 2 goes through :func:`qiskit.qasm2.loads` with the legacy custom instructions (so
``qelib1.inc`` gates and the gates Qiskit's exporter defines become Qiskit's standard gates); OpenQASM 3
through :func:`qiskit.qasm3.loads`, which needs the ``qiskit_qasm3_import`` package.
"""

from __future__ import annotations

import pathlib
import re

from qiskit import QuantumCircuit

from magicpipe.errors import ParseError, SpecError

__all__ = ["load_program", "loads_program", "qasm_version", "line_of"]

_HEADER = re.compile(r"^\s*OPENQASM\s+(\d+)", re.MULTILINE)
_QASM2_MARKS = re.compile(r'^\s*(include\s+"qelib1\.inc"\s*;|[qc]reg\s+\w+\s*\[)', re.MULTILINE)
_POSITION = (re.compile(r"L(\d+):C(\d+)"), re.compile(r"(?:<input>:)?(\d+),(\d+):"))


def qasm_version(text: str) -> int:
    """2 or 3, from the header; without one, 2 when the content is OpenQASM 2 (``qelib1.inc``, ``qreg``), else 3.

    Examples:
        >>> qasm_version("OPENQASM 2.0;\\nqreg q[1];"), qasm_version("qubit q;")
        (2, 3)
        >>> qasm_version('include "qelib1.inc";\\nqreg q[2];\\ncx q[0],q[1];')
        2
    """
    without_comments = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.DOTALL)
    m = _HEADER.search(without_comments)
    if m:
        return int(m.group(1))
    return 2 if _QASM2_MARKS.search(without_comments) else 3


def _position(error: BaseException) -> tuple[int, int, str]:
    """(line, column 1-based, message) from a loader's exception chain."""
    e: BaseException | None = error
    while e is not None:
        for holder in (e, *e.args):  # ANTLR keeps the RecognitionException in the args of its wrapper
            token = getattr(holder, "offendingToken", None)
            if token is not None:
                return token.line, token.column + 1, f"syntax error at {token.text!r}"
        e = e.__cause__ or e.__context__
    text = str(error).strip().strip("'\"")
    for pattern in _POSITION:
        m = pattern.search(text)
        if m:
            message = text[m.end():].strip(" :") or text
            return int(m.group(1)), int(m.group(2)) + 1, message
    return 0, 0, text or type(error).__name__


def loads_program(text: str, name: str = "<program>") -> QuantumCircuit:
    """Parse OpenQASM 2 or 3 source.

    Raises:
        ParseError: the source does not parse; carries the line, column and the parser's message.
        SpecError: OpenQASM 3 without the ``qiskit_qasm3_import`` package.

    Examples:
        >>> qc = loads_program('OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; t q[0]; ccx q[0], q[1], q[0];')
        Traceback (most recent call last):
        ...
        magicpipe.errors.ParseError: line 1, column 56: <program>: duplicate qubits in gate application
        ...
        >>> loads_program('OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; t q[0];').count_ops()["t"]
        1
    """
    if not re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.DOTALL).strip():
        raise SpecError(f"{name} is empty: it holds no OpenQASM statement")
    version = qasm_version(text)
    try:
        if version == 2:
            from qiskit import qasm2

            return qasm2.loads(text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
        from qiskit import qasm3
        from qiskit.exceptions import MissingOptionalLibraryError

        try:
            return qasm3.loads(text)
        except MissingOptionalLibraryError as e:
            raise SpecError(
                f"{name} is OpenQASM 3, which Qiskit reads with the qiskit_qasm3_import package; "
                f"pip install qiskit_qasm3_import"
            ) from e
    except SpecError:
        raise
    except Exception as e:  # each loader has its own exception types; all mean "does not parse"
        line, column, message = _position(e)
        lines = text.splitlines()
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        raise ParseError(f"{name}: {message}", line, column, source) from e


def load_program(path: str | pathlib.Path) -> QuantumCircuit:
    """Read an OpenQASM 2 or 3 file (:func:`loads_program`)."""
    p = pathlib.Path(path)
    try:
        text = p.read_text()
    except OSError as e:
        raise SpecError(f"cannot read program {str(p)!r}: {e.strerror}") from e
    return loads_program(text, p.name)


def line_of(text: str, name: str) -> int:
    """First line (1-based) whose statement is a use of gate ``name``, or 0.

    Examples:
        >>> line_of("OPENQASM 2.0;\\nqreg q[1];\\nopaque foo q;\\nfoo q[0];", "foo")
        4
    """
    pattern = re.compile(rf"^\s*{re.escape(name)}\b(?!\s*\()?", re.MULTILINE)
    for i, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(("opaque", "gate", "//", "def")):
            continue
        if pattern.match(line):
            return i
    return 0
