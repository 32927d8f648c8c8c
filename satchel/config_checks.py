"""Checks of setting values that need more than a type: rendition presets (the query
strings /render takes) and the strength of configured keys and secrets."""

from __future__ import annotations

import math
from collections import Counter
from urllib.parse import parse_qsl

from pydantic import SecretStr

from satchel.codes import Code


class ConfigurationError(SystemExit):
    """Settings Satchel refuses to start with; the message (which starts with the stable
    code) says what to set."""

    def __init__(self, message: str, *, code: str = Code.CONFIGURATION_INVALID) -> None:
        super().__init__(f"{code}: {message}")  # SystemExit prints its `code`: the text
        self.error_code = code


_PRESET_VALUES: dict[str, range | tuple[str, ...]] = {
    "w": range(1, 4097),
    "h": range(1, 4097),
    "q": range(1, 101),
    "fit": ("cover", "contain", "fill", "inside", "outside"),
    "format": ("jpg", "jpeg", "png", "webp", "avif"),
}


def check_preset(entry: str) -> str:
    """One rendition preset: a query string of w, h, fit, format and q (as /render takes)."""
    try:
        pairs = parse_qsl(entry, strict_parsing=True)
    except ValueError:
        pairs = []
    for key, value in pairs:
        allowed = _PRESET_VALUES.get(key)
        if allowed is None:
            raise ValueError(f"{entry!r}: {key!r} is not one of w, h, fit, format, q")
        if isinstance(allowed, range):
            if not (value.isascii() and value.isdigit() and int(value) in allowed):
                raise ValueError(f"{entry!r}: {key} is a whole number from 1 to {allowed[-1]}")
        elif value not in allowed:
            raise ValueError(f"{entry!r}: {key} is one of {', '.join(map(str, allowed))}")
    if not {k for k, _ in pairs} & {"w", "h"}:
        raise ValueError(f"{entry!r}: give w, h or both, such as 'w=320' or 'w=160&h=160'")
    return entry


SECRET_MIN_CHARS = 32
SECRET_MIN_BITS = 96  # the characters' Shannon entropy times the length
_PLACEHOLDERS = ("changeme", "change-me", "change_me", "replaceme", "replace-me", "example",
                 "placeholder", "your-", "password")  # fmt: skip
MAKE_ONE = "make one with `python3 -c 'import secrets; print(secrets.token_hex(32))'`"


def weakness(value: str) -> str | None:
    """Why a configured key or secret is easy to guess (None when it is not): too short,
    a placeholder left in, a short pattern repeated, or too few distinct characters."""
    if len(value) < SECRET_MIN_CHARS:
        return f"it has {len(value)} characters; at least {SECRET_MIN_CHARS} are needed"
    lowered = value.lower()
    for word in _PLACEHOLDERS:
        if word in lowered:
            return f"it contains the placeholder {word!r}"
    for n in range(1, len(value) // 2 + 1):
        if value == (value[:n] * (len(value) // n + 1))[: len(value)]:
            return f"it repeats {value[:n]!r}"
    counts = Counter(value).values()
    bits = -sum(c * math.log2(c / len(value)) for c in counts)
    if bits < SECRET_MIN_BITS:
        return (
            f"its characters carry about {bits:.0f} bits, fewer than {SECRET_MIN_BITS} "
            "(too many repeats)"
        )
    return None


def refuse_weak(**secrets: SecretStr | None) -> None:
    """Stop the start on the first configured secret (by its variable's name) that is weak;
    the message never includes the value."""
    for name, secret in secrets.items():
        why = weakness(secret.get_secret_value()) if secret is not None else None
        if why is not None:
            raise ConfigurationError(
                f"{name} is too weak to start with: {why}; {MAKE_ONE}.", code=Code.WEAK_SECRET
            )
