"""Audio Metadata: read a sound's tags, strip them, or write title, artist and album."""

from __future__ import annotations

from pydantic import Field

from satchel.media import avcopy, avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    strip: bool = Field(False, description="Remove every tag and the cover picture.")
    title: str | None = Field(None, max_length=500, description="Title to write.")
    artist: str | None = Field(None, max_length=500, description="Artist to write.")
    album: str | None = Field(None, max_length=500, description="Album to write.")


@tool(
    "audio",
    "audio-metadata",
    name="Audio Metadata",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def audio_metadata(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Read a sound's tags (answered as `tags`), and with `strip` remove them all (and
    the cover picture), or write title, artist and album (other tags kept). The sound is
    copied, never re-encoded."""
    inp = inputs.first
    with avedit.opened(inp.path, inp.name) as container:
        avedit.probe(container, ctx.limits, inp.name)
        tags = {str(k): str(v)[:500] for k, v in list(container.metadata.items())[:100]}
        if container.streams.audio:
            for k, v in list(container.streams.audio[0].metadata.items())[:100]:
                tags.setdefault(str(k), str(v)[:500])
    changes = {
        k: v
        for k, v in (
            ("title", settings.title),
            ("artist", settings.artist),
            ("album", settings.album),
        )
        if v is not None
    }
    if not settings.strip and not changes:
        return ToolResult([], data={"tags": tags})
    profile = avencode.audio_profile(inp.media_type)
    if avencode.AUDIO_FORMAT_OF.get(inp.media_type) is None:
        raise avedit.Corrupt(f"Tags of {inp.media_type} files cannot be written here.")
    out = ctx.output(f"{inp.stem}.{profile.extension}", profile.media_type)
    avcopy.remux(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        kinds=("audio",) if settings.strip else ("audio", "video"),
        keep_tags=not settings.strip,
        metadata=changes,
        name=inp.name,
    )
    return ToolResult([out], data={"tags": {} if settings.strip else {**tags, **changes}})
