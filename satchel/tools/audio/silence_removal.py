"""Silence Removal: silent stretches cut out."""

from __future__ import annotations

from pydantic import Field

from satchel.media import avaudio, avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

RATE = 100  # level readings per second: cuts fall on 10 ms steps


class Settings(ToolSettings):
    threshold_db: float = Field(-50, ge=-80, le=-20, description="Quieter than this is silence.")
    min_silence_s: float = Field(0.5, ge=0.1, le=5, description="Shortest silence removed.")


@tool(
    "audio",
    "silence-removal",
    name="Silence Removal",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def silence_removal(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Cut out every stretch where the sound stays below thresholdDb (-80 to -20 dBFS
    peak) for at least minSilenceS seconds, at the start, the end and in between. The
    stretches are found from 10 ms peak levels, then removed whole (FFmpeg's own
    silenceremove keeps part of each silence)."""
    inp = inputs.first
    levels = avaudio.envelope(
        inp.path, limits=ctx.limits, rate=RATE, progress=lambda s: ctx.progress(round(s * 40))
    )
    gaps = avaudio.silences(
        levels, rate=RATE, threshold_db=settings.threshold_db, min_seconds=settings.min_silence_s
    )
    profile = avencode.audio_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-nosilence.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=None,
        audio=avaudio.cut_chain(gaps),
        progress=lambda share: ctx.progress(40 + round(share * 60)),
        name=inp.name,
    )
    removed = sum(end - start for start, end in gaps)
    return ToolResult([out], data={"silences": len(gaps), "removed_s": round(removed, 3)})
