"""Animations (GIF, animated WebP): frames with their delays and loop count, decoded within
the pixel budgets and encoded again.

libvips holds an animation as one tall image of stacked frames with a `page-height`, plus
the per-frame `delay` (ms) and the `loop` count; every function here keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyvips

from satchel.media import imaging
from satchel.media.encoding import Out, Workdir
from satchel.media.errors import ImageDecodeError, ImageEncodeError, ResultTooLarge, first_line
from satchel.media.formats import MEDIA_TYPES, file_name, normal
from satchel.media.pixels import ImageLimits, check_dimensions, with_alpha

DEFAULT_DELAY_MS = 100


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


def open_stack(path: Path, name: str | None = None) -> pyvips.Image:
    """Every frame stacked, for its header (frame count, delays, loop): nothing is decoded
    until pixels are asked for, so use `load` for pixels."""
    try:
        return pyvips.Image.new_from_file(str(path), n=-1)
    except pyvips.Error as exc:
        raise ImageDecodeError(
            f"{name or 'The file'} could not be decoded as an animation.", reason=first_line(exc)
        ) from exc


def page_height(image: pyvips.Image) -> int:
    page = image.get("page-height") if image.get_typeof("page-height") else image.height
    return int(page) if page and image.height % int(page) == 0 else int(image.height)


def delays_of(image: pyvips.Image, count: int) -> list[int]:
    raw = list(image.get("delay")) if image.get_typeof("delay") else []
    delays = [int(d) if d and d > 0 else DEFAULT_DELAY_MS for d in raw[:count]]
    return delays + [DEFAULT_DELAY_MS] * (count - len(delays))


def loop_of(image: pyvips.Image) -> int:
    return int(image.get("loop")) if image.get_typeof("loop") else 0


def load(path: Path, media_type: str, *, limits: ImageLimits, name: str | None = None) -> Animation:
    """Every frame as RGBA, refused from the header when the frames together exceed the
    pixel budget (`tool_input_too_large`)."""
    stack = imaging.load(path, media_type, all_frames=True, limits=limits, name=name)
    page = page_height(stack)
    count = stack.height // page
    strip = with_alpha(stack)
    frames = [strip.crop(0, i * page, strip.width, page) for i in range(count)]
    return Animation(frames, delays_of(stack, count), loop_of(stack))


def check_resize(anim: Animation, width: int, height: int, limits: ImageLimits) -> None:
    """Refuse a resize whose frames together would exceed one image's pixel limit."""
    check_dimensions(width, height, limits)
    if width * height * len(anim.frames) > limits.max_image_pixels:
        raise ResultTooLarge("The resized animation would be too large.")


def resize(anim: Animation, width: int, height: int) -> Animation:
    sx, sy = width / anim.width, height / anim.height
    frames = [
        f.premultiply().resize(sx, vscale=sy).unpremultiply().cast("uchar") for f in anim.frames
    ]
    return Animation(frames, anim.delays, anim.loop)


def save(anim: Animation, path: Path, fmt: str, **options: Any) -> None:
    """Join the frames again and encode them as an animated GIF or WebP (`options` are
    libvips' own: effort, bitdepth, Q, lossless, interframe_maxerror…)."""
    strip = (
        pyvips.Image.arrayjoin(anim.frames, across=1) if len(anim.frames) > 1 else anim.frames[0]
    )
    strip = strip.copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", anim.height)
    strip.set_type(pyvips.GValue.array_int_type, "delay", [int(d) for d in anim.delays])
    strip.set_type(pyvips.GValue.gint_type, "loop", anim.loop)
    try:
        strip.write_to_file(str(path), **options)
    except pyvips.Error as exc:
        raise ImageEncodeError(
            f"The animation could not be encoded as {fmt}.", reason=first_line(exc)
        ) from exc


def save_output(anim: Animation, ctx: Workdir[Out], name: str, fmt: str, **options: Any) -> Out:
    """`save` into a new output `<name stem>.<fmt>`, the frame size checked first."""
    fmt = normal(fmt)
    check_dimensions(anim.width, anim.height, ctx.limits)
    out = ctx.output(file_name(name, fmt), MEDIA_TYPES[fmt])
    save(anim, out.path, fmt, **options)
    return out
