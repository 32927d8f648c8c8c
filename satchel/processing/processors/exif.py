"""EXIF and ICC summaries: camera, lens, capture time, GPS, and bounded raw tags."""

from __future__ import annotations

import io
import math
import warnings
from datetime import datetime
from typing import Any

from PIL import ExifTags, Image, ImageCms

_MAX_TAGS = 300
_MAX_VALUE_CHARS = 256
# Maker notes and embedded previews are large opaque blobs: useless raw, and bulky.
_SKIP_TAGS = frozenset({0x927C, 0x02BC, 0x8773, 0x83BB, 0x9286})
_EXIF_DATE = "%Y:%m:%d %H:%M:%S"


def parse(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """(normalized summary, raw tags by name) from an EXIF block; odd blocks give less."""
    exif = Image.Exif()
    with warnings.catch_warnings():
        # Pillow warns about the very oddities the corpus is full of; we only read what parses.
        warnings.simplefilter("ignore")
        try:
            exif.load(data)
            base = dict(exif)
            sub = _ifd(exif, ExifTags.IFD.Exif)
            gps = _ifd(exif, ExifTags.IFD.GPSInfo)
        except Exception:
            return {}, {}
    summary: dict[str, Any] = {}
    _text(summary, "camera_make", base.get(ExifTags.Base.Make))
    _text(summary, "camera_model", base.get(ExifTags.Base.Model))
    _text(summary, "lens", sub.get(ExifTags.Base.LensModel))
    taken = _taken_at(
        sub.get(ExifTags.Base.DateTimeOriginal) or base.get(ExifTags.Base.DateTime),
        sub.get(ExifTags.Base.OffsetTimeOriginal),
    )
    if taken:
        summary["taken_at"] = taken
    location = gps_position(gps)
    if location:
        summary["gps"] = location
    raw = _raw(base, ExifTags.TAGS)
    raw.update({f"Exif.{k}": v for k, v in _raw(sub, ExifTags.TAGS).items()})
    raw.update({f"GPS.{k}": v for k, v in _raw(gps, ExifTags.GPSTAGS).items()})
    return summary, dict(list(raw.items())[:_MAX_TAGS])


def gps_position(gps: dict[int, Any]) -> dict[str, float] | None:
    """Signed decimal degrees (and metres) from a GPS IFD, or None when it holds no fix."""
    latitude = _degrees(gps.get(2), gps.get(1), "S")
    longitude = _degrees(gps.get(4), gps.get(3), "W")
    if latitude is None or longitude is None:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    position = {"latitude": round(latitude, 7), "longitude": round(longitude, 7)}
    altitude = _number(gps.get(6))
    if altitude is not None:
        below = gps.get(5) in (1, b"\x01")
        position["altitude"] = round(-altitude if below else altitude, 2)
    return position


def icc_description(profile: bytes) -> str | None:
    """The profile's human-readable description ("sRGB IEC61966-2.1", "Display P3")."""
    try:
        parsed = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        text = ImageCms.getProfileDescription(parsed)
    except Exception:
        return None
    return " ".join(text.split()) or None


def _ifd(exif: Image.Exif, tag: int) -> dict[int, Any]:
    try:
        return dict(exif.get_ifd(tag))
    except Exception:
        return {}


def _degrees(value: Any, ref: Any, negative: str) -> float | None:
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    parts = [_number(part) for part in value]
    if any(part is None for part in parts):
        return None
    d, m, s = (float(part) for part in parts if part is not None)
    result = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if isinstance(ref, str) and ref.strip().upper().startswith(negative):
        result = -result
    return result


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _taken_at(value: Any, offset: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.strptime(value.strip().rstrip("\0"), _EXIF_DATE)
    except ValueError:
        return None
    iso = moment.isoformat()
    if isinstance(offset, str) and len(offset.strip()) == 6 and offset.strip()[0] in "+-":
        iso += offset.strip()
    return iso


def _text(summary: dict[str, Any], key: str, value: Any) -> None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        cleaned = " ".join(value.replace("\0", " ").split())
        if cleaned:
            summary[key] = cleaned[:_MAX_VALUE_CHARS]


def _raw(tags: dict[int, Any], names: dict[int, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tag, value in tags.items():
        if tag in _SKIP_TAGS or tag in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo):
            continue
        out[names.get(tag, f"0x{tag:04x}")] = _jsonable(value)
    return out


def _jsonable(value: Any) -> Any:
    """Plain JSON values: rationals as floats, bytes as short hex, everything bounded."""
    if isinstance(value, bool | int | str):
        return value[:_MAX_VALUE_CHARS].replace("\0", "") if isinstance(value, str) else value
    if isinstance(value, bytes):
        return value[: _MAX_VALUE_CHARS // 2].hex()
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value[:32]]
    number = _number(value)
    if number is not None:
        return round(number, 6)
    return str(value)[:_MAX_VALUE_CHARS] if value is not None else None
