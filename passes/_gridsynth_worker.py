"""T-counts of ``qiskit.synthesis.gridsynth_rz``, each computed in a fresh process.

Why: Qiskit 2.6's ``gridsynth_rz`` runs the Rust crate ``rsgridsynth``, which keeps process-wide caches
(primality tests, square roots modulo primes, factorisations and Diophantine solutions, in
``rsgridsynth/src/diophantine.rs``). A cache hit skips the random draws the search would otherwise make,
and a cached failure (a random trial or a time-out that found nothing) is returned again for a later
angle, so the word found for one angle depends on what the process synthesised before: the same
``(angle, eps)`` gives different T-counts after other calls. ``rsgridsynth`` has ``clear_caches()``, but
Qiskit does not expose it.

How: :func:`t_counts` talks to one Python process that imports Qiskit and never synthesises anything
itself; for every angle it forks a child (fresh caches, copied from the pristine parent), which
synthesises that one angle and reports its T-count through a pipe. So a count depends only on
``(angle, eps)``, never on call order or on the calling process. Run as a module it is that server:
one ``angle eps`` pair per input line, one T-count per output line. The server is started on the first
call and kept for the later ones (its import of Qiskit is most of a call's cost); it is started again when
it has died or when the calling process is a fork of the one that started it, and stopped at exit.

What remains: ``rsgridsynth`` also bounds its factoring by wall-clock time-outs (50 ms and 200 ms); on a
machine so loaded that a time-out fires, an angle can still come out differently. None was seen here.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import tempfile
import threading
from typing import IO

__all__ = ["t_counts"]


def _one(angle: float, eps: float) -> int:
    from qiskit.synthesis import gridsynth_rz

    ops = gridsynth_rz(angle, eps).count_ops()
    return int(ops.get("t", 0) + ops.get("tdg", 0))


def _forked(angle: float, eps: float) -> int:
    """The T-count computed in a forked child of this (never-synthesising) process."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            os.close(read)
            os.write(write, str(_one(angle, eps)).encode())
        except Exception:  # noqa: BLE001 - any failure is reported through the exit code
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    chunks = []
    while True:
        chunk = os.read(read, 64)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read)
    _, status = os.waitpid(pid, 0)
    if status != 0 or not chunks:
        raise RuntimeError(f"gridsynth_rz({angle!r}, {eps!r}) failed in its worker process")
    return int(b"".join(chunks))


def _serve() -> None:  # pragma: no cover - exercised through t_counts in a subprocess
    import qiskit.synthesis  # noqa: F401  (import once; children inherit it)

    for line in sys.stdin:
        angle, eps = (float(x) for x in line.split())
        sys.stdout.write(f"{_forked(angle, eps)}\n")
        sys.stdout.flush()


_COMMAND = [sys.executable, "-m", "magicpipe.passes._gridsynth_worker"]  # this module, run as the server
_LOCK = threading.Lock()
# (the pid that started it, the server, the file its error output goes to); at most one. The error output goes to a
# file rather than a pipe nobody reads while the server runs: a pipe would fill and block it.
_SERVER: list[tuple[int, subprocess.Popen[str], IO[str]]] = []


def _stop(server: subprocess.Popen[str], err: IO[str]) -> None:
    if server.stdin is not None:
        server.stdin.close()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a server that ignores its closed input
        server.kill()
        server.wait()
    if server.stdout is not None:
        server.stdout.close()
    err.close()


def _server() -> tuple[subprocess.Popen[str], IO[str]]:
    """This process's server, started when there is none, it has exited, or it belongs to the parent of a fork."""
    if _SERVER and _SERVER[0][0] == os.getpid() and _SERVER[0][1].poll() is None:
        return _SERVER[0][1], _SERVER[0][2]
    if _SERVER and _SERVER[0][0] == os.getpid():
        _stop(*_SERVER.pop()[1:])
    _SERVER.clear()  # a fork's copy of the parent's server is the parent's to stop
    # kept open as long as the server runs (closed by _stop), so no context manager
    err = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
    server = subprocess.Popen(_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True,
                              bufsize=1)
    _SERVER.append((os.getpid(), server, err))
    atexit.register(_stop_at_exit, os.getpid(), server, err)
    return server, err


def _stop_at_exit(pid: int, server: subprocess.Popen[str], err: IO[str]) -> None:
    if os.getpid() == pid and not err.closed:  # a forked child that exits leaves its parent's server alone
        _stop(server, err)


def _ask(server: subprocess.Popen[str], err: IO[str], angle: float, eps: float) -> int:
    assert server.stdin is not None and server.stdout is not None
    try:
        server.stdin.write(f"{angle!r} {eps!r}\n")
        server.stdin.flush()
        answer = server.stdout.readline()
    except (BrokenPipeError, OSError):
        answer = ""
    if not answer.strip():
        server.kill()
        server.wait()
        err.seek(0)
        raise RuntimeError(f"gridsynth worker failed: {err.read().strip()[-400:]}")
    return int(answer)


def t_counts(pairs: list[tuple[float, float]]) -> list[int]:
    """T-counts of ``gridsynth_rz(angle, eps)`` for every pair, each in a fresh process (module docstring).

    Falls back to one subprocess per pair where ``os.fork`` does not exist.
    """
    if not pairs:
        return []
    if not hasattr(os, "fork"):  # pragma: no cover - non-POSIX
        out: list[int] = []
        for a, e in pairs:
            done = subprocess.run(_COMMAND, input=f"{a!r} {e!r}\n", capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"gridsynth worker failed: {done.stderr.strip()[-400:]}")
            out.extend(int(x) for x in done.stdout.split())
        return out
    with _LOCK:
        server, err = _server()
        return [_ask(server, err, a, e) for a, e in pairs]


if __name__ == "__main__":  # pragma: no cover
    if hasattr(os, "fork"):
        _serve()
    else:
        for line in sys.stdin:
            a, e = (float(x) for x in line.split())
            print(_one(a, e))
