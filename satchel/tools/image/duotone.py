"""Duotone: map the image's lightness onto a gradient between two colours."""

from __future__ import annotations

import pyvips
from pydantic import Field, field_validator

from satchel.media import drawing, imaging
from satchel.media.formats import Format, out_format
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    shadow: str = Field("#1e3264", description="Colour of the darkest tones (#rrggbb).")
    highlight: str = Field("#f0c850", description="Colour of the lightest tones (#rrggbb).")
    intensity: float = Field(
        100, ge=0, le=100, description="How much of the duotone replaces the original (%)."
    )
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")

    _colours = field_validator("shadow", "highlight")(imaging.color_field)


def duotone_of(
    rgb: pyvips.Image, shadow: list[float], highlight: list[float], k: float
) -> pyvips.Image:
    """shadow·(1−L) + highlight·L, with L the grey level 0–1; mixed with the original by k."""
    level = rgb.colourspace("b-w").cast("float") / 255
    span = [h - s for s, h in zip(shadow[:3], highlight[:3], strict=True)]
    toned = level.bandjoin([level, level]).linear(span, shadow[:3])
    if k >= 1:
        return toned
    return rgb.cast("float") * (1 - k) + toned * k


@tool("image", "duotone", name="Duotone", settings=Settings)
def duotone(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Turn an image into two colours: dark tones become the shadow colour, light tones
    the highlight colour, with a smooth gradient between; intensity mixes with the
    original."""
    inp = inputs.first
    s = settings
    rgb, alpha = drawing.split(imaging.load_input(inp))
    toned = duotone_of(
        rgb, imaging.parse_color(s.shadow), imaging.parse_color(s.highlight), s.intensity / 100
    )
    out = drawing.join(toned, alpha)
    fmt = out_format(s.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=s.quality)])
