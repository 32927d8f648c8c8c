"""GIF ↔ animated WebP, keeping every frame, its delay and the loop count."""

from __future__ import annotations

from pydantic import Field

from satchel.media import animation, imaging
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    quality: int = Field(80, ge=1, le=100, description="WebP quality (GIF → WebP).")
    lossless: bool = Field(False, description="Lossless WebP (GIF → WebP).")
    resize_percent: int = Field(100, ge=10, le=100, description="Scale the frames (percent).")


@tool(
    "image",
    "gif-webp",
    name="GIF/WebP Converter",
    settings=Settings,
    inputs=InputSpec(accepts=("image/gif", "image/webp")),
    produces=("image/gif", "image/webp"),
)
def gif_webp(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Convert an animated GIF to an animated WebP, or a WebP (animated or not) to a GIF,
    keeping the frames, their delays and the loop count; optionally scaled down. Quality
    and lossless apply to WebP output (GIF output uses a 256-colour palette per frame)."""
    inp = inputs.first
    anim = animation.load(inp.path, inp.media_type, limits=ctx.limits, name=inp.name)
    if settings.resize_percent != 100:
        scale = settings.resize_percent / 100
        width, height = max(1, round(anim.width * scale)), max(1, round(anim.height * scale))
        imaging.check_dimensions(width, height, ctx.limits)
        anim = animation.resize(anim, width, height)
    if inp.media_type == "image/gif":
        out = animation.save_output(
            anim,
            ctx,
            inp.name,
            "webp",
            Q=settings.quality,
            lossless=settings.lossless,
            effort=4,
        )
    else:
        out = animation.save_output(anim, ctx, inp.name, "gif", effort=7)
    return ToolResult([out])
