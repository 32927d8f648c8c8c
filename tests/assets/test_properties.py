"""Property tests for Range parsing and file-name handling."""

from __future__ import annotations

import re
from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from satchel.assets.filenames import MAX_FILENAME_BYTES, clean_filename, content_disposition
from satchel.assets.ranges import parse_range
from satchel.errors import RangeNotSatisfiable

sizes = st.integers(min_value=0, max_value=10**12)


@given(size=sizes, first=st.integers(0, 10**12), last=st.integers(0, 10**12))
def test_explicit_range_is_within_content(size: int, first: int, last: int) -> None:
    try:
        result = parse_range(f"bytes={first}-{last}", size)
    except RangeNotSatisfiable:
        assert first >= size
        return
    if last < first:
        assert result is None
        return
    assert result is not None
    start, end = result
    assert start == first and 0 <= start < end <= size
    assert end == min(last + 1, size)


@given(size=sizes, suffix=st.integers(0, 10**12))
def test_suffix_range(size: int, suffix: int) -> None:
    try:
        result = parse_range(f"bytes=-{suffix}", size)
    except RangeNotSatisfiable:
        assert suffix == 0 or size == 0
        return
    assert result == (max(size - suffix, 0), size)


@given(size=sizes, header=st.text(max_size=40))
def test_any_header_never_crashes(size: int, header: str) -> None:
    try:
        result = parse_range(header, size)
    except RangeNotSatisfiable:
        return
    if result is not None:
        start, end = result
        assert 0 <= start < end <= size


@given(name=st.one_of(st.none(), st.text(max_size=400)))
def test_clean_filename_is_safe(name: str | None) -> None:
    cleaned = clean_filename(name)
    assert cleaned and "/" not in cleaned and "\\" not in cleaned
    assert cleaned not in (".", "..")
    assert len(cleaned.encode()) <= MAX_FILENAME_BYTES
    assert not any(ord(c) < 32 or ord(c) == 127 for c in cleaned)
    assert clean_filename(cleaned) == cleaned  # idempotent


@given(name=st.text(min_size=1, max_size=200))
def test_content_disposition_round_trips(name: str) -> None:
    cleaned = clean_filename(name)
    header = content_disposition(cleaned, attachment=False)
    header.encode("latin-1")  # header-safe
    assert "\r" not in header and "\n" not in header
    match = re.search(r"filename\*=UTF-8''([^;]*)$", header)
    assert match is not None and unquote(match.group(1)) == cleaned
    plain = re.search(r'filename="([^"]*)"', header)
    assert plain is not None and plain.group(1).isascii()


def test_clean_filename_keeps_the_extension() -> None:
    assert clean_filename("  .png") == "upload.png"
    assert clean_filename(". . .png") == "upload.png"
    assert clean_filename("...") == "upload"
    assert clean_filename("...", media_type="application/pdf") == "upload.pdf"
    assert clean_filename("report.pdf. ", media_type="image/png") == "report.pdf"


def test_size_limits_read_in_units_with_the_exact_count() -> None:
    """Friction 10: limits were reported as raw byte counts only."""
    from satchel.units import size_text

    assert size_text(5 * 1024**3) == "5 GiB (5,368,709,120 bytes)"
    assert size_text(1536) == "1.5 KiB (1,536 bytes)"
    assert size_text(100) == "100 bytes"
