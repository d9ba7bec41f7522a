"""OAuth 2.0 for one Salesforce instance: client credentials, JWT bearer or refresh token, against the
instance's configured `url` (login, My Domain or a sandbox), never simple-salesforce's hard-wired
`*.salesforce.com` logins.

Each flow is one function that builds the token request's form; `fetch_token` sends it and turns the
answer into a `SessionToken` or one of `connectors.errors`. The client calls it again whenever the CRM
says the session expired (`INVALID_SESSION_ID`), so every flow doubles as its own refresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt
import requests

from connectors.config import InstanceConfig
from connectors.errors import AuthError, ConfigurationError, TransientError

TOKEN_PATH = "/services/oauth2/token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_LIFETIME_SECONDS = 180  # Salesforce accepts at most 3 minutes
TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class SessionToken:
    """What the token endpoint granted: where to call, with what, and as whom."""

    access_token: str
    instance_url: str
    user_id: str | None
    """The integration user's id (the last segment of the identity URL `id`)."""


def _client_credentials(instance: InstanceConfig) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": instance.secret("client_id_env"),
        "client_secret": instance.secret("client_secret_env"),
    }


def _refresh_token(instance: InstanceConfig) -> dict[str, str]:
    return {
        "grant_type": "refresh_token",
        "client_id": instance.secret("client_id_env"),
        "client_secret": instance.secret("client_secret_env"),
        "refresh_token": instance.secret("refresh_token_env"),
    }


def jwt_audience(url: str) -> str:
    """Salesforce wants the login host as `aud` (test.salesforce.com for sandboxes), whatever My Domain
    the token is requested from; any other host (a local sandbox) is its own audience."""
    host = urlsplit(url).hostname or ""
    if host == "test.salesforce.com" or host.endswith(".sandbox.my.salesforce.com"):
        return "https://test.salesforce.com"
    if host.endswith("salesforce.com"):
        return "https://login.salesforce.com"
    return url.rstrip("/")


def _jwt_bearer(instance: InstanceConfig) -> dict[str, str]:
    key_file = instance.private_key_file
    if key_file is None or not key_file.is_file():
        raise ConfigurationError(f"instance {instance.name!r}: private_key_file {key_file} does not exist")
    claims = {
        "iss": instance.secret("client_id_env"),
        "sub": instance.username,
        "aud": jwt_audience(instance.url),
        "exp": int(time.time()) + JWT_LIFETIME_SECONDS,
    }
    try:
        assertion = jwt.encode(claims, key_file.read_bytes(), algorithm="RS256")
    except (ValueError, TypeError) as error:
        raise ConfigurationError(
            f"instance {instance.name!r}: private_key_file {key_file} is not an RSA "
            f"private key in PEM ({error})"
        ) from None
    return {"grant_type": JWT_GRANT, "assertion": assertion}


FLOWS: dict[str, Callable[[InstanceConfig], dict[str, str]]] = {
    "client_credentials": _client_credentials,
    "jwt_bearer": _jwt_bearer,
    "refresh_token": _refresh_token,
}

# OAuth error codes -> what the admin does about them.
_FIXES = {
    "invalid_client_id": "check the connected app's consumer key (client_id_env)",
    "invalid_client": "check the consumer key and secret (client_id_env, client_secret_env) and that the "
    "connected app allows this flow",
    "invalid_grant": "the credentials were refused: for client_credentials set a Run As user on the "
    "connected app; for refresh_token issue a new refresh token; for jwt_bearer check "
    "username, the certificate uploaded to the connected app and that the user is "
    "pre-authorised",
    "unsupported_grant_type": "enable this OAuth flow on the connected app",
    "inactive_user": "the integration user is inactive: reactivate it or configure another",
}


def fetch_token(instance: InstanceConfig, http: requests.Session) -> SessionToken:
    """Request a session for `instance` with its configured flow; never logs or returns a secret."""
    form = FLOWS[instance.auth](instance)
    url = instance.url.rstrip("/") + TOKEN_PATH
    try:
        response = http.post(url, data=form, timeout=TIMEOUT_SECONDS)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise TransientError(
            f"instance {instance.name!r}: cannot reach {url} ({type(error).__name__})"
        ) from None
    if response.status_code >= 500:
        raise TransientError(
            f"instance {instance.name!r}: {url} answered {response.status_code}", status=response.status_code
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        code = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description") if isinstance(body, dict) else None
        fix = _FIXES.get(str(code), f"check the instance's url ({instance.url}) and auth settings")
        raise AuthError(
            f"instance {instance.name!r}: Salesforce refused the {instance.auth} login "
            f"(HTTP {response.status_code} {code or 'no error code'}: {description or '-'}); {fix}"
        )
    identity = str(body.get("id") or "")
    user_id = identity.rstrip("/").rsplit("/", 1)[-1] or None if identity else None
    return SessionToken(
        access_token=body["access_token"],
        instance_url=str(body.get("instance_url") or instance.url).rstrip("/"),
        user_id=user_id,
    )
