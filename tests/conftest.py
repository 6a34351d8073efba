"""Test-wide settings. Under CI (``CI=true``) Hypothesis runs derandomised, so a CI run is reproducible:
the same examples every time. Local runs keep exploring new random examples (and remember failures)."""

import gc
import os

# OpenBLAS starts a thread per core for a product as small as the block model's 128 x 128 matrix times a vector
# (compiler/blockmodel.py), and its idle threads spin: on the 2-core machine that more than doubled the CPU of the block
# model's runs (docs/testing.md, "Suite CPU"). One BLAS thread, set before NumPy is first imported (nothing imports
# it before this file) and inherited by the processes the tests start; the products are the same.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from hypothesis import settings  # noqa: E402 (after the environment above)

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")


# The garbage collector's cost grows with what is alive, and the suite keeps a lot alive (qiskit, stim and the
# planner's lru caches): collect young objects less often, and leave the objects alive after collection (the
# imported libraries) out of later full collections. Only the collector's timing changes, not what a test runs.
gc.set_threshold(50_000, 20, 100)


def pytest_collection_finish(session):
    gc.collect()
    gc.freeze()


def pytest_sessionfinish(session, exitstatus):
    """Empty the planner's lru caches before pytest's last full collection (its check for unraisable exceptions):
    they hold about a million objects by the end of the suite, and that collection would traverse them all (about
    a second). Freed by reference counting, they cost nothing to collect; the collection itself is unchanged."""
    import sys

    for name, module in list(sys.modules.items()):
        if name.startswith("magicpipe") and module is not None:
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
