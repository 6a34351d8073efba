"""T-counts of ``qiskit.synthesis.gridsynth_rz``, each computed in a fresh process.

Why: Qiskit 2.6's ``gridsynth_rz`` runs the Rust crate ``rsgridsynth``, which keeps process-wide caches
(primality tests, square roots modulo primes, factorisations and Diophantine solutions, in
``rsgridsynth/src/diophantine.rs``). A cache hit skips the random draws the search would otherwise make,
and a cached failure (a random trial or a time-out that found nothing) is returned again for a later
angle, so the word found for one angle depends on what the process synthesised before: the same
``(angle, eps)`` gives different T-counts after other calls. ``rsgridsynth`` has ``clear_caches()``, but
Qiskit does not expose it.

How: :func:`t_counts` starts one Python process that imports Qiskit and never synthesises anything
itself; for every angle it forks a child (fresh caches, copied from the pristine parent), which
synthesises that one angle and reports its T-count through a pipe. So a count depends only on
``(angle, eps)``, never on call order or on the calling process. Run as a module it is that server:
one ``angle eps`` pair per input line, one T-count per output line.

What remains: ``rsgridsynth`` also bounds its factoring by wall-clock time-outs (50 ms and 200 ms); on a
machine so loaded that a time-out fires, an angle can still come out differently. None was seen here.
"""

from __future__ import annotations

import os
import subprocess
import sys

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


def t_counts(pairs: list[tuple[float, float]]) -> list[int]:
    """T-counts of ``gridsynth_rz(angle, eps)`` for every pair, each in a fresh process (module docstring).

    Falls back to one subprocess per pair where ``os.fork`` does not exist.
    """
    if not pairs:
        return []
    text = "".join(f"{a!r} {e!r}\n" for a, e in pairs)
    if hasattr(os, "fork"):  # noqa: SIM108 (keeps the pragma on the non-POSIX branch)
        jobs = [text]
    else:  # pragma: no cover - non-POSIX
        jobs = [f"{a!r} {e!r}\n" for a, e in pairs]
    out: list[int] = []
    for job in jobs:
        done = subprocess.run([sys.executable, "-m", "magicpipe.passes._gridsynth_worker"], input=job,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"gridsynth worker failed: {done.stderr.strip()[-400:]}")
        out.extend(int(x) for x in done.stdout.split())
    if len(out) != len(pairs):
        raise RuntimeError(f"gridsynth worker returned {len(out)} counts for {len(pairs)} angles")
    return out


if __name__ == "__main__":  # pragma: no cover
    if hasattr(os, "fork"):
        _serve()
    else:
        for line in sys.stdin:
            a, e = (float(x) for x in line.split())
            print(_one(a, e))
