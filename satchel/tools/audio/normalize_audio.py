"""Normalize Audio: integrated loudness to -16 LUFS (EBU R128), in two passes."""

from __future__ import annotations

from satchel.media import avaudio, avedit, avencode
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "audio",
    "normalize-audio",
    name="Normalize Audio",
    settings=NoSettings,
    inputs=InputSpec(accepts=("audio/*",)),
    produces=("audio/*",),
    slow=True,
)
def normalize_audio(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Bring a sound to -16 LUFS integrated loudness (EBU R128, the podcast and streaming
    level): the loudness is measured (`ebur128`), then one linear gain is applied with a
    -1 dBFS limiter, so the dynamics are kept. Silence is left as it is."""
    inp = inputs.first
    measured = avaudio.loudness(
        inp.path, limits=ctx.limits, progress=lambda share: ctx.progress(round(share * 40))
    )
    profile = avencode.audio_profile(inp.media_type)
    out = ctx.output(f"{inp.stem}-normalized.{profile.extension}", profile.media_type)
    chain = avaudio.normalize_chain(measured) if measured > avaudio.SILENT_LUFS else []
    avedit.transcode(
        inp.path,
        out.path,
        profile,
        limits=ctx.limits,
        video=None,
        audio=chain,
        progress=lambda share: ctx.progress(40 + round(share * 60)),
        name=inp.name,
    )
    return ToolResult([out], data={"measured_lufs": round(measured, 2), "target_lufs": -16})
