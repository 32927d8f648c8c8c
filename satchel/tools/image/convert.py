"""Convert between image formats."""

from __future__ import annotations

from pydantic import Field

from satchel.media import imaging
from satchel.media.formats import Format
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    format: Format = Field(..., description="Target format.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality (lossy formats).")
    lossless: bool = Field(False, description="Lossless WebP/AVIF.")


@tool("image", "convert", name="Convert", settings=Settings)
def convert(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Convert an image to JPEG, PNG, WebP, AVIF, TIFF, GIF, HEIC or HEIF."""
    inp = inputs.first
    image = imaging.load_input(inp)
    out = imaging.save_output(
        image, ctx, inp.name, settings.format, quality=settings.quality, lossless=settings.lossless
    )
    return ToolResult([out])
