"""Which magicpipe this is: the release number and a digest of its source files.

Two installs with the same release number can hold different code (a development checkout, an editable
install of another branch); tasks sent to a worker running other code would give other numbers under the same
file names. :func:`installed_version` therefore names the release and a digest of every ``.py`` and
``.lark`` file of the package (by path relative to its subpackage, so a wheel and an editable install of the
same commit agree). :mod:`magicpipe.executor` ships this function to each Dask worker *by value* (the worker
needs no module of this version to run it) and compares the answers.
"""

from __future__ import annotations

__all__ = ["installed_version", "source_digest"]

# The package's folders: the root package and the subpackages mapped from the top-level folders.
_PACKAGES = ("magicpipe", "magicpipe.compiler", "magicpipe.passes", "magicpipe.lattice", "magicpipe.verification",
             "magicpipe.grammar")


def source_digest() -> str:
    """The first 12 hex digits of a SHA-256 over the package's source files (path and bytes, sorted)."""
    import hashlib
    import importlib.util
    import pathlib

    files: dict[str, pathlib.Path] = {}  # "magicpipe/compiler/x.py" -> its file (a wheel nests, an editable maps)
    for name in _PACKAGES:
        spec = importlib.util.find_spec(name)  # imports the parent package only
        if spec is None or not spec.submodule_search_locations:
            continue
        for root in map(pathlib.Path, spec.submodule_search_locations):
            for path in root.rglob("*"):
                if path.suffix in (".py", ".lark") and "__pycache__" not in path.parts:
                    files.setdefault(f"{name.replace('.', '/')}/{path.relative_to(root).as_posix()}", path)
    h = hashlib.sha256()
    for key in sorted(files):
        h.update(key.encode() + b"\n")
        h.update(files[key].read_bytes())
    return h.hexdigest()[:12]


def installed_version() -> str:
    """``"<release> (source <digest>)"`` of the magicpipe this process imports.

    Examples:
        >>> import re, magicpipe
        >>> bool(re.fullmatch(re.escape(magicpipe.__version__) + r" \\(source [0-9a-f]{12}\\)", installed_version()))
        True
    """
    import magicpipe

    return f"{magicpipe.__version__} (source {source_digest()})"
