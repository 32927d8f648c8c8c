"""Rotate Video: quarter turns and mirror flips."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

TRANSFORMS: dict[str, avedit.Chain] = {
    "cw90": [("transpose", "clock")],
    "ccw90": [("transpose", "cclock")],
    "180": [("hflip", ""), ("vflip", "")],
    "hflip": [("hflip", "")],
    "vflip": [("vflip", "")],
}


class Settings(ToolSettings):
    transform: Literal["cw90", "ccw90", "180", "hflip", "vflip"] = Field(
        "cw90", description="Quarter turn clockwise or counter-clockwise, half turn, or flip."
    )


@tool(
    "video",
    "rotate-video",
    name="Rotate Video",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def rotate_video(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Turn a video a quarter clockwise (cw90) or counter-clockwise (ccw90), half a turn
    (180), or mirror it left-right (hflip) or top-bottom (vflip). The pixels are turned
    (after applying any rotation the file declares), so every player shows the same."""
    inp = inputs.first
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-rotated.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=TRANSFORMS[settings.transform],
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
