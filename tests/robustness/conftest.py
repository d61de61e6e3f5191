"""Hypothesis profiles for the fuzz tests, and the bad-input corpus as fixtures.

``ci`` (default): few examples, so the suite stays fast. ``fuzz``: many more examples, no per-run
example database writes skipped; chosen with ``HYPOTHESIS_PROFILE=fuzz`` (``make fuzz``).
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=timedelta(seconds=10),  # generous: CI machines are shared; the long-input tests time
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)
settings.register_profile(
    "fuzz",
    max_examples=5000,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
