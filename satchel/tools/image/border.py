"""Border & frame: a solid, gradient or patterned border, inner padding, round corners and
a drop shadow."""

from __future__ import annotations

from typing import Literal

import pyvips
from pydantic import Field

from satchel.media import drawing, imaging
from satchel.media.formats import Format, share_format
from satchel.media.imaging import RGBA, Color
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    width: int = Field(20, ge=0, le=2000, description="Border thickness in pixels.")
    color: Color = Field("#000000", description="Border colour (first colour of gradients).")
    secondary_color: Color = Field(
        "#ffffff", description="Second colour of the gradient and of the pattern's stripes."
    )
    style: Literal["solid", "gradient", "pattern"] = Field(
        "solid", description="Plain, a diagonal gradient, or diagonal stripes."
    )
    border_radius: int = Field(0, ge=0, le=4000, description="Radius of the outer corners.")
    padding: int = Field(0, ge=0, le=2000, description="Space between image and border.")
    padding_color: Color = Field("#ffffff", description="Colour of the padding.")
    shadow: bool = Field(False, description="Add a soft drop shadow (transparent margin).")
    format: Format | None = Field(
        None, description="Output format; default the input's (HEIC becomes JPEG), PNG when "
        "corners or shadow need transparency."
    )  # fmt: skip
    quality: int | None = Field(None, ge=1, le=100)


def stripes(width: int, height: int, a: RGBA, b: RGBA, size: int) -> pyvips.Image:
    xyz = pyvips.Image.xyz(width, height)
    band = (((xyz[0] + xyz[1]) / size).floor() % 2) == 0
    return band.ifthenelse(a, b).cast("uchar").copy(interpretation="srgb")


def fill(style: str, width: int, height: int, a: RGBA, b: RGBA, thickness: int) -> pyvips.Image:
    if style == "gradient":
        return drawing.linear_gradient(width, height, [(0.0, a), (1.0, b)], 135)
    if style == "pattern":
        return stripes(width, height, a, b, max(4, thickness // 2))
    return drawing.solid(width, height, a)


@tool("image", "border", name="Border & Frame", settings=Settings)
def border(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Frame an image with a solid, gradient or striped border, optional padding between
    image and border, rounded corners and a drop shadow."""
    s = settings
    inp = inputs.first
    image = imaging.load_input(inp)
    w, h = image.width, image.height
    inner_w, inner_h = w + 2 * s.padding, h + 2 * s.padding
    outer_w, outer_h = inner_w + 2 * s.width, inner_h + 2 * s.width
    imaging.check_dimensions(outer_w, outer_h, ctx.limits)
    r = s.border_radius
    a, b = imaging.parse_color(s.color), imaging.parse_color(s.secondary_color)
    frame = drawing.mask_alpha(
        fill(s.style, outer_w, outer_h, a, b, s.width), drawing.rounded_mask(outer_w, outer_h, r)
    )
    layers = []
    if s.padding:
        pad = drawing.shape(
            inner_w, inner_h, max(0, r - s.width), imaging.parse_color(s.padding_color)
        )
        layers.append((pad, s.width, s.width))
    inner_r = max(0, r - s.width - s.padding)
    photo = drawing.mask_alpha(image, drawing.rounded_mask(w, h, inner_r)) if inner_r else image
    layers.append((photo, s.width + s.padding, s.width + s.padding))
    if s.width == 0 and not s.padding:
        result = drawing.mask_alpha(image, drawing.rounded_mask(w, h, r)) if r else image
    else:
        result = drawing.over(frame, layers)
    transparent = bool(r) or image.hasalpha()
    if s.shadow:
        sigma = max(4.0, max(outer_w, outer_h) / 60)
        result = imaging.with_alpha(result).copy_memory()  # read twice: compute the frame once
        alpha = result[3]
        shade, margin = drawing.shadow(alpha, sigma=sigma, opacity=0.45)
        dy = round(sigma / 2)
        imaging.check_dimensions(shade.width, shade.height + dy, ctx.limits)
        base = drawing.solid(shade.width, shade.height + dy, [0, 0, 0, 0])
        result = drawing.over(base, [(shade, 0, dy), (result, margin, margin)])
        transparent = True
    fmt = share_format(s.format, inp.media_type, transparent=transparent)
    return ToolResult([imaging.save_output(result, ctx, inp.name, fmt, quality=s.quality)])
