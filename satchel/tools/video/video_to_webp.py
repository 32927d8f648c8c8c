"""Video to WebP: an excerpt as an animated WebP."""

from __future__ import annotations

from pydantic import Field

from satchel.media import animation, avedit, avjoin
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    fps: int = Field(15, ge=1, le=30, description="Frames per second.")
    width: int = Field(480, ge=16, le=1920, description="Width in pixels (height follows).")
    quality: int = Field(75, ge=1, le=100, description="WebP quality.")
    loop: bool = Field(True, description="Play forever (else once).")
    start_s: float = Field(0.0, ge=0, description="Where the excerpt starts, in seconds.")
    duration_s: float = Field(10.0, gt=0, le=60, description="Its length (at most 60 s).")


@tool(
    "video",
    "video-to-webp",
    name="Video to WebP",
    settings=Settings,
    inputs=InputSpec(accepts=("video/*",)),
    produces=("image/webp",),
    slow=True,
)
def video_to_webp(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make an animated WebP of up to 60 seconds of a video, at 1–30 fps, a width and a
    quality, looping or playing once; frames taken with FFmpeg's fps filter, encoded by
    libvips (libwebp)."""
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
    anim = animation.Animation(
        [f.bandjoin(255) for f in frames], [delay] * len(frames), 0 if s.loop else 1
    )
    animation.check_resize(anim, anim.width, anim.height, ctx.limits)
    out = animation.save_output(anim, ctx, f"{inp.stem}.webp", "webp", Q=s.quality, effort=2)
    return ToolResult([out], data={"frames": len(frames)})
