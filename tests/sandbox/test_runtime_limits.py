"""Daily and burst limits with an injected clock, seen through limit headers and refusals."""

from __future__ import annotations

import pytest
from trusting_session import session_for

from sandbox.clock import ManualClock
from sandbox.limits import LimitConfig, LimitSpecError, RateLimiter, Refusal


def test_daily_limit_headers_then_refusal_then_next_day(start_dummy) -> None:
    clock = ManualClock(start=86_400 * 20_000 + 3_600)  # 01:00 UTC on some day
    sandbox = start_dummy(limits=LimitConfig(daily_max=3), clock=clock)
    session = session_for(sandbox)
    url = f"{sandbox.base_url}/records"
    usage = [session.get(url).headers["X-Usage"] for _ in range(3)]
    assert usage == ["1/3", "2/3", "3/3"]
    refused = session.get(url)
    assert (refused.status_code, refused.headers["X-Usage"]) == (403, "3/3")
    clock.advance(23 * 3_600)  # midnight UTC: a new daily allocation
    assert session.get(url).headers["X-Usage"] == "1/3"


def test_burst_limit_refuses_with_retry_after_until_the_window_rolls(start_dummy) -> None:
    clock = ManualClock()
    sandbox = start_dummy(limits=LimitConfig(daily_max=100, burst_max=2, burst_window_seconds=10), clock=clock)
    session = session_for(sandbox)
    url = f"{sandbox.base_url}/records"
    assert [session.get(url).headers["X-Burst-Remaining"] for _ in range(2)] == ["1", "0"]
    clock.advance(4)
    refused = session.get(url)
    # The oldest call leaves the 10 s window 10 - 4 = 6 s from now.
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "6")
    clock.advance(6)
    assert session.get(url).status_code == 200
    # 2 allowed + 1 after the window rolled; the refusal used no allocation.
    assert sandbox.limits.snapshot().daily_used == 3


def test_search_carries_no_limit_headers_but_counts(start_dummy) -> None:
    sandbox = start_dummy(limits=LimitConfig(daily_max=10))
    response = session_for(sandbox).get(f"{sandbox.base_url}/search")
    assert "X-Usage" not in response.headers
    assert sandbox.limits.snapshot().daily_used == 1


def test_refused_tokens_use_no_allocation(start_dummy) -> None:
    sandbox = start_dummy(limits=LimitConfig(daily_max=10))
    session_for(sandbox, token="forged").get(f"{sandbox.base_url}/records")
    assert sandbox.limits.snapshot().daily_used == 0


def test_rate_limiter_prefers_the_daily_refusal() -> None:
    clock = ManualClock()
    limiter = RateLimiter(LimitConfig(daily_max=1, burst_max=1), clock)
    assert limiter.acquire().refusal is None
    # Both limits are spent; the daily one says "stop for today", which matters more.
    assert limiter.acquire().refusal is Refusal.DAILY


def test_limit_spec_parsing() -> None:
    base = LimitConfig(daily_max=1_000, burst_max=None, burst_window_seconds=10)
    assert LimitConfig.parse("burst=100/10", base) == LimitConfig(1_000, 100, 10.0)
    assert LimitConfig.parse("daily=none,burst=5/1.5", base) == LimitConfig(None, 5, 1.5)
    for bad, needle in [("daily=-1", "daily=-1"), ("burst=1/0", "burst=1/0"), ("hourly=3", "hourly"),
                        ("daily", "key=value")]:
        with pytest.raises(LimitSpecError, match=needle):
            LimitConfig.parse(bad, base)
