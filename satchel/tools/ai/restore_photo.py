"""Restore photo: denoise, find scratches and creases, inpaint them (classical OpenCV)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import imaging, ml
from satchel.media.formats import Format, out_format
from satchel.media.ml import classical
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool

SENSITIVITY = {"light": 0.3, "auto": 0.5, "heavy": 0.8}


class Settings(ToolSettings):
    mode: Literal["auto", "light", "heavy"] = Field("auto", description="How hard to look.")
    scratch_removal: bool = Field(True, description="Find and inpaint scratches and creases.")
    denoise: bool = Field(True, description="Remove grain first (non-local means).")
    denoise_strength: float = Field(0.4, ge=0, le=1, description="0–1.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


@tool("image", "restore-photo", name="Photo Restoration", settings=Settings)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Repair an old print, classically (OpenCV, no neural model): scratches and creases
    found as thin bright or dark lines (morphological top-hat and black-hat) are filled in
    by inpainting (Telea), then grain is removed by non-local-means denoising."""
    inp = inputs.first
    rgb = ml.rgb_array(imaging.load_input(inp))
    found = 0
    if settings.scratch_removal:
        mask = classical.scratches(rgb, SENSITIVITY[settings.mode])
        found = int((mask > 0).sum())
        if found:
            rgb = classical.inpaint(rgb, mask, 4)
    if settings.denoise:
        rgb = classical.denoise(rgb, "quality", settings.denoise_strength)
    out = imaging.from_array(rgb)
    fmt = out_format(settings.format, inp.media_type)
    saved = imaging.save_output(out, ctx, inp.name, fmt, quality=settings.quality)
    return ToolResult([saved], data={"scratchPixels": found, "method": "nl-means + inpainting"})
