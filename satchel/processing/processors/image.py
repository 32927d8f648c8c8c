"""Images: dimensions, EXIF/XMP/IPTC/ICC summary, dominant colours, thumbnail and preview."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import numpy as np
import pyvips

from satchel.processing.processors import exif
from satchel.processing.processors.base import (
    Derivative,
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    Progress,
    processor,
)

# Loaders libvips marks untrusted (ImageMagick, MATLAB, FITS, and librsvg's SVG) must never
# see an upload. SVG is the one we need, so only its from-memory variant comes back: fed a
# buffer, librsvg has no base location, so relative and file:// references cannot resolve.
pyvips.block_untrusted_set(True)
pyvips.operation_block_set("VipsForeignLoadSvgBuffer", False)

_SVG = "image/svg+xml"
_ICC = "icc-profile-data"
_HEIF = frozenset({"image/heic", "image/heif"})
_XMP_RAW_BYTES = 16 * 1024
_LQIP_PX = 16
_PILLOW_FORMATS = ("JPEG", "MPO", "PNG", "GIF", "WEBP", "TIFF", "HEIF", "AVIF")
_SWAPPED = frozenset({5, 6, 7, 8})  # EXIF orientations that turn the image a quarter turn


@processor("image")
def process_image(
    path: Path, media_type: str, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    progress(5, "reading the image header")
    metadata: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    if media_type in _HEIF:
        # This libvips build's libheif has no HEVC decoder, and asking it to decode anyway
        # has crashed the process: pillow-heif (which carries one) does HEIC/HEIF.
        progress(30, "making the preview")
        preview = _with_pillow(path, limits, metadata, raw)
    else:
        try:
            _describe_header(_header(path, media_type), media_type, limits, metadata, raw)
        except pyvips.Error:
            if media_type == _SVG:
                raise
        progress(30, "making the preview")
        try:
            preview = _to_srgb8(_thumbnail(path, media_type, limits.preview_px)).copy_memory()
        except pyvips.Error:
            if media_type == _SVG:
                raise
            # libvips gives up on some damaged JPEGs that Pillow still reads.
            preview = _with_pillow(path, limits, metadata, raw)
    progress(70, "making the thumbnail")
    thumb = preview.thumbnail_image(limits.thumbnail_px, height=limits.thumbnail_px, size="down")
    thumb = _to_srgb8(thumb).copy_memory()
    progress(85, "summarizing colours")
    metadata["dominant_colors"] = dominant_colors(thumb)
    metadata["lqip"] = _lqip(thumb)
    return ProcessResult(
        metadata=metadata,
        raw=raw,
        derivatives=[
            save_webp(thumb, out_dir / "thumbnail.webp", "thumbnail"),
            save_preview(preview, out_dir),
        ],
    )


def _describe_header(
    header: pyvips.Image,
    media_type: str,
    limits: ProcessLimits,
    metadata: dict[str, Any],
    raw: dict[str, Any],
) -> None:
    orientation = _orientation(header)
    width, height = header.width, header.height
    _check_pixels(width, height, media_type, limits)
    if orientation in _SWAPPED:
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
    if media_type != _SVG and width * height > limits.max_pixels:
        raise ProcessingFailed(
            f"the image is {width}×{height} pixels, more than the {limits.max_pixels:,} allowed"
        )


def _header(path: Path, media_type: str) -> pyvips.Image:
    if media_type == _SVG:
        return pyvips.Image.new_from_buffer(path.read_bytes(), "", access="sequential")
    return pyvips.Image.new_from_file(str(path), access="sequential")


def _thumbnail(path: Path, media_type: str, size: int) -> pyvips.Image:
    """Shrink-on-load where the format allows it; EXIF orientation applied; never upscaled."""
    if media_type == _SVG:
        return pyvips.Image.thumbnail_buffer(path.read_bytes(), size, height=size, size="down")
    return pyvips.Image.thumbnail(str(path), size, height=size, size="down")


def _with_pillow(
    path: Path, limits: ProcessLimits, metadata: dict[str, Any], raw: dict[str, Any]
) -> pyvips.Image:
    """The preview decoded by Pillow (and pillow-heif), orientation applied, as a vips image."""
    import pillow_heif
    from PIL import Image, ImageOps

    pillow_heif.register_heif_opener()
    # Only the formats we accept: Pillow would otherwise hand EPS to Ghostscript and more.
    Image.init()
    formats = [name for name in _PILLOW_FORMATS if name in Image.OPEN]
    with Image.open(path, formats=formats) as opened:
        _check_pixels(opened.width, opened.height, "", limits)
        opened.draft("RGB", (limits.preview_px, limits.preview_px))  # JPEG shrink-on-load
        icc = opened.info.get("icc_profile")
        image = ImageOps.exif_transpose(opened)
        if "width" not in metadata:
            _describe_pillow(opened, image.size, metadata, raw)
        image.thumbnail((limits.preview_px, limits.preview_px))
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        data = np.asarray(image)
    raw["decoder"] = "pillow"
    result = from_array(data)
    if isinstance(icc, bytes) and icc:
        tagged = result.copy()
        tagged.set_type(pyvips.GValue.blob_type, _ICC, icc)
        try:
            return _to_srgb8(tagged).copy_memory()
        except pyvips.Error:
            pass  # an unusable profile: show the pixels as they are
    return _to_srgb8(result).copy_memory()


def _describe_pillow(
    opened: Any, size: tuple[int, int], metadata: dict[str, Any], raw: dict[str, Any]
) -> None:
    info = opened.info
    metadata.update(width=size[0], height=size[1], color_space=str(opened.mode))
    orientation = info.get("original_orientation")  # pillow-heif: applied, then reset to 1
    if isinstance(orientation, int) and 1 <= orientation <= 8:
        metadata["orientation"] = orientation
    frames = getattr(opened, "n_frames", 1)
    if isinstance(frames, int) and frames > 1:
        metadata["frames"] = frames
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


def _to_srgb8(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB (with alpha when there is one), whatever the source depth or colour model."""
    if image.get_typeof(_ICC) != 0:
        # Thumbnails keep the source profile; Display P3 or Adobe RGB shown as sRGB looks
        # washed out once the profile is stripped, so convert while we still know it.
        image = image.icc_transform("srgb", embedded=True, intent="perceptual").copy()
        image.remove(_ICC)
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    if image.bands > 4:
        image = image.extract_band(0, n=4)
    return image


