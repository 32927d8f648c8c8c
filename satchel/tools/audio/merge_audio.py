"""Merge Audio: several sounds played one after another."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avencode, avjoin
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    format: Literal["mp3", "wav", "flac", "m4a"] = Field("mp3", description="Format.")


@tool(
    "audio",
    "merge-audio",
    name="Merge Audio",
    settings=Settings,
    inputs=InputSpec(min_files=2, max_files=50, accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def merge_audio(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Join 2 to 50 sounds end to end into one MP3, WAV, FLAC or M4A, resampled to the
    first one's sample rate and channels."""
    first = inputs.first
    parts = [avjoin.Part(f.path, f.name) for f in inputs.files]
    profile = avencode.AUDIO_PROFILES[settings.format]
    out = ctx.output(f"{first.stem}-merged.{profile.extension}", profile.media_type)
    joined = avjoin.concat(
        parts,
        out.path,
        profile,
        limits=ctx.limits,
        progress=lambda share: ctx.progress(round(share * 100)),
    )
    return ToolResult([out], data={"parts": len(joined)})
