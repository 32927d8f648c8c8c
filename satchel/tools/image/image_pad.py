"""Image pad: extend the canvas to an aspect ratio with a colour, transparency or a blur."""

from __future__ import annotations

import math
from typing import Literal

import pyvips
from pydantic import Field, model_validator

from satchel.media import drawing, imaging
from satchel.media.formats import Format, share_format
from satchel.media.imaging import Color
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool

RATIOS = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:3": (4, 3), "3:4": (3, 4)}


class Settings(ToolSettings):
    target: Literal["16:9", "9:16", "1:1", "4:3", "3:4", "custom"] = Field(
        "1:1", description="Aspect ratio of the result; custom uses ratioW:ratioH."
    )
    ratio_w: float | None = Field(None, gt=0, le=100, description="Custom ratio width.")
    ratio_h: float | None = Field(None, gt=0, le=100, description="Custom ratio height.")
    background: Literal["color", "transparent", "blur"] = Field(
        "color", description="Fill: a colour, transparency, or a blurred copy of the image."
    )
    color: Color = Field("#ffffff", description="Fill colour when background is color.")
    padding: float = Field(
        0, ge=0, le=50, description="Extra margin on every side, in % of the image's longer side."
    )
    format: Format | None = Field(
        None,
        description="Output format; default the input's (HEIC becomes JPEG; PNG for transparency).",
    )
    quality: int | None = Field(None, ge=1, le=100)

    @model_validator(mode="after")
    def _custom(self) -> Settings:
        if self.target == "custom" and not (self.ratio_w and self.ratio_h):
            raise ValueError("target custom needs ratioW and ratioH")
        return self


def padded_size(w: int, h: int, ratio: float, margin: int) -> tuple[int, int]:
    """The smallest canvas of `ratio` holding w × h plus `margin` on every side."""
    full_w, full_h = w + 2 * margin, h + 2 * margin
    if full_w / full_h < ratio:
        return max(full_w, round(full_h * ratio)), full_h
    return full_w, max(full_h, round(full_w / ratio))


def blurred(image: pyvips.Image, width: int, height: int) -> pyvips.Image:
    """The image cover-scaled to width × height and blurred (done small: it is smooth)."""
    small_side = 64
    scale = small_side / max(image.width, image.height)
    small = imaging.with_alpha(image).resize(min(1.0, scale)).gaussblur(2)
    cover = max(width / small.width, height / small.height)
    big = small.resize(cover, kernel="linear")
    left, top = max(0, (big.width - width) // 2), max(0, (big.height - height) // 2)
    big = big.crop(left, top, min(width, big.width), min(height, big.height))
    big = big.embed(0, 0, width, height, extend="copy")
    return (big * [0.8, 0.8, 0.8, 1]).cast("uchar").copy(interpretation="srgb")


@tool("image", "image-pad", name="Image Pad", settings=Settings)
def image_pad(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Pad an image to 16:9, 9:16, 1:1, 4:3, 3:4 or a custom ratio without cropping it,
    filling the sides with a colour, transparency or a blurred copy of the image."""
    s = settings
    inp = inputs.first
    image = imaging.load_input(inp)
    rw, rh = (s.ratio_w or 1, s.ratio_h or 1) if s.target == "custom" else RATIOS[s.target]
    margin = math.ceil(max(image.width, image.height) * s.padding / 100)
    width, height = padded_size(image.width, image.height, rw / rh, margin)
    imaging.check_dimensions(width, height, ctx.limits)
    x, y = (width - image.width) // 2, (height - image.height) // 2
    if s.background == "blur":
        base = blurred(image, width, height)
    elif s.background == "transparent":
        base = imaging.canvas(width, height, [0, 0, 0, 0])
    else:
        base = imaging.canvas(width, height, imaging.parse_color(s.color))
    result = drawing.over(base, [(image, x, y)])
    transparent = s.background == "transparent" or (
        s.background == "color" and imaging.parse_color(s.color)[3] < 255
    )
    fmt = share_format(s.format, inp.media_type, transparent=transparent)
    if not transparent and not image.hasalpha():
        result = result[:3]
    out = imaging.save_output(result, ctx, inp.name, fmt, quality=s.quality)
    return ToolResult([out], data={"width": width, "height": height, "x": x, "y": y})
