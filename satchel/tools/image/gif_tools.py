"""GIF tools: resize, optimize, reverse, change speed, extract frames, rotate, add text;
frame delays and the loop count are kept (see `satchel.media.animation`)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Literal

import pyvips
from pydantic import Field, field_validator, model_validator

from satchel.media import animation, imaging
from satchel.media.animation import Animation
from satchel.media.ranges import check_ranges, select
from satchel.tools.base import (
    Action,
    InputFile,
    Inputs,
    InputSpec,
    NoSettings,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
MIN_DELAY_MS = 20  # browsers play shorter GIF delays at 100 ms
DEFAULT_DELAY_MS = 100

GifAction = Literal[
    "resize", "optimize", "reverse", "speed", "extract-frames", "rotate", "add-text"
]
PARAMS: dict[str, frozenset[str]] = {
    "resize": frozenset({"width", "height", "percentage"}),
    "optimize": frozenset({"colors", "dither", "lossy"}),
    "reverse": frozenset(),
    "speed": frozenset({"factor"}),
    "extract-frames": frozenset({"frames", "format"}),
    "rotate": frozenset({"angle"}),
    "add-text": frozenset({"text", "font_size", "color", "stroke_color", "position"}),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "resize": ("width", "height", "percentage"),  # at least one of these
    "speed": ("factor",),
    "add-text": ("text",),
}


class Settings(ToolSettings):
    action: GifAction = Field(..., description="What to do with the animation.")
    width: int | None = Field(None, ge=1, le=4096, description="resize: frame width.")
    height: int | None = Field(
        None, ge=1, le=4096, description="resize: frame height (with width: fit inside both)."
    )
    percentage: float | None = Field(None, ge=1, le=400, description="resize: scale in percent.")
    colors: int = Field(256, ge=2, le=256, description="optimize: palette size.")
    dither: float = Field(0.0, ge=0, le=1, description="optimize: dithering amount.")
    lossy: int = Field(
        4, ge=0, le=32, description="optimize: pixel change (0–32) ignored between frames."
    )
    factor: float | None = Field(
        None, ge=0.1, le=10, description="speed: 2 plays twice as fast, 0.5 half as fast."
    )
    frames: str = Field("all", description="extract-frames: `all` or e.g. `1-3,7`.")
    format: Literal["png", "webp", "jpg"] = Field("png", description="extract-frames: format.")
    angle: Literal[90, 180, 270] = Field(90, description="rotate: degrees clockwise.")
    text: str | None = Field(None, min_length=1, max_length=200, description="add-text: text.")
    font_size: int = Field(32, ge=8, le=200, description="add-text: size in pixels.")
    color: str = Field("#ffffff", description="add-text: text colour.")
    stroke_color: str = Field("#000000", description="add-text: outline colour.")
    position: Literal["top", "center", "bottom"] = Field("bottom", description="add-text.")

    _colors = field_validator("color", "stroke_color")(imaging.color_field)
    _frames = field_validator("frames")(check_ranges)

    @model_validator(mode="after")
    def _per_action(self) -> Settings:
        allowed = PARAMS[self.action]
        stray = sorted(f for f in self.model_fields_set - {"action"} if f not in allowed)
        if stray:
            names = ", ".join(Settings.model_fields[f].alias or f for f in stray)
            raise ValueError(f"{names} do(es) not apply to the action {self.action!r}")
        needed = REQUIRED.get(self.action, ())
        if needed and all(getattr(self, f) is None for f in needed):
            names = " or ".join(Settings.model_fields[f].alias or f for f in needed)
            raise ValueError(f"the action {self.action!r} needs {names}")
        return self


def _resized_size(anim: Animation, s: Settings) -> tuple[int, int]:
    w, h = anim.width, anim.height
    if s.percentage is not None:
        return max(1, round(w * s.percentage / 100)), max(1, round(h * s.percentage / 100))
    if s.width and s.height:
        scale = min(s.width / w, s.height / h)
        return max(1, round(w * scale)), max(1, round(h * scale))
    if s.width:
        return s.width, max(1, round(h * s.width / w))
    assert s.height
    return max(1, round(w * s.height / h)), s.height


def _text_layer(s: Settings, max_width: int) -> pyvips.Image:
    assert s.text is not None
    mask = pyvips.Image.text(
        s.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        font=f"DejaVu Sans Bold {s.font_size}px",
        fontfile=FONT,
        width=max(1, max_width),
        align="centre",
        dpi=72,
    )
    radius = max(1, s.font_size // 16)
    mask = mask.embed(radius, radius, mask.width + 2 * radius, mask.height + 2 * radius)
    size = 2 * radius + 1
    stroke = mask.rank(size, size, size * size - 1)  # a max filter: the outline
    fill, line = imaging.parse_color(s.color), imaging.parse_color(s.stroke_color)

    def layer(color: list[float], alpha: pyvips.Image) -> pyvips.Image:
        rgb = mask.new_from_image(color[:3]).bandjoin((alpha * (color[3] / 255)).cast("uchar"))
        return rgb.copy(interpretation="srgb")

    return layer(line, stroke).composite2(layer(fill, mask), "over").cast("uchar")


def add_text(anim: Animation, s: Settings) -> Animation:
    margin = max(2, anim.height // 20)
    layer = _text_layer(s, anim.width - 2 * margin)
    x = (anim.width - layer.width) // 2
    if s.position == "top":
        y = margin
    elif s.position == "center":
        y = (anim.height - layer.height) // 2
    else:
        y = anim.height - margin - layer.height
    frames = [f.composite2(layer, "over", x=x, y=y).cast("uchar") for f in anim.frames]
    return Animation(frames, anim.delays, anim.loop)


def extract_frames(inp: InputFile, anim: Animation, s: Settings, ctx: ToolContext) -> ToolResult:
    chosen = select(s.frames, len(anim.frames), what="frame")
    digits = len(str(len(anim.frames)))
    outputs = []
    for n in chosen:
        name = f"{inp.stem}-frame-{n:0{digits}d}"
        outputs.append(imaging.save_output(anim.frames[n - 1], ctx, f"{name}.{s.format}", s.format))
    return ToolResult(outputs, data={"frames": chosen})


def optimize(inp: InputFile, anim: Animation, s: Settings, ctx: ToolContext) -> ToolResult:
    bitdepth = max(1, (s.colors - 1).bit_length())
    out = animation.save_output(
        anim,
        ctx,
        inp.name,
        "gif",
        effort=10,
        bitdepth=bitdepth,
        dither=s.dither,
        interframe_maxerror=s.lossy,
        interpalette_maxerror=8,
        reuse=False,
        keep="none",
    )
    original = inp.path.stat().st_size
    kept = out.size >= original
    if kept:  # already smaller than anything we made: hand the original back
        shutil.copyfile(inp.path, out.path)
    return ToolResult([out], data={"original_size": original, "size": out.size, "kept": kept})


def info(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Frame count, frame size, total duration, loop count and every frame's delay."""
    inp = inputs.first
    image = animation.open_stack(inp.path, inp.name)
    page = animation.page_height(image)
    count = image.height // page
    delays = animation.delays_of(image, count)
    loop = animation.loop_of(image)
    return ToolResult(
        data={
            "frames": count,
            "width": image.width,
            "height": page,
            "duration_ms": sum(delays),
            "loop": loop,
            "loops_forever": loop == 0,
            "delays_ms": delays,
            "size": Path(inp.path).stat().st_size,
        }
    )


