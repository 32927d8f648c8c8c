"""Mute Video: remove every sound stream, copying the picture untouched."""

from __future__ import annotations

from satchel.media import avcopy, avencode
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "video",
    "mute-video",
    name="Mute Video",
    settings=NoSettings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def mute_video(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Remove every audio stream from a video; the video stream (and subtitles) are
    copied untouched, so nothing is re-encoded."""
    inp = inputs.first
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-muted.{profile.extension}", profile.media_type)
    avcopy.remux(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        kinds=("video", "subtitle"),
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
