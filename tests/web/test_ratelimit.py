"""The per-connection token bucket, on an injected clock."""

from __future__ import annotations

import pytest

from frontdesk.web.ratelimit import TokenBucket


def test_a_burst_then_the_rate() -> None:
    now = [100.0]
    bucket = TokenBucket(rate_per_s=2.0, burst=3, now=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] += 0.5  # one token back
    assert [bucket.take(), bucket.take()] == [True, False]
    now[0] += 60  # refills up to the burst, no more
    assert sum(bucket.take() for _ in range(10)) == 3


def test_time_going_backwards_does_not_mint_tokens() -> None:
    now = [100.0]
    bucket = TokenBucket(rate_per_s=1.0, burst=1, now=lambda: now[0])
    assert bucket.take()
    now[0] -= 50
    assert not bucket.take()


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="rate_per_s > 0"):
        TokenBucket(0, 1)
    with pytest.raises(ValueError, match="burst >= 1"):
        TokenBucket(1, 0)
