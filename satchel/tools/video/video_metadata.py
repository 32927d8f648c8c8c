"""Clean Video Metadata: remove tags (location, device, dates, titles) without re-encoding."""

from __future__ import annotations

from satchel.media import avcopy, avencode
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "video",
    "video-metadata",
    name="Clean Video Metadata",
    settings=NoSettings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def video_metadata(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Remove the container's and streams' tags (GPS location, camera make and model,
    creation time, title, encoder) by copying the streams into a new file; the picture
    and sound are not re-encoded."""
    inp = inputs.first
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-clean.{profile.extension}", profile.media_type)
    avcopy.remux(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        keep_tags=False,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
