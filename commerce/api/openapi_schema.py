"""The OpenAPI schema as the API really answers: FastAPI's, plus the error responses every
operation can give (`error_shape`), plus `null` where a response field can be null.

FastAPI on pydantic 1 leaves `null` out of the schema of an optional field (`revoked_at:
datetime | None` is documented as a date-time string only), so clients and schema checkers
would reject the very responses the API sends. The response models are the truth: each field
that allows None is made nullable in its component schema.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from commerce.api.error_shape import document_errors

# What a schema keeps beside the "anyOf" when it is made nullable.
_ANNOTATIONS = ("title", "description", "default", "examples")


def _response_models(app: FastAPI) -> set[type[BaseModel]]:
    """Every model a route answers with, and the models inside them."""
    found: set[type[BaseModel]] = set()
    todo: list[Any] = [getattr(route, "response_model", None) for route in app.routes]
    while todo:
        kind = todo.pop()
        if kind is None:
            continue
        todo.extend(typing.get_args(kind))  # list[X], dict[str, X], X | None
        # (list[X] passes isinstance(..., type) on Python 3.10: generics are ruled out first)
        if typing.get_origin(kind) is not None or not isinstance(kind, type):
            continue
        if issubclass(kind, BaseModel) and kind not in found:
            found.add(kind)
            for field in kind.__fields__.values():
                todo.extend((field.outer_type_, field.type_))
    return found


def _is_nullable(schema: dict[str, Any]) -> bool:
    kinds = schema.get("type")
    if kinds == "null" or (isinstance(kinds, list) and "null" in kinds):
        return True
    return any(_is_nullable(option) for option in schema.get("anyOf", []))


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    inner = {k: v for k, v in schema.items() if k not in _ANNOTATIONS}
    outer = {k: v for k, v in schema.items() if k in _ANNOTATIONS}
    return {**outer, "anyOf": [inner, {"type": "null"}]}


def mark_nullable_fields(schema: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    components = schema.get("components", {}).get("schemas", {})
    for model in _response_models(app):
        component = components.get(model.__name__)
        if component is None:
            continue
        properties = component.get("properties", {})
        for field in model.__fields__.values():
            prop = properties.get(field.alias)
            if field.allow_none and prop is not None and not _is_nullable(prop):
                properties[field.alias] = _nullable(prop)
    return schema


def complete_openapi(app: FastAPI) -> None:
    """`app.openapi()` (and `/openapi.json`) with the error responses and nullable fields."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = mark_nullable_fields(document_errors(build()), app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
