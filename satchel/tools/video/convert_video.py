"""Convert Video: to MP4 (H.264/AAC), MOV, WebM (VP9/Opus), MKV or AVI at a quality level."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.media.avencode import Quality
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    format: Literal["mp4", "mov", "webm", "mkv", "avi"] = Field("mp4", description="Container.")
    quality: Quality = Field("balanced", description="high, balanced or small files.")
    codec: Literal["h264", "hevc"] | None = Field(
        None, description="Video codec for mp4/mov/mkv (default H.264)."
    )
    width: int | None = Field(None, ge=16, le=8192, description="Scale to this width.")
    height: int | None = Field(None, ge=16, le=8192, description="Scale to this height.")


def scale_chain(width: int | None, height: int | None) -> avedit.Chain:
    if not width and not height:
        return []
    return [("scale", f"{width or -2}:{height or -2}:flags=bicubic")]


@tool(
    "video",
    "convert-video",
    name="Convert Video",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def convert_video(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Convert a video to MP4 (H.264 or HEVC with AAC, web-optimised), MOV, WebM (VP9 with
    Opus), MKV or AVI (MPEG-4 Part 2 with MP3), at high, balanced or small quality, and
    optionally scaled to a width and/or height. Phone clips are turned upright."""
    inp = inputs.first
    profile = avencode.VIDEO_PROFILES[settings.format].with_(quality=settings.quality)
    if settings.codec == "hevc" and settings.format in ("mp4", "mov", "mkv"):
        profile = profile.with_(video="libx265")
    out = ctx.output(f"{inp.stem}.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=scale_chain(settings.width, settings.height),
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
