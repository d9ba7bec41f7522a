"""/oauth/v1/token (refresh_token grant; also at /oauth/2026-03/token) and /oauth/v1/access-tokens/{token},
over the runtime's tokens.

Private apps use a static token; OAuth apps refresh here when a token expires mid-run. Error
bodies are HubSpot's: 400 `{"status": "BAD_REFRESH_TOKEN", "message": ..., "correlationId": ...}`.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot.context import DATED_VERSIONS, PortalContext
from sandbox.hubspot.errors import correlation_id

ACCESS_TOKEN_SECONDS = 1800
SCOPES = ["oauth", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read",
          "crm.objects.companies.write", "crm.objects.deals.read", "crm.objects.deals.write",
          "crm.objects.owners.read", "crm.schemas.custom.read", "crm.schemas.custom.write",
          "crm.objects.custom.read", "crm.objects.custom.write"]


def _error(status: str, message: str) -> JSONResponse:
    return JSONResponse({"status": status, "message": message, "correlationId": correlation_id()},
                        status_code=400)


class OAuthRoutes:
    """The handlers of the OAuth endpoints over the runtime's TokenStore; each handler is a method."""

    def __init__(self, ctx: PortalContext) -> None:
        self.tokens = ctx.runtime.tokens
        self.portal_id = ctx.portal.portal_id
        self.expires_in = int(self.tokens.ttl_seconds) if self.tokens.ttl_seconds else ACCESS_TOKEN_SECONDS

    async def token(self, request: Request) -> Response:
        # Form-encoded, parsed here rather than with request.form() (which needs python-multipart).
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        grant = form.get("grant_type")
        if grant not in ("refresh_token", "authorization_code"):
            return _error("BAD_GRANT_TYPE", "missing or unknown grant type")
        if not self.tokens.check_client(form.get("client_id"), form.get("client_secret")):
            return _error("BAD_CLIENT_ID", "missing or unknown client id")
        if grant == "authorization_code":
            return _error("BAD_AUTH_CODE", "missing or unknown auth code")
        issued = self.tokens.refresh(str(form.get("refresh_token") or ""))
        if issued is None:
            return _error("BAD_REFRESH_TOKEN", "missing or unknown refresh token")
        return JSONResponse({"token_type": "bearer", "refresh_token": issued.refresh_token,
                             "access_token": issued.access_token, "expires_in": self.expires_in})

    async def token_info(self, request: Request) -> Response:
        access = request.path_params["token"]
        if not self.tokens.is_valid(access):
            return JSONResponse({"status": "error", "message": "The OAuth token used to make this call expired.",
                                 "correlationId": correlation_id(), "category": "EXPIRED_AUTHENTICATION"},
                                status_code=401)
        return JSONResponse({"token": access, "user": "sandbox-admin@example.com", "hub_domain": "sandbox.hubspot",
                             "scopes": SCOPES, "hub_id": self.portal_id, "app_id": 1000001, "user_id": 1,
                             "expires_in": self.expires_in, "token_type": "access"})


def routes(ctx: PortalContext) -> list[Route]:
    """This module's endpoints (public: no bearer token); each route's name is its endpoint label. The token
    endpoint is served at /oauth/v1/token and at its dated paths (/oauth/2026-03/token)."""
    h = OAuthRoutes(ctx)
    tokens = [f"/oauth/{version}/token" for version in ("v1", *DATED_VERSIONS)]
    return [*(Route(path, h.token, methods=["POST"], name="oauth_token") for path in tokens),
            Route("/oauth/v1/access-tokens/{token}", h.token_info, methods=["GET"], name="oauth_token")]
