"""Extract Subtitles: a video's subtitle track as an SRT file."""

from __future__ import annotations

from satchel.media import avedit, subtitles
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "video",
    "extract-subtitles",
    name="Extract Subtitles",
    settings=NoSettings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("application/x-subrip",),
    slow=True,
)
def extract_subtitles(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Save the first text subtitle track of a video (SRT, ASS/SSA, WebVTT or MP4 timed
    text) as an SRT file, styling removed; a video without one is refused
    (tool_stream_missing)."""
    inp = inputs.first
    avedit.check_file(inp.path, ctx.limits, inp.name)
    found = subtitles.cues(inp.path, inp.name)
    if not found:
        raise avedit.StreamMissing(f"{inp.name} has no text subtitles.")
    out = ctx.output(f"{inp.stem}.srt", "application/x-subrip")
    out.path.write_text(subtitles.to_srt(found), encoding="utf-8")
    return ToolResult([out], data={"cues": len(found)})
