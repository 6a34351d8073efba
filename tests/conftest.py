"""Test-wide settings. Under CI (``CI=true``) Hypothesis runs derandomised, so a CI run is reproducible:
the same examples every time. Local runs keep exploring new random examples (and remember failures)."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")
