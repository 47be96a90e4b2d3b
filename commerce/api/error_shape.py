"""The one error shape, `{"error": code, "detail": message}`: sent by the ASGI middleware
(which answer before FastAPI's exception handlers exist for the request) and described in the
OpenAPI schema, so clients and schema checkers know every refusal looks the same."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send


async def send_error(
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    status: int,
    code: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    response = JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)
    await response(scope, receive, send)


ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "machine-readable code"},
        "detail": {"type": "string", "description": "what was wrong, for a person"},
        "errors": {
            "type": "array",
            "description": "each problem found (invalid fields, bad catalog lines)",
            "items": {"type": "object"},
        },
    },
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_RETRY_AFTER = {
    "description": "seconds until the rate limit lets this caller in again",
    "schema": {"type": "integer", "minimum": 1},
}


def _error_response(description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ERROR_REF}},
        **extra,
    }


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation's refusals in an OpenAPI `schema`, with the error shape above."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            # FastAPI documents its own validation error body; ours has the shape above.
            responses["422"] = _error_response("invalid request: `errors` names each field")
            responses["429"] = _error_response(
                "too many requests", headers={"Retry-After": _RETRY_AFTER}
            )
            if "requestBody" in operation:
                responses["413"] = _error_response("the request body is over this route's limit")
            responses.setdefault(
                "4XX", _error_response("refused (unauthorized, forbidden, not found, conflict...)")
            )
    components = schema["components"]["schemas"]
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema
