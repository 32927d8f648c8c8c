"""Circle crop: a round cut-out (avatar), with zoom, panning and a ring."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import drawing, imaging
from satchel.media.imaging import Color
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool

DEFAULT_MAX = 1024


class Settings(ToolSettings):
    zoom: float = Field(1, ge=1, le=5, description="1 = the largest circle the image holds.")
    offset_x: float = Field(
        0, ge=-100, le=100, description="Pan left (−100) or right (+100), in % of the free room."
    )
    offset_y: float = Field(
        0, ge=-100, le=100, description="Pan up (−100) or down (+100), in % of the free room."
    )
    border_width: int = Field(0, ge=0, le=1000, description="Ring width in output pixels.")
    border_color: Color = Field("#ffffff", description="Ring colour.")
    background: Color = Field(
        "transparent", description="Outside the circle: transparent or a colour (#rrggbb)."
    )
    output_size: int | None = Field(
        None, ge=16, le=8192, description="Side of the square result (default: the crop's "
        "own size, at most 1024).",
    )  # fmt: skip
    format: Literal["png", "webp", "avif", "jpeg", "jpg"] = Field(
        "png", description="Output format (JPEG has no transparency: the background is white)."
    )
    quality: int | None = Field(None, ge=1, le=100)


@tool("image", "circle-crop", name="Circle Crop", settings=Settings)
def circle_crop(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Cut a circle out of an image for avatars: zoom in, pan with offsets, add a coloured
    ring, and leave the corners transparent or fill them with a colour."""
    s = settings
    inp = inputs.first
    image = imaging.load_input(inp)
    w, h = image.width, image.height
    side = max(1.0, min(w, h) / s.zoom)
    cx = w / 2 + s.offset_x / 100 * (w - side) / 2
    cy = h / 2 + s.offset_y / 100 * (h - side) / 2
    left = min(max(0, round(cx - side / 2)), w - round(side))
    top = min(max(0, round(cy - side / 2)), h - round(side))
    size = s.output_size or min(DEFAULT_MAX, round(side))
    imaging.check_dimensions(size, size, ctx.limits)
    square = image.crop(left, top, round(side), round(side))
    square = square.resize(size / square.width, vscale=size / square.height)
    if (square.width, square.height) != (size, size):  # rounding
        square = square.embed(0, 0, size, size, extend="copy")
    result = drawing.mask_alpha(square, drawing.circle_mask(size))
    if s.border_width:
        ring = drawing.circle_mask(size).cast("int") - drawing.circle_mask(
            size, size / 2 - s.border_width
        )
        ring = drawing.mask_alpha(
            imaging.canvas(size, size, imaging.parse_color(s.border_color)), ring.cast("uchar")
        )
        result = drawing.over(result, [(ring, 0, 0)])
    background = imaging.parse_color(s.background)
    if background[3] > 0:
        result = drawing.over(imaging.canvas(size, size, background), [(result, 0, 0)])
    out = imaging.save_output(result, ctx, inp.name, s.format, quality=s.quality)
    return ToolResult([out], data={"crop": {"left": left, "top": top, "size": round(side)}})
