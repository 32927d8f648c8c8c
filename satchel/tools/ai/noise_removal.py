"""Noise removal in four tiers (median, bilateral, non-local means), classical OpenCV."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import imaging, ml
from satchel.media.formats import Format, out_format
from satchel.media.ml import classical
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    tier: Literal["quick", "balanced", "quality", "maximum"] = Field(
        "balanced", description="quick: median; balanced: bilateral; quality/maximum: NL-means."
    )
    strength: float = Field(0.5, ge=0, le=1, description="0–1: how much noise to remove.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


@tool("image", "noise-removal", name="Noise Removal", settings=Settings)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Remove sensor noise and grain with classical filters (OpenCV; no neural model):
    `quick` a 3×3 median, `balanced` an edge-keeping bilateral filter, `quality` and
    `maximum` non-local means (the second with a wider search, slower)."""
    inp = inputs.first
    rgb = ml.rgb_array(imaging.load_input(inp))
    out = imaging.from_array(classical.denoise(rgb, settings.tier, settings.strength))
    fmt = out_format(settings.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=settings.quality)])
