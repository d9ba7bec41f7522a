"""The one retry policy and the rate budget, decided on exception types alone."""

from __future__ import annotations

import pytest

from connectors.budget import ApiBudget
from connectors.errors import (
    AuthError,
    AuthExpired,
    BudgetExhausted,
    DailyLimitReached,
    RateLimited,
    RequestRejected,
    TransientError,
)
from connectors.retry import call_with_retry


class Flaky:
    """Raises the given exceptions in turn, then returns 'ok'; counts calls."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def test_rate_limited_waits_what_the_crm_said_then_succeeds() -> None:
    slept: list[float] = []
    call = Flaky(RateLimited("429", retry_after=7.0), RateLimited("429", retry_after=2.0))
    assert call_with_retry(call, sleep=slept.append) == "ok"
    assert slept == [7.0, 2.0]
    assert call.calls == 3


def test_rate_limited_without_retry_after_backs_off_exponentially() -> None:
    slept: list[float] = []
    call = Flaky(RateLimited("429"), RateLimited("429"), RateLimited("429"))
    call_with_retry(call, sleep=slept.append, initial_wait=1.0)
    assert len(slept) == 3
    # exponential with up to 1 s of jitter: 1, 2, 4 (+ jitter)
    assert 1.0 <= slept[0] <= 2.0 and 2.0 <= slept[1] <= 3.0 and 4.0 <= slept[2] <= 5.0


def test_server_errors_are_retried_up_to_the_attempt_limit_then_raised() -> None:
    call = Flaky(*[TransientError("503", status=503) for _ in range(3)])
    with pytest.raises(TransientError):
        call_with_retry(call, attempts=3, sleep=lambda _: None)
    assert call.calls == 3
    call = Flaky(*[TransientError("503", status=503) for _ in range(2)])
    assert call_with_retry(call, attempts=3, sleep=lambda _: None) == "ok"


@pytest.mark.parametrize(
    "failure", [RequestRejected("400", status=400), AuthError("bad"), DailyLimitReached("daily")]
)
def test_rejections_auth_failures_and_stops_are_never_retried(failure: Exception) -> None:
    call = Flaky(failure)
    with pytest.raises(type(failure)):
        call_with_retry(call, sleep=lambda _: None)
    assert call.calls == 1


def test_an_expired_session_is_refreshed_once_and_the_call_repeated() -> None:
    refreshes: list[int] = []
    call = Flaky(AuthExpired("expired"))
    assert call_with_retry(call, refresh=lambda: refreshes.append(1), sleep=lambda _: None) == "ok"
    assert refreshes == [1] and call.calls == 2
    still_expired = Flaky(AuthExpired("expired"), AuthExpired("expired"))
    with pytest.raises(AuthExpired):
        call_with_retry(still_expired, refresh=lambda: None, sleep=lambda _: None)
    assert still_expired.calls == 2


def test_budget_allows_calls_up_to_the_share_and_stops_one_past_it() -> None:
    budget = ApiBudget("acme", share=0.5)
    budget.observe(used=48, limit=100)
    budget.charge()  # 49
    budget.charge()  # 50 == 0.5 * 100: still allowed
    with pytest.raises(BudgetExhausted) as stopped:
        budget.charge()
    assert "50 of the daily 100" in str(stopped.value) and "api_budget_share" in str(stopped.value)
    assert budget.calls == 2


def test_budget_without_a_reported_limit_only_counts() -> None:
    budget = ApiBudget("acme", share=0.1)
    for _ in range(1000):
        budget.charge()
    assert budget.calls == 1000 and budget.used is None
