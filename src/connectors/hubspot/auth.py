"""Access tokens for one portal: a private app's static token, or an OAuth app's refreshed one.

A private app token does not expire; a 401 with it means it was revoked or rotated (AuthError, stop). An
OAuth access token lives 30 minutes: it is refreshed shortly before it expires (no wasted 401) and once more
when HubSpot answers 401 mid-run anyway (a clock skew, a revocation followed by a re-grant).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Protocol

import urllib3
from hubspot import HubSpot
from hubspot.oauth.exceptions import ApiException

from connectors.config import InstanceConfig
from connectors.errors import AuthError, TransientError

EXPIRY_MARGIN_SECONDS = 120.0
"""Refresh this long before the token's announced expiry."""


class TokenSource(Protocol):
    def token(self) -> str:
        """A token valid now (refreshed first when it is about to expire)."""
        ...

    def refresh(self) -> str:
        """Force a new token (after a 401); raises AuthError when the CRM refuses."""
        ...


class PrivateAppToken:
    """The private app's access token from the environment variable named by `token_env`."""

    def __init__(self, instance: InstanceConfig) -> None:
        self._instance = instance
        self._token = instance.secret("token_env")

    def token(self) -> str:
        return self._token

    def refresh(self) -> str:
        raise AuthError(
            f"instance {self._instance.name!r}: HubSpot refused the private app token (401); it was revoked "
            f"or rotated: put the app's current token in {self._instance.token_env}"
        )


class OAuthRefresh:
    """An OAuth app's access token, obtained and renewed with the refresh token (`POST /oauth/v1/token`)."""

    def __init__(self, instance: InstanceConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._instance = instance
        self._client_id = instance.secret("client_id_env")
        self._client_secret = instance.secret("client_secret_env")
        self._refresh_token = instance.secret("refresh_token_env")
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self.refreshes = 0
        """How many tokens were obtained (tests count them)."""

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at - EXPIRY_MARGIN_SECONDS:
                self._obtain()
            assert self._token is not None
            return self._token

    def refresh(self) -> str:
        with self._lock:
            self._obtain()
            assert self._token is not None
            return self._token

    def _obtain(self) -> None:
        instance = self._instance
        oauth = HubSpot(host=instance.url.rstrip("/"), ssl_ca_cert=instance.verify() or None).oauth.tokens_api
        try:
            answer = oauth.create(
                grant_type="refresh_token",
                client_id=self._client_id,
                client_secret=self._client_secret,
                refresh_token=self._refresh_token,
            )
        except (ApiException, urllib3.exceptions.HTTPError) as exc:
            raise _refused(instance, exc) from None
        self._token = answer.access_token
        if answer.refresh_token:
            self._refresh_token = answer.refresh_token
        self._expires_at = self._clock() + float(answer.expires_in or 1800)
        self.refreshes += 1


def _refused(instance: InstanceConfig, exc: Exception) -> Exception:
    """The refusal as an AuthError naming the setting to fix (a server error or a dropped connection is
    transient)."""
    status = int(getattr(exc, "status", 0) or 0)
    if status == 0 or status >= 500:
        return TransientError(
            f"instance {instance.name!r}: the OAuth token endpoint failed ({status}); retrying",
            status=status or None,
        )
    try:
        body = json.loads(getattr(exc, "body", "") or "{}")
    except ValueError:
        body = {}
    code = body.get("status") or body.get("error") or status
    fix = {
        "BAD_REFRESH_TOKEN": f"the refresh token in {instance.refresh_token_env} is unknown or revoked: "
        "authorise the app again and store the new refresh token there",
        "BAD_CLIENT_ID": f"the client id in {instance.client_id_env} is not this app's",
        "BAD_CLIENT_SECRET": f"the client secret in {instance.client_secret_env} is not this app's",
    }.get(str(code), "check the app's client id, secret and refresh token")
    return AuthError(f"instance {instance.name!r}: HubSpot refused the OAuth refresh ({code}): {fix}")


def token_source(instance: InstanceConfig) -> TokenSource:
    """The token source the instance's `auth` names."""
    if instance.auth == "private_app":
        return PrivateAppToken(instance)
    return OAuthRefresh(instance)
