"""Noise Reduction: steady background noise removed by a spectral denoiser."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

# (reduction dB, assumed noise floor dBFS): stronger settings treat louder sound as noise.
LEVELS = {"light": (10, -50), "medium": (15, -35), "strong": (24, -25)}


class Settings(ToolSettings):
    strength: Literal["light", "medium", "strong"] = Field(
        "medium", description="How much steady noise to remove."
    )


@tool(
    "audio",
    "noise-reduction",
    name="Noise Reduction",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def noise_reduction(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Reduce steady background noise (hiss, hum, fans) with FFmpeg's FFT denoiser (afftdn,
    which tracks the noise floor): a classical spectral method standing in for a learned
    denoiser; light, medium or strong (10, 15 or 24 dB less noise, for noise up to -50,
    -35 or -25 dBFS)."""
    inp = inputs.first
    profile = avencode.audio_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-denoised.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=None,
        audio=[("afftdn", "nr={}:nf={}:tn=1".format(*LEVELS[settings.strength]))],
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
