"""Identifiers: a type prefix plus 26 characters that sort by creation time (ULID layout)."""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case

PREFIXES = frozenset(
    {
        "ast",
        "spc",
        "key",
        "usr",
        "job",
        "pln",
        "tm",
        "ver",
        "upl",
        "stc",
        "ses",
        "rol",
        "aud",
        "whk",
        "msg",
    }
)


def new_id(prefix: str) -> str:
    """A new id such as `ast_01j9z3k7m2q4r8t6v0w2x4y6z8`; later ids sort after earlier ones."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return f"{prefix}_{''.join(reversed(chars))}"


def looks_like(prefix: str, value: str) -> bool:
    """Whether `value` has the shape of an id of this type (cheap check before a lookup)."""
    body = value.removeprefix(f"{prefix}_")
    return body != value and len(body) == 26 and all(c in _ALPHABET for c in body)
