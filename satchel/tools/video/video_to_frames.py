"""Video to Frames: every frame, every nth, or frames at given times, as PNG or JPEG."""

from __future__ import annotations

from typing import Literal

import pyvips
from pydantic import Field, model_validator

from satchel.media import avjoin, imaging
from satchel.tools.base import (
    Inputs,
    InputSpec,
    OutputFile,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

MAX_FRAMES = 1000


class Settings(ToolSettings):
    mode: Literal["all", "nth", "timestamps"] = Field("nth", description="Which frames.")
    n: int = Field(10, ge=1, le=10_000, description="For nth: keep every nth frame.")
    timestamps: list[float] = Field(
        default_factory=list, max_length=MAX_FRAMES, description="For timestamps: seconds."
    )
    format: Literal["png", "jpg"] = Field("png", description="Image format.")

    @model_validator(mode="after")
    def _times(self) -> Settings:
        if self.mode == "timestamps" and not self.timestamps:
            raise ValueError("mode timestamps needs timestamps")
        if any(t < 0 for t in self.timestamps):
            raise ValueError("timestamps are seconds from the start (>= 0)")
        return self


@tool(
    "video",
    "video-to-frames",
    name="Video to Frames",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*", "image/gif")),
    produces=("application/zip",),
    slow=True,
    pipeline=False,
)
def video_to_frames(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Save a video's frames as PNG or JPEG images in a ZIP: all of them, every nth, or
    the frame shown at each of the given timestamps (seconds). At most 1000 frames."""
    inp = inputs.first
    fmt = "jpeg" if settings.format == "jpg" else "png"
    pending = sorted(set(settings.timestamps))
    by_time = settings.mode == "timestamps"

    def keep(n: int, at: float) -> bool:
        return settings.mode == "all" or by_time or n % settings.n == 0

    def save(image: pyvips.Image, at: float) -> OutputFile:
        name = f"{inp.stem}-{round(at * 1000):08d}ms.{settings.format}"
        return imaging.save_output(image, ctx, name, fmt)

    outputs: list[OutputFile] = []
    shown: pyvips.Image | None = None
    for at, image in avjoin.images(
        inp.path,
        limits=ctx.limits,
        keep=keep,
        max_frames=10**9 if by_time else MAX_FRAMES,
        progress=lambda share: ctx.progress(round(share * 100)),
        name=inp.name,
    ):
        if not by_time:
            outputs.append(save(image, at))
            continue
        # The frame shown at time t is the last one starting at or before t.
        while pending and shown is not None and pending[0] < at - 1e-6:
            outputs.append(save(shown, pending.pop(0)))
        if not pending:
            break
        shown = image
    while pending and shown is not None:  # times past the end show the last frame
        outputs.append(save(shown, pending.pop(0)))
    return ToolResult(outputs, data={"frames": len(outputs)})
