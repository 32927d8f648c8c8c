"""Text overlay: a caption at a point, on an optional rounded background box."""

from __future__ import annotations

import pyvips
from pydantic import Field, field_validator

from satchel.codes import Code
from satchel.media import drawing, imaging, typeset
from satchel.media.formats import Format, out_format
from satchel.media.typeset import FONT_DESCRIPTION, Font
from satchel.tools.base import Inputs, ToolContext, ToolError, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    text: str = Field(..., min_length=1, max_length=2000, description="The text (newlines kept).")
    font: Font = Field("sans", description=FONT_DESCRIPTION)
    font_size: int | None = Field(
        None, ge=4, le=1000, description="Font size in pixels; default: 6% of the shorter side."
    )
    color: str = Field("#ffffff", description="Text colour (#rrggbb or #rrggbbaa).")
    x: int | None = Field(
        None, ge=0, le=65535, description="Left edge of the box (px); default: centred."
    )
    y: int | None = Field(
        None, ge=0, le=65535, description="Top edge of the box (px); default: near the bottom."
    )
    background: str = Field(
        "#00000099", description="Box colour (#rrggbbaa; #00000000 for no box)."
    )
    padding: int = Field(16, ge=0, le=1000, description="Space between text and box edge (px).")
    border_radius: int = Field(8, ge=0, le=1000, description="Corner radius of the box (px).")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")

    _colours = field_validator("color", "background")(imaging.color_field)
    _font = field_validator("font", mode="before")(typeset.font_name)


def rounded_box(width: int, height: int, radius: int) -> pyvips.Image:
    """A one-band 0–255 mask of a width×height rectangle with anti-aliased round corners."""
    r = min(radius, width // 2, height // 2)
    if r <= 0:
        return pyvips.Image.black(width, height) + 255
    xy = pyvips.Image.xyz(width, height).cast("float") + 0.5
    dx = (xy[0] - width / 2).abs() - (width / 2 - r)
    dy = (xy[1] - height / 2).abs() - (height / 2 - r)
    dx = (dx < 0).ifthenelse(0, dx)
    dy = (dy < 0).ifthenelse(0, dy)
    inside = (r + 0.5 - (dx * dx + dy * dy) ** 0.5) * 255
    return (inside < 0).ifthenelse(0, (inside > 255).ifthenelse(255, inside)).cast("uchar")


@tool("image", "text-overlay", name="Text Overlay", settings=Settings)
def text_overlay(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Write text on an image at (x, y) (default: centred near the bottom), in a font, size
    and colour, on a background box with padding and rounded corners."""
    inp = inputs.first
    s = settings
    image = imaging.load_input(inp)
    size = typeset.font_size(s.font_size, image)
    mask = typeset.render_text(
        s.text, face=typeset.face(s.font), size=size, limits=ctx.limits, align="center"
    )
    pad = s.padding
    box_w, box_h = mask.width + 2 * pad, mask.height + 2 * pad
    imaging.check_dimensions(box_w, box_h, ctx.limits)
    text = typeset.colour(mask, imaging.parse_color(s.color)).embed(pad, pad, box_w, box_h)
    back = imaging.parse_color(s.background)
    if back[3] > 0:
        box = typeset.colour(rounded_box(box_w, box_h, s.border_radius), back)
        layer = box.composite2(text, "over").cast("uchar").copy(interpretation="srgb")
    else:
        layer = text
    margin = max(4, round(image.height * 0.04))
    x = s.x if s.x is not None else (image.width - box_w) // 2
    y = s.y if s.y is not None else image.height - box_h - margin
    if x >= image.width or y >= image.height:
        raise ToolError(
            f"The text at ({x}, {y}) is outside the image ({image.width}×{image.height}).",
            code=Code.TOOL_POSITION_OUT_OF_BOUNDS,
        )
    out = drawing.overlay(image, layer, x, y)
    fmt = out_format(s.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=s.quality)])
