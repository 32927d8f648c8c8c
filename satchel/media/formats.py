"""Image formats by name and media type, and which one a result is written in.

No codec imports: the API process reads these without loading libvips.
"""

from __future__ import annotations

from typing import Literal

Format = Literal["jpg", "jpeg", "png", "webp", "avif", "tiff", "gif", "heic", "heif"]
FORMATS: tuple[str, ...] = ("jpg", "jpeg", "png", "webp", "avif", "tiff", "gif", "heic", "heif")

MEDIA_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
    "tiff": "image/tiff",
    "gif": "image/gif",
    "heic": "image/heic",
    "heif": "image/heif",
    "svg": "image/svg+xml",
}
FORMAT_OF = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/avif": "avif",
    "image/tiff": "tiff",
    "image/gif": "gif",
    "image/heic": "heic",
    "image/heif": "heif",
}
HEIF_TYPES = frozenset({"image/heic", "image/heif"})
SVG = "image/svg+xml"
ALPHA_FORMATS = frozenset({"png", "webp", "avif", "tiff", "heic", "heif"})

Fit = Literal["cover", "contain", "fill", "inside", "outside"]


def normal(fmt: str) -> str:
    """One spelling per format: `jpeg` is written `jpg`."""
    return "jpg" if fmt == "jpeg" else fmt


def out_format(requested: str | None, media_type: str) -> str:
    """The output format: the one requested, else the input's (SVG becomes PNG)."""
    if requested:
        return normal(requested)
    return FORMAT_OF.get(media_type, "png")


def share_format(requested: str | None, media_type: str, *, transparent: bool) -> str:
    """The requested format, else the input's: HEIC becomes JPEG (HEVC encoding is slow
    and these results are made for sharing), and PNG when transparency must survive."""
    if requested:
        return normal(requested)
    fmt = out_format(None, media_type)
    if fmt in ("heic", "heif"):
        fmt = "jpg"
    if transparent and fmt not in ALPHA_FORMATS:
        fmt = "png"
    return fmt


def auto_format(requested: str | None, has_alpha: bool) -> str:
    """The requested format, else PNG when transparency matters, JPEG when it does not."""
    if requested:
        return normal(requested)
    return "png" if has_alpha else "jpg"


def file_name(name: str, fmt: str) -> str:
    """`name` with the format's extension in place of its own."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}.{normal(fmt)}"
