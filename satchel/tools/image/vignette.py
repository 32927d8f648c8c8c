"""Vignette: fade the edges of an image towards a colour."""

from __future__ import annotations

import math

import pyvips
from pydantic import Field, field_validator

from satchel.media import drawing, imaging
from satchel.media.formats import Format, out_format
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    strength: float = Field(0.5, ge=0.1, le=1, description="Opacity of the fade at its darkest.")
    color: str = Field("#000000", description="The colour the edges fade to (#rrggbb).")
    radius: float = Field(
        0.5,
        ge=0,
        le=1.5,
        description="Where the fade starts, as a fraction of the distance from the centre to "
        "the corners (0 = at the centre, 1 = at the corners).",
    )
    softness: float = Field(
        0.5, ge=0, le=1.5, description="How long the fade is, in the same units as radius."
    )
    roundness: float = Field(
        0.0,
        ge=0,
        le=1,
        description="0: an ellipse following the image's sides; 1: a circle.",
    )
    center_x: float = Field(0.5, ge=0, le=1, description="Centre, fraction of the width.")
    center_y: float = Field(0.5, ge=0, le=1, description="Centre, fraction of the height.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")

    _colour = field_validator("color")(imaging.color_field)


def fade(width: int, height: int, s: Settings) -> pyvips.Image:
    """0 (untouched) … strength (full colour), one float band."""
    half_w, half_h = width / 2, height / 2
    circle = math.hypot(half_w, half_h) / math.sqrt(2)
    sx = half_w + (circle - half_w) * s.roundness
    sy = half_h + (circle - half_h) * s.roundness
    xy = pyvips.Image.xyz(width, height).cast("float")
    dx = (xy[0] - s.center_x * width) / sx
    dy = (xy[1] - s.center_y * height) / sy
    distance = (dx * dx + dy * dy) ** 0.5 / math.sqrt(2)  # a corner of the image is 1
    t = (distance - s.radius) / max(s.softness, 1e-3)
    t = (t < 0).ifthenelse(0, (t > 1).ifthenelse(1, t))
    smooth = t * t * (t * -2 + 3)
    return smooth * s.strength


@tool("image", "vignette", name="Vignette", settings=Settings)
def vignette(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Fade the edges of an image towards a colour (black by default): strength, where the
    fade starts (radius) and how long it is (softness), ellipse or circle (roundness), and
    where its centre is (centerX, centerY)."""
    inp = inputs.first
    s = settings
    rgb, alpha = drawing.split(imaging.load_input(inp))
    k = fade(rgb.width, rgb.height, s)
    colour = imaging.parse_color(s.color)[:3]
    out = rgb.cast("float") * (1 - k) + k * colour
    result = drawing.join(out, alpha)
    fmt = out_format(s.format, inp.media_type)
    return ToolResult([imaging.save_output(result, ctx, inp.name, fmt, quality=s.quality)])
