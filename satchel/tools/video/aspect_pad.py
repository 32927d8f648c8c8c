"""Aspect Pad: bars of a colour around the picture to reach an aspect ratio."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

Target = Literal["16:9", "9:16", "1:1", "4:3", "3:4"]


def ratio(target: str) -> tuple[int, int]:
    w, h = target.split(":")
    return int(w), int(h)


def box(target: str) -> str:
    """`pad` sizes that grow one side to the ratio (even numbers, for 4:2:0)."""
    w, h = ratio(target)
    return (
        f"w=ceil(max(iw\\,ih*{w}/{h})/2)*2:h=ceil(max(ih\\,iw*{h}/{w})/2)*2:x=(ow-iw)/2:y=(oh-ih)/2"
    )


class Settings(ToolSettings):
    target: Target = Field("16:9", description="Aspect ratio of the result.")
    color: str = Field("#000000", description="Colour of the bars (#rrggbb).")

    @field_validator("color")
    @classmethod
    def _hex(cls, value: str) -> str:
        digits = value.removeprefix("#")
        if len(digits) != 6 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise ValueError("a colour is #rrggbb")
        return "0x" + digits


@tool(
    "video",
    "aspect-pad",
    name="Aspect Pad",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def aspect_pad(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Add bars of one colour (letterbox or pillarbox) so the video has the aspect ratio
    16:9, 9:16, 1:1, 4:3 or 3:4 without cropping or stretching the picture."""
    inp = inputs.first
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-padded.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=[("pad", f"{box(settings.target)}:color={settings.color}")],
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
