"""Enhance faces: each face BlazeFace finds is denoised and sharpened (classical)."""

from __future__ import annotations

from pydantic import Field

from satchel.media import imaging, ml
from satchel.media.formats import Format, out_format
from satchel.media.ml import classical, faces
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    strength: float = Field(0.5, ge=0, le=1, description="0–1: how much to denoise and sharpen.")
    sensitivity: float = Field(0.5, ge=0, le=1, description="Face detector sensitivity.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


@tool("image", "enhance-faces", name="Face Enhancement", settings=Settings)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make faces cleaner and crisper: inside a feathered ellipse around each face MediaPipe
    BlazeFace finds, non-local-means denoising then an unsharp mask (OpenCV). A classical
    method: GFPGAN and CodeFormer ship in no package, so nothing is reconstructed."""
    inp = inputs.first
    image = imaging.load_input(inp)
    rgb = ml.rgb_array(image)
    found = faces.find(image, threshold=faces.threshold_for(settings.sensitivity))
    if found:
        better = classical.sharpen(
            classical.denoise(rgb, "quality", settings.strength), settings.strength
        )
        mask = classical.ellipse_mask(rgb.shape[:2], [f.box for f in found], 0.15)
        rgb = classical.blend(rgb, better, mask)
    out = imaging.from_array(rgb)
    fmt = out_format(settings.format, inp.media_type)
    saved = imaging.save_output(out, ctx, inp.name, fmt, quality=settings.quality)
    return ToolResult([saved], data={"faces": len(found), "method": "nl-means + unsharp mask"})
