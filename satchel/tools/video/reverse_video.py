"""Reverse Video: the clip played backwards, sound included."""

from __future__ import annotations

from satchel.media import avedit, avencode, avjoin
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool

MAX_SECONDS = 300


@tool(
    "video",
    "reverse-video",
    name="Reverse Video",
    settings=NoSettings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def reverse_video(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Play a video backwards, picture and sound (at most 5 minutes: the reversed sound
    is held in memory; longer clips answer tool_media_too_long). The picture is decoded
    in windows of 48 frames from the end, so memory stays flat."""
    inp = inputs.first
    facts = avedit.check_file(inp.path, ctx.limits, inp.name)
    if facts.duration > MAX_SECONDS:
        raise avedit.TooLong(
            f"reverse-video takes at most {MAX_SECONDS // 60} minutes; "
            f"{inp.name} lasts {facts.duration:.0f} s."
        )
    profile = avencode.video_profile(inp.media_type).with_(quality="high")
    out = ctx.output(f"{inp.stem}-reversed.{profile.extension}", profile.media_type)
    avjoin.reverse(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
