"""Replace a colour (within a tolerance) by another, or make it transparent."""

from __future__ import annotations

import math

import pyvips
from pydantic import Field, field_validator

from satchel.media import drawing, imaging
from satchel.media.formats import Format, out_format
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool

MAX_DISTANCE = math.sqrt(3 * 255**2)
ALPHA_FORMATS = frozenset({"png", "webp", "avif", "tiff", "gif", "heic", "heif"})


class Settings(ToolSettings):
    source_color: str = Field(..., description="The colour to replace (#rrggbb).")
    target_color: str = Field(
        "#ffffff", description="The replacement (#rrggbb; an alpha part makes it see-through)."
    )
    make_transparent: bool = Field(False, description="Make matching pixels transparent.")
    tolerance: float = Field(
        10,
        ge=0,
        le=100,
        description="How far a pixel may be from sourceColor and still match, in percent of "
        "the largest RGB distance (0 = exactly that colour).",
    )
    format: Format | None = Field(
        None,
        description="Output format; default: the input's (PNG when transparency is made and "
        "the input's format has none).",
    )
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")

    _colours = field_validator("source_color", "target_color")(imaging.color_field)


def matching(rgb: pyvips.Image, colour: list[float], tolerance: float) -> pyvips.Image:
    """A 0/255 mask of the pixels within `tolerance` percent of `colour`."""
    diff = rgb.cast("float") - colour[:3]
    distance = (diff * diff).bandmean() * 3  # squared Euclidean distance
    limit = (tolerance / 100 * MAX_DISTANCE) ** 2
    return distance <= limit + 1e-6


@tool("image", "replace-color", name="Replace Color", settings=Settings)
def replace_color(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Replace every pixel close to sourceColor (within tolerance, in percent of the
    largest RGB distance) by targetColor, or make those pixels transparent. A JPEG becomes
    a PNG when transparency is asked for."""
    inp = inputs.first
    s = settings
    rgb, alpha = drawing.split(imaging.load_input(inp))
    mask = matching(rgb, imaging.parse_color(s.source_color), s.tolerance)
    target = imaging.parse_color(s.target_color)
    out = mask.ifthenelse([int(c) for c in target[:3]], rgb)
    see_through = s.make_transparent or target[3] < 255
    if see_through:
        level = 0 if s.make_transparent else int(target[3])
        alpha = mask.ifthenelse(level, alpha if alpha is not None else 255)
    fmt = out_format(s.format, inp.media_type)
    if see_through and s.format is None and fmt not in ALPHA_FORMATS:
        fmt = "png"
    result = drawing.join(out.cast("uchar"), alpha.cast("uchar") if alpha is not None else None)
    return ToolResult([imaging.save_output(result, ctx, inp.name, fmt, quality=s.quality)])
