"""Burn Subtitles: a subtitle file drawn into the picture."""

from __future__ import annotations

from pydantic import Field

from satchel.media import avedit, avencode, subtitles
from satchel.tools.base import (
    Extra,
    Inputs,
    InputSpec,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)


class Settings(ToolSettings):
    font_size: int = Field(24, ge=8, le=72, description="Text size in pixels.")


@tool(
    "video",
    "burn-subtitles",
    name="Burn Subtitles",
    settings=Settings,
    inputs=InputSpec(
        accepts=("video/*",),
        extras=(
            Extra(
                "subtitles",
                accepts=("text/*", "application/x-subrip"),
                description="The subtitle file (SRT, WebVTT, ASS).",
            ),
        ),
    ),
    produces=("video/*",),
    slow=True,
)
def burn_subtitles(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Draw the cues of a subtitle file (SRT, WebVTT or ASS, the `subtitles` part) into a
    video's picture, white with a black outline, centred near the bottom, 8–72 px. The
    bundled FFmpeg has no libass `subtitles` filter: each cue is typeset once by the
    imaging engine (Pango, DejaVu Sans Bold; styling tags removed) and blended into the
    frames it covers."""
    inp = inputs.first
    found = subtitles.cues(inputs.extras["subtitles"].path)
    if not found:
        raise avedit.StreamMissing("The subtitle file has no cues.")
    burner = subtitles.Burner(found, size=settings.font_size, limits=ctx.limits)
    profile = avencode.video_profile(inp.media_type).with_(quality="high")
    out = ctx.output(f"{inp.stem}-subtitled.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        hook=burner,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out], data={"cues": len(found)})
