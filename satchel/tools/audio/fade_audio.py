"""Fade Audio: fades in from and out to silence."""

from __future__ import annotations

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    fade_in_s: float = Field(1.0, ge=0, le=30, description="Fade-in length, seconds.")
    fade_out_s: float = Field(1.0, ge=0, le=30, description="Fade-out length, seconds.")


@tool(
    "audio",
    "fade-audio",
    name="Fade Audio",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def fade_audio(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Fade a sound in from silence at the start and out to silence at the end (0 to 30 seconds
    each, FFmpeg afade curves)."""
    inp = inputs.first
    facts = avedit.check_file(inp.path, ctx.limits, inp.name)
    chain: list[tuple[str, str]] = []
    if settings.fade_in_s:
        chain.append(("afade", f"t=in:st=0:d={settings.fade_in_s}"))
    if settings.fade_out_s:
        start = max(0.0, facts.duration - settings.fade_out_s)
        chain.append(("afade", f"t=out:st={start:.3f}:d={settings.fade_out_s}"))
    profile = avencode.audio_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-faded.{profile.extension}", profile.media_type)
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
