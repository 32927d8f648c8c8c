"""Blur background: the people stay sharp (MediaPipe selfie segmentation), the rest blurs."""

from __future__ import annotations

from pydantic import Field

from satchel.media import imaging
from satchel.media.formats import Format, out_format
from satchel.media.ml import segment
from satchel.tools.ai.remove_background import soft_mask
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    blur_intensity: int = Field(15, ge=1, le=100, description="Gaussian sigma, in pixels.")
    threshold: float = Field(0.5, ge=0.05, le=0.95, description="Mask level counted as person.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


@tool(
    "image",
    "blur-background",
    name="Blur Background",
    settings=Settings,
    availability=segment.available,
)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Keep the people sharp and blur everything else (a portrait-mode look): the person
    mask comes from MediaPipe selfie segmentation on the CPU, with feathered edges."""
    inp = inputs.first
    image = imaging.to_srgb8(imaging.flatten(imaging.load_input(inp)))
    mask = soft_mask(image, settings.threshold)
    out = mask.ifthenelse(image, image.gaussblur(settings.blur_intensity), blend=True)
    fmt = out_format(settings.format, inp.media_type)
    saved = imaging.save_output(out, ctx, inp.name, fmt, quality=settings.quality)
    return ToolResult([saved], data={"personShare": round(float(mask.avg()) / 255, 4)})
