"""Token issue, expiry by lifetime, invalidation and refresh."""

from __future__ import annotations

from trusting_session import session_for

from sandbox.clock import ManualClock
from sandbox.tokens import TokenStatus, TokenStore


def test_token_lifetime_with_injected_clock(start_dummy) -> None:
    clock = ManualClock()
    sandbox = start_dummy(clock=clock, token_ttl=60)
    session = session_for(sandbox)
    url = f"{sandbox.base_url}/records"
    assert session.get(url).status_code == 200
    clock.advance(60)  # expires_at = issued + 60: expired at exactly 60 s
    assert session.get(url).json() == {"error": "expired"}


def test_expire_all_keeps_refresh_tokens() -> None:
    store = TokenStore(prefix="00D!")
    first = store.issue()
    assert store.expire_all() == 1
    assert store.check(first.access_token) is TokenStatus.EXPIRED
    again = store.refresh(first.refresh_token)
    assert again is not None and store.is_valid(again.access_token)
    assert again.access_token.startswith("00D!")
    assert store.refresh("never-issued") is None
    assert store.check(None) is TokenStatus.UNKNOWN


def test_revoking_a_refresh_token_revokes_its_access_tokens() -> None:
    store = TokenStore()
    issued = store.issue()
    assert store.revoke(issued.refresh_token)
    assert store.check(issued.access_token) is TokenStatus.EXPIRED
    assert store.refresh(issued.refresh_token) is None


def test_client_credentials_check() -> None:
    store = TokenStore()
    assert store.check_client(store.client_id, store.client_secret)
    assert not store.check_client(store.client_id, "wrong")
    assert not store.check_client(None, None)
