"""Ringtone Maker: a short excerpt with soft edges, as MP3 or iPhone M4R."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

FADE_S = 0.5


class Settings(ToolSettings):
    start_s: float = Field(0.0, ge=0, description="Where the ringtone starts, in seconds.")
    duration_s: float = Field(30.0, ge=1, le=30, description="Its length (1–30 s).")
    format: Literal["mp3", "m4r"] = Field("mp3", description="MP3, or M4R for iPhones.")


@tool(
    "audio",
    "ringtone-maker",
    name="Ringtone Maker",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*", "video/*")),
    produces=("audio/*",),
    slow=True,
)
def ringtone_maker(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Cut a ringtone of 1–30 seconds from startS, with half-second fades in and out, as
    MP3 or M4R (AAC in an iPhone ringtone file)."""
    inp = inputs.first
    facts = avedit.check_file(inp.path, ctx.limits, inp.name)
    if facts.duration and settings.start_s >= facts.duration:
        raise avedit.OutOfRange(
            f"startS {settings.start_s:g} s is past the end ({facts.duration:.2f} s)."
        )
    end = settings.start_s + settings.duration_s
    length = min(end, facts.duration or end) - settings.start_s
    profile = avencode.AUDIO_PROFILES["mp3" if settings.format == "mp3" else "m4a"]
    ext = "mp3" if settings.format == "mp3" else "m4r"
    out = ctx.output(f"{inp.stem}-ringtone.{ext}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=None,
        audio=[
            ("afade", f"t=in:st=0:d={FADE_S}"),
            ("afade", f"t=out:st={max(0.0, length - FADE_S):.3f}:d={FADE_S}"),
        ],
        start=settings.start_s,
        end=end,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out], data={"duration_s": round(length, 3)})
