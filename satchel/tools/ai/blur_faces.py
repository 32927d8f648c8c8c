"""Blur faces: every face MediaPipe BlazeFace finds, blurred inside an ellipse."""

from __future__ import annotations

import numpy as np
import pyvips
from pydantic import Field

from satchel.media import imaging
from satchel.media.formats import Format, out_format
from satchel.media.ml import faces
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool

GROW = 0.25  # the blurred ellipse reaches this share past the detected box on each side


class Settings(ToolSettings):
    blur_radius: int = Field(30, ge=1, le=200, description="Blur strength (Gaussian sigma, px).")
    sensitivity: float = Field(
        0.5, ge=0, le=1, description="0–1: higher finds more (and less certain) faces."
    )
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


def ellipses(width: int, height: int, found: list[faces.Face]) -> pyvips.Image:
    mask = np.zeros((height, width), dtype=np.uint8)
    ys, xs = np.ogrid[0:height, 0:width]
    for face in found:
        left, top, w, h = face.box
        cx, cy = left + w / 2, top + h / 2
        rx, ry = w * (0.5 + GROW), h * (0.5 + GROW)
        inside = ((xs - cx) / max(rx, 1)) ** 2 + ((ys - cy) / max(ry, 1)) ** 2 <= 1
        mask[inside] = 255
    return imaging.from_array(mask)


@tool(
    "image",
    "blur-faces",
    name="Face / PII Blur",
    settings=Settings,
    availability=faces.available,
)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Find every face with MediaPipe BlazeFace (full range, on the CPU) and blur it inside
    an ellipse a little larger than the face. The answer lists the faces blurred (boxes,
    confidence); an image without faces comes back unchanged."""
    inp = inputs.first
    image = imaging.to_srgb8(imaging.load_input(inp))
    found = faces.find(image, threshold=faces.threshold_for(settings.sensitivity))
    out = image
    if found:
        blurred = image.gaussblur(settings.blur_radius)
        mask = ellipses(image.width, image.height, found).gaussblur(2)
        out = mask.ifthenelse(blurred, image, blend=True)
    fmt = out_format(settings.format, inp.media_type)
    saved = imaging.save_output(out, ctx, inp.name, fmt, quality=settings.quality)
    return ToolResult([saved], data={"count": len(found), "faces": [f.json() for f in found]})
