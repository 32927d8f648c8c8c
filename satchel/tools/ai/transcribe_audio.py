"""Transcribe audio: speech to text (txt, SRT or WebVTT) with Whisper on the CPU."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media.ml import speech
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

Language = Literal["auto", "en", "de", "fr", "es", "zh", "ja", "ko", "id", "th", "vi"]
WRITERS = {
    "txt": (speech.to_text, "text/plain"),
    "srt": (speech.to_srt, "application/x-subrip"),
    "vtt": (speech.to_vtt, "text/vtt"),
}


class Settings(ToolSettings):
    language: Language = Field(
        "auto", description="Spoken language, or `auto` (the installed model's language)."
    )
    output_format: Literal["txt", "srt", "vtt"] = Field(
        "txt", description="Plain text, SubRip or WebVTT subtitles."
    )
    beam_size: int = Field(5, ge=1, le=8, description="Beam search width (1 is fastest).")


def transcript_result(inputs: Inputs, settings: Settings, ctx: ToolContext, fmt: str) -> ToolResult:
    """Transcribe the first input and write it in `fmt` (shared with auto-subtitles)."""
    language = None if settings.language == "auto" else settings.language
    ctx.progress(5, "Loading the speech model")
    found = speech.transcribe(
        inputs.first.path, language=language, beam_size=settings.beam_size, progress=ctx.progress
    )
    write, media_type = WRITERS[fmt]
    out = ctx.output(f"{inputs.first.stem}.{fmt}", media_type)
    out.path.write_text(write(found), encoding="utf-8")
    data = {
        "text": found.text,
        "language": found.language,
        "duration": round(found.duration, 3),
        "model": f"whisper {found.model}",
        "segments": [s.json() for s in found.segments],
    }
    return ToolResult(files=[out], data=data)


@tool(
    "audio",
    "transcribe-audio",
    name="Transcribe Audio (AI)",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*", "video/*")),
    produces=("text/plain", "application/x-subrip", "text/vtt"),
    slow=True,
    pipeline=False,
    availability=speech.available,
)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Transcribe the speech in an audio (or video) file with Whisper (faster-whisper,
    int8 on the CPU, offline), as plain text or timed SubRip/WebVTT subtitles, with every
    segment's start and end time. The bundled model is Whisper tiny.en: English only; other
    languages answer `tool_unavailable` until a multilingual model is installed."""
    return transcript_result(inputs, settings, ctx, settings.output_format)
