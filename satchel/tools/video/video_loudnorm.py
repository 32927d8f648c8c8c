"""Normalize Audio (video): the sound brought to -16 LUFS (EBU R128), the picture re-encoded."""

from __future__ import annotations

from satchel.media import avaudio, avedit, avencode
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "video",
    "video-loudnorm",
    name="Normalize Audio",
    settings=NoSettings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def video_loudnorm(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Bring a video's sound to -16 LUFS integrated loudness (EBU R128) in two passes:
    the loudness is measured (`ebur128`), then one linear gain is applied with a -1 dBFS
    limiter, so the dynamics are kept. The video is re-encoded at high quality."""
    inp = inputs.first
    measured = avaudio.loudness(
        inp.path, limits=ctx.limits, progress=lambda share: ctx.progress(round(share * 30))
    )
    profile = avencode.video_profile(inp.media_type).with_(quality="high")
    out = ctx.output(f"{inp.stem}-normalized.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        audio=avaudio.normalize_chain(measured),
        progress=lambda share: ctx.progress(30 + round(share * 70)),
        name=inp.name,
    )
    return ToolResult([out], data={"measured_lufs": round(measured, 2), "target_lufs": -16})
