"""Merge Videos: several videos played one after another, matched to the first."""

from __future__ import annotations

from satchel.media import avedit, avencode, avjoin
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "video",
    "merge-videos",
    name="Merge Videos",
    settings=NoSettings,
    inputs=InputSpec(min_files=2, max_files=20, accepts=("video/*",)),
    produces=("video/mp4",),
    slow=True,
)
def merge_videos(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Join 2 to 20 videos end to end into one MP4 (H.264/AAC). Every clip is normalised to
    the first one: scaled into its frame size (aspect ratio kept, black bars), its frame
    rate and its sound format; a clip without sound adds silence of its length."""
    first = inputs.first
    facts = avedit.check_file(first.path, ctx.limits, first.name)
    width, height = avedit.upright_size(first.path, facts)
    fit = avjoin.fit_chain(width - width % 2, height - height % 2, facts.rate)
    parts = [avjoin.Part(f.path, f.name, video=fit) for f in inputs.files]
    profile = avencode.VIDEO_PROFILES["mp4"]
    out = ctx.output(f"{first.stem}-merged.mp4", profile.media_type)
    joined = avjoin.concat(
        parts,
        out.path,
        profile,
        limits=ctx.limits,
        progress=lambda share: ctx.progress(round(share * 100)),
    )
    return ToolResult(
        [out], data={"clips": len(joined), "duration_s": round(sum(f.duration for f in joined), 3)}
    )
