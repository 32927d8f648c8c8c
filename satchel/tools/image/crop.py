"""Crop: a rectangle in pixels or percent."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.codes import Code
from satchel.media import imaging
from satchel.media.formats import Format, out_format
from satchel.tools.base import Inputs, ToolContext, ToolError, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    left: float = Field(0, ge=0, description="Left edge (pixels or percent).")
    top: float = Field(0, ge=0, description="Top edge (pixels or percent).")
    width: float = Field(..., gt=0, description="Width (pixels or percent).")
    height: float = Field(..., gt=0, description="Height (pixels or percent).")
    unit: Literal["px", "percent"] = Field("px", description="Unit of the four numbers.")
    format: Format | None = None
    quality: int | None = Field(None, ge=1, le=100)


@tool("image", "crop", name="Crop", settings=Settings)
def crop(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Cut a rectangle out of an image, given in pixels or in percent of its size."""
    inp = inputs.first
    image = imaging.load_input(inp)
    s = settings
    if s.unit == "percent":
        if s.left + s.width > 100 or s.top + s.height > 100:
            raise ToolError(
                "The crop goes past the image (percent).", code=Code.TOOL_CROP_OUT_OF_BOUNDS
            )
        left, top = round(image.width * s.left / 100), round(image.height * s.top / 100)
        width = max(1, round(image.width * s.width / 100))
        height = max(1, round(image.height * s.height / 100))
    else:
        left, top, width, height = int(s.left), int(s.top), int(s.width), int(s.height)
    if left + width > image.width or top + height > image.height:
        raise ToolError(
            f"The crop {width}×{height}+{left}+{top} goes past the image "
            f"({image.width}×{image.height}).",
            code=Code.TOOL_CROP_OUT_OF_BOUNDS,
        )
    out = image.crop(left, top, min(width, image.width - left), min(height, image.height - top))
    fmt = out_format(s.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=s.quality)])
