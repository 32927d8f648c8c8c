"""Text rendering with the installed fonts: faces, sizes that fit a box, outlines.

Text is rendered by libvips (Pango) into a one-band mask, then coloured. Seed font names
we cannot ship map to the closest installed font (DejaVu, Liberation):

    sans, dejavu-sans, verdana      → DejaVu Sans          (bold: DejaVu Sans Bold)
    serif, dejavu-serif, georgia    → DejaVu Serif
    mono, dejavu-sans-mono          → DejaVu Sans Mono
    arial, helvetica, liberation-sans        → Liberation Sans (metric twin of Arial)
    times, times-new-roman, liberation-serif → Liberation Serif (twin of Times New Roman)
    courier, courier-new, liberation-mono    → Liberation Mono (twin of Courier New)
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyvips

from satchel.media.errors import TextInvalid
from satchel.media.pixels import ImageLimits, check_dimensions

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_LIBERATION = Path("/usr/share/fonts/truetype/liberation")

# family name → (Pango family, regular file, bold file)
_FAMILIES: dict[str, tuple[str, Path, Path]] = {
    "dejavu-sans": ("DejaVu Sans", _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"),
    "dejavu-serif": (
        "DejaVu Serif",
        _DEJAVU / "DejaVuSerif.ttf",
        _DEJAVU / "DejaVuSerif-Bold.ttf",
    ),
    "dejavu-sans-mono": (
        "DejaVu Sans Mono",
        _DEJAVU / "DejaVuSansMono.ttf",
        _DEJAVU / "DejaVuSansMono-Bold.ttf",
    ),
    "liberation-sans": (
        "Liberation Sans",
        _LIBERATION / "LiberationSans-Regular.ttf",
        _LIBERATION / "LiberationSans-Bold.ttf",
    ),
    "liberation-serif": (
        "Liberation Serif",
        _LIBERATION / "LiberationSerif-Regular.ttf",
        _LIBERATION / "LiberationSerif-Bold.ttf",
    ),
    "liberation-mono": (
        "Liberation Mono",
        _LIBERATION / "LiberationMono-Regular.ttf",
        _LIBERATION / "LiberationMono-Bold.ttf",
    ),
}
FONT_ALIASES: dict[str, str] = {
    "sans": "dejavu-sans",
    "sans-serif": "dejavu-sans",
    "verdana": "dejavu-sans",
    "serif": "dejavu-serif",
    "georgia": "dejavu-serif",
    "mono": "dejavu-sans-mono",
    "monospace": "dejavu-sans-mono",
    "arial": "liberation-sans",
    "helvetica": "liberation-sans",
    "times": "liberation-serif",
    "times-new-roman": "liberation-serif",
    "courier": "liberation-mono",
    "courier-new": "liberation-mono",
    **{name: name for name in _FAMILIES},
}
Font = Literal[
    "sans", "sans-serif", "verdana", "serif", "georgia", "mono", "monospace", "arial",
    "helvetica", "times", "times-new-roman", "courier", "courier-new", "dejavu-sans",
    "dejavu-serif", "dejavu-sans-mono", "liberation-sans", "liberation-serif",
    "liberation-mono",
]  # fmt: skip
FONT_DESCRIPTION = (
    "Font family, mapped to the installed fonts: sans/verdana → DejaVu Sans, serif/georgia → "
    "DejaVu Serif, mono → DejaVu Sans Mono, arial/helvetica → Liberation Sans, "
    "times/times-new-roman → Liberation Serif, courier/courier-new → Liberation Mono."
)


def font_name(value: Any) -> Any:
    """Pydantic `before` validator: `Times New Roman` → `times-new-roman`."""
    if isinstance(value, str):
        return re.sub(r"[\s_]+", "-", value.strip().lower())
    return value


def font_size(size: int | None, image: pyvips.Image) -> int:
    """The size asked for, else 6% of the image's shorter side (at least 8 px)."""
    return size if size is not None else max(8, round(min(image.width, image.height) * 0.06))


