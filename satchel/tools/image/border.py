"""Border & frame: a solid, gradient or patterned border, inner padding, round corners and
a drop shadow."""

from __future__ import annotations

from typing import Literal

import pyvips
from pydantic import Field

from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool
from satchel.tools.image._common import (
    Format,
    check_dimensions,
    load,
    parse_color,
    save,
    with_alpha,
)
from satchel.tools.image._layout import (
    RGBA,
    Color,
    linear_gradient,
    mask_alpha,
    output_format,
    over,
    rounded_mask,
    shadow,
    shape,
    solid,
)


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
        return linear_gradient(width, height, [(0.0, a), (1.0, b)], 135)
    if style == "pattern":
        return stripes(width, height, a, b, max(4, thickness // 2))
    return solid(width, height, a)


@tool("image", "border", name="Border & Frame", settings=Settings)
def border(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Frame an image with a solid, gradient or striped border, optional padding between
    image and border, rounded corners and a drop shadow."""
    s = settings
    inp = inputs.first
    image = load(inp)
    w, h = image.width, image.height
    inner_w, inner_h = w + 2 * s.padding, h + 2 * s.padding
    outer_w, outer_h = inner_w + 2 * s.width, inner_h + 2 * s.width
    check_dimensions(outer_w, outer_h, ctx)
    r = s.border_radius
    a, b = parse_color(s.color), parse_color(s.secondary_color)
    frame = mask_alpha(
        fill(s.style, outer_w, outer_h, a, b, s.width), rounded_mask(outer_w, outer_h, r)
    )
    layers = []
    if s.padding:
        pad = shape(inner_w, inner_h, max(0, r - s.width), parse_color(s.padding_color))
        layers.append((pad, s.width, s.width))
    inner_r = max(0, r - s.width - s.padding)
    photo = mask_alpha(image, rounded_mask(w, h, inner_r)) if inner_r else image
    layers.append((photo, s.width + s.padding, s.width + s.padding))
    if s.width == 0 and not s.padding:
        result = mask_alpha(image, rounded_mask(w, h, r)) if r else image
    else:
        result = over(frame, layers)
    transparent = bool(r) or image.hasalpha()
    if s.shadow:
        sigma = max(4.0, max(outer_w, outer_h) / 60)
        result = with_alpha(result).copy_memory()  # read twice: compute the frame once
        alpha = result[3]
        shade, margin = shadow(alpha, sigma=sigma, opacity=0.45)
        dy = round(sigma / 2)
        check_dimensions(shade.width, shade.height + dy, ctx)
        base = solid(shade.width, shade.height + dy, [0, 0, 0, 0])
        result = over(base, [(shade, 0, dy), (result, margin, margin)])
        transparent = True
    fmt = output_format(s.format, inp, transparent=transparent)
    return ToolResult([save(result, ctx, inp.name, fmt, quality=s.quality)])
