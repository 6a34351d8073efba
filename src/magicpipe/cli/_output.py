"""Outputs whole or absent: every command writes into a staging folder beside ``--out`` and the staging folder
becomes ``--out`` only when the command succeeds.

* :func:`begin` makes the staging folder ``.NAME.magicpipe-stage-PID-XXXX`` in the same parent as ``--out``
  (same file system, so the final move is a rename). A command that resumes from its earlier output
  (``seed=True``, e.g. ``verify``) finds a copy of the earlier files in it.
* :func:`commit` moves the result into place. When ``--out`` holds only files (no subfolders, no links), the
  new folder is completed first -- the files of other commands and the user's own files are linked in -- and
  swapped with the old one in one step (``renameat2(RENAME_EXCHANGE)`` on Linux; elsewhere two renames, a
  window of microseconds). Otherwise (``--out .``, subfolders) each file is renamed into place.
* A manifest, ``.magicpipe-outputs.json``, lists the files each command wrote. Files that this command wrote
  last time and does not write now are removed (a ``compile`` that no longer produces a stream does not leave
  the old ``schedule.lsi`` beside the new ``plan.json``); files of other commands and files magicpipe did not
  write are kept, and a file magicpipe did not write is never replaced without ``--force``.
* :func:`abort` removes the staging folder: a command that fails (a stream that fails its check included)
  leaves ``--out`` as it was.
* An ``--out`` that names one file (a command that sets ``out_kind="file"``, or one ending in a suffix of
  :data:`FILE_SUFFIXES`) is staged as a temporary file beside it (:func:`begin_file`) and renamed over it on
  success; an existing file is replaced only with ``--force``. ``out_kind="none"`` opts a command out.
* :func:`write_file` writes one file (``check --json FILE``) through a temporary file and a rename, and refuses
  to replace an existing file without ``force``.

The environment variable ``MAGICPIPE_PAUSE_BEFORE_COMMIT=SECONDS`` makes :func:`commit` wait first; the tests
use it to kill a run whose output is fully staged but not yet in place.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from collections.abc import Iterator

from magicpipe.errors import SpecError

__all__ = ["MANIFEST", "PAUSE_ENV", "FILE_SUFFIXES", "Staging", "begin", "begin_file", "commit", "abort",
           "names_a_file", "open_file", "write_file"]

MANIFEST = ".magicpipe-outputs.json"
PAUSE_ENV = "MAGICPIPE_PAUSE_BEFORE_COMMIT"
_STAGE = ".magicpipe-stage-"
_OLD = ".magicpipe-old-"


FILE_SUFFIXES = (".json", ".csv", ".lsi", ".txt", ".html", ".png", ".svg", ".pdf", ".qasm", ".md")
"""An ``--out`` ending in one of these (and not an existing folder) names one file, not a folder."""


@dataclass
class Staging:
    """A command's output being built: ``stage`` becomes ``out`` on :func:`commit`.

    For a folder, ``stage`` is a folder; for a single file (``single``), a path beside ``out`` that the
    command writes instead of ``out``.
    """

    out: Path
    stage: Path
    key: str
    force: bool = False
    seeded: dict[str, tuple[int, int]] = field(default_factory=dict)
    resumes: bool = False
    single: bool = False


def names_a_file(out: str | os.PathLike) -> bool:
    """True when ``--out`` names one file (by its suffix, :data:`FILE_SUFFIXES`) rather than a folder."""
    path = Path(out)
    return path.suffix.lower() in FILE_SUFFIXES and not path.is_dir()


def begin_file(out: str | os.PathLike, key: str, *, force: bool = False) -> Staging:
    """Stage a command whose ``--out`` is one file: it writes a temporary path beside it, renamed on success.

    Raises:
        SpecError: ``out`` exists and ``force`` is False, or it lies under a file.
    """
    out = Path(os.path.abspath(out))
    if out.exists() and not force:
        raise SpecError(f"--out {out} exists; pass --force to replace it, or give another file name")
    _under_folders(out, "--out")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _clean_stale(out)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}{_STAGE}{os.getpid()}-", suffix=out.suffix, dir=out.parent)
    except OSError as e:
        raise SpecError(f"cannot write --out {out}: {e.strerror or e}; choose a writable place") from e
    os.close(fd)
    os.unlink(tmp)  # the command creates it (as a file, or a folder if it wants one)
    return Staging(out, Path(tmp), key, force, single=True)


def _mode(default: int) -> int:
    mask = os.umask(0)
    os.umask(mask)
    return default & ~mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _clean_stale(out: Path) -> None:
    """Remove staging folders beside ``out`` left by runs that were killed."""
    for tag in (_STAGE, _OLD):
        for p in out.parent.glob(f".{out.name}{tag}*"):
            pid = p.name[len(out.name) + 1 + len(tag):].split("-")[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                _remove(p)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _listing(root: Path) -> tuple[set[str], bool]:
    """Relative paths of the files under ``root`` (the manifest excluded), and whether ``root`` holds only
    regular files at its top level (what the one-step swap can rebuild)."""
    files: set[str] = set()
    flat = True
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        if dirnames:
            flat = False
        for name in filenames:
            rel = (base / name).relative_to(root).as_posix()
            if rel == MANIFEST:
                continue
            if (base / name).is_symlink() or not (base / name).is_file():
                flat = False
            files.add(rel)
    return files, flat


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def _read_manifest(out: Path) -> dict[str, list[str]]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: [f for f in v if isinstance(f, str)] for k, v in data.items() if isinstance(v, list)}


def _under_folders(path: Path, flag: str) -> None:
    """Raise SpecError when an existing ancestor of ``path`` is a file."""
    for folder in path.parents:
        if folder.exists():
            if not folder.is_dir():
                raise SpecError(f"{flag} {path} lies under {folder}, which is a file; choose a path whose folders "
                                f"are folders")
            return


def begin(out: str | os.PathLike, key: str, *, force: bool = False, seed: bool = False) -> Staging:
    """Make the staging folder of a command writing into ``out``.

    Raises:
        SpecError: ``out`` names an existing file.
        OSError: the staging folder cannot be made (unwritable place, a path under a file).
    """
    if not str(out).strip():
        raise SpecError("--out is empty; give a folder (created if missing)")
    out = Path(os.path.abspath(out))
    if out.exists() and not out.is_dir():
        raise SpecError(f"--out {out} is an existing file, not a folder; give a folder (created if missing)")
    _under_folders(out, "--out")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _clean_stale(out)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}{_STAGE}{os.getpid()}-", dir=out.parent))
    except OSError as e:
        raise SpecError(f"cannot write --out {out}: {e.strerror or e}; choose a writable place") from e
    os.chmod(stage, out.stat().st_mode & 0o7777 if out.is_dir() else _mode(0o777))
    staging = Staging(out, stage, key, force, resumes=seed)
    if seed and out.is_dir():
        files, _ = _listing(out)
        for rel in sorted(files):
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(out / rel, stage / rel, follow_symlinks=False)
            staging.seeded[rel] = _stat(stage / rel)
    return staging


def abort(staging: Staging, *, keep: bool = False) -> None:
    """Drop the staging folder (or keep it for inspection)."""
    if not keep:
        _remove(staging.stage)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _holds_cwd(out: Path) -> bool:
    try:
        cwd = Path.cwd().resolve()
    except OSError:
        return False
    target = out.resolve()
    return cwd == target or target in cwd.parents


def commit(staging: Staging) -> list[str]:
    """Put the staged files in place; return the files of this command's earlier run that were removed.

    Raises:
        SpecError: a file the command wrote would replace one magicpipe did not write (without ``force``).
    """
    pause = os.environ.get(PAUSE_ENV)
    if pause:
        time.sleep(float(pause))
    out, stage, key = staging.out, staging.stage, staging.key
    if staging.single:
        if os.path.lexists(stage):
            if out.is_dir() and not out.is_symlink():
                raise SpecError(f"--out {out} became a folder during the run; give another file name")
            os.replace(stage, out)
        return []
    old = _read_manifest(out) if out.is_dir() else {}
    existing, flat = _listing(out) if out.is_dir() else (set(), True)
    new, _ = _listing(stage)
    if staging.resumes:
        written = {f for f in new if staging.seeded.get(f) != _stat(stage / f)}
        mine = (set(old.get(key, ())) & new) | written
        dropped: list[str] = []
    else:
        written = mine = new
        ours = set().union(*old.values()) if old else set()
        clash = sorted(f for f in new & existing if f not in ours)
        if clash and not staging.force:
            raise SpecError(f"{out / clash[0]} exists and magicpipe did not write it; pass --force to replace it, "
                            f"or choose another --out")
        dropped = sorted((set(old.get(key, ())) & existing) - new)
    keep = existing - new - set(dropped)
    manifest = {k: sorted(set(v) & keep) for k, v in old.items() if k != key}
    manifest[key] = sorted(mine)
    text = json.dumps({k: v for k, v in sorted(manifest.items()) if v}, indent=1) + "\n"
    if not out.exists():
        (stage / MANIFEST).write_text(text, encoding="utf-8")
        os.rename(stage, out)
        return dropped
    if flat and not out.is_symlink() and not _holds_cwd(out):
        for rel in sorted(keep - new) if not staging.resumes else ():
            try:
                os.link(out / rel, stage / rel)
            except OSError:
                shutil.copy2(out / rel, stage / rel)
        (stage / MANIFEST).write_text(text, encoding="utf-8")
        if not _exchange(stage, out):
            aside = Path(tempfile.mkdtemp(prefix=f".{out.name}{_OLD}{os.getpid()}-", dir=out.parent))
            os.rename(out, aside / "old")
            os.rename(stage, out)
            stage = aside
        shutil.rmtree(stage, ignore_errors=True)
        return dropped
    for rel in sorted(written):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / rel, out / rel)
    for rel in dropped:
        (out / rel).unlink(missing_ok=True)
    (stage / MANIFEST).write_text(text, encoding="utf-8")
    os.replace(stage / MANIFEST, out / MANIFEST)
    shutil.rmtree(stage, ignore_errors=True)
    return dropped


@contextlib.contextmanager
def open_file(path: str | os.PathLike, *, force: bool = False, flag: str = "--out", binary: bool = False
              ) -> Iterator[IO[Any]]:
    """A file to write (text, or bytes with ``binary``) that appears at ``path`` whole when the block ends
    without error (a temporary file beside it, then a rename).

    Raises:
        SpecError: ``path`` is a folder, or an existing file and ``force`` is False.
    """
    path = Path(path)
    if path.is_dir():
        raise SpecError(f"{flag} {path} is a folder; give a file name")
    if path.exists() and not force:
        raise SpecError(f"{flag} {path} exists; pass --force to replace it, or give another file name")
    _under_folders(Path(os.path.abspath(path)), flag)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8") as f:
            yield f
        os.chmod(tmp, _mode(0o666))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_file(path: str | os.PathLike, data: str | bytes, *, force: bool = False, flag: str = "--out") -> Path:
    """Write ``data`` to ``path`` whole (:func:`open_file`); refuse to replace a file without ``force``.

    Raises:
        SpecError: ``path`` is a folder, or an existing file and ``force`` is False.
    """
    with open_file(path, force=force, flag=flag, binary=True) as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)
