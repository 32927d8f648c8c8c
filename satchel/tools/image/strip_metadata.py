"""Strip metadata: EXIF, XMP, IPTC, comments and non-colour ICC data removed, pixels kept;
the inspect sub-route reads all of them first."""

from __future__ import annotations

from typing import Any

import pyvips

from satchel.codes import Code
from satchel.media import image_metadata, imaging
from satchel.media import metadata_blocks as blocks
from satchel.media.errors import ImageDecodeError
from satchel.media.formats import FORMAT_OF
from satchel.tools.base import (
    Action,
    InputFile,
    Inputs,
    NoSettings,
    OutputFile,
    ToolContext,
    ToolError,
    ToolResult,
    tool,
)

PRIVATE = {"exif", "xmp", "iptc", "comment", "other", "trailer"}


def strip_file(inp: InputFile, ctx: ToolContext) -> tuple[OutputFile, dict[str, Any]]:
    data = inp.path.read_bytes()
    icc = image_metadata.colour_profile(inp.path, inp.media_type)
    drop = PRIVATE if icc else PRIVATE | {"icc"}
    rewritten = {
        "image/jpeg": lambda: blocks.jpeg_rewrite(data, drop=drop, name=inp.name),
        "image/png": lambda: blocks.png_rewrite(data, drop=drop, name=inp.name),
        "image/webp": lambda: blocks.webp_rewrite(data, drop=drop, name=inp.name),
    }.get(inp.media_type)
    facts: dict[str, Any] = {"icc_kept": icc is not None}
    if rewritten is not None and image_metadata.orientation_of(inp.path, inp.media_type) == 1:
        out = ctx.output(inp.name, inp.media_type)
        out.path.write_bytes(rewritten())
        return out, {**facts, "lossless": True}
    fmt = FORMAT_OF.get(inp.media_type, "png")
    keep: imaging.Keep = "icc" if icc else "none"
    if fmt == "gif":  # every frame, no comments
        image = imaging.load_input(inp, all_frames=True, limits=ctx.limits)
        encoded = imaging.encode(image, fmt, keep="none")
        return imaging.output_bytes(ctx, inp.name, fmt, encoded), {**facts, "lossless": True}
    # Re-encoded: the orientation is applied to the pixels, since no tag is left to say it.
    image = imaging.load_input(inp)
    if icc is not None:
        image = image.copy()
        image.set_type(pyvips.GValue.blob_type, imaging.ICC, icc)
    quality = {"webp": 90, "avif": 60, "heic": 70, "heif": 70}
    if fmt == "jpg":
        quality["jpg"] = image_metadata.jpeg_quality(inp.path)
    lossless = fmt == "webp" and any(c == b"VP8L" for c, _ in blocks.webp_chunks(data, inp.name))
    lossless = lossless or fmt in ("png", "tiff")
    encoded = imaging.encode(image, fmt, quality=quality.get(fmt), keep=keep, lossless=lossless)
    return imaging.output_bytes(ctx, inp.name, fmt, encoded), {**facts, "lossless": lossless}


@tool(
    "image",
    "strip-metadata",
    name="Strip Metadata",
    settings=NoSettings,
    actions=(
        Action(
            "inspect",
            lambda inputs, _s, _c: ToolResult(
                data=image_metadata.read(inputs.first.path, inputs.first.name)
            ),
            description="The metadata fields an image carries (EXIF, XMP, IPTC, ICC, text), "
            "before stripping them.",
        ),
    ),
)
def strip_metadata(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Remove EXIF (GPS included), XMP, IPTC, comments and other private metadata. JPEG, PNG
    and WebP keep their exact pixels; an ICC profile stays only when the colours need it (not
    sRGB); a rotated photo gets its orientation applied to the pixels."""
    try:
        out, facts = strip_file(inputs.first, ctx)
    except (pyvips.Error, ImageDecodeError) as exc:
        raise ToolError(
            f"{inputs.first.name} could not be decoded.", code=Code.TOOL_INPUT_CORRUPT
        ) from exc
    return ToolResult([out], data=facts)
