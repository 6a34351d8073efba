"""Run the docstring examples of every magicpipe module but the pure core's (``tests/compiler/test_core_doctests.py``
runs those, beside the core's other tests)."""

import doctest
import importlib
import pkgutil

import pytest

import magicpipe


SUBPACKAGES = ("cli", "passes", "lattice", "verification", "grammar", "report")  # compiler: tests/compiler


def _modules():
    """Every module of magicpipe. The editable install maps the subpackages from other folders, which
    ``walk_packages(magicpipe.__path__)`` does not see, so each subpackage is walked from its own path."""
    names = {"magicpipe"}
    names.update(i.name for i in pkgutil.iter_modules(magicpipe.__path__, "magicpipe."))
    for sub in SUBPACKAGES:
        pkg = importlib.import_module(f"magicpipe.{sub}")
        names.add(pkg.__name__)
        names.update(i.name for i in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."))
    return sorted(n for n in names if not n.endswith("__main__"))


@pytest.mark.parametrize("name", _modules())
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
