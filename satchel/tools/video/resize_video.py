"""Resize Video: to a width and/or height, or a standard height preset."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

PRESETS = {"2160p": 2160, "1440p": 1440, "1080p": 1080, "720p": 720, "480p": 480, "360p": 360}


class Settings(ToolSettings):
    width: int | None = Field(None, ge=16, le=8192, description="Width in pixels.")
    height: int | None = Field(None, ge=16, le=8192, description="Height in pixels.")
    preset: Literal["custom", "2160p", "1440p", "1080p", "720p", "480p", "360p"] = Field(
        "custom", description="A standard height (the width follows the aspect ratio)."
    )

    @model_validator(mode="after")
    def _some_size(self) -> Settings:
        if self.preset == "custom" and not (self.width or self.height):
            raise ValueError("give width, height or a preset")
        return self


@tool(
    "video",
    "resize-video",
    name="Resize Video",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def resize_video(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Scale a video to a width, a height (the other side keeps the aspect ratio) or both
    (stretched), or to a standard height (2160p … 360p); sizes are rounded to even
    numbers for H.264. The sound is kept; the format stays the input's."""
    inp = inputs.first
    if settings.preset != "custom":
        scale = f"-2:{PRESETS[settings.preset]}"
    else:
        scale = f"{settings.width or -2}:{settings.height or -2}"
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-resized.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=[("scale", f"{scale}:flags=bicubic")],
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
