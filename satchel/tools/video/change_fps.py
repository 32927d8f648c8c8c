"""Change FPS: a constant frame rate, frames dropped or repeated as needed."""

from __future__ import annotations

from fractions import Fraction

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    fps: float = Field(30, ge=1, le=120, description="Frames per second of the result.")


@tool(
    "video",
    "change-fps",
    name="Change FPS",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def change_fps(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Give a video a constant frame rate (1–120 fps): frames are dropped or repeated
    at their times (FFmpeg's fps filter), so the duration and sound do not change.
    Variable-frame-rate phone clips come out constant."""
    inp = inputs.first
    rate = Fraction(settings.fps).limit_denominator(1001)
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-{settings.fps:g}fps.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=[("fps", f"{rate.numerator}/{rate.denominator}")],
        rate=rate,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
