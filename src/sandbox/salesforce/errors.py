"""Errors with the Salesforce error codes and messages the real API uses.

`ApiError` fails a whole request (the body is the JSON array `[{"message", "errorCode", "fields"}]`);
`RecordError` fails one record of a write and becomes a SaveResult error `{statusCode, message, fields}`.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields

    def body(self) -> list[dict[str, Any]]:
        entry: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            entry["fields"] = self.fields
        return [entry]


class RecordError(Exception):
    def __init__(self, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields or []

    def as_save_error(self) -> dict[str, Any]:
        return {"statusCode": self.code, "message": self.message, "fields": self.fields}

    def as_api_error(self, status: int = 400) -> ApiError:
        return ApiError(status, self.code, self.message, self.fields)


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")


def invalid_type(name: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist") if not name else ApiError(
        400, "INVALID_TYPE",
        f"sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to "
        "append the '__c' after the entity name. Please reference your WSDL or the describe call for the "
        "appropriate names.",
    )


def no_such_column(field: str, sobject: str) -> ApiError:
    return ApiError(400, "INVALID_FIELD", f"No such column '{field}' on sobject of type {sobject}", [])


def json_parser_error(detail: str) -> ApiError:
    return ApiError(400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of {detail}", [])
