"""Pitch Shift: the pitch moved by semitones, the duration kept."""

from __future__ import annotations

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    semitones: float = Field(2.0, ge=-12, le=12, description="Semitones up (+) or down (-).")


@tool(
    "audio",
    "pitch-shift",
    name="Pitch Shift",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def pitch_shift(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Shift the pitch of a sound by -12 to +12 semitones keeping its duration: a classical
    resample-and-stretch (asetrate, aresample, atempo), not a formant-preserving model."""
    inp = inputs.first
    facts = avedit.check_file(inp.path, ctx.limits, inp.name)
    rate = facts.sample_rate or 44100
    ratio = 2 ** (settings.semitones / 12)
    chain = [
        ("asetrate", str(round(rate * ratio))),
        ("aresample", str(rate)),
        *avedit.tempo(1 / ratio),
    ]
    profile = avencode.audio_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-pitch.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=None,
        audio=chain,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
