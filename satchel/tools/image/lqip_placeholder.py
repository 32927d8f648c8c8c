"""LQIP placeholder: a tiny blurred, pixelated or solid stand-in, with its data URI."""

from __future__ import annotations

import base64
from typing import Literal

import pyvips
from pydantic import Field

from satchel.media import imaging
from satchel.media.formats import MEDIA_TYPES
from satchel.tools.base import InputFile, Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    width: int = Field(16, ge=4, le=64, description="Placeholder width in pixels (4–64).")
    blur: float = Field(
        1.0, ge=0, le=10, description="Gaussian blur sigma in placeholder pixels (strategy blur)."
    )
    strategy: Literal["blur", "pixelate", "solid"] = Field(
        "blur",
        description="`blur`: small and soft; `pixelate`: small, hard-edged blocks (scale it up "
        "with `image-rendering: pixelated`); `solid`: one average colour.",
    )
    format: Literal["webp", "png", "jpeg"] = Field("webp", description="Placeholder format.")
    quality: int = Field(50, ge=1, le=100, description="Encoder quality (webp, jpeg).")


def _small(inp: InputFile, width: int) -> pyvips.Image:
    """`width` wide (narrower only for images taller than 8:1), EXIF orientation applied."""
    return imaging.thumbnail(
        inp.path, inp.media_type, width, height=width * 8, enlarge=True, name=inp.name
    )


@tool("image", "lqip-placeholder", name="LQIP Placeholder", settings=Settings)
def lqip_placeholder(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """A low-quality image placeholder: the image shrunk to 4–64 pixels wide (height in
    proportion) and blurred, left as hard blocks (pixelate) or reduced to its average colour
    (solid). Returns the file plus a base64 data URI ready for an `<img src>` or CSS."""
    inp = inputs.first
    small = imaging.to_srgb8(_small(inp, settings.width)).copy_memory()  # tiny; read once
    if small.bands in (1, 2):
        small = small.colourspace("srgb")
    alpha = small.hasalpha()
    if settings.format == "jpeg" or not alpha:
        small, alpha = imaging.flatten(small), False
    table = imaging.flatten(small)[:3].stats()  # row 1 + b holds band b; column 4 is the mean
    average = [float(table(4, 1 + b)[0]) for b in range(3)]
    if settings.strategy == "solid":
        w, h = small.width, small.height
        small = (pyvips.Image.black(w, h, bands=3) + average).cast("uchar")
        small, alpha = small.copy(interpretation="srgb"), False
    elif settings.strategy == "blur" and settings.blur > 0:
        # mirror the edges so the blur does not darken them
        pad = max(1, int(settings.blur * 3))
        big = small.embed(pad, pad, small.width + 2 * pad, small.height + 2 * pad, extend="mirror")
        small = big.gaussblur(settings.blur).crop(pad, pad, small.width, small.height)
        small = small.cast("uchar")
    fmt = "jpg" if settings.format == "jpeg" else settings.format
    out = imaging.save_output(
        small, ctx, f"{inp.stem}-lqip.{fmt}", fmt, quality=settings.quality, strip=True
    )
    media_type = MEDIA_TYPES[fmt]
    encoded = base64.b64encode(out.path.read_bytes()).decode("ascii")
    hex_colour = "#" + "".join(f"{round(v):02x}" for v in average)
    data = {
        "width": small.width,
        "height": small.height,
        "strategy": settings.strategy,
        "mimeType": media_type,
        "size": out.size,
        "averageColor": hex_colour,
        "hasAlpha": bool(alpha),
        "dataUri": f"data:{media_type};base64,{encoded}",
    }
    return ToolResult([out], data)
