"""The core's records follow the house style (/work/shared/STYLE.md, "Data and code"): every dataclass of
``magicpipe.compiler`` is ``@dataclass(frozen=True, slots=True)``, so a record cannot be changed after it is built
(edits go through ``dataclasses.replace``) and holds no per-instance ``__dict__``."""

import dataclasses
import importlib
import inspect
import pkgutil

import magicpipe.compiler


def _core_dataclasses():
    for info in pkgutil.iter_modules(magicpipe.compiler.__path__):
        module = importlib.import_module(f"magicpipe.compiler.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and dataclasses.is_dataclass(cls):
                yield cls


def test_core_records_are_frozen_and_slotted():
    found = list(_core_dataclasses())
    assert len(found) >= 40  # the schedule, pipeline, allocator, catalogue, program ... records
    for cls in found:
        assert cls.__dataclass_params__.frozen, f"{cls.__module__}.{cls.__qualname__} is not frozen"
        assert "__slots__" in vars(cls), f"{cls.__module__}.{cls.__qualname__} is not slotted"
