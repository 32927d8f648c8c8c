"""Rotate & flip."""

from __future__ import annotations

from pydantic import Field

from satchel.media import imaging
from satchel.media.formats import Format, out_format
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    angle: float = Field(0, ge=-360, le=360, description="Degrees clockwise.")
    horizontal: bool = Field(False, description="Mirror left to right.")
    vertical: bool = Field(False, description="Mirror top to bottom.")
    background: str = Field("#00000000", description="Fill of the corners for free angles.")
    format: Format | None = None
    quality: int | None = Field(None, ge=1, le=100)


@tool("image", "rotate", name="Rotate & Flip", settings=Settings)
def rotate(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Rotate an image by any angle (right angles are lossless in pixels) and flip it
    horizontally or vertically."""
    inp = inputs.first
    image = imaging.load_input(inp)
    angle = settings.angle % 360
    if angle in (90, 180, 270):
        image = image.rot(f"d{int(angle)}")
    elif angle:
        image = imaging.with_alpha(image)
        image = image.rotate(angle, background=imaging.parse_color(settings.background))
    if settings.horizontal:
        image = image.fliphor()
    if settings.vertical:
        image = image.flipver()
    fmt = out_format(settings.format, inp.media_type)
    return ToolResult([imaging.save_output(image, ctx, inp.name, fmt, quality=settings.quality)])
