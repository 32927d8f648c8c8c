"""Image info: dimensions, format, channels, alpha, DPI and EXIF, as data."""

from __future__ import annotations

import contextlib
import math
from fractions import Fraction
from typing import Any

import pyvips

from satchel.media import imaging
from satchel.media.formats import HEIF_TYPES
from satchel.tools.base import InputFile, Inputs, NoSettings, ToolContext, ToolResult, tool

_MAX_TEXT = 512  # longer EXIF strings and binary blobs (maker notes) are summarised
_SWAPPED = (5, 6, 7, 8)  # EXIF orientations that turn the image a quarter


def _json_value(value: Any) -> Any:
    """An EXIF value as plain JSON: rationals as floats, bytes as text where printable."""
    if isinstance(value, Fraction) or type(value).__name__ == "IFDRational":
        number = float(value) if getattr(value, "denominator", 1) else math.nan
        return None if math.isnan(number) or math.isinf(number) else round(number, 6)
    if isinstance(value, bytes):
        text = value.rstrip(b"\x00")
        if len(text) <= _MAX_TEXT and all(32 <= b < 127 or b in (9, 10, 13) for b in text):
            return text.decode("ascii")
        return f"<{len(value)} bytes>"
    if isinstance(value, str):
        value = value.rstrip("\x00")
        return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "…"
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value[:64]]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, int | bool) or value is None:
        return value
    return str(value)[:_MAX_TEXT]


def read_exif(inp: InputFile) -> tuple[dict[str, Any], tuple[float, float] | None]:
    """EXIF tags by name (IFD0, Exif and GPS IFDs) and the DPI Pillow finds, if any."""
    from PIL import ExifTags, Image

    if inp.media_type in HEIF_TYPES:
        import pillow_heif

        pillow_heif.register_heif_opener()
    try:
        with Image.open(inp.path) as pil:
            exif = pil.getexif()
            raw_dpi = pil.info.get("dpi")
            tags: dict[str, Any] = {}
            sources: list[tuple[Any, Any]] = [(exif, ExifTags.TAGS)]
            for ifd, names in (
                (ExifTags.IFD.Exif, ExifTags.TAGS),
                (ExifTags.IFD.GPSInfo, ExifTags.GPSTAGS),
            ):
                with contextlib.suppress(Exception):  # a broken sub-IFD: keep the rest
                    sources.append((exif.get_ifd(ifd), names))
            for mapping, names in sources:
                for key, value in mapping.items():
                    if key in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo, 0x927C):  # maker note
                        continue
                    tags[names.get(key, f"Tag{key:#06x}")] = _json_value(value)
    except Exception:  # Pillow cannot read it (SVG, some TIFFs): no EXIF, not an error
        return {}, None
    dpi = None
    if isinstance(raw_dpi, tuple) and len(raw_dpi) == 2:
        x, y = (_json_value(v) for v in raw_dpi)
        if isinstance(x, int | float) and isinstance(y, int | float) and x > 0 and y > 0:
            dpi = (float(x), float(y))
    return tags, dpi


def describe(inp: InputFile) -> dict[str, Any]:
    # a HEIF's orientation is applied by its decoder: there is none left to report
    image = imaging.header(inp.path, inp.media_type, name=inp.name)
    fields = set(image.get_fields())
    orientation = int(image.get("orientation")) if "orientation" in fields else 1
    width, height = image.width, image.height
    if orientation in _SWAPPED:
        width, height = height, width
    exif, dpi = read_exif(inp)
    if dpi is None and "xres" in fields and inp.media_type != "image/jpeg":
        # libvips reports pixels per millimetre; 1.0 is its "unknown" default
        xres, yres = float(image.get("xres")), float(image.get("yres"))
        if xres > 1.0 and yres > 1.0:
            dpi = (xres * 25.4, yres * 25.4)
    pages = int(image.get("n-pages")) if "n-pages" in fields else 1
    subtype = inp.media_type.split("/", 1)[-1].split("+", 1)[0]
    return {
        "width": width,
        "height": height,
        "storedWidth": image.width,
        "storedHeight": image.height,
        "orientation": orientation,
        "format": subtype,
        "mediaType": inp.media_type,
        "size": inp.path.stat().st_size,
        "channels": image.bands,
        "hasAlpha": bool(image.hasalpha()),
        "bitDepth": _bit_depth(image),
        "colorSpace": str(image.interpretation),
        "hasIccProfile": "icc-profile-data" in fields,
        "pages": pages,
        "isAnimated": pages > 1 and inp.media_type in ("image/gif", "image/webp", "image/png"),
        "dpi": {"x": round(dpi[0], 2), "y": round(dpi[1], 2)} if dpi else None,
        "exif": exif,
    }


def _bit_depth(image: pyvips.Image) -> int:
    if image.get_typeof("bits-per-sample"):
        return int(image.get("bits-per-sample"))
    return {"uchar": 8, "char": 8, "ushort": 16, "short": 16}.get(str(image.format), 32)


@tool("image", "info", name="Image Info", settings=NoSettings, pipeline=False)
def info(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Facts about an image: width and height (as displayed, after EXIF orientation; the
    stored size too), format, file size, channels, alpha, bit depth, colour space, DPI
    (null when the file declares none) and its EXIF tags by name (maker notes left out)."""
    return ToolResult(data=describe(inputs.first))
