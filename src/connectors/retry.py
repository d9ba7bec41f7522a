"""The one retry policy of both connectors: what is retried, how long to wait, when to give up.

Classification (a response → an exception of `connectors.errors`) is each client's job; this module only
decides on types: `RateLimited` waits its `retry_after` (else exponential back-off with jitter),
`TransientError` backs off, `AuthExpired` is handed to the client's `refresh` once per call, and everything
else — `StopRun`, `AuthError`, `RequestRejected` — is raised at once. The tenacity loop lives here and
nowhere else.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from connectors.errors import AuthExpired, ConnectorError, RateLimited, TransientError

T = TypeVar("T")
log = logging.getLogger("crm_kpi.retry")

MAX_ATTEMPTS = 8
MAX_WAIT_SECONDS = 60.0


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, RateLimited | TransientError)


def _wait(backoff: wait_exponential_jitter) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            return min(exc.retry_after, MAX_WAIT_SECONDS)
        return float(backoff(state))

    return wait


def call_with_retry(
    call: Callable[[], T],
    *,
    refresh: Callable[[], None] | None = None,
    attempts: int = MAX_ATTEMPTS,
    initial_wait: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call` under the policy. `refresh` renews the session when the CRM says it expired."""
    refreshed = False

    def once() -> T:
        nonlocal refreshed
        try:
            return call()
        except AuthExpired:
            if refresh is None or refreshed:
                raise
            refreshed = True
            refresh()
            return call()

    def before_sleep(state: RetryCallState) -> None:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        log.warning("retrying in %.1f s (attempt %d): %s", wait, state.attempt_number, error)

    retrying = Retrying(
        retry=retry_if_exception(_retryable),
        before_sleep=before_sleep,
        stop=stop_after_attempt(attempts),
        wait=_wait(wait_exponential_jitter(multiplier=initial_wait, max=MAX_WAIT_SECONDS)),
        sleep=sleep,
        reraise=True,
    )
    return retrying(once)


__all__ = ["ConnectorError", "call_with_retry"]
