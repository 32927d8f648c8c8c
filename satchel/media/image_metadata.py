"""Image metadata as facts: EXIF (GPS included), XMP, IPTC, ICC and text chunks read into
JSON, and the facts re-encoding needs (orientation, JPEG quality, a needed colour profile)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from satchel.media import imaging
from satchel.media.errors import MetadataError
from satchel.media.formats import HEIF_TYPES


def is_srgb_profile(icc: bytes) -> bool:
    """Whether an ICC profile is (a copy of) sRGB, so dropping it changes no colour."""
    return "srgb" in icc_description(icc).lower()


def icc_description(icc: bytes) -> str:
    from PIL import ImageCms

    try:
        return str(ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile.profile_description or "")
    except (OSError, ImageCms.PyCMSError, ValueError):
        return ""


def _clean(value: Any, depth: int = 0) -> Any:
    """A JSON-friendly copy of an EXIF/IPTC value (bytes summarised, rationals as floats)."""
    if isinstance(value, bytes):
        text = value.rstrip(b"\x00")
        if text and all(32 <= b < 127 for b in text) and len(text) <= 2000:
            return text.decode("ascii")
        return f"<{len(value)} bytes>"
    if isinstance(value, str):
        return value.rstrip("\x00")[:2000]
    if isinstance(value, (tuple, list)) and depth < 3:
        return [_clean(v, depth + 1) for v in value[:64]]
    if isinstance(value, bool | int | None):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return str(value)[:2000]
    return round(number, 6) if number == number else None


def decode_xp(value: Any) -> str:
    """The Windows XP* tags: UTF-16LE text as bytes or as a tuple of byte values."""
    raw = bytes(value) if isinstance(value, tuple | list) else value
    if isinstance(raw, bytes):
        return raw.decode("utf-16-le", "replace").rstrip("\x00")
    return str(raw)


_XP_TAGS = {0x9C9B: "XPTitle", 0x9C9C: "XPComment", 0x9C9D: "XPAuthor", 0x9C9E: "XPKeywords"}
IPTC_NAMES = {
    5: "ObjectName", 25: "Keywords", 55: "DateCreated", 60: "TimeCreated", 80: "By-line",
    85: "By-lineTitle", 90: "City", 95: "Province-State", 101: "Country-PrimaryLocationName",
    105: "Headline", 110: "Credit", 115: "Source", 116: "CopyrightNotice", 120: "Caption-Abstract",
    122: "Writer-Editor",
}  # fmt: skip


# How a TIFF (or HEIC's EXIF copy) lays out its pixels: structure, not metadata.
STRUCTURE = frozenset(
    {254, 256, 257, 258, 259, 262, 266, 273, 277, 278, 279, 284, 317, 320, 322, 323, 324, 325}
    | {338, 339, 340, 341, 530, 531, 532}
)


def exif_dict(exif: Any) -> dict[str, Any]:
    """IFD0, Exif and GPS tags by name (from a Pillow `Image.Exif`)."""
    from PIL import ExifTags

    out: dict[str, Any] = {}
    for tag, value in exif.items():
        if tag in (0x8769, 0x8825, 0xA005) or tag in STRUCTURE:
            continue
        name = _XP_TAGS.get(tag) or ExifTags.TAGS.get(tag, f"Tag{tag:#06x}")
        out[name] = decode_xp(value) if tag in _XP_TAGS else _clean(value)
    for tag, value in exif.get_ifd(0x8769).items():
        out[ExifTags.TAGS.get(tag, f"Tag{tag:#06x}")] = _clean(value)
    gps = exif.get_ifd(0x8825)
    if gps:
        out["GPSInfo"] = {ExifTags.GPSTAGS.get(t, f"Tag{t}"): _clean(v) for t, v in gps.items()}
    return out


def gps_position(gps: dict[str, Any]) -> dict[str, float] | None:
    """Decimal degrees from the GPS tags (by name), or None when they are not usable."""
    try:
        lat = _degrees(gps["GPSLatitude"]) * (-1 if gps.get("GPSLatitudeRef") == "S" else 1)
        lon = _degrees(gps["GPSLongitude"]) * (-1 if gps.get("GPSLongitudeRef") == "W" else 1)
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {"lat": round(lat, 7), "lon": round(lon, 7)}


def _degrees(dms: Any) -> float:
    if isinstance(dms, int | float):
        return float(dms)
    d, m, s = (float(x) for x in dms)
    return d + m / 60 + s / 3600


_XMP_TAG = re.compile(r"^\{([^}]*)\}(.*)$")
NAMESPACES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    "http://ns.adobe.com/lightroom/1.0/": "lr",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
}
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def xmp_short(tag: str) -> str:
    match = _XMP_TAG.match(tag)
    if not match:
        return tag
    ns, local = match.groups()
    return f"{NAMESPACES.get(ns, ns)}:{local}"


def parse_xmp(xmp: bytes) -> dict[str, Any]:
    """The simple properties of an XMP packet: `prefix:name` → text or list of texts."""
    import xml.etree.ElementTree as ET

    if b"<!ENTITY" in xmp or b"<!DOCTYPE" in xmp:  # no entity games with untrusted input
        return {}
    try:
        root = ET.fromstring(xmp.strip(b"\x00 \r\n\t"))  # noqa: S314 (no DTD: checked)
    except ET.ParseError:
        return {}
    out: dict[str, Any] = {}
    for desc in root.iter(f"{{{RDF}}}Description"):
        for key, value in desc.attrib.items():
            if not key.startswith(f"{{{RDF}}}"):
                out[xmp_short(key)] = value[:2000]
        for child in desc:
            items = [li.text or "" for li in child.iter(f"{{{RDF}}}li")]
            out[xmp_short(child.tag)] = items if items else (child.text or "").strip()
    return out


def read(path: Path, name: str) -> dict[str, Any]:
    """Every metadata block the file carries, as JSON, plus `fields` naming each one."""
    from PIL import Image, IptcImagePlugin, UnidentifiedImageError

    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # pragma: no cover - pillow-heif is a dependency
        pass
    try:
        with Image.open(path) as im:
            fmt = im.format
            exif = exif_dict(im.getexif())
            info = dict(im.info)
            iptc_raw = IptcImagePlugin.getiptcinfo(im) if fmt in ("JPEG", "TIFF") else None
            size = im.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MetadataError(
            f"{name} could not be read as an image ({type(exc).__name__})."
        ) from exc
    xmp_raw = info.get("xmp") or info.get("XML:com.adobe.xmp") or b""
    if isinstance(xmp_raw, str):
        xmp_raw = xmp_raw.encode()
    xmp = parse_xmp(xmp_raw) if xmp_raw else {}
    iptc = {
        IPTC_NAMES.get(key[1], f"{key[0]}:{key[1]}"): _clean(
            [v.decode("utf-8", "replace") for v in value] if isinstance(value, list) else value
        )
        for key, value in (iptc_raw or {}).items()
        if key[0] == 2 and key[1] != 0
    }
    icc = info.get("icc_profile") or b""
    comments = {
        k: _clean(v)
        for k, v in info.items()
        if k in ("comment", "Comment", "Description", "Author", "Title", "Software")
        or (fmt == "PNG" and isinstance(v, str) and k not in ("xmp", "XML:com.adobe.xmp"))
    }
    gps = gps_position(exif.get("GPSInfo", {}))
    fields = (
        [f"exif.{k}" for k in exif]
        + [f"xmp.{k}" for k in xmp]
        + [f"iptc.{k}" for k in iptc]
        + (["icc"] if icc else [])
        + [f"text.{k}" for k in comments]
    )
    return {
        "format": (fmt or "").lower(),
        "width": size[0],
        "height": size[1],
        "orientation": exif.get("Orientation", 1),
        "has_exif": bool(exif),
        "has_xmp": bool(xmp_raw),
        "has_iptc": bool(iptc),
        "has_icc": bool(icc),
        "has_gps": gps is not None,
        "gps": gps,
        "exif": exif,
        "xmp": xmp,
        "iptc": iptc,
        "icc": {"description": icc_description(icc), "size": len(icc)} if icc else None,
        "text": comments,
        "fields": fields,
    }


# The JPEG standard's luminance table (Annex K): what quality 50 means.
_LUMA = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69,
    56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81,
    104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)  # fmt: skip


def jpeg_quality(path: Path) -> int:
    """The quality a JPEG was saved at, estimated from its luminance table (90 if unknown),
    so a re-encode neither bloats nor degrades it much."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            table = getattr(im, "quantization", {}).get(0)
    except OSError:
        table = None
    if not table or len(table) != 64:
        return 90
    scale = float(sum(table)) * 100 / sum(_LUMA)
    quality = (200 - scale) / 2 if scale <= 100 else 5000 / scale
    return int(max(1, min(100, round(quality))))


def orientation_of(path: Path, media_type: str) -> int:
    """The EXIF orientation still to apply (a HEIF's decoder applies its own)."""
    if media_type in HEIF_TYPES:
        return 1
    return imaging.orientation(imaging.header(path, media_type)) or 1


def colour_profile(path: Path, media_type: str) -> bytes | None:
    """The embedded ICC profile when the colours need it (anything but sRGB, which a
    viewer assumes when there is none)."""
    header = imaging.header(path, media_type)
    icc = header.get("icc-profile-data") if header.get_typeof("icc-profile-data") else None
    return bytes(icc) if icc and not is_srgb_profile(bytes(icc)) else None
