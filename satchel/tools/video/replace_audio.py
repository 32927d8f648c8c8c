"""Replace Audio: a video's sound replaced by another file's."""

from __future__ import annotations

from satchel.media import avedit, avencode
from satchel.tools.base import (
    Inputs,
    InputSpec,
    NoSettings,
    ToolContext,
    ToolError,
    ToolResult,
    tool,
)


@tool(
    "video",
    "replace-audio",
    name="Replace Audio",
    settings=NoSettings,
    inputs=InputSpec(min_files=2, max_files=2, accepts=("video/*", "audio/*")),
    produces=("video/*",),
    slow=True,
)
def replace_audio(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Give a video the sound of another file (two files: the video, and an audio file or
    a second video whose sound is taken). The result lasts as long as the video; a
    shorter sound ends early, a longer one is cut."""
    videos = [f for f in inputs.files if f.media_type.startswith("video/")]
    if not videos:
        raise ToolError("replace-audio needs one video among its two files.")
    video = videos[0]
    sound = next(f for f in inputs.files if f is not video)
    facts = avedit.check_file(video.path, ctx.limits, video.name)
    profile = avencode.video_profile(video.media_type).with_(quality="high")
    out = ctx.output(f"{video.stem}-new-audio.{profile.extension}", profile.media_type)
    avedit.transcode(
        video.path,
        out.path,
        profile,
        limits=ctx.limits,
        audio=[("atrim", f"end={facts.duration:.3f}")],
        audio_from=sound.path,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=video.name,
    )
    return ToolResult([out])
