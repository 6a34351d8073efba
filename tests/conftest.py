"""Test-wide settings. Under CI (``CI=true``) Hypothesis runs derandomised, so a CI run is reproducible:
the same examples every time. Local runs keep exploring new random examples (and remember failures)."""

import gc
import os

from hypothesis import settings

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
