"""The metadata people search by, as indexed columns: when a file was taken, with which
camera and lens, where, and which way round (from what processing found, `Asset.info`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

_MAX_CAMERA = 100
_MAX_LENS = 200


def orientation_of(width: int | None, height: int | None) -> str | None:
    """`landscape`, `portrait` or `square`; None without both dimensions."""
    if not width or not height:
        return None
    return "landscape" if width > height else "portrait" if height > width else "square"


def taken_moment(value: Any) -> datetime | None:
    """An ISO capture time as a naive UTC moment; a time without an offset is kept as the
    camera's wall clock (EXIF has no zone unless OffsetTimeOriginal says so)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _text(value: Any, limit: int) -> str | None:
    return value.strip()[:limit] or None if isinstance(value, str) else None


def _degrees(value: Any, bound: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if -bound <= value <= bound else None


def indexed_columns(
    info: dict[str, Any], *, width: int | None, height: int | None, created_at: datetime | None
) -> dict[str, Any]:
    """Column values for an asset whose processing found `info`: the capture time falls
    back to a document's creation date, then to when the file was stored."""
    found = info.get("gps")
    gps: dict[str, Any] = found if isinstance(found, dict) else {}
    taken = taken_moment(info.get("taken_at")) or taken_moment(info.get("created"))
    latitude, longitude = _degrees(gps.get("latitude"), 90), _degrees(gps.get("longitude"), 180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    return {
        "taken_at": taken or created_at,
        "camera_make": _text(info.get("camera_make"), _MAX_CAMERA),
        "camera_model": _text(info.get("camera_model"), _MAX_CAMERA),
        "lens": _text(info.get("lens"), _MAX_LENS),
        "latitude": latitude,
        "longitude": longitude,
        "orientation": orientation_of(width, height),
    }
