"""Trim Video: keep the part between two times, cut at keyframes or frame-accurately."""

from __future__ import annotations

from pydantic import Field, model_validator

from satchel.media import avcopy, avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    start_s: float = Field(0.0, ge=0, description="Where the kept part starts, in seconds.")
    end_s: float | None = Field(None, gt=0, description="Where it ends (default: the end).")
    precise: bool = Field(
        False, description="Cut on the exact frames (re-encodes) instead of at keyframes."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Settings:
        if self.end_s is not None and self.end_s <= self.start_s:
            raise ValueError("endS must be after startS")
        return self


@tool(
    "video",
    "trim-video",
    name="Trim Video",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("video/*",),
    slow=True,
)
def trim_video(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Keep the part of a video between startS and endS. By default the streams are
    copied (no quality loss, fast) and the cut starts at the keyframe before startS;
    with `precise` the video is re-encoded and the result starts and ends on the exact
    frames asked for."""
    inp = inputs.first
    facts = avedit.check_file(inp.path, ctx.limits, inp.name)
    if facts.duration and settings.start_s >= facts.duration:
        raise avedit.OutOfRange(
            f"startS {settings.start_s:g} s is past the end of the video ({facts.duration:.2f} s)."
        )
    profile = avencode.video_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-trimmed.{profile.extension}", profile.media_type)
    report = lambda share: ctx.progress(round(share * 100))  # noqa: E731
    if settings.precise:
        avedit.transcode(
            inp.path,
            out.path,
            profile.with_(quality="high"),
            limits=ctx.limits,
            start=settings.start_s,
            end=settings.end_s,
            progress=report,
            name=inp.name,
        )
    else:
        avcopy.remux(
            inp.path,
            out.path,
            profile,
            limits=ctx.limits,
            start=settings.start_s,
            end=settings.end_s,
            progress=report,
            name=inp.name,
        )
    return ToolResult([out])
