"""Parsing a `Range` header into the one byte range we serve."""

from __future__ import annotations

import re

from satchel.errors import RangeNotSatisfiable

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The half-open range [start, end) a `Range` header asks for, or None for the whole.

    Syntactically invalid or multi-range headers are ignored (RFC 9110 lets a server
    answer with the whole representation); a well-formed range outside the content is 416.
    """
    if header is None:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise _unsatisfiable(size)
        return max(size - length, 0), size
    start = int(first)
    end = size if not last else int(last) + 1
    if last and int(last) < start:
        return None
    if start >= size:
        raise _unsatisfiable(size)
    return start, min(end, size)


def _unsatisfiable(size: int) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(
        "The requested range is outside the content.",
        headers={"Content-Range": f"bytes */{size}"},
    )
