"""The imaging engine: decode (HEIC and SVG included, oriented, within budgets), resize with
shrink-on-load or JPEG draft mode, colour helpers and encoding, for every caller.

Importing it blocks the libvips loaders marked untrusted, in every process that decodes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Protocol, TypeAlias

import pyvips

from satchel.media.encoding import (
    HEIF_SPEED,
    Keep,
    Saved,
    Workdir,
    encode,
    output_bytes,
    save,
    save_output,
    save_preview,
    save_webp,
)
from satchel.media.errors import ImageDecodeError
from satchel.media.formats import HEIF_TYPES, SVG, Fit
from satchel.media.pillow import (
    PillowDecoded,
    heif_header,
    jpeg_draft,
    load_heif,
    pillow_thumbnail,
)
from satchel.media.pixels import (
    ICC,
    RGBA,
    SWAPPED,
    Color,
    ImageLimits,
    PixelLimits,
    canvas,
    check_dimensions,
    check_frames,
    check_size,
    color_field,
    flatten,
    for_display,
    from_array,
    pages_of,
    parse_color,
    to_srgb8,
    with_alpha,
)

__all__ = [
    "HEIF_SPEED",
    "ICC",
    "RGBA",
    "SWAPPED",
    "Color",
    "ImageLimits",
    "Keep",
    "MediaFile",
    "PillowDecoded",
    "PixelLimits",
    "Saved",
    "Source",
    "Workdir",
    "canvas",
    "check_dimensions",
    "check_frames",
    "check_size",
    "color_field",
    "decode_bytes",
    "encode",
    "fit",
    "flatten",
    "for_display",
    "from_array",
    "header",
    "heif_header",
    "jpeg_draft",
    "load",
    "load_heif",
    "load_input",
    "orientation",
    "oriented_size",
    "output_bytes",
    "pages_of",
    "parse_color",
    "pillow_thumbnail",
    "save",
    "save_output",
    "save_preview",
    "save_webp",
    "thumbnail",
    "to_srgb8",
    "with_alpha",
]

# Loaders libvips marks untrusted (ImageMagick, MATLAB, FITS, and librsvg's SVG) must never
# see an upload. SVG is the one we need, so only its from-memory variant comes back: fed a
# buffer, librsvg has no base location, so relative and file:// references cannot resolve.
pyvips.block_untrusted_set(True)
pyvips.operation_block_set("VipsForeignLoadSvgBuffer", False)

# A file (shrunk on load), encoded bytes, or an image already decoded.
Source: TypeAlias = Path | bytes | pyvips.Image


class MediaFile(Protocol):
    """An input file with the name it was given; a tool's InputFile qualifies."""

    @property
    def path(self) -> Path: ...

    @property
    def name(self) -> str: ...

    @property
    def media_type(self) -> str: ...


def load(
    path: Path,
    media_type: str,
    *,
    autorotate: bool = True,
    all_frames: bool = False,
    limits: ImageLimits | None = None,
    name: str | None = None,
) -> pyvips.Image:
    """Decode an image (lazily, as libvips does); EXIF orientation applied unless asked not
    to. `all_frames` stacks every frame or page (with `page-height`), refused before any
    pixel is decoded when they exceed the limits' total budget (default `PixelLimits()`).
    With `limits`, a single image is checked against them too. `name` is for messages."""
    try:
        if media_type in HEIF_TYPES:
            return load_heif(path, name, limits)
        if media_type == SVG:  # from memory: see the loader block above
            image = pyvips.Image.new_from_buffer(path.read_bytes(), "", unlimited=False)
        elif all_frames:
            check_frames(header(path, media_type), PixelLimits.of(limits), name)
            image = pyvips.Image.new_from_file(str(path), n=-1)
        else:
            # not sequential when rotating: rot90 of a sequential read can fail
            options: dict[str, Any] = {} if autorotate else {"access": "sequential"}
            image = pyvips.Image.new_from_file(str(path), **options)
            if limits is not None:
                check_size(image.width, image.height, limits, name)
        if autorotate and not all_frames:
            image = image.autorot()
        return image
    except pyvips.Error as exc:
        raise ImageDecodeError.of(name, exc) from exc


def decode_bytes(data: bytes, *, name: str | None = None) -> pyvips.Image:
    """An encoded image held in memory (a screenshot, a rendition source), decoded lazily."""
    try:
        return pyvips.Image.new_from_buffer(data, "")
    except pyvips.Error as exc:
        raise ImageDecodeError.of(name, exc) from exc


def load_input(inp: MediaFile, **options: Any) -> pyvips.Image:
    """`load` for an input file, named in messages as it was given."""
    return load(inp.path, inp.media_type, name=inp.name, **options)


