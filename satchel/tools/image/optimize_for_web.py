"""Optimize for web: resized to fit, converted to a web format, sRGB, metadata stripped."""

from __future__ import annotations

from typing import Any, Literal

import pyvips
from pydantic import Field

from satchel.media import imaging
from satchel.tools.base import (
    Action,
    Inputs,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

WebFormat = Literal["webp", "jpeg", "jpg", "avif", "png"]


class Settings(ToolSettings):
    format: WebFormat = Field("webp", description="Output format.")
    quality: int = Field(
        80,
        ge=1,
        le=100,
        description="Encoder quality (PNG: palette quality; 100 keeps PNG lossless).",
    )
    max_width: int | None = Field(
        None, ge=1, le=16384, description="Shrink to at most this width (never enlarged)."
    )
    max_height: int | None = Field(
        None, ge=1, le=16384, description="Shrink to at most this height (never enlarged)."
    )
    progressive: bool = Field(False, description="Progressive JPEG / interlaced PNG.")
    strip_metadata: bool = Field(
        True,
        description="Remove EXIF, XMP and IPTC (colours are "
        "converted to sRGB first, so nothing shifts).",
    )


def to_web_colour(image: pyvips.Image) -> pyvips.Image:
    """sRGB pixels: an embedded profile (or CMYK) converted, so it can be dropped."""
    if image.interpretation == "cmyk" or image.get_typeof("icc-profile-data"):
        try:
            image = image.icc_transform("srgb", embedded=True, intent="perceptual")
        except pyvips.Error:  # a broken profile: fall back to the plain conversion
            image = image.colourspace("srgb")
    return image


def optimize(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    inp = inputs.first
    if settings.max_width or settings.max_height:
        box_w = settings.max_width or ctx.limits.max_image_edge
        box_h = settings.max_height or ctx.limits.max_image_edge
        image = imaging.thumbnail(inp.path, inp.media_type, box_w, height=box_h, name=inp.name)
    else:
        image = imaging.load_input(inp)
    imaging.check_dimensions(image.width, image.height, ctx.limits)
    if settings.strip_metadata:
        image = to_web_colour(image)
    fmt = "jpg" if settings.format == "jpeg" else settings.format
    data = imaging.encode(
        image,
        fmt,
        quality=settings.quality,
        keep="none" if settings.strip_metadata else "all",
        progressive=settings.progressive,
    )
    out = imaging.output_bytes(ctx, inp.name, fmt, data)
    original = inp.path.stat().st_size
    facts: dict[str, Any] = {
        "format": fmt,
        "width": image.width,
        "height": image.height,
        "original_size": original,
        "size": len(data),
        "saved_percent": round(100 * (original - len(data)) / original, 1) if original else 0,
    }
    return ToolResult([out], data=facts)


@tool(
    "image",
    "optimize-for-web",
    name="Optimize for Web",
    settings=Settings,
    actions=(
        Action(
            "preview",
            optimize,
            settings=Settings,
            description="The optimized image itself, at once (no stored result), with "
            "X-Original-Size and X-Processed-Size headers, for live tuning of the settings.",
        ),
    ),
)
def optimize_for_web(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make an image ready for the web: shrink it to fit maxWidth × maxHeight, convert it to
    WebP, JPEG, AVIF or PNG at a quality, optionally progressive, with colours in sRGB and
    metadata stripped."""
    return optimize(inputs, settings, ctx)
