"""Pixelate the whole image or one rectangle of it (faces, plates, addresses)."""

from __future__ import annotations

import math

import pyvips
from pydantic import Field

from satchel.codes import Code
from satchel.media import imaging
from satchel.media.formats import Format, out_format
from satchel.tools.base import Inputs, ToolContext, ToolError, ToolResult, ToolSettings, tool


class Region(ToolSettings):
    left: int = Field(0, ge=0, description="Left edge in pixels.")
    top: int = Field(0, ge=0, description="Top edge in pixels.")
    width: int = Field(..., ge=1, description="Width in pixels.")
    height: int = Field(..., ge=1, description="Height in pixels.")


class Settings(ToolSettings):
    block_size: int = Field(10, ge=2, le=128, description="Size of the square blocks (px).")
    region: Region | None = Field(
        None, description="Only pixelate this rectangle; blocks start at its top-left corner."
    )
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


def blocks(image: pyvips.Image, size: int) -> pyvips.Image:
    """Each size×size block (from the top-left) filled with its mean; edge blocks that are
    cut short are averaged over the pixels they have."""
    w, h = image.width, image.height
    pw, ph = math.ceil(w / size) * size, math.ceil(h / size) * size
    means = image.embed(0, 0, pw, ph).cast("float").shrink(size, size)
    if (pw, ph) != (w, h):  # divide by the pixels each block really has
        share = pyvips.Image.black(w, h).linear(0, 1).embed(0, 0, pw, ph).shrink(size, size)
        means = means / share
    out = (means + 0.5).cast("uchar").zoom(size, size).crop(0, 0, w, h)
    return out.copy(interpretation=image.interpretation)


@tool("image", "pixelate", name="Pixelate", settings=Settings)
def pixelate(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Pixelate an image in square blocks of blockSize pixels, the whole of it or only a
    region {left, top, width, height} (pixels)."""
    inp = inputs.first
    s = settings
    image = imaging.to_srgb8(imaging.load_input(inp))
    if s.region is None:
        out = blocks(image, s.block_size)
    else:
        r = s.region
        if r.left + r.width > image.width or r.top + r.height > image.height:
            raise ToolError(
                f"The region {r.width}×{r.height}+{r.left}+{r.top} goes past the image "
                f"({image.width}×{image.height}).",
                code=Code.TOOL_REGION_OUT_OF_BOUNDS,
            )
        part = blocks(image.crop(r.left, r.top, r.width, r.height), s.block_size)
        out = image.insert(part, r.left, r.top)
    fmt = out_format(s.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=s.quality)])
