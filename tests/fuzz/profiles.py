"""The fuzz suite's hypothesis profiles.

``fuzz`` (the default): a bounded run, a few hundred examples over the whole suite, part of
every ``pytest``. ``fuzz-long`` when ``FRONTDESK_FUZZ_EXAMPLES`` is set (``make fuzz``): that
many examples for each test, scaled by its share. Nothing is stored between runs (no example
database): a failure prints the example and its ``@reproduce_failure`` blob.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("fuzz", max_examples=40, **_COMMON)  # type: ignore[arg-type]
LONG = int(os.environ.get("FRONTDESK_FUZZ_EXAMPLES", "0") or 0)
if LONG:
    settings.register_profile("fuzz-long", max_examples=LONG, **_COMMON)  # type: ignore[arg-type]
PROFILE = "fuzz-long" if LONG else "fuzz"


def fuzz_settings(share: float = 1.0) -> settings:
    """The profile's settings for one test; ``share`` scales its number of examples."""
    base = settings.get_profile(PROFILE)
    return settings(base, max_examples=max(1, int(base.max_examples * share)))