def header(path: Path, media_type: str, *, name: str | None = None) -> pyvips.Image:
    """The image's header (size, bands, fields such as `orientation` and `n-pages`) without
    decoding pixels; a HEIF's is a 1×1 stand-in of its size (its decoder orients it)."""
    try:
        if media_type in HEIF_TYPES:
            return heif_header(path)
        if media_type == SVG:
            return pyvips.Image.new_from_buffer(path.read_bytes(), "", access="sequential")
        return pyvips.Image.new_from_file(str(path), access="sequential")
    except (pyvips.Error, ValueError, RuntimeError) as exc:
        raise ImageDecodeError.of(name, exc) from exc


def orientation(image: pyvips.Image) -> int | None:
    value = image.get("orientation") if image.get_typeof("orientation") else None
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def oriented_size(source: Source) -> tuple[int, int]:
    """Width and height as shown (EXIF orientation applied), read from the header."""
    if isinstance(source, pyvips.Image):
        return source.width, source.height
    try:
        head = (
            pyvips.Image.new_from_file(str(source))
            if isinstance(source, Path)
            else pyvips.Image.new_from_buffer(source, "")
        )
    except pyvips.Error as exc:
        raise ImageDecodeError.of(None, exc) from exc
    width, height = head.width, head.height
    if orientation(head) in SWAPPED:
        width, height = height, width
    return width, height


# Resizing ------------------------------------------------------------------------------


def fit(
    source: Source,
    width: int,
    height: int,
    fit: Fit,
    *,
    media_type: str | None = None,
    without_enlargement: bool = False,
    background: list[float] | None = None,
) -> pyvips.Image:
    """`source` fitted to width × height: cover (crop the centre), contain (pad with
    `background`, transparent by default), fill (stretch), inside, outside. JPEG is drafted
    by Pillow at 1/2–1/8 scale, other files shrunk on load by libvips; HEIC and SVG (named
    by `media_type`) are decoded first."""
    if isinstance(source, Path) and media_type in (*HEIF_TYPES, SVG):
        source = load(source, media_type or "")
    size = "down" if without_enlargement else "both"
    if not isinstance(source, pyvips.Image):
        drafted = jpeg_draft(source, width, height, fit=fit)
        if drafted is not None:
            source = drafted
    origin = source

    def thumb(w: int, h: int, **kw: object) -> pyvips.Image:
        if isinstance(origin, Path):
            return pyvips.Image.thumbnail(str(origin), w, height=h, **kw)
        if isinstance(origin, bytes):
            return pyvips.Image.thumbnail_buffer(origin, w, height=h, **kw)
        return origin.thumbnail_image(w, height=h, **kw)

    try:
        if fit == "inside":
            return thumb(width, height, size=size)
        if fit == "fill":
            return thumb(width, height, size="force" if not without_enlargement else "down")
        if fit == "cover":
            return thumb(width, height, size=size, crop="centre")
        if fit == "outside":
            src_w, src_h = oriented_size(origin)
            scale = max(width / src_w, height / src_h)
            if without_enlargement:
                scale = min(scale, 1.0)
            w, h = max(1, math.ceil(src_w * scale)), max(1, math.ceil(src_h * scale))
            return thumb(w, h, size="force")
        inner = thumb(width, height, size=size)  # contain: inside, then padded
    except pyvips.Error as exc:
        raise ImageDecodeError.of(None, exc) from exc
    bg = background or [0.0, 0.0, 0.0, 0.0]
    if bg[3] < 255:
        inner, fill = with_alpha(inner), bg
    else:
        inner, fill = to_srgb8(flatten(inner)), bg[:3]
    return inner.gravity("centre", width, height, extend="background", background=fill)


def thumbnail(
    path: Path,
    media_type: str,
    size: int,
    *,
    height: int | None = None,
    enlarge: bool = False,
    crop: bool = False,
    name: str | None = None,
) -> pyvips.Image:
    """At most size × size (or size × height), shrunk on load where the format allows it,
    EXIF orientation applied; never enlarged unless asked; `crop` fills the box, cutting
    the centre. HEIC is decoded by pillow-heif first, SVG read from memory."""
    options: dict[str, Any] = {"height": height or size, "size": "both" if enlarge else "down"}
    if crop:
        options["crop"] = "centre"
    try:
        if media_type in HEIF_TYPES:
            return load(path, media_type, name=name).thumbnail_image(size, **options)
        if media_type == SVG:
            return pyvips.Image.thumbnail_buffer(path.read_bytes(), size, **options)
        return pyvips.Image.thumbnail(str(path), size, **options)
    except pyvips.Error as exc:
        raise ImageDecodeError.of(name, exc) from exc
