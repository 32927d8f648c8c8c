"""Blur Pad: the picture fitted into an aspect ratio over a blurred copy of itself."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

Target = Literal["16:9", "9:16", "1:1", "4:3", "3:4"]


class Settings(ToolSettings):
    target: Target = Field("9:16", description="Aspect ratio of the result.")
    blur: int = Field(20, ge=2, le=50, description="Blur strength of the background.")


@tool(
    "video",
    "blur-pad",
    name="Blur Pad",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def blur_pad(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Fit a video into the aspect ratio 16:9, 9:16, 1:1, 4:3 or 3:4 without cropping it,
    filling the rest with a blurred, enlarged copy of the picture instead of bars (the
    look of landscape clips in portrait feeds). The frame keeps the input's longer side."""
    inp = inputs.first
    facts = avedit.check_file(inp.path, ctx.limits, inp.name)
    src_w, src_h = avedit.upright_size(inp.path, facts)
    rw, rh = (int(n) for n in settings.target.split(":"))
    longest = max(src_w, src_h)
    w, h = (longest, longest * rh // rw) if rw >= rh else (longest * rw // rh, longest)
    w, h = w - w % 2, h - h % 2
    backdrop = [
        ("scale", f"{w}:{h}:force_original_aspect_ratio=increase"),
        ("crop", f"{w}:{h}"),
        ("gblur", f"sigma={settings.blur}"),
    ]
    front = [("scale", f"{w}:{h}:force_original_aspect_ratio=decrease")]
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-blurpad.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=front,
        backdrop=backdrop,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
