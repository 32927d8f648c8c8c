"""Canvas expand: a larger canvas whose new borders are filled from the image's edges."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from satchel.codes import Code
from satchel.media import imaging, ml
from satchel.media.formats import Format, out_format
from satchel.media.ml import classical
from satchel.tools.base import Inputs, ToolContext, ToolError, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    extend_top: int = Field(0, ge=0, le=4096, description="Pixels added above.")
    extend_right: int = Field(0, ge=0, le=4096, description="Pixels added on the right.")
    extend_bottom: int = Field(0, ge=0, le=4096, description="Pixels added below.")
    extend_left: int = Field(0, ge=0, le=4096, description="Pixels added on the left.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


@tool("image", "ai-canvas-expand", name="Canvas Expand", settings=Settings)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Enlarge the canvas by the given pixels on each side and fill the new area from the
    image: its edge pixels mirrored outward, then the seam inpainted with OpenCV (Telea).
    A classical method, not the LaMa outpainting model: skies, walls and backdrops extend
    well; objects cut by the edge are not invented."""
    import cv2

    s = settings
    if not (s.extend_top or s.extend_right or s.extend_bottom or s.extend_left):
        raise ToolError("Extend at least one side.", code=Code.TOOL_INVALID_DIMENSIONS)
    inp = inputs.first
    rgb = ml.rgb_array(imaging.load_input(inp))
    height, width = rgb.shape[:2]
    imaging.check_dimensions(
        width + s.extend_left + s.extend_right, height + s.extend_top + s.extend_bottom, ctx.limits
    )
    grown = cv2.copyMakeBorder(
        rgb, s.extend_top, s.extend_bottom, s.extend_left, s.extend_right, cv2.BORDER_REFLECT
    )
    grown = cv2.GaussianBlur(grown, (0, 0), 3)
    grown[s.extend_top : s.extend_top + height, s.extend_left : s.extend_left + width] = rgb
    seam = np.zeros(grown.shape[:2], dtype=np.uint8)
    band = 3
    y0, x0 = s.extend_top, s.extend_left
    for edge, size in (
        ("top", s.extend_top),
        ("bottom", s.extend_bottom),
        ("left", s.extend_left),
        ("right", s.extend_right),
    ):
        if not size:
            continue
        if edge == "top":
            seam[max(0, y0 - band) : y0 + band, :] = 255
        elif edge == "bottom":
            seam[y0 + height - band : y0 + height + band, :] = 255
        elif edge == "left":
            seam[:, max(0, x0 - band) : x0 + band] = 255
        else:
            seam[:, x0 + width - band : x0 + width + band] = 255
    out = imaging.from_array(classical.inpaint(np.asarray(grown), seam, 5))
    fmt = out_format(s.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=s.quality)])
