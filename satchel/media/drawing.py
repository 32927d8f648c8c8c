"""Drawing and compositing: gradients, masks, shapes, shadows, layers placed on an image,
cover- and contain-fitting, and the settings vocabulary (positions, opacity) they take."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pyvips
from pydantic import BaseModel, ConfigDict, Field

from satchel.media import imaging
from satchel.media.formats import HEIF_TYPES, SVG
from satchel.media.pixels import RGBA, Color, canvas, parse_color, to_srgb8, with_alpha


class GradientStop(BaseModel):
    """A gradient colour at a position (0–100 % along the gradient; spread evenly if omitted)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    color: Color
    position: float | None = Field(None, ge=0, le=100)


def stops_of(raw: Sequence[str | GradientStop]) -> list[tuple[float, RGBA]]:
    """[(0..1 position, rgba)], sorted, with missing positions spread evenly."""
    n = len(raw)
    out: list[tuple[float, RGBA]] = []
    for i, stop in enumerate(raw):
        if isinstance(stop, str):
            stop = GradientStop(color=stop)
        even = i / (n - 1) if n > 1 else 0.0
        pos = stop.position / 100 if stop.position is not None else even
        out.append((pos, parse_color(stop.color)))
    return sorted(out, key=lambda s: s[0])


def _lut(stops: list[tuple[float, RGBA]]) -> pyvips.Image:
    """A 256-entry RGBA colour table along the stops."""
    t = np.linspace(0.0, 1.0, 256)
    xs = [p for p, _ in stops]
    table = np.stack([np.interp(t, xs, [c[b] for _, c in stops]) for b in range(4)], axis=1)
    data = np.ascontiguousarray(np.clip(np.rint(table), 0, 255).astype(np.uint8))
    return pyvips.Image.new_from_memory(data.tobytes(), 256, 1, 4, "uchar")


def _paint(t: pyvips.Image, stops: list[tuple[float, RGBA]]) -> pyvips.Image:
    index = (t * 255).cast("uchar")  # cast clamps to 0..255
    return index.maplut(_lut(stops)).copy(interpretation="srgb")


def linear_gradient(
    width: int, height: int, stops: list[tuple[float, RGBA]], angle: float
) -> pyvips.Image:
    """A CSS-like linear gradient (0° points up, 90° right, 135° to the bottom right)."""
    rad = math.radians(angle)
    dx, dy = math.sin(rad), -math.cos(rad)
    half = (abs(width * dx) + abs(height * dy)) / 2 or 1.0
    xyz = pyvips.Image.xyz(width, height)
    proj = (xyz[0] - width / 2) * dx + (xyz[1] - height / 2) * dy
    return _paint(proj / (2 * half) + 0.5, stops)


def radial_gradient(width: int, height: int, stops: list[tuple[float, RGBA]]) -> pyvips.Image:
    """A radial gradient from the centre (first stop) to the corners (last stop)."""
    xyz = pyvips.Image.xyz(width, height)
    dist = ((xyz[0] - width / 2) ** 2 + (xyz[1] - height / 2) ** 2) ** 0.5
    return _paint(dist / (math.hypot(width, height) / 2 or 1.0), stops)


def rounded_mask(width: int, height: int, radius: float) -> pyvips.Image:
    """A one-band mask (255 inside) of a rectangle with anti-aliased round corners."""
    full = (pyvips.Image.black(width, height) + 255).cast("uchar")
    r = int(min(radius, width / 2, height / 2))
    if r < 1:
        return full
    xyz = pyvips.Image.xyz(r, r)
    d = ((r - xyz[0] - 0.5) ** 2 + (r - xyz[1] - 0.5) ** 2) ** 0.5
    corner = ((r - d + 0.5) * 255).cast("uchar")
    for piece, x, y in (
        (corner, 0, 0),
        (corner.fliphor(), width - r, 0),
        (corner.flipver(), 0, height - r),
        (corner.rot180(), width - r, height - r),
    ):
        full = full.insert(piece, x, y)
    return full


def circle_mask(size: int, radius: float | None = None) -> pyvips.Image:
    """A one-band anti-aliased disc centred in a size × size square."""
    r = size / 2 if radius is None else radius
    xyz = pyvips.Image.xyz(size, size)
    d = ((xyz[0] + 0.5 - size / 2) ** 2 + (xyz[1] + 0.5 - size / 2) ** 2) ** 0.5
    return ((r - d + 0.5) * 255).cast("uchar")