@tool(
    "image",
    "gif-tools",
    name="GIF Tools",
    settings=Settings,
    inputs=InputSpec(accepts=("image/gif",)),
    produces=("image/gif", "image/png", "image/webp", "image/jpeg"),
    actions=(Action("info", info, description="Frame count, frame size, duration, loop, delays."),),
)
def gif_tools(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Work on an animated GIF: resize, optimize, reverse, change its speed, extract frames
    (one image per frame), rotate, or add a caption (DejaVu Sans Bold, with an outline).
    Frame delays and the loop count are kept. Each action takes only its own settings."""
    inp, s = inputs.first, settings
    anim = animation.load(inp.path, inp.media_type, limits=ctx.limits, name=inp.name)
    if s.action == "extract-frames":
        return extract_frames(inp, anim, s, ctx)
    if s.action == "optimize":
        return optimize(inp, anim, s, ctx)
    if s.action == "resize":
        width, height = _resized_size(anim, s)
        animation.check_resize(anim, width, height, ctx.limits)
        anim = animation.resize(anim, width, height)
    elif s.action == "reverse":
        anim = Animation(anim.frames[::-1], anim.delays[::-1], anim.loop)
    elif s.action == "speed":
        assert s.factor is not None
        delays = [max(MIN_DELAY_MS, round(d / s.factor)) for d in anim.delays]
        anim = Animation(anim.frames, delays, anim.loop)
    elif s.action == "rotate":
        frames = [f.rot(f"d{s.angle}") for f in anim.frames]
        anim = Animation(frames, anim.delays, anim.loop)
    elif s.action == "add-text":
        anim = add_text(anim, s)
    return ToolResult([animation.save_output(anim, ctx, inp.name, "gif", effort=7)])
