"""Resize: to a width, a height, both (with a fit), a percentage or a social preset."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from satchel.media import imaging
from satchel.media.formats import HEIF_TYPES, SVG, Fit, Format, out_format
from satchel.tools.base import (
    InputFile,
    Inputs,
    OutputFile,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

PRESETS: dict[str, tuple[int, int]] = {
    "instagram-square": (1080, 1080),
    "instagram-portrait": (1080, 1350),
    "instagram-landscape": (1080, 566),
    "instagram-story": (1080, 1920),
    "facebook-post": (1200, 630),
    "facebook-cover": (820, 312),
    "facebook-story": (1080, 1920),
    "facebook-profile": (170, 170),
    "twitter-post": (1600, 900),
    "twitter-header": (1500, 500),
    "twitter-profile": (400, 400),
    "linkedin-post": (1200, 627),
    "linkedin-banner": (1584, 396),
    "linkedin-profile": (400, 400),
    "youtube-thumbnail": (1280, 720),
    "youtube-banner": (2560, 1440),
    "youtube-profile": (800, 800),
    "pinterest-pin": (1000, 1500),
    "tiktok-video": (1080, 1920),
    "tiktok-profile": (200, 200),
    "whatsapp-profile": (500, 500),
    "og-image": (1200, 630),
    "discord-banner": (960, 540),
}
Preset = Literal[
    "instagram-square", "instagram-portrait", "instagram-landscape", "instagram-story",
    "facebook-post", "facebook-cover", "facebook-story", "facebook-profile",
    "twitter-post", "twitter-header", "twitter-profile",
    "linkedin-post", "linkedin-banner", "linkedin-profile",
    "youtube-thumbnail", "youtube-banner", "youtube-profile",
    "pinterest-pin", "tiktok-video", "tiktok-profile", "whatsapp-profile", "og-image",
    "discord-banner",
]  # fmt: skip


class Settings(ToolSettings):
    width: int | None = Field(None, ge=1, le=16384, description="Target width in pixels.")
    height: int | None = Field(None, ge=1, le=16384, description="Target height in pixels.")
    fit: Fit = Field("cover", description="How the image fits both width and height.")
    percentage: float | None = Field(None, gt=0, le=1000, description="Scale by this percent.")
    without_enlargement: bool = Field(False, description="Never make the image larger.")
    preset: Preset | None = Field(None, description="A social media size (sets width and height).")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")
    background: str = Field("#00000000", description="Padding colour for fit=contain.")

    @model_validator(mode="after")
    def _one_way(self) -> Settings:
        if not (self.width or self.height or self.percentage or self.preset):
            raise ValueError("give width, height, percentage or preset")
        return self


def target_size(src_w: int, src_h: int, s: Settings) -> tuple[int, int, Fit]:
    """The box to fit into, and how, from the settings and the source size."""
    if s.preset:
        w, h = PRESETS[s.preset]
        return w, h, s.fit
    if s.percentage:
        scale = s.percentage / 100
        return max(1, round(src_w * scale)), max(1, round(src_h * scale)), "fill"
    if s.width and s.height:
        return s.width, s.height, s.fit
    if s.width:
        return s.width, max(1, round(src_h * s.width / src_w)), "fill"
    assert s.height
    return max(1, round(src_w * s.height / src_h)), s.height, "fill"


def resize_file(inp: InputFile, s: Settings, ctx: ToolContext) -> OutputFile:
    # HEIC and SVG are decoded first; other files are opened by path, so JPEG is drafted
    # and WebP shrunk while loading.
    source = imaging.load_input(inp) if inp.media_type in (*HEIF_TYPES, SVG) else inp.path
    width, height, fit = target_size(*imaging.oriented_size(source), s)
    imaging.check_dimensions(width, height, ctx.limits)
    image = imaging.fit(
        source,
        width,
        height,
        fit,
        media_type=inp.media_type,
        without_enlargement=s.without_enlargement,
        background=imaging.parse_color(s.background),
    )
    fmt = out_format(s.format, inp.media_type)
    return imaging.save_output(image, ctx, inp.name, fmt, quality=s.quality)


@tool("image", "resize", name="Resize", settings=Settings)
def resize(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Resize an image to a width, a height or both (cover, contain, fill, inside, outside),
    by a percentage, or to one of 23 social media presets."""
    return ToolResult([resize_file(inputs.first, settings, ctx)])
