"""`/services/oauth2/token`: client credentials, refresh token and JWT bearer grants, with the real success
body (`access_token, instance_url, id, token_type, issued_at, signature`) and errors
(400 `{"error": "invalid_grant" | "invalid_client" | ..., "error_description": ...}`).

JWT bearer: the assertion must be RS256-signed with the key whose certificate is registered for the
sandbox's connected app (`jwt_keys.ensure_jwt_keys(state_dir)` makes the pair; tests sign with the private
key), `iss` = the client id, `aud` = the sandbox base URL or https://login.salesforce.com /
https://test.salesforce.com, `sub` = the Username of an active user, `exp` in the future.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qs

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.salesforce.context import OrgContext
from sandbox.salesforce.dialect import ORG_ID
from sandbox.salesforce.jwt_keys import ensure_jwt_keys

LOGIN_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")


def _error(code: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": code, "error_description": description}, status_code=status)


def _success(ctx: OrgContext, access_token: str, issued_at: float, user_id: str | None,
             refresh_token: str | None = None) -> JSONResponse:
    base = ctx.runtime.base_url
    identity = f"{base}/id/{ORG_ID}AAA/{user_id or ''}"
    issued = str(int(issued_at * 1000))
    secret = ctx.runtime.tokens.client_secret.encode()
    signature = base64.b64encode(hmac.new(secret, (identity + issued).encode(), hashlib.sha256).digest())
    body: dict[str, Any] = {"access_token": access_token, "instance_url": base, "id": identity,
                            "token_type": "Bearer", "issued_at": issued, "signature": signature.decode()}
    if refresh_token:
        body["refresh_token"] = refresh_token
    body["scope"] = "api refresh_token"
    return JSONResponse(body)


def _jwt_user(ctx: OrgContext, assertion: str) -> tuple[str | None, JSONResponse | None]:
    """The user the assertion names, or the error response."""
    public_key = ensure_jwt_keys(ctx.runtime.state_dir).public_key_file.read_bytes()
    audiences = [ctx.runtime.base_url, *LOGIN_AUDIENCES]
    try:
        claims = jwt.decode(assertion, public_key, algorithms=["RS256"], audience=audiences,
                            options={"require": ["iss", "sub", "aud", "exp"]})
    except jwt.ExpiredSignatureError:
        return None, _error("invalid_grant", "expired authorization code")
    except jwt.InvalidAudienceError:
        return None, _error("invalid_grant", "audience is invalid")
    except jwt.PyJWTError:
        return None, _error("invalid_grant", "invalid assertion")
    if claims["iss"] != ctx.runtime.tokens.client_id:
        return None, _error("invalid_client_id", "client identifier invalid")
    user = next((r for r in ctx.store.rows("User") if r.get("Username") == claims["sub"]), None)
    if user is None or not user.get("IsActive"):
        return None, _error("invalid_grant", "user hasn't approved this consumer")
    return user["Id"], None


class OAuthHandlers:
    """The handler of the OAuth token endpoint over one org and the runtime's tokens."""

    def __init__(self, ctx: OrgContext) -> None:
        self.ctx = ctx

    async def token(self, request: Request) -> JSONResponse:
        # urlencoded bodies parsed here: Starlette's request.form() needs python-multipart
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        form.update({k: v for k, v in request.query_params.items() if k not in form})
        grant = form.get("grant_type")
        if grant == "client_credentials":
            return self._client_credentials(form)
        if grant == "refresh_token":
            return self._refresh(form)
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            user_id, failure = _jwt_user(self.ctx, str(form.get("assertion") or ""))
            if failure is not None:
                return failure
            issued = self.ctx.runtime.tokens.issue()
            return _success(self.ctx, issued.access_token, issued.issued_at, user_id)
        return _error("unsupported_grant_type", "grant type not supported")

    def _client_credentials(self, form: dict[str, str]) -> JSONResponse:
        tokens = self.ctx.runtime.tokens
        if not tokens.check_client(form.get("client_id"), form.get("client_secret")):
            return _error("invalid_client", "invalid client credentials")
        issued = tokens.issue()
        return _success(self.ctx, issued.access_token, issued.issued_at, self.ctx.store.api_user_id)

    def _refresh(self, form: dict[str, str]) -> JSONResponse:
        tokens = self.ctx.runtime.tokens
        if form.get("client_id") != tokens.client_id:
            return _error("invalid_client_id", "client identifier invalid")
        if form.get("client_secret") is not None and not tokens.check_client(
                form.get("client_id"), form.get("client_secret")):
            return _error("invalid_client", "invalid client credentials")
        issued = tokens.refresh(str(form.get("refresh_token") or ""))
        if issued is None:
            return _error("invalid_grant", "expired access/refresh token")
        return _success(self.ctx, issued.access_token, issued.issued_at, self.ctx.store.api_user_id)


def routes(ctx: OrgContext) -> list[Route]:
    """This module's endpoints; each route's name is its endpoint label."""
    h = OAuthHandlers(ctx)
    return [Route("/services/oauth2/token", h.token, methods=["POST"], name="oauth_token")]
