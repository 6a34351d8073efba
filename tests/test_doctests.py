"""Run the docstring examples of every magicpipe module."""

import doctest
import importlib
import pkgutil

import pytest

import magicpipe


def _modules():
    for info in pkgutil.walk_packages(magicpipe.__path__, "magicpipe."):
        if info.name.endswith("__main__"):
            continue
        yield info.name


@pytest.mark.parametrize("name", sorted(_modules()))
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
