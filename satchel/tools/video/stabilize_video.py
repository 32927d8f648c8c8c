"""Stabilize Video: camera shake reduced by FFmpeg's deshake filter."""

from __future__ import annotations

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    smoothing: int = Field(
        16, ge=5, le=60, description="How much motion to absorb (5–60; search range, px)."
    )


@tool(
    "video",
    "stabilize-video",
    name="Stabilize Video",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def stabilize_video(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Reduce camera shake in one pass with FFmpeg's `deshake` (block-matching motion
    search, edges filled from the previous frame). The bundled FFmpeg has no vid.stab,
    so this classical single-pass filter stands in for two-pass stabilisation: smoothing
    (5–60) is how far, in pixels, a frame may be moved back (`rx`, `ry`)."""
    inp = inputs.first
    reach = min(64, settings.smoothing)
    profile = avencode.video_profile(inp.media_type).with_(quality="high")
    out = ctx.output(f"{inp.stem}-stabilized.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=[("deshake", f"rx={reach}:ry={reach}:edge=mirror")],
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
