"""What makes a JSON request body unacceptable before any route looks at it.

Each of these reached a 500 once: a depth the parser accepts but a recursive validator does
not (RecursionError), a lone surrogate escape (`"\\ud800"`, valid JSON, but not encodable as
UTF-8 for the database), NUL characters (PostgreSQL cannot store them).
"""

from __future__ import annotations

import json
from typing import Any


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "text in the body must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "text in the body must not contain unpaired surrogate escapes (\\ud800-\\udfff)"
    return None


def json_body_problem(body: bytes, *, max_depth: int) -> str | None:
    """Why `body` is not acceptable JSON, or None when it is (even if a route's own
    validation will still refuse its fields)."""
    try:
        text = body.decode("utf-8-sig")  # a BOM is tolerated, as by FastAPI
    except UnicodeDecodeError:
        return "the request body must be UTF-8 encoded JSON"
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        return f"the JSON body is nested more than {max_depth} levels deep"
    except ValueError as exc:
        return f"the request body is not valid JSON: {exc}"
    # Walked with an explicit stack, so the walk itself cannot run out of recursion.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                return problem
        elif isinstance(item, (dict, list)):
            if depth > max_depth:
                return f"the JSON body is nested more than {max_depth} levels deep"
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
    return None
