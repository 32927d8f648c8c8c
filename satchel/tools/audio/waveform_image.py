"""Waveform Image: a picture of a sound's peaks."""

from __future__ import annotations

import itertools

import numpy as np
from pydantic import Field

from satchel.media import avaudio, imaging
from satchel.media.pixels import from_array
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    width: int = Field(1200, ge=16, le=8000, description="Width in pixels.")
    height: int = Field(200, ge=8, le=2000, description="Height in pixels.")
    color: str = Field("#3b82f6", description="Colour of the waveform (#rrggbb).")


@tool(
    "audio",
    "waveform-image",
    name="Waveform Image",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*", "video/*")),
    produces=("image/png",),
    slow=True,
)
def waveform_image(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Draw a sound's waveform as a PNG on a transparent background: one column per
    slice of time, as tall as the loudest peak in it (mirrored around the middle)."""
    inp = inputs.first
    s = settings
    levels = avaudio.envelope(
        inp.path, limits=ctx.limits, progress=lambda share: ctx.progress(round(share * 90))
    )
    if levels.size == 0:
        levels = np.zeros(1, np.float32)
    edges = np.linspace(0, levels.size, s.width + 1).astype(int)
    peaks = np.array(
        [
            levels[a : max(b, a + 1)].max() if a < levels.size else 0.0
            for a, b in itertools.pairwise(edges)
        ]
    )
    half = s.height / 2
    reach = np.clip(peaks, 0, 1) * half
    rows = np.abs(np.arange(s.height) + 0.5 - half)[:, None]
    mask = rows <= np.maximum(reach[None, :], 0.5)
    rgba = imaging.parse_color(s.color)
    pixels = np.zeros((s.height, s.width, 4), np.uint8)
    pixels[mask] = [int(c) for c in rgba[:3]] + [255]
    out = imaging.save_output(from_array(pixels), ctx, f"{inp.stem}-waveform.png", "png")
    return ToolResult([out], data={"peak": round(float(peaks.max()), 4)})
