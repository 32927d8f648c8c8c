"""Page and frame selections as people write them: `all`, `3`, `1-3,5`, `7-` (to the end)."""

from __future__ import annotations

import re

from satchel.media.errors import OutOfRange

_PART = re.compile(r"^\s*(\d+)\s*(?:(-)\s*(\d*)\s*)?$")
MAX_SPEC_CHARS = 1000


def check_ranges(spec: str) -> str:
    """Pydantic validator body: the syntax only (the count is known when the file is)."""
    _parts(spec)
    return spec


def _parts(spec: str) -> list[tuple[int, int | None]]:
    text = spec.strip().lower()
    if text == "all":
        return [(1, None)]
    if not text or len(text) > MAX_SPEC_CHARS:
        raise ValueError("use `all` or numbers and ranges such as `1-3,5`")
    parts: list[tuple[int, int | None]] = []
    for piece in text.split(","):
        match = _PART.match(piece)
        if not match:
            raise ValueError(f"{piece.strip()!r} is not a number or a range such as `1-3`")
        start = int(match.group(1))
        end = None if match.group(2) and not match.group(3) else int(match.group(3) or start)
        if start < 1 or (end is not None and end < start):
            raise ValueError(f"{piece.strip()!r} is not a range that counts up from 1")
        parts.append((start, end))
    return parts


def select(spec: str, count: int, *, what: str = "page") -> list[int]:
    """The 1-based numbers `spec` names, in the order written, each once, all ≤ count."""
    chosen: list[int] = []
    seen: set[int] = set()
    for start, end in _parts(spec):
        last = count if end is None else end
        if start > count or last > count:
            missing = start if start > count else last
            raise OutOfRange(
                f"There is no {what} {missing}: "
                f"the file has {count} {what}{'s' if count != 1 else ''}.",
                code=f"tool_{what}_out_of_range",
            )
        for n in range(start, last + 1):
            if n not in seen:
                seen.add(n)
                chosen.append(n)
    return chosen
