"""Video to GIF: an excerpt as an animated GIF."""

from __future__ import annotations

from pydantic import Field

from satchel.media import animation, avedit, avjoin
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    fps: int = Field(10, ge=1, le=30, description="Frames per second of the GIF.")
    width: int = Field(480, ge=16, le=1920, description="Width in pixels (height follows).")
    start_s: float = Field(0.0, ge=0, description="Where the excerpt starts, in seconds.")
    duration_s: float = Field(5.0, gt=0, le=60, description="Its length (at most 60 s).")


@tool(
    "video",
    "video-to-gif",
    name="Video to GIF",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("image/gif",),
    slow=True,
)
def video_to_gif(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make an animated GIF (looping) of up to 60 seconds of a video from startS, at 1–30
    fps and a width (the height keeps the aspect ratio). Frames are taken with FFmpeg's
    fps filter and quantised by libvips (libimagequant palettes, dithered)."""
    inp = inputs.first
    s = settings
    chain = [("fps", str(s.fps)), ("scale", f"{s.width}:-2:flags=lanczos")]
    frames = [
        image
        for _, image in avjoin.images(
            inp.path,
            limits=ctx.limits,
            chain=chain,
            start=s.start_s,
            end=s.start_s + s.duration_s,
            max_frames=s.fps * 60 + 1,
            progress=lambda share: ctx.progress(round(share * 80)),
            name=inp.name,
        )
    ]
    if not frames:
        raise avedit.StreamMissing(f"No frame of {inp.name} starts after {s.start_s:g} s.")
    delay = round(1000 / s.fps)
    anim = animation.Animation([f.bandjoin(255) for f in frames], [delay] * len(frames), 0)
    animation.check_resize(anim, anim.width, anim.height, ctx.limits)
    out = animation.save_output(anim, ctx, f"{inp.stem}.gif", "gif", effort=7)
    return ToolResult([out], data={"frames": len(frames)})
