"""GIF ↔ animated WebP, keeping every frame, its delay and the loop count."""

from __future__ import annotations

from pydantic import Field

from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool
from satchel.tools.image._common import check_dimensions
from satchel.tools.image.gif_tools import load_animation, resize_frames, write_animation


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
    anim = load_animation(inp, ctx)
    if settings.resize_percent != 100:
        scale = settings.resize_percent / 100
        width, height = max(1, round(anim.width * scale)), max(1, round(anim.height * scale))
        check_dimensions(width, height, ctx)
        anim = resize_frames(anim, width, height)
    if inp.media_type == "image/gif":
        out = write_animation(
            anim,
            ctx,
            inp.name,
            "webp",
            Q=settings.quality,
            lossless=settings.lossless,
            effort=4,
        )
    else:
        out = write_animation(anim, ctx, inp.name, "gif", effort=7)
    return ToolResult([out])
