"""Image enhancement: automatic levels, contrast and saturation from the image's own
statistics (classical), with an `analyze` sub-route that says what it would change."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from satchel.media import imaging, ml
from satchel.media.formats import Format, out_format
from satchel.tools.base import (
    Action,
    Inputs,
    NoSettings,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

Array = np.ndarray[Any, Any]


class Settings(ToolSettings):
    strength: float = Field(1.0, ge=0, le=1, description="0–1: how much of the correction.")
    saturation: bool = Field(True, description="Also lift dull colours.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


def stats(rgb: Array) -> dict[str, Any]:
    grey = rgb.mean(axis=2)
    low, high = np.percentile(grey, (1, 99))
    top, bottom = rgb.max(axis=2).astype(float), rgb.min(axis=2).astype(float)
    saturation = float(((top - bottom) / np.maximum(top, 1)).mean())
    brightness = round(float(grey.mean()) / 255, 3)
    found: dict[str, Any] = {
        "brightness": brightness,
        "contrast": round(float(grey.std()) / 128, 3),
        "saturation": round(saturation, 3),
        "range": [int(low), int(high)],
    }
    advice = []
    if high - low < 200:
        advice.append("stretch levels")
    if brightness < 0.35:
        advice.append("brighten")
    elif brightness > 0.7:
        advice.append("darken")
    if saturation < 0.2:
        advice.append("add saturation")
    found["suggestions"] = advice
    return found


def enhance(rgb: Array, s: Settings) -> Array:
    out = rgb.astype(np.float32)
    low = np.percentile(out, 1, axis=(0, 1))
    high = np.percentile(out, 99, axis=(0, 1))
    stretched = (out - low) * (255.0 / np.maximum(high - low, 1.0))
    grey = stretched.mean(axis=2)
    gamma = float(np.clip(np.log(0.5) / np.log(max(grey.mean(), 1.0) / 255.0), 0.6, 1.6))
    levelled = 255.0 * np.clip(stretched / 255.0, 0, 1) ** gamma
    if s.saturation:
        mean = levelled.mean(axis=2, keepdims=True)
        levelled = mean + (levelled - mean) * 1.15
    result = out + s.strength * (levelled - out)
    return np.asarray(np.clip(result, 0, 255).astype(np.uint8))


def analyze(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Brightness, contrast, saturation (0–1), the 1st–99th percentile range of grey, and
    what the enhancement would correct."""
    return ToolResult(data=stats(ml.rgb_array(imaging.load_input(inputs.first))))


@tool(
    "image",
    "image-enhancement",
    name="Image Enhancement",
    settings=Settings,
    actions=(Action("analyze", analyze, description=analyze.__doc__ or ""),),
)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Automatic correction from the image's own statistics, classically (no neural
    model): each channel's 1st–99th percentile stretched to the full range (which also
    removes a colour cast), a gamma that brings mid-grey to the middle, and a mild
    saturation lift. `/analyze` reports the statistics and what would change."""
    inp = inputs.first
    rgb = ml.rgb_array(imaging.load_input(inp))
    out = imaging.from_array(enhance(rgb, settings))
    fmt = out_format(settings.format, inp.media_type)
    saved = imaging.save_output(out, ctx, inp.name, fmt, quality=settings.quality)
    return ToolResult([saved], data={"before": stats(rgb)})
