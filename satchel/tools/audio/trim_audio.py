"""Trim Audio: keep the part between two times, to the sample."""

from __future__ import annotations

from pydantic import Field, model_validator

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    start_s: float = Field(0.0, ge=0, description="Where the kept part starts, in seconds.")
    end_s: float | None = Field(None, gt=0, description="Where it ends (default: the end).")

    @model_validator(mode="after")
    def _ordered(self) -> Settings:
        if self.end_s is not None and self.end_s <= self.start_s:
            raise ValueError("endS must be after startS")
        return self


@tool(
    "audio",
    "trim-audio",
    name="Trim Audio",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def trim_audio(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Keep the part of a sound between startS and endS, cut to the sample (atrim); a
    start past the end is refused (tool_time_out_of_range)."""
    inp = inputs.first
    facts = avedit.check_file(inp.path, ctx.limits, inp.name)
    if facts.duration and settings.start_s >= facts.duration:
        raise avedit.OutOfRange(
            f"startS {settings.start_s:g} s is past the end ({facts.duration:.2f} s)."
        )
    profile = avencode.audio_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-trimmed.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=None,
        start=settings.start_s,
        end=settings.end_s,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
