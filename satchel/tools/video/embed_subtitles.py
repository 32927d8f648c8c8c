"""Embed Subtitles: a subtitle file added to a video as a selectable track."""

from __future__ import annotations

from pydantic import Field, field_validator

from satchel.media import avcopy, avedit, avencode
from satchel.tools.base import (
    Extra,
    Inputs,
    InputSpec,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

# ISO 639-2/T codes whose bibliographic (/B) form differs: the /B form is asked for.
T_TO_B = {
    "sqi": "alb",
    "hye": "arm",
    "eus": "baq",
    "mya": "bur",
    "zho": "chi",
    "ces": "cze",
    "nld": "dut",
    "fra": "fre",
    "kat": "geo",
    "deu": "ger",
    "ell": "gre",
    "isl": "ice",
    "mkd": "mac",
    "mri": "mao",
    "msa": "may",
    "fas": "per",
    "ron": "rum",
    "slk": "slo",
    "bod": "tib",
    "cym": "wel",
}


class Settings(ToolSettings):
    language: str = Field("eng", description="ISO 639-2/B language code (eng, ger, fre…).")

    @field_validator("language")
    @classmethod
    def _code(cls, value: str) -> str:
        code = value.strip().lower()
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise ValueError("a language is a three-letter ISO 639-2/B code, like eng")
        if code in T_TO_B:
            raise ValueError(f"use the ISO 639-2/B code {T_TO_B[code]!r} for {code!r}")
        return code


@tool(
    "video",
    "embed-subtitles",
    name="Embed Subtitles",
    settings=Settings,
    inputs=InputSpec(
        accepts=("video/*",),
        extras=(
            Extra(
                "subtitles",
                accepts=("text/*", "application/x-subrip"),
                description="The subtitle file (SRT, WebVTT, ASS).",
            ),
        ),
    ),
    produces=("video/x-matroska",),
    slow=True,
)
def embed_subtitles(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Add a subtitle file (SRT, WebVTT or ASS, the `subtitles` part) to a video as a
    track players can turn on, tagged with its ISO 639-2/B language. The video and sound
    are copied, not re-encoded, into an MKV (Matroska holds these subtitle formats as
    they are)."""
    inp = inputs.first
    side = inputs.extras["subtitles"]
    with avedit.opened(side.path, "The subtitle file") as container:
        if not container.streams.subtitles:
            raise avedit.StreamMissing("The subtitle file has no cues in a known format.")
    profile = avencode.VIDEO_PROFILES["mkv"]
    out = ctx.output(f"{inp.stem}-subtitled.mkv", profile.media_type)
    avcopy.remux(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        extra=side.path,
        extra_tags={"language": settings.language},
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
