"""HubSpot's error bodies: `{status: "error", message, correlationId, category, ...}`.

Messages are HubSpot's own wording where it is known from public responses (see
docs/sandbox-hubspot.md, "Error bodies", for which ones are verbatim and which are modelled).
"""

from __future__ import annotations

import json
import uuid

from starlette.responses import JSONResponse

from sandbox.hubspot.store import PropertyError


class ApiError(Exception):
    """Raised by handlers; the app turns it into the JSON response."""

    def __init__(self, status: int, category: str, message: str, *, context: dict | None = None,
                 sub_category: str | None = None, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None, extra: dict | None = None):
        super().__init__(message)
        self.status, self.category, self.message = status, category, message
        self.context, self.sub_category, self.errors = context, sub_category, errors
        self.headers, self.extra = headers or {}, extra or {}

    def body(self) -> dict:
        body: dict = {"status": "error", "message": self.message, "correlationId": correlation_id()}
        if self.sub_category:
            body["subCategory"] = self.sub_category
        if self.context is not None:
            body["context"] = self.context
        if self.errors is not None:
            body["errors"] = self.errors
        body["category"] = self.category
        body.update(self.extra)
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def correlation_id() -> str:
    return str(uuid.uuid4())


def invalid_property_values(errors: list[PropertyError], portal_id: int) -> str:
    """The message of a 400 for bad property values: HubSpot embeds a JSON list in the text."""
    entries = [{"isValid": False, "message": e.message, "error": e.code, "name": e.name,
                "localizedErrorMessage": e.message, "portalId": portal_id} for e in errors]
    return "Property values were not valid: " + json.dumps(entries, separators=(",", ":"))


def validation(message: str, **kw) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message, **kw)


def object_not_found(record_id: str) -> ApiError:
    return ApiError(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.",
                    context={"id": [record_id]})


def unknown_object_type(name: str) -> ApiError:
    return validation(f"Unable to infer object type from: {name}")


def resource_not_found() -> ApiError:
    return ApiError(404, "OBJECT_NOT_FOUND", "resource not found")


def batch_error(category: str, message: str, context: dict, errors: list[dict] | None = None,
                sub_category: str | None = None) -> dict:
    """One entry of a 207's `errors`. hubspot-api-client's StandardError requires `context`,
    `links` and `errors` in strict mode, so they are always present (empty when HubSpot would omit them)."""
    entry = {"status": "error", "category": category, "message": message, "context": context,
             "links": {}, "errors": errors or []}
    if sub_category:
        entry["subCategory"] = sub_category
    return entry


# --- the runtime-level answers (rate limits, auth, 5xx) ------------------------------------------

RATE_LIMIT_GROUP = "api-calls"


def rate_limit_body(policy: str) -> dict:
    """The 429 body; `policy` is TEN_SECONDLY_ROLLING or DAILY (SECONDLY for OAuth apps)."""
    return {"status": "error", "message": f"You have reached your {policy.lower()} limit.",
            "errorType": "RATE_LIMIT", "correlationId": correlation_id(), "policyName": policy,
            "groupName": RATE_LIMIT_GROUP}


AUTH_MISSING = ("Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
                "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")


def unauthenticated_body(expired: bool) -> dict:
    if expired:
        return {"status": "error", "message": "The OAuth token used to make this call expired 1 second(s) ago.",
                "correlationId": correlation_id(), "category": "EXPIRED_AUTHENTICATION",
                "context": {"expire time": ["1 second(s) ago"]}}
    return {"status": "error", "message": AUTH_MISSING, "correlationId": correlation_id(),
            "category": "INVALID_AUTHENTICATION"}


def server_error_body(status: int) -> dict:
    if status == 503:
        return {"status": "error", "message": "Service Unavailable", "correlationId": correlation_id(),
                "category": "SERVICE_UNAVAILABLE"}
    return {"status": "error", "message": "internal error", "correlationId": correlation_id(),
            "category": "INTERNAL_ERROR"}
