"""Convert Audio: to MP3, WAV, Ogg (Opus), FLAC or M4A (AAC) at a bitrate."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    format: Literal["mp3", "wav", "ogg", "flac", "m4a"] = Field("mp3", description="Format.")
    bitrate_kbps: int = Field(192, ge=32, le=320, description="Bitrate of MP3, Ogg and M4A.")


@tool(
    "audio",
    "convert-audio",
    name="Convert Audio",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*", "video/*")),
    produces=("audio/*",),
    slow=True,
)
def convert_audio(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Convert a sound (or a video's sound) to MP3 (LAME), WAV (16-bit PCM), Ogg (Opus:
    the bundled FFmpeg has no Vorbis encoder), FLAC or M4A (AAC), at 32–320 kbit/s for
    the lossy formats. Sample rate and channels are kept (Opus: 48 kHz)."""
    inp = inputs.first
    profile = avencode.AUDIO_PROFILES[settings.format].with_(
        audio_bitrate=settings.bitrate_kbps * 1000
    )
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
