"""/oauth/v1/token (refresh_token grant) and /oauth/v1/access-tokens/{token}, over the runtime's tokens.

Private apps use a static token; OAuth apps refresh here when a token expires mid-run. Error
bodies are HubSpot's: 400 `{"status": "BAD_REFRESH_TOKEN", "message": ..., "correlationId": ...}`.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot.errors import correlation_id

ACCESS_TOKEN_SECONDS = 1800
SCOPES = ["oauth", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read",
          "crm.objects.companies.write", "crm.objects.deals.read", "crm.objects.deals.write",
          "crm.objects.owners.read", "crm.schemas.custom.read", "crm.schemas.custom.write",
          "crm.objects.custom.read", "crm.objects.custom.write"]


def _error(status: str, message: str) -> JSONResponse:
    return JSONResponse({"status": status, "message": message, "correlationId": correlation_id()},
                        status_code=400)


def routes(tokens, portal_id: int, ttl_seconds: float | None) -> list[Route]:
    """`tokens` is the runtime's TokenStore (issue/refresh/check_client/check)."""

    async def token(request: Request) -> Response:
        # Form-encoded, parsed here rather than with request.form() (which needs python-multipart).
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        grant = form.get("grant_type")
        if grant not in ("refresh_token", "authorization_code"):
            return _error("BAD_GRANT_TYPE", "missing or unknown grant type")
        if not tokens.check_client(form.get("client_id"), form.get("client_secret")):
            return _error("BAD_CLIENT_ID", "missing or unknown client id")
        if grant == "authorization_code":
            return _error("BAD_AUTH_CODE", "missing or unknown auth code")
        issued = tokens.refresh(str(form.get("refresh_token") or ""))
        if issued is None:
            return _error("BAD_REFRESH_TOKEN", "missing or unknown refresh token")
        expires_in = int(ttl_seconds) if ttl_seconds else ACCESS_TOKEN_SECONDS
        return JSONResponse({"token_type": "bearer", "refresh_token": issued.refresh_token,
                             "access_token": issued.access_token, "expires_in": expires_in})

    async def token_info(request: Request) -> Response:
        access = request.path_params["token"]
        if not tokens.is_valid(access):
            return JSONResponse({"status": "error", "message": "The OAuth token used to make this call expired.",
                                 "correlationId": correlation_id(), "category": "EXPIRED_AUTHENTICATION"},
                                status_code=401)
        return JSONResponse({"token": access, "user": "sandbox-admin@example.com", "hub_domain": "sandbox.hubspot",
                             "scopes": SCOPES, "hub_id": portal_id, "app_id": 1000001, "user_id": 1,
                             "expires_in": int(ttl_seconds) if ttl_seconds else ACCESS_TOKEN_SECONDS,
                             "token_type": "access"})

    return [Route("/oauth/v1/token", token, methods=["POST"]),
            Route("/oauth/v1/access-tokens/{token}", token_info, methods=["GET"])]
