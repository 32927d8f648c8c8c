"""Reverse Audio: the sound played backwards."""

from __future__ import annotations

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool

MAX_SECONDS = 600


@tool(
    "audio",
    "reverse-audio",
    name="Reverse Audio",
    settings=NoSettings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def reverse_audio(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Play a sound backwards (FFmpeg areverse). The whole sound is held in memory, so inputs
    longer than 10 minutes are refused (tool_media_too_long)."""
    inp = inputs.first
    facts = avedit.check_file(inp.path, ctx.limits, inp.name)
    if facts.duration > MAX_SECONDS:
        raise avedit.TooLong(f"reverse-audio takes at most {MAX_SECONDS // 60} minutes.")
    profile = avencode.audio_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-reversed.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=None,
        audio=[("areverse", "")],
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
