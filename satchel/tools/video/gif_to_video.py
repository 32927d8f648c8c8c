"""GIF to Video: an animated GIF as MP4 or WebM."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    format: Literal["mp4", "webm"] = Field("mp4", description="MP4 (H.264) or WebM (VP9).")


@tool(
    "video",
    "gif-to-video",
    name="GIF to Video",
    settings=Settings,
    inputs=InputSpec(accepts=("image/gif",)),
    produces=("video/mp4", "video/webm"),
    slow=True,
)
def gif_to_video(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Turn an animated GIF into a much smaller MP4 (H.264) or WebM (VP9) that plays
    with the GIF's frame times; transparency becomes black, odd sizes are made even."""
    inp = inputs.first
    profile = avencode.VIDEO_PROFILES[settings.format].with_(quality="high")
    out = ctx.output(f"{inp.stem}.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=[],
        audio=None,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
