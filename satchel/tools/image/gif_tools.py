"""GIF tools: resize, optimize, reverse, change speed, extract frames, rotate, add text.

An animation is held as libvips holds it: every frame stacked in one tall image with a
`page-height`, plus the per-frame `delay` (ms) and `loop` count, which every action keeps.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyvips
from pydantic import Field, field_validator, model_validator

from satchel.tools.base import (
    Action,
    InputFile,
    Inputs,
    InputSpec,
    NoSettings,
    OutputFile,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)
from satchel.tools.image._common import (
    MEDIA_TYPES,
    check_dimensions,
    color_field,
    parse_color,
    save,
    with_alpha,
)
from satchel.tools.pdf._ranges import check_ranges, select

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

    _colors = field_validator("color", "stroke_color")(color_field)
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


@dataclass
class Animation:
    frames: list[pyvips.Image]  # RGBA, all the same size
    delays: list[int]  # milliseconds, one per frame
    loop: int  # 0: forever

    @property
    def width(self) -> int:
        return int(self.frames[0].width)

    @property
    def height(self) -> int:
        return int(self.frames[0].height)


def open_animation(inp: InputFile) -> pyvips.Image:
    """All frames of an animated GIF or WebP (decoded only when pixels are asked for)."""
    try:
        return pyvips.Image.new_from_file(str(inp.path), n=-1)
    except pyvips.Error as exc:
        raise ToolError(f"{inp.name} could not be decoded as an animation.") from exc


def read_header(inp: InputFile, ctx: ToolContext) -> pyvips.Image:
    """All frames of an animated GIF or WebP, checked against the pixel limits."""
    image = open_animation(inp)
    page = _page_height(image)
    check_dimensions(image.width, page, ctx)
    total = image.width * image.height
    if total > ctx.limits.max_image_pixels:
        raise ToolError(
            f"{inp.name} has {image.height // page} frames of {image.width}×{page}: "
            f"{total} pixels in all, more than the limit of {ctx.limits.max_image_pixels}.",
            code="tool_input_too_large",
        )
    return image


def _page_height(image: pyvips.Image) -> int:
    page = image.get("page-height") if image.get_typeof("page-height") else image.height
    return int(page) if page and image.height % int(page) == 0 else int(image.height)


def delays_of(image: pyvips.Image, count: int) -> list[int]:
    raw = list(image.get("delay")) if image.get_typeof("delay") else []
    delays = [int(d) if d and d > 0 else DEFAULT_DELAY_MS for d in raw[:count]]
    return delays + [DEFAULT_DELAY_MS] * (count - len(delays))


def load_animation(inp: InputFile, ctx: ToolContext) -> Animation:
    image = read_header(inp, ctx)
    page = _page_height(image)
    count = image.height // page
    strip = with_alpha(image)
    frames = [strip.crop(0, i * page, strip.width, page) for i in range(count)]
    loop = int(image.get("loop")) if image.get_typeof("loop") else 0
    return Animation(frames, delays_of(image, count), loop)


def write_animation(
    anim: Animation, ctx: ToolContext, name: str, fmt: str, **options: Any
) -> OutputFile:
    """Join the frames again and encode them as an animated GIF or WebP."""
    check_dimensions(anim.width, anim.height, ctx)
    strip = (
        pyvips.Image.arrayjoin(anim.frames, across=1) if len(anim.frames) > 1 else anim.frames[0]
    )
    strip = strip.copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", anim.height)
    strip.set_type(pyvips.GValue.array_int_type, "delay", [int(d) for d in anim.delays])
    strip.set_type(pyvips.GValue.gint_type, "loop", anim.loop)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    out = ctx.output(f"{stem}.{fmt}", MEDIA_TYPES[fmt])
    try:
        strip.write_to_file(str(out.path), **options)
    except pyvips.Error as exc:
        raise ToolError(f"The animation could not be encoded as {fmt}.") from exc
    return out


def resize_frames(anim: Animation, width: int, height: int) -> Animation:
    sx, sy = width / anim.width, height / anim.height
    frames = [
        f.premultiply().resize(sx, vscale=sy).unpremultiply().cast("uchar") for f in anim.frames
    ]
    return Animation(frames, anim.delays, anim.loop)


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
    fill, line = parse_color(s.color), parse_color(s.stroke_color)

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
        outputs.append(save(anim.frames[n - 1], ctx, f"{name}.{s.format}", s.format))
    return ToolResult(outputs, data={"frames": chosen})


def optimize(inp: InputFile, anim: Animation, s: Settings, ctx: ToolContext) -> ToolResult:
    bitdepth = max(1, (s.colors - 1).bit_length())
    out = write_animation(
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
    image = open_animation(inp)
    page = _page_height(image)
    count = image.height // page
    delays = delays_of(image, count)
    loop = int(image.get("loop")) if image.get_typeof("loop") else 0
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
    anim = load_animation(inp, ctx)
    if s.action == "extract-frames":
        return extract_frames(inp, anim, s, ctx)
    if s.action == "optimize":
        return optimize(inp, anim, s, ctx)
    if s.action == "resize":
        width, height = _resized_size(anim, s)
        check_dimensions(width, height, ctx)
        if width * height * len(anim.frames) > ctx.limits.max_image_pixels:
            raise ToolError(
                "The resized animation would be too large.", code="tool_result_too_large"
            )
        anim = resize_frames(anim, width, height)
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
    return ToolResult([write_animation(anim, ctx, inp.name, "gif", effort=7)])
