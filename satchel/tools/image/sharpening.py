"""Sharpening: libvips' adaptive sharpen, a classic unsharp mask, or a high-pass boost,
optionally after a denoise pass."""

from __future__ import annotations

from typing import Literal

import pyvips
from pydantic import Field

from satchel.media import drawing, imaging
from satchel.media.formats import Format, out_format
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool

Method = Literal["adaptive", "unsharp-mask", "high-pass"]
Denoise = Literal["off", "light", "medium", "strong"]


class Settings(ToolSettings):
    method: Method = Field(
        "adaptive",
        description="adaptive: libvips sharpen on lightness (sigma, x1, y2, y3, m1, m2); "
        "unsharp-mask: amount, radius, threshold; high-pass: strength, kernelSize.",
    )
    sigma: float = Field(1.0, ge=0.1, le=10, description="adaptive: Gaussian sigma (px).")
    x1: float = Field(2.0, ge=0, le=10, description="adaptive: flat/jaggy threshold.")
    y2: float = Field(10.0, ge=0, le=50, description="adaptive: most brightening.")
    y3: float = Field(20.0, ge=0, le=50, description="adaptive: most darkening.")
    m1: float = Field(0.0, ge=0, le=10, description="adaptive: slope for flat areas.")
    m2: float = Field(3.0, ge=0, le=10, description="adaptive: slope for jaggy areas.")
    amount: float = Field(100, ge=0, le=500, description="unsharp-mask: strength in percent.")
    radius: float = Field(1.0, ge=0.1, le=50, description="unsharp-mask: blur radius (px).")
    threshold: float = Field(
        0, ge=0, le=255, description="unsharp-mask: leave differences up to this alone."
    )
    strength: float = Field(1.0, ge=0, le=10, description="high-pass: how much detail to add.")
    kernel_size: Literal[3, 5] = Field(3, description="high-pass: kernel size (3 or 5).")
    denoise: Denoise = Field("off", description="Smooth noise first so it is not sharpened.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


def denoise(rgb: pyvips.Image, level: Denoise) -> pyvips.Image:
    if level == "light":
        return rgb.gaussblur(0.6)
    if level == "medium":
        return rgb.median(3)
    if level == "strong":
        return rgb.median(5)
    return rgb


def sharpen(rgb: pyvips.Image, s: Settings) -> pyvips.Image:
    if s.method == "adaptive":
        return rgb.sharpen(sigma=s.sigma, x1=s.x1, y2=s.y2, y3=s.y3, m1=s.m1, m2=s.m2)
    x = rgb.cast("float")
    if s.method == "unsharp-mask":
        detail = x - x.gaussblur(s.radius)
        if s.threshold > 0:
            detail = (detail.abs() > s.threshold).ifthenelse(detail, 0)
        return x + detail * (s.amount / 100)
    k = s.kernel_size
    box = pyvips.Image.new_from_array([[1] * k] * k, scale=k * k)
    return x + (x - x.conv(box, precision="float")) * s.strength


@tool("image", "sharpening", name="Sharpening", settings=Settings)
def sharpening(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Sharpen an image: adaptive (libvips sharpen on lightness, tuned by sigma, x1, y2, y3,
    m1 and m2), unsharp mask (amount, radius, threshold) or high-pass (strength, 3×3 or
    5×5 kernel); optionally denoise first (light, medium, strong)."""
    inp = inputs.first
    rgb, alpha = drawing.split(imaging.load_input(inp))
    out = drawing.join(sharpen(denoise(rgb, settings.denoise), settings), alpha)
    fmt = out_format(settings.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=settings.quality)])
