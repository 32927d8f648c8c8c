"""Video Speed: faster or slower, the sound kept in pitch or not."""

from __future__ import annotations

from fractions import Fraction

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    factor: float = Field(2.0, ge=0.25, le=4, description="Speed factor (2: twice as fast).")
    keep_pitch: bool = Field(True, description="Keep the sound's pitch (else it shifts).")


@tool(
    "video",
    "video-speed",
    name="Video Speed",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def video_speed(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Play a video 0.25 to 4 times as fast: frame times are scaled (`setpts`) and the
    sound is time-stretched in pitch (`atempo`), or, with keepPitch off, resampled like
    a tape played faster (`asetrate`)."""
    inp = inputs.first
    facts = avedit.check_file(inp.path, ctx.limits, inp.name)
    f = settings.factor
    if settings.keep_pitch:
        sound = avedit.tempo(f)
    else:
        rate = facts.sample_rate or 48000
        sound = [("asetrate", str(round(rate * f))), ("aresample", str(rate))]
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-x{f:g}.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=[("setpts", f"PTS/{f}")],
        audio=sound,
        rate=(facts.rate or None) and facts.rate * Fraction(f).limit_denominator(100),
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
