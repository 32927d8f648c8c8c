"""Watermark Video: a line of text over every frame."""

from __future__ import annotations

from typing import Literal

import numpy as np
from av.video.frame import VideoFrame
from pydantic import Field, field_validator

from satchel.media import avedit, avencode, imaging, typeset
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

Position = Literal["top-left", "top-right", "bottom-left", "bottom-right", "center"]
MARGIN = "20"
PLACES = {
    "top-left": (MARGIN, MARGIN),
    "top-right": (f"W-w-{MARGIN}", MARGIN),
    "bottom-left": (MARGIN, f"H-h-{MARGIN}"),
    "bottom-right": (f"W-w-{MARGIN}", f"H-h-{MARGIN}"),
    "center": ("(W-w)/2", "(H-h)/2"),
}


class Settings(ToolSettings):
    text: str = Field(min_length=1, max_length=200, description="The watermark text.")
    position: Position = Field("bottom-right", description="Where it goes.")
    font_size: int = Field(32, ge=8, le=300, description="Text size in pixels.")
    opacity: float = Field(0.7, ge=0.05, le=1, description="0.05 (faint) to 1 (solid).")
    color: str = Field("#ffffff", description="Text colour (#rrggbb).")

    @field_validator("color")
    @classmethod
    def _colour(cls, value: str) -> str:
        imaging.parse_color(value)
        return value


@tool(
    "video",
    "watermark-video",
    name="Watermark Video",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def watermark_video(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Put a line of text over every frame of a video, in a corner or the centre, at a
    size, colour and opacity. The bundled FFmpeg has no `drawtext`: the text is drawn
    once by the imaging engine (Pango, DejaVu Sans) and laid over the frames with the
    `overlay` filter."""
    inp = inputs.first
    s = settings
    mask = typeset.render_text(
        s.text, face=typeset.face("dejavu-sans"), size=s.font_size, limits=ctx.limits
    )
    layer = typeset.colour(mask, imaging.parse_color(s.color), s.opacity)
    rgba = np.ndarray(
        buffer=layer.write_to_memory(), dtype=np.uint8, shape=(layer.height, layer.width, 4)
    )
    picture = VideoFrame.from_ndarray(np.ascontiguousarray(rgba), format="rgba")
    x, y = PLACES[s.position]
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-watermarked.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        overlay=(picture, x, y),
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
