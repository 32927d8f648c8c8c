"""Compress Video: H.264 at a lighter or stronger constant quality, optionally smaller."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

LEVELS = {
    "light": ("high", "medium"),
    "balanced": ("balanced", "medium"),
    "strong": ("small", "slow"),
}
HEIGHTS = {"1080p": 1080, "720p": 720, "480p": 480}


class Settings(ToolSettings):
    quality: Literal["light", "balanced", "strong"] = Field(
        "balanced", description="How hard to compress."
    )
    resolution: Literal["original", "1080p", "720p", "480p"] = Field(
        "original", description="Scale down to this height (never up)."
    )


@tool(
    "video",
    "compress-video",
    name="Compress Video",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/mp4",),
    slow=True,
)
def compress_video(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make a video smaller: H.264 (CRF 18, 23 or 28 for light, balanced, strong) with
    AAC at 128 kbit/s in a web-optimised MP4, optionally scaled down to 1080p, 720p or
    480p (never up)."""
    inp = inputs.first
    quality, preset = LEVELS[settings.quality]
    profile = avencode.VIDEO_PROFILES["mp4"].with_(
        quality=quality, preset=preset, audio_bitrate=128_000
    )
    chain: avedit.Chain = []
    if settings.resolution != "original":
        h = HEIGHTS[settings.resolution]
        chain = [("scale", f"-2:'min({h},ih)'")]
    out = ctx.output(f"{inp.stem}.mp4", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=chain,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out], data={"original_size": inp.path.stat().st_size})
