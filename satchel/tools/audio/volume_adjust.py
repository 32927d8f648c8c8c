"""Volume Adjust: louder or quieter by a gain in decibels."""

from __future__ import annotations

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    gain_db: float = Field(6.0, ge=-30, le=30, description="Gain in decibels.")


@tool(
    "audio",
    "volume-adjust",
    name="Volume Adjust",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def volume_adjust(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make a sound louder or quieter by a gain in decibels (-30 to +30); the format stays the
    input's where it can be written (else MP3). A large gain can clip; normalize-audio limits
    peaks."""
    inp = inputs.first
    profile = avencode.audio_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-volume.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=None,
        audio=[("volume", f"{settings.gain_db}dB")],
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
