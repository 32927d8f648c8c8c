"""Audio Speed: faster or slower, the pitch kept."""

from __future__ import annotations

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    factor: float = Field(1.5, ge=0.25, le=4, description="Speed factor (2: twice as fast).")


@tool(
    "audio",
    "audio-speed",
    name="Audio Speed",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def audio_speed(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Play a sound 0.25 to 4 times as fast without changing its pitch (time-stretching with
    FFmpeg atempo)."""
    inp = inputs.first
    profile = avencode.audio_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-speed.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=None,
        audio=avedit.tempo(settings.factor),
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