def from_array(data: np.ndarray[Any, Any]) -> pyvips.Image:
    """An 8-bit vips image that owns a copy of the (height, width[, bands]) array's pixels.

    new_from_memory borrows the buffer, and copy_memory of a memory image hands back that
    same borrowed image: once the buffer's owner is collected, libvips reads freed memory
    (a crash seen here). Going through copy() makes copy_memory really copy.
    """
    pixels = np.ascontiguousarray(data, dtype=np.uint8)
    bands = 1 if pixels.ndim == 2 else pixels.shape[2]
    borrowed = pyvips.Image.new_from_memory(
        pixels.tobytes(), pixels.shape[1], pixels.shape[0], bands, "uchar"
    )
    interpretation = "b-w" if bands <= 2 else "srgb"
    return borrowed.copy(interpretation=interpretation).copy_memory()


def save_preview(image: pyvips.Image, out_dir: Path) -> Derivative:
    """The preview: JPEG when opaque, WebP when it has transparency.

    JPEG encodes several times faster than WebP at this size, and renders
    (`/assets/{id}/render`) start from the preview when it is big enough: libjpeg's
    shrink-on-load decodes it at 1/2–1/8 scale, which WebP cannot.
    """
    image = _to_srgb8(image)
    if image.hasalpha():
        return save_webp(image, out_dir / "preview.webp", "preview")
    path = out_dir / "preview.jpg"
    image.jpegsave(str(path), Q=85, keep="none", optimize_coding=True)
    return Derivative("preview", path, "image/jpeg", image.width, image.height)


def save_webp(image: pyvips.Image, path: Path, kind: str) -> Derivative:
    """Write an 8-bit sRGB image as WebP without any metadata (EXIF GPS must not leak)."""
    image = _to_srgb8(image)
    # WebP encoding is most of a preview's cost: the fastest effort (~40% quicker than 2, a
    # few % bigger); thumbnails are small enough for a tighter encode.
    effort = 2 if kind == "thumbnail" else 0
    image.webpsave(str(path), Q=80, keep="none", effort=effort)
    return Derivative(kind, path, "image/webp", image.width, image.height)


def dominant_colors(image: pyvips.Image, count: int = 5) -> list[str]:
    """The most common colours as #rrggbb: a coarse histogram, each bin averaged."""
    small = _to_srgb8(image.thumbnail_image(64, height=64))
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
    tiny = _to_srgb8(image.thumbnail_image(_LQIP_PX, height=_LQIP_PX, size="down"))
    data = tiny.webpsave_buffer(Q=40, keep="none")
    return "data:image/webp;base64," + base64.b64encode(data).decode("ascii")


def _orientation(image: pyvips.Image) -> int | None:
    value = _get(image, "orientation")
    return value if isinstance(value, int) and 1 <= value <= 8 else None


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
