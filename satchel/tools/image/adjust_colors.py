"""Adjust colours: exposure, brightness, contrast, channels, white balance, saturation,
hue, sharpness and a final effect (grayscale, sepia, invert)."""

from __future__ import annotations

from typing import Any, Literal

import pyvips
from pydantic import Field

from satchel.media import drawing, imaging
from satchel.media.formats import Format, out_format
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool

Effect = Literal["none", "grayscale", "sepia", "invert"]

# The classic sepia-tone matrix (as in CSS filter sepia(1)).
SEPIA = [
    [0.393, 0.769, 0.189],
    [0.349, 0.686, 0.168],
    [0.272, 0.534, 0.131],
]


def _pct(description: str) -> Any:
    return Field(0.0, ge=-100, le=100, description=f"{description} (-100 to 100, 0 = unchanged).")


class Settings(ToolSettings):
    brightness: float = _pct("Brightness: a gain, -100 is black, 100 doubles")
    contrast: float = _pct("Contrast around mid-grey: -100 is flat grey, 100 doubles")
    exposure: float = _pct("Exposure: ±100 is ±2 stops")
    saturation: float = _pct("Saturation (chroma): -100 is grey, 100 doubles")
    temperature: float = _pct("White balance: positive is warmer, negative cooler")
    tint: float = _pct("Tint: positive towards magenta, negative towards green")
    hue: float = Field(0.0, ge=-180, le=180, description="Hue rotation in degrees.")
    sharpness: float = Field(0.0, ge=0, le=100, description="Sharpening, 0 (none) to 100.")
    red: float = _pct("Red channel gain: -100 removes it, 100 doubles")
    green: float = _pct("Green channel gain")
    blue: float = _pct("Blue channel gain")
    effect: Effect = Field("none", description="A final effect: grayscale, sepia or invert.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


def uchar(image: pyvips.Image) -> pyvips.Image:
    """Float results rounded and clipped back to 8-bit sRGB."""
    if image.format == "uchar":
        return image
    return (image + 0.5).cast("uchar").copy(interpretation="srgb")


def adjust(rgb: pyvips.Image, s: Settings) -> pyvips.Image:
    """The adjustments on 3-band sRGB; returns float 0–255 (or uchar when untouched)."""
    # Exposure is a gain in linear light: ×2^stops there is ×2^(stops/2.2) on sRGB values.
    gain = 2 ** (s.exposure / 50 / 2.2) * (1 + s.brightness / 100)
    warm, tint = s.temperature / 100 * 0.25, s.tint / 100 * 0.25
    scale = [
        gain * (1 + s.red / 100) * (1 + warm),
        gain * (1 + s.green / 100) * (1 - tint),
        gain * (1 + s.blue / 100) * (1 - warm),
    ]
    k = 1 + s.contrast / 100  # (x·scale − 127.5)·k + 127.5
    out = rgb
    if scale != [1.0, 1.0, 1.0] or k != 1:
        out = rgb.linear([c * k for c in scale], [127.5 * (1 - k)] * 3)
    if s.saturation or s.hue:
        lch = out.cast("float").copy(interpretation="srgb").colourspace("lch")
        lch = lch.linear([1, 1 + s.saturation / 100, 1], [0, 0, s.hue % 360])
        out = lch.colourspace("srgb")
    if s.effect != "none":
        out = uchar(out)
        if s.effect == "grayscale":
            grey = out.colourspace("b-w")
            out = grey.bandjoin([grey, grey]).copy(interpretation="srgb")
        elif s.effect == "sepia":
            out = out.recomb(pyvips.Image.new_from_array(SEPIA))
        else:
            out = out.cast("float").linear(-1, 255)
    if s.sharpness:
        out = uchar(out)
        out = out.sharpen(sigma=1.0, m1=0.0, m2=s.sharpness / 25)
    return out


@tool("image", "adjust-colors", name="Adjust Colors", settings=Settings)
def adjust_colors(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Adjust brightness, contrast, exposure, saturation, white balance (temperature, tint),
    hue, sharpness and the red, green and blue channels, then optionally apply a grayscale,
    sepia or invert effect. Transparency is kept."""
    inp = inputs.first
    rgb, alpha = drawing.split(imaging.load_input(inp))
    out = drawing.join(adjust(rgb, settings), alpha)
    fmt = out_format(settings.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=settings.quality)])