# Text ----------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def markup(text: str) -> str:
    """Plain text made safe for Pango markup (no tags, no entities, no control bytes)."""
    return html.escape(_CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


@dataclass(frozen=True)
class Face:
    """A Pango font description without its size, and the font file behind it."""

    desc: str
    file: Path | None = None

    def sized(self, size: float) -> str:
        return f"{self.desc} {size:g}"

    @property
    def fontfile(self) -> str | None:
        return str(self.file) if self.file is not None and self.file.is_file() else None


def face(font: str, *, bold: bool = False) -> Face:
    """The installed face for a font name of the mapping above."""
    family, regular, heavy = _FAMILIES[FONT_ALIASES.get(font, "dejavu-sans")]
    return Face(f"{family} Bold" if bold else family, heavy if bold else regular)


FIT_BASE = 12  # the nominal size fit() renders at; libvips finds the dpi that fits


def _text(text: str, **options: Any) -> Any:
    options = {k: v for k, v in options.items() if v is not None}
    try:
        return pyvips.Image.text(markup(text), **options)
    except pyvips.Error as exc:
        raise TextInvalid("The text could not be rendered (is it empty?).") from exc


def render_text(
    text: str,
    *,
    face: Face,
    size: int,
    limits: ImageLimits,
    wrap_width: int | None = None,
    align: Literal["left", "center", "right"] = "left",
) -> pyvips.Image:
    """The text as a one-band 0–255 mask, `size` pixels per em (72 dpi), checked against
    the image limits before the full-size rendering is made."""
    if not text.strip():
        raise TextInvalid("The text is empty.")
    vips_align = {"left": "low", "center": "centre", "right": "high"}[align]
    common: dict[str, Any] = {
        "fontfile": face.fontfile,
        "align": vips_align,
        "dpi": 72,
        "wrap": "word-char",  # a word longer than the line breaks rather than overflows
    }
    # Measure small first (text scales linearly with its size) so a huge size on long text
    # is refused without allocating the huge mask.
    probe = 16
    small_wrap = max(1, wrap_width * probe // size) if wrap_width else None
    small = _text(text, font=face.sized(probe), width=small_wrap, **common)
    scale = size / probe
    check_dimensions(
        max(1, math.floor(small.width * scale * 0.9)),
        max(1, math.floor(small.height * scale * 0.9)),
        limits,
    )
    options = dict(common, font=face.sized(size))
    if wrap_width:
        options["width"] = wrap_width
    mask = _text(text, **options)
    check_dimensions(mask.width, mask.height, limits)
    return mask


def fit_text(
    text: str,
    *,
    face: Face,
    width: int,
    height: int,
    limits: ImageLimits,
    align: Literal["left", "center", "right"] = "center",
) -> tuple[pyvips.Image, float]:
    """The text wrapped to `width` at the largest size that fits width×height (libvips
    searches the dpi), and that size in pixels."""
    check_dimensions(width, height, limits)
    if not text.strip():
        raise TextInvalid("The text is empty.")
    vips_align = {"left": "low", "center": "centre", "right": "high"}[align]
    mask, out = _text(
        text,
        font=face.sized(FIT_BASE),
        fontfile=face.fontfile,
        width=width,
        height=height,
        align=vips_align,
        wrap="word-char",
        autofit_dpi=True,
    )
    check_dimensions(mask.width, mask.height, limits)
    return mask, FIT_BASE * int(out["autofit_dpi"]) / 72


def dilate(mask: pyvips.Image, radius: int) -> pyvips.Image:
    """The mask grown by `radius` px with round corners (a binary dilation by a disc,
    softened), padded by `radius` on every side: the outline behind stroked text."""
    if radius <= 0:
        return mask
    size = 2 * radius + 1
    limit = radius * radius + radius  # a slightly fuller disc looks rounder when small
    disc = [
        [255 if (x - radius) ** 2 + (y - radius) ** 2 <= limit else 128 for x in range(size)]
        for y in range(size)
    ]  # 128: "don't care" for libvips morph
    binary = (pad(mask, radius) > 100).ifthenelse(255, 0).cast("uchar")
    grown = binary.morph(pyvips.Image.new_from_array(disc), "dilate")
    return grown.gaussblur(0.6).cast("uchar")


def pad(mask: pyvips.Image, border: int) -> pyvips.Image:
    return mask.embed(border, border, mask.width + 2 * border, mask.height + 2 * border)


def colour(mask: pyvips.Image, rgba: list[float], opacity: float = 1.0) -> pyvips.Image:
    """An RGBA layer of one colour whose alpha is the mask × the colour's alpha × opacity."""
    alpha = (mask * (rgba[3] / 255 * opacity)).cast("uchar")
    solid = mask.new_from_image([int(c) for c in rgba[:3]]).copy(interpretation="srgb")
    return solid.bandjoin(alpha).copy(interpretation="srgb")


def stroked(
    mask: pyvips.Image, fill: list[float], stroke: list[float] | None, width: int
) -> pyvips.Image:
    """Text in `fill` with an outline `width` px wide in `stroke` (RGBA, same size)."""
    if stroke is None or width <= 0:
        return colour(mask, fill)
    outline = colour(dilate(mask, width), stroke)
    return outline.composite2(colour(pad(mask, width), fill), "over").cast("uchar")
