"""Image formats by name and media type (no codec imports: the API process reads these)."""

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

Fit = Literal["cover", "contain", "fill", "inside", "outside"]
