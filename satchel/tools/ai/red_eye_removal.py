"""Red-eye removal: around each eye BlazeFace finds, red pupils are neutralized."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from satchel.media import imaging, ml
from satchel.media.formats import Format, out_format
from satchel.media.ml import faces
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    sensitivity: float = Field(0.5, ge=0, le=1, description="0–1: higher counts more as red.")
    strength: float = Field(1.0, ge=0, le=1, description="0–1: how fully red is removed.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


@tool("image", "red-eye-removal", name="Red Eye Removal", settings=Settings)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Find the eyes with MediaPipe BlazeFace's landmarks, and within a radius of each eye
    (a fifth of the face's width) turn pixels whose red clearly dominates green and blue
    into the mean of green and blue: the pupil turns dark, the rest of the eye is kept."""
    inp = inputs.first
    image = imaging.load_input(inp)
    rgb = ml.rgb_array(image).astype(np.float32)
    found = faces.find(image, threshold=0.5)
    ratio = 1.8 - 0.6 * settings.sensitivity  # red over the mean of green and blue
    fixed = 0
    height, width = rgb.shape[:2]
    ys, xs = np.ogrid[0:height, 0:width]
    for face in found:
        radius = face.box[2] / 5
        for name in ("leftEye", "rightEye"):
            x, y = face.landmarks[name]
            near = (xs - x) ** 2 + (ys - y) ** 2 <= radius**2
            r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
            other = (g + b) / 2
            red = near & (r > 60) & (r > ratio * other)
            rgb[..., 0] = np.where(red, r - settings.strength * (r - other), r)
            fixed += int(red.sum())
    out = imaging.from_array(np.clip(rgb, 0, 255).astype(np.uint8))
    fmt = out_format(settings.format, inp.media_type)
    saved = imaging.save_output(out, ctx, inp.name, fmt, quality=settings.quality)
    return ToolResult([saved], data={"faces": len(found), "pixelsFixed": fixed})
