"""Audio Channels: stereo to mono, mono to stereo, or left and right swapped."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import avedit, avencode
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

CHAINS: dict[str, avedit.Chain] = {
    "stereo-to-mono": [],  # the encoder's mono layout: FFmpeg's standard downmix
    "mono-to-stereo": [("pan", "stereo|c0=c0|c1=c0")],
    "swap": [("pan", "stereo|c0=c1|c1=c0")],
}
LAYOUTS = {"stereo-to-mono": "mono", "mono-to-stereo": "stereo", "swap": "stereo"}


class Settings(ToolSettings):
    mode: Literal["stereo-to-mono", "mono-to-stereo", "swap"] = Field(
        "stereo-to-mono", description="Mix down, duplicate, or swap left and right."
    )


@tool(
    "audio",
    "audio-channels",
    name="Audio Channels",
    settings=Settings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def audio_channels(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Change the channels of a sound: mix stereo down to mono, copy mono to both stereo
    channels, or swap left and right."""
    inp = inputs.first
    profile = avencode.audio_profile(inp.media_type).with_(audio_layout=LAYOUTS[settings.mode])
    out = ctx.output(f"{inp.stem}-{settings.mode}.{profile.extension}", profile.media_type)
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=None,
        audio=CHAINS[settings.mode],
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    )
    return ToolResult([out])