def mask_alpha(image: pyvips.Image, mask: pyvips.Image) -> pyvips.Image:
    """`image` (made RGBA) with its alpha multiplied by `mask`."""
    had_alpha = image.hasalpha()
    image = with_alpha(image)
    if not had_alpha:  # nothing to multiply: the mask is the alpha
        return image[:3].bandjoin(mask).copy(interpretation="srgb")
    alpha = (image[3] * mask / 255).cast("uchar")
    return image[:3].bandjoin(alpha).copy(interpretation="srgb")


def shape(width: int, height: int, radius: float, color: RGBA) -> pyvips.Image:
    """A filled RGBA rounded rectangle."""
    return mask_alpha(canvas(width, height, color), rounded_mask(width, height, radius))


def solid(width: int, height: int, color: RGBA) -> pyvips.Image:
    return canvas(width, height, color)


def over(base: pyvips.Image, layers: Sequence[tuple[pyvips.Image, int, int]]) -> pyvips.Image:
    """Composite layers onto a base at (x, y), in order, as RGBA. Opaque layers (no alpha
    band) are pasted, which is much cheaper than blending every pixel."""
    out = with_alpha(base)
    pending: list[tuple[pyvips.Image, int, int]] = []

    def blend(out: pyvips.Image) -> pyvips.Image:
        if not pending:
            return out
        out = out.composite(
            [img for img, _, _ in pending],
            ["over"] * len(pending),
            x=[x for _, x, _ in pending],
            y=[y for _, _, y in pending],
            compositing_space="srgb",
        )
        pending.clear()
        return out.cast("uchar").copy(interpretation="srgb")

    for img, x, y in layers:
        if img.hasalpha():
            pending.append((with_alpha(img), x, y))
        else:
            out = blend(out).insert(with_alpha(img), x, y)
    return blend(out)


def shadow(
    alpha: pyvips.Image, *, sigma: float, opacity: float, color: RGBA | None = None
) -> tuple[pyvips.Image, int]:
    """A soft RGBA shadow of a one-band alpha, and the margin added on each side."""
    margin = math.ceil(sigma * 3) + 1
    a = alpha.embed(margin, margin, alpha.width + 2 * margin, alpha.height + 2 * margin)
    if sigma > 0:
        # big blurs are done small and scaled back: the result is smooth anyway
        factor = max(1.0, sigma / 4)
        width, height = a.width, a.height
        if factor > 1:
            small = a.resize(1 / factor).gaussblur(sigma / factor)
            a = small.resize(width / small.width, vscale=height / small.height, kernel="linear")
            a = a.embed(0, 0, width, height, extend="black")
        else:
            a = a.gaussblur(sigma)
    rgb = color or [0.0, 0.0, 0.0, 255.0]
    out = canvas(a.width, a.height, [rgb[0], rgb[1], rgb[2], 0])[:3]
    return out.bandjoin((a * opacity).cast("uchar")).copy(interpretation="srgb"), margin


