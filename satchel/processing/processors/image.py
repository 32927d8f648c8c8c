"""Images: dimensions, EXIF/XMP/IPTC/ICC summary, dominant colours, thumbnail and preview."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import numpy as np
import pyvips

from satchel.media import imaging
from satchel.media.errors import ImageDecodeError
from satchel.media.formats import HEIF_TYPES, SVG
from satchel.processing.processors import exif
from satchel.processing.processors.base import (
    Derivative,
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    Progress,
    processor,
)

_XMP_RAW_BYTES = 16 * 1024
_LQIP_PX = 16


@processor("image")
def process_image(
    path: Path, media_type: str, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    progress(5, "reading the image header")
    metadata: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    if media_type in HEIF_TYPES:
        progress(30, "making the preview")
        preview = _with_pillow(path, limits, metadata, raw)
    else:
        try:
            _describe_header(imaging.header(path, media_type), media_type, limits, metadata, raw)
        except ImageDecodeError:
            if media_type == SVG:
                raise
        progress(30, "making the preview")
        try:
            thumbnail = imaging.thumbnail(path, media_type, limits.preview_px)
            preview = imaging.for_display(thumbnail).copy_memory()
        except (ImageDecodeError, pyvips.Error):
            if media_type == SVG:
                raise
            # libvips gives up on some damaged JPEGs that Pillow still reads.
            preview = _with_pillow(path, limits, metadata, raw)
    progress(70, "making the thumbnail")
    thumb = preview.thumbnail_image(limits.thumbnail_px, height=limits.thumbnail_px, size="down")
    thumb = imaging.for_display(thumb).copy_memory()
    progress(85, "summarizing colours")
    metadata["dominant_colors"] = dominant_colors(thumb)
    metadata["lqip"] = _lqip(thumb)
    return ProcessResult(
        metadata=metadata,
        raw=raw,
        derivatives=[
            Derivative.of(
                "thumbnail",
                imaging.save_webp(thumb, out_dir / "thumbnail.webp", thumbnail=True),
            ),
            Derivative.of("preview", imaging.save_preview(preview, out_dir)),
        ],
    )


def _describe_header(
    header: pyvips.Image,
    media_type: str,
    limits: ProcessLimits,
    metadata: dict[str, Any],
    raw: dict[str, Any],
) -> None:
    orientation = imaging.orientation(header)
    width, height = header.width, header.height
    _check_pixels(width, height, media_type, limits)
    if orientation in imaging.SWAPPED:
        width, height = height, width
    metadata.update(width=width, height=height)
    if orientation is not None:
        metadata["orientation"] = orientation
    pages = _get(header, "n-pages")
    if isinstance(pages, int) and pages > 1:
        metadata["frames"] = pages
    metadata["color_space"] = str(header.interpretation)
    raw.update(loader=_get(header, "vips-loader"), bands=header.bands)
    _describe_metadata(header, metadata, raw)


def _check_pixels(width: int, height: int, media_type: str, limits: ProcessLimits) -> None:
    # SVG is rasterized at the preview size, whatever size it claims.
    if media_type != SVG and width * height > limits.max_pixels:
        raise ProcessingFailed(
            f"the image is {width}×{height} pixels, more than the {limits.max_pixels:,} allowed"
        )


def _with_pillow(
    path: Path, limits: ProcessLimits, metadata: dict[str, Any], raw: dict[str, Any]
) -> pyvips.Image:
    """The preview decoded by Pillow (and pillow-heif), orientation applied, as a vips image."""
    # Only the pixel count is a processing limit; an edge cannot be longer than that.
    bounds = imaging.PixelLimits(limits.max_pixels, limits.max_pixels)
    decoded = imaging.pillow_thumbnail(path, limits.preview_px, limits=bounds)
    if "width" not in metadata:
        _describe_pillow(decoded, metadata, raw)
    raw["decoder"] = "pillow"
    return decoded.image


def _describe_pillow(
    decoded: imaging.PillowDecoded, metadata: dict[str, Any], raw: dict[str, Any]
) -> None:
    info = decoded.info
    metadata.update(width=decoded.width, height=decoded.height, color_space=decoded.mode)
    orientation = info.get("original_orientation")  # pillow-heif: applied, then reset to 1
    if isinstance(orientation, int) and 1 <= orientation <= 8:
        metadata["orientation"] = orientation
    if decoded.frames > 1:
        metadata["frames"] = decoded.frames
    exif_data, icc, xmp = info.get("exif"), info.get("icc_profile"), info.get("xmp")
    if isinstance(exif_data, bytes) and exif_data:
        summary, tags = exif.parse(exif_data)
        metadata.update(summary)
        raw["exif"] = tags
    if isinstance(icc, bytes) and icc:
        description = exif.icc_description(icc)
        if description:
            metadata["icc_profile"] = description
        raw["icc_bytes"] = len(icc)
    if isinstance(xmp, bytes) and xmp:
        raw["xmp"] = xmp[:_XMP_RAW_BYTES].decode("utf-8", "replace")


def dominant_colors(image: pyvips.Image, count: int = 5) -> list[str]:
    """The most common colours as #rrggbb: a coarse histogram, each bin averaged."""
    small = imaging.for_display(image.thumbnail_image(64, height=64))
    if small.hasalpha():
        small = small.flatten(background=[255, 255, 255])
    if small.bands == 1:
        small = small.bandjoin([small, small])
    pixels = np.ndarray(
        buffer=small.write_to_memory(), dtype=np.uint8, shape=(small.height * small.width, 3)
    ).astype(np.int64)
    bins = (pixels[:, 0] >> 4) << 8 | (pixels[:, 1] >> 4) << 4 | pixels[:, 2] >> 4
    counts = np.bincount(bins, minlength=4096)
    colors = []
    for index in np.argsort(counts)[::-1][:count]:
        if counts[index] == 0:
            break
        mean = pixels[bins == index].mean(axis=0).round().astype(int)
        colors.append("#{:02x}{:02x}{:02x}".format(*mean))
    return colors


def _lqip(image: pyvips.Image) -> str:
    """A ~16 px WebP as a data URI: a placeholder any browser shows without a decoder."""
    tiny = imaging.for_display(image.thumbnail_image(_LQIP_PX, height=_LQIP_PX, size="down"))
    data = tiny.webpsave_buffer(Q=40, keep="none")
    return "data:image/webp;base64," + base64.b64encode(data).decode("ascii")


def _get(image: pyvips.Image, name: str) -> Any:
    return image.get(name) if image.get_typeof(name) != 0 else None


def _describe_metadata(image: pyvips.Image, metadata: dict[str, Any], raw: dict[str, Any]) -> None:
    exif_data = _get(image, "exif-data")
    if isinstance(exif_data, bytes) and exif_data:
        summary, tags = exif.parse(exif_data)
        metadata.update(summary)
        raw["exif"] = tags
    icc = _get(image, "icc-profile-data")
    if isinstance(icc, bytes) and icc:
        description = exif.icc_description(icc)
        if description:
            metadata["icc_profile"] = description
        raw["icc_bytes"] = len(icc)
    xmp = _get(image, "xmp-data")
    if isinstance(xmp, bytes) and xmp:
        raw["xmp"] = xmp[:_XMP_RAW_BYTES].decode("utf-8", "replace")
    iptc = _get(image, "iptc-data")
    if isinstance(iptc, bytes) and iptc:
        raw["iptc_bytes"] = len(iptc)
