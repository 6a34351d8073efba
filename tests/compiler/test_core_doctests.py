"""The docstring examples of the pure core (``magicpipe.compiler.*``), beside the core's other tests: they state
exact values of its public functions, so they are among the tests ``tests/mutate.py`` runs against a mutant.
``tests/test_doctests.py`` runs those of every other module."""

import doctest
import importlib
import pkgutil

import pytest

import magicpipe.compiler


def _modules():
    pkg = magicpipe.compiler
    names = {pkg.__name__} | {i.name for i in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")}
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
