"""Auto subtitles: speech to timed subtitles (Whisper), as a file, a track or burned in."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avcopy, avedit, avencode, subtitles
from satchel.media.ml import speech
from satchel.tools.ai.transcribe_audio import Language, transcript_result
from satchel.tools.ai.transcribe_audio import Settings as TranscribeSettings
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    language: Language = Field("auto", description="Spoken language, or `auto`.")
    format: Literal["srt", "vtt"] = Field("srt", description="SubRip or WebVTT.")
    output: Literal["subtitles", "embed", "burn"] = Field(
        "subtitles",
        description="`subtitles`: the file; `embed`: an MKV with the track added; "
        "`burn`: drawn into the picture (re-encoded).",
    )
    font_size: int = Field(24, ge=8, le=72, description="`burn`: text size in pixels.")


@tool(
    "video",
    "auto-subtitles",
    name="Auto Subtitles (AI)",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("application/x-subrip", "text/vtt", "video/*"),
    slow=True,
    pipeline=False,
    availability=speech.available,
)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Subtitle a video from its speech: Whisper (faster-whisper, tiny.en bundled:
    English) transcribes it into timed SRT or WebVTT cues, answered as the subtitle file,
    embedded as a selectable track (the video's streams copied into an MKV), or burned into
    the picture (as the burn-subtitles tool draws them)."""
    inp = inputs.first
    asked = TranscribeSettings(language=settings.language, output_format=settings.format)
    result = transcript_result(inputs, asked, ctx, settings.format)
    if settings.output == "subtitles":
        return result
    track = result.files[0]
    if settings.output == "embed":
        profile = avencode.VIDEO_PROFILES["mkv"]
        out = ctx.output(f"{inp.stem}-subtitled.mkv", profile.media_type)
        avcopy.remux(
            inp.path,
            out.path,
            profile,
            limits=ctx.limits,
            extra=track.path,
            extra_tags={"language": "eng"},
            name=inp.name,
        )
    else:
        found = subtitles.cues(track.path)
        if not found:
            raise avedit.StreamMissing("No speech was found to subtitle.")
        burner = subtitles.Burner(found, size=settings.font_size, limits=ctx.limits)
        profile = avencode.video_profile(inp.media_type).with_(quality="high")
        out = ctx.output(f"{inp.stem}-subtitled.{profile.extension}", profile.media_type)
        avedit.transcode(inp.path, out.path, profile, limits=ctx.limits, hook=burner, name=inp.name)
    return ToolResult([out], data=result.data)  # the cues are in the data as segments
