"""The package layout of the design card: five folders mapped into one import package."""

import pathlib
import sys
import tomllib

import magicpipe
import magicpipe.compiler  # noqa: F401

ROOT = pathlib.Path(__file__).resolve().parents[1]
SUBPACKAGES = ("compiler", "passes", "lattice", "verification", "grammar")


def test_every_init_folder_is_a_listed_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    package_dir = config["tool"]["setuptools"]["package-dir"]
    found = set()
    for name, folder in package_dir.items():
        base = ROOT / folder
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            found.add(".".join((name, *rel.parts)) if rel.parts else name)
    assert found <= listed, (
        f"folders with __init__.py missing from [tool.setuptools] packages: {sorted(found - listed)}"
    )


def test_no_bare_subpackage_names_are_importable_modules():
    for name in SUBPACKAGES:
        __import__(f"magicpipe.{name}")
        assert name not in sys.modules, f"bare module {name!r} was imported; import magicpipe.{name}"


def test_compiler_imports_no_other_subpackage():
    for path in (ROOT / "compiler").rglob("*.py"):
        text = path.read_text()
        for other in ("passes", "lattice", "verification", "grammar", "cli"):
            assert f"magicpipe.{other}" not in text, f"{path.name} imports magicpipe.{other}: compiler must stay pure"
