"""The offered rate of ``latency_scaled``: a fixed rate moved to this machine's speed.

The latency targets at 2,000 msg/s were set on a machine whose floor relayed 14,539
msg/s at saturation (``bench/results/baseline.json``). On a machine at half that speed
the same 2,000 msg/s is twice the fraction of what frontdesk relays at all, and the
latency measured there is mostly a queue (docs/performance.md, "Relay cost"). Offering
the same fraction of the floor measured in the same run compares like with like.
"""

from __future__ import annotations

import math


def scaled_rate(rate: int, floor_now: float, floor_then: float, least: int = 1) -> int:
    """``rate * floor_now`` / floor_then``, rounded, and at least ``least`` msg/s."""
    if not (math.isfinite(floor_now) and floor_now > 0):
        raise ValueError(f"the floor's saturation measured now: expected a positive number, "
                         f"got {floor_now!r}")
    if not (math.isfinite(floor_then) and floor_then > 0):
        raise ValueError(f"the reference floor's saturation: expected a positive number, "
                         f"got {floor_then!r}")
    return max(least, round(rate * floor_now / floor_then))
