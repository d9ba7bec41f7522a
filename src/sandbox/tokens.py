"""Access and refresh tokens a sandbox issues, and their expiry.

The CRM app's OAuth endpoint issues and refreshes tokens here; the runtime checks every bearer token here.
An expired or invalidated access token is answered 401 (in the CRM's own words) until the client
refreshes. Refresh tokens survive `expire_all()`, as a session timeout in a real org leaves them valid.
"""

from __future__ import annotations

import enum
import hmac
import secrets
import threading
from dataclasses import dataclass

from sandbox.clock import Clock, system_clock


class TokenStatus(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"  # issued here, but past its lifetime or invalidated
    UNKNOWN = "unknown"  # never issued here (or malformed / missing)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    refresh_token: str
    issued_at: float  # clock seconds
    expires_at: float | None  # None: lives until invalidated


@dataclass
class _AccessRecord:
    refresh_token: str
    expires_at: float | None
    revoked: bool = False


class TokenStore:
    """Tokens of one sandbox instance, plus that instance's own throwaway OAuth client credentials.

    `prefix` lets a CRM shape its tokens (Salesforce session ids start with the org id and "!").
    """

    def __init__(self, clock: Clock = system_clock, ttl_seconds: float | None = None, prefix: str = "") -> None:
        self.clock = clock
        self.ttl_seconds = ttl_seconds
        self.prefix = prefix
        self.client_id = "sandbox-" + secrets.token_hex(12)
        self.client_secret = secrets.token_urlsafe(24)
        self._access: dict[str, _AccessRecord] = {}
        self._refresh: set[str] = set()
        self._lock = threading.Lock()

    def check_client(self, client_id: str | None, client_secret: str | None) -> bool:
        """Whether these are this sandbox's client credentials (compared in constant time)."""
        if client_id is None or client_secret is None:
            return False
        return hmac.compare_digest(client_id.encode(), self.client_id.encode()) and hmac.compare_digest(
            client_secret.encode(), self.client_secret.encode()
        )

    def issue(self) -> IssuedToken:
        """A fresh access token with its own new refresh token."""
        refresh = secrets.token_urlsafe(32)
        with self._lock:
            self._refresh.add(refresh)
        return self._grant(refresh)

    def refresh(self, refresh_token: str) -> IssuedToken | None:
        """A new access token for a known refresh token; None for a refresh token not issued here."""
        with self._lock:
            known = refresh_token in self._refresh
        return self._grant(refresh_token) if known else None

    def _grant(self, refresh: str) -> IssuedToken:
        now = self.clock()
        expires = None if self.ttl_seconds is None else now + self.ttl_seconds
        access = self.prefix + secrets.token_urlsafe(32)
        with self._lock:
            self._access[access] = _AccessRecord(refresh, expires)
        return IssuedToken(access, refresh, now, expires)

    def check(self, access_token: str | None) -> TokenStatus:
        if not access_token:
            return TokenStatus.UNKNOWN
        with self._lock:
            record = self._access.get(access_token)
        if record is None:
            return TokenStatus.UNKNOWN
        if record.revoked or (record.expires_at is not None and self.clock() >= record.expires_at):
            return TokenStatus.EXPIRED
        return TokenStatus.VALID

    def is_valid(self, access_token: str | None) -> bool:
        return self.check(access_token) is TokenStatus.VALID

    def expire_all(self) -> int:
        """Invalidate every access token issued so far (a session timeout); returns how many were live."""
        with self._lock:
            live = [record for record in self._access.values() if not record.revoked]
            for record in live:
                record.revoked = True
        return len(live)

    def revoke(self, token: str) -> bool:
        """Revoke one access token, or a refresh token with every access token granted from it."""
        with self._lock:
            if token in self._access:
                self._access[token].revoked = True
                return True
            if token in self._refresh:
                self._refresh.discard(token)
                for record in self._access.values():
                    if record.refresh_token == token:
                        record.revoked = True
                return True
        return False
