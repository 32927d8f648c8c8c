"""Crop Video: keep a rectangle of the picture."""

from __future__ import annotations

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    width: int = Field(ge=2, le=8192, description="Width of the kept rectangle.")
    height: int = Field(ge=2, le=8192, description="Height of the kept rectangle.")
    x: int = Field(0, ge=0, description="Left edge, from the left of the upright picture.")
    y: int = Field(0, ge=0, description="Top edge, from the top of the upright picture.")


@tool(
    "video",
    "crop-video",
    name="Crop Video",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def crop_video(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Keep the rectangle width × height at (x, y) of the upright picture; a rectangle
    that does not fit inside the video is refused (tool_region_out_of_bounds)."""
    inp = inputs.first
    facts = avedit.check_file(inp.path, ctx.limits, inp.name)
    w, h = avedit.upright_size(inp.path, facts)
    s = settings
    if s.x + s.width > w or s.y + s.height > h:
        raise avedit.OutOfBounds(
            f"The rectangle {s.width}×{s.height} at ({s.x}, {s.y}) does not fit in {w}×{h}."
        )
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-cropped.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=[("crop", f"{s.width}:{s.height}:{s.x}:{s.y}:exact=1")],
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