def cover(inp: imaging.MediaFile, width: int, height: int) -> pyvips.Image:
    """The image scaled and centre-cropped to exactly width × height (8-bit sRGB)."""
    if inp.media_type in HEIF_TYPES or inp.media_type == SVG:
        image = imaging.load_input(inp)
        scale = max(width / image.width, height / image.height)
        image = with_alpha(image).resize(scale)
        left = max(0, (image.width - width) // 2)
        top = max(0, (image.height - height) // 2)
        out = image.crop(left, top, min(width, image.width), min(height, image.height))
        out = out if out.hasalpha() else out[:3]
        return out.embed(0, 0, width, height, extend="copy")
    thumb = imaging.thumbnail(
        inp.path, inp.media_type, width, height=height, enlarge=True, crop=True, name=inp.name
    )
    return to_srgb8(thumb)


def shrunk(inp: imaging.MediaFile, image: pyvips.Image, factor: float) -> pyvips.Image:
    """`image` (the decoded file) scaled by `factor` < 1, shrinking on load when the
    format allows (JPEG, WebP) instead of decoding every pixel first."""
    width = max(1, round(image.width * factor))
    height = max(1, round(image.height * factor))
    if inp.media_type in HEIF_TYPES or inp.media_type == SVG:
        return image.resize(factor)
    return imaging.thumbnail(inp.path, inp.media_type, width, height=height, name=inp.name)


def contain(image: pyvips.Image, width: int, height: int) -> pyvips.Image:
    """An RGBA image scaled (premultiplied) to fit inside width × height."""
    image = with_alpha(image)
    scale = min(width / image.width, height / image.height)
    if abs(scale - 1) < 1e-9:
        return image
    out = image.premultiply().resize(scale).unpremultiply()
    return out.cast("uchar").copy(interpretation="srgb")


def draw_line(
    image: pyvips.Image, color: RGBA, x0: int, y0: int, x1: int, y1: int, width: int = 1
) -> pyvips.Image:
    """A straight line of some thickness (parallel one-pixel lines)."""
    out = image.copy()
    lo = -(width // 2)
    for k in range(lo, lo + max(1, width)):
        if abs(x1 - x0) >= abs(y1 - y0):
            out = out.draw_line(color, x0, y0 + k, x1, y1 + k)
        else:
            out = out.draw_line(color, x0 + k, y0, x1 + k, y1)
    return out


def mean_luminance(image: pyvips.Image) -> float:
    rgb = with_alpha(image)[:3]
    values: Any = [rgb[i].avg() for i in range(3)]
    return float(0.2126 * values[0] + 0.7152 * values[1] + 0.0722 * values[2])


OPACITY = "Opacity from 0 to 1 (a number above 1 is read as a percentage)."


def opacity_field(value: Any) -> Any:
    """Pydantic `before` validator: 0–1, or a percentage (1 < value ≤ 100)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value <= 100:
        return value / 100
    return value


Position = Literal[
    "top-left", "top-center", "top-right", "center-left", "center", "center-right",
    "bottom-left", "bottom-center", "bottom-right",
]  # fmt: skip
_POSITION_ALIASES = {
    "top": "top-center",
    "bottom": "bottom-center",
    "left": "center-left",
    "right": "center-right",
    "middle": "center",
    "centre": "center",
}


def position_name(value: Any) -> Any:
    """Pydantic `before` validator: `top_left`, `Top Left`, `top`, `middle-right` → names."""
    if not isinstance(value, str):
        return value
    text = re.sub(r"[\s_]+", "-", value.strip().lower()).replace("middle", "center")
    text = text.replace("centre", "center")
    return _POSITION_ALIASES.get(text, text)


def place(width: int, height: int, w: int, h: int, position: str, margin: int) -> tuple[int, int]:
    """Top-left corner of a w×h layer at `position` inside width×height, `margin` from edges."""
    vertical, _, horizontal = position.partition("-") if position != "center" else ("", "", "")
    vertical = vertical or "center"
    horizontal = horizontal or "center"
    x = {
        "left": margin,
        "center": (width - w) // 2,
        "right": width - w - margin,
    }[horizontal]
    y = {"top": margin, "center": (height - h) // 2, "bottom": height - h - margin}[vertical]
    return x, y


# Layers --------------------------------------------------------------------------------


def split(image: pyvips.Image) -> tuple[pyvips.Image, pyvips.Image | None]:
    """(3-band 8-bit sRGB, alpha band or None) of any input."""
    image = to_srgb8(image)
    alpha = None
    if image.hasalpha():
        alpha = image[image.bands - 1]
        image = image.extract_band(0, n=image.bands - 1)
    if image.bands == 1:
        image = image.colourspace("srgb")
    return image.copy(interpretation="srgb"), alpha


def join(rgb: pyvips.Image, alpha: pyvips.Image | None) -> pyvips.Image:
    """Back to one image; float results are clipped to 0–255 first."""
    if rgb.format != "uchar":
        rgb = (rgb + 0.5).cast("uchar")  # cast clips to 0–255; +0.5 rounds
    rgb = rgb.copy(interpretation="srgb")
    return rgb.bandjoin(alpha) if alpha is not None else rgb


def overlay(
    base: pyvips.Image, layer: pyvips.Image, x: int, y: int, *, mode: str = "over"
) -> pyvips.Image:
    """`layer` (RGBA) over `base` at (x, y), the result as 8-bit sRGB with the base's alpha
    kept if it had one (a layer partly outside the image is clipped)."""
    rgb, alpha = split(base)
    bottom = rgb.bandjoin(alpha if alpha is not None else 255).copy(interpretation="srgb")
    out = bottom.composite2(layer, mode, x=x, y=y, compositing_space="srgb")
    out = out.cast("uchar").copy(interpretation="srgb")
    return out if alpha is not None else out.extract_band(0, n=3)
