"""Text watermark: one placed copy, or tiled across the image."""

from __future__ import annotations

import math

import pyvips
from pydantic import Field, field_validator

from satchel.media import drawing, imaging, typeset
from satchel.media.drawing import OPACITY, Position
from satchel.media.formats import Format, out_format
from satchel.media.typeset import FONT_DESCRIPTION, Font
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    text: str = Field(..., min_length=1, max_length=500, description="The watermark text.")
    font: Font = Field("sans", description=FONT_DESCRIPTION)
    font_size: int | None = Field(
        None, ge=4, le=1000, description="Font size in pixels; default: 6% of the shorter side."
    )
    color: str = Field("#ffffff", description="Text colour (#rrggbb or #rrggbbaa).")
    opacity: float = Field(0.5, ge=0, le=1, description=OPACITY)
    position: Position = Field(
        "bottom-right", description="Where the text goes (ignored when tiled)."
    )
    rotation: float = Field(0, ge=-360, le=360, description="Rotation in degrees, clockwise.")
    tile: bool = Field(False, description="Repeat the text across the whole image.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")

    _colour = field_validator("color")(imaging.color_field)
    _font = field_validator("font", mode="before")(typeset.font_name)
    _position = field_validator("position", mode="before")(drawing.position_name)
    _opacity = field_validator("opacity", mode="before")(drawing.opacity_field)


def tiled(layer: pyvips.Image, width: int, height: int, gap: int) -> pyvips.Image:
    """The layer repeated over width×height with `gap` px between copies, every other row
    shifted by half a tile."""
    cell = layer.embed(0, 0, layer.width + gap, layer.height + gap)
    across = math.ceil(width / cell.width) + 1
    down = math.ceil(height / cell.height)
    row = cell.replicate(across, 1)
    shifted = row.crop(cell.width // 2, 0, row.width - cell.width // 2, row.height)
    shifted = shifted.embed(0, 0, row.width, row.height)
    pair = row.join(shifted, "vertical")
    return pair.replicate(1, math.ceil(down / 2)).crop(0, 0, width, height)


@tool("image", "watermark-text", name="Text Watermark", settings=Settings)
def watermark_text(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Put a text watermark on an image: font, size, colour, opacity, one of nine positions
    (top-left … bottom-right, center), rotation, or tiled over the whole image."""
    inp = inputs.first
    s = settings
    image = imaging.load_input(inp)
    size = typeset.font_size(s.font_size, image)
    mask = typeset.render_text(s.text, face=typeset.face(s.font), size=size, limits=ctx.limits)
    if s.rotation % 360:
        mask = mask.rotate(s.rotation)  # libvips: positive angles turn clockwise
        imaging.check_dimensions(mask.width, mask.height, ctx.limits)
    layer = typeset.colour(mask, imaging.parse_color(s.color), s.opacity)
    if s.tile:
        sheet = tiled(layer, image.width, image.height, gap=max(8, size))
        out = drawing.overlay(image, sheet, 0, 0)
    else:
        margin = max(4, round(min(image.width, image.height) * 0.02))
        x, y = drawing.place(
            image.width, image.height, layer.width, layer.height, s.position, margin
        )
        out = drawing.overlay(image, layer, x, y)
    fmt = out_format(s.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=s.quality)])
