"""JSON from callers (bodies, form fields, metadata): parsed with a depth limit, so that
`[[[[…]]]]` is a clean 422 instead of a recursion error deep inside the server."""

from __future__ import annotations

import json
from typing import Any

from satchel.codes import Code
from satchel.errors import Invalid

MAX_DEPTH = 32  # nesting of arrays and objects
MAX_DIGITS = 18  # integers in headers and query strings (an int64 has 19)


def _too_deep(field: str) -> Invalid:
    return Invalid(
        f"`{field}` is nested more than {MAX_DEPTH} levels deep.",
        code=Code.VALIDATION_ERROR,
        fields=[{"field": field, "message": f"at most {MAX_DEPTH} levels of nesting"}],
    )


def nesting(text: str | bytes) -> int:
    """How deep the brackets of a JSON text go (strings skipped), without recursion."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def loads(text: str | bytes, *, field: str = "body") -> Any:
    """`json.loads`, refusing texts nested deeper than MAX_DEPTH (JSONDecodeError and
    UnicodeDecodeError pass through for the caller to word)."""
    if nesting(text) > MAX_DEPTH:
        raise _too_deep(field)
    return json.loads(text)


def check_depth(value: Any, *, field: str) -> Any:
    """A parsed value nested at most MAX_DEPTH levels (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            if level > MAX_DEPTH:
                raise _too_deep(field)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return value


def ascii_int(value: str | None) -> int | None:
    """A plain non-negative decimal of at most MAX_DIGITS ASCII digits, else None
    (`"²".isdigit()` is true, and 5000 digits would not even convert)."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > MAX_DIGITS:
        return None
    return int(value)
