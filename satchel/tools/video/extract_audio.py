"""Extract Audio: a video's sound as MP3, WAV or M4A."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    format: Literal["mp3", "wav", "m4a"] = Field("mp3", description="Audio format.")


@tool(
    "video",
    "extract-audio",
    name="Extract Audio",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("audio/*",),
    slow=True,
)
def extract_audio(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Save the first sound stream of a video as MP3 (192 kbit/s), WAV (16-bit PCM) or
    M4A (AAC); a video without sound is refused (tool_stream_missing)."""
    inp = inputs.first
    profile = avencode.AUDIO_PROFILES[settings.format]
    out = ctx.output(f"{inp.stem}.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=None,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
