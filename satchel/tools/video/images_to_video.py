"""Images to Video: a slideshow of images, each shown for a while."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Literal

import pyvips
from pydantic import Field

from satchel.media import avencode, avjoin, imaging
from satchel.tools.base import (
    InputFile,
    Inputs,
    InputSpec,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

SIZES = {"1080p": (1920, 1080), "720p": (1280, 720), "square": (1080, 1080)}


class Settings(ToolSettings):
    seconds_per_image: float = Field(2.0, ge=0.5, le=10, description="How long each shows.")
    resolution: Literal["1080p", "720p", "square"] = Field("720p", description="Frame size.")
    fps: int = Field(30, ge=1, le=60, description="Frames per second.")


def framed(inp: InputFile, width: int, height: int) -> Callable[[], pyvips.Image]:
    def make() -> pyvips.Image:
        image = imaging.fit(
            inp.path,
            width,
            height,
            "contain",
            media_type=inp.media_type,
            background=[0, 0, 0, 255],
        )
        image = image.flatten(background=[0, 0, 0]) if image.hasalpha() else image
        return image.colourspace("srgb").cast("uchar").extract_band(0, n=3)

    return make


@tool(
    "video",
    "images-to-video",
    name="Images to Video",
    settings=Settings,
    inputs=InputSpec(min_files=1, max_files=200, accepts=("image/*",)),
    produces=("video/mp4",),
    slow=True,
    pipeline=False,
)
def images_to_video(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make an MP4 (H.264) slideshow of 1 to 200 images in the order sent, each shown
    for 0.5–10 seconds, fitted into 1080p, 720p or a 1080 square on black."""
    width, height = SIZES[settings.resolution]
    profile = avencode.VIDEO_PROFILES["mp4"].with_(quality="high")
    out = ctx.output(f"{inputs.first.stem}-slideshow.mp4", profile.media_type)
    duration = avjoin.slideshow(
        [framed(f, width, height) for f in inputs.files],
        out.path,
        profile,
        limits=ctx.limits,
        seconds=settings.seconds_per_image,
        rate=Fraction(settings.fps),
        progress=lambda share: ctx.progress(round(share * 100)),
    )
    return ToolResult([out], data={"images": len(inputs.files), "duration_s": round(duration, 3)})
