"""Pixel-level helpers of the imaging engine: limits, colours, colour models, buffers.

Use them through `satchel.media.imaging`, which re-exports every public name here.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import numpy as np
import pyvips
from pydantic import AfterValidator

# The limits live apart from the engine (bounds.py loads neither libvips nor numpy); they are
# re-exported here for the engine's users.
from satchel.media.bounds import ImageLimits as ImageLimits
from satchel.media.bounds import PixelLimits as PixelLimits
from satchel.media.bounds import check_dimensions as check_dimensions
from satchel.media.bounds import check_size as check_size
from satchel.media.errors import ImageTooLarge

ICC = "icc-profile-data"
SWAPPED = frozenset({5, 6, 7, 8})  # EXIF orientations that turn the image a quarter turn


def check_frames(head: pyvips.Image, limits: PixelLimits, name: str | None = None) -> None:
    """Refuse, from a one-page header alone, frames that would exceed the budgets: each
    frame against one image's limits, all of them against the total."""
    count, width, page = pages_of(head), head.width, head.height
    check_size(width, page, limits, name)
    total = width * page * count
    if count > 1 and total > limits.total_pixels:
        raise ImageTooLarge(
            f"{name or 'The image'} has {count} frames of {width}×{page}: {total} pixels in "
            f"all, more than the limit of {limits.total_pixels}."
        )


def pages_of(image: pyvips.Image) -> int:
    """How many frames or pages the file holds, as its header says."""
    pages = image.get("n-pages") if image.get_typeof("n-pages") else 1
    return int(pages) if isinstance(pages, int) and pages > 0 else 1


# Colour models -------------------------------------------------------------------------


def to_srgb8(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB or grey (with its alpha, if any), whatever came in."""
    if image.interpretation not in ("srgb", "b-w") or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    return image


def for_display(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB (alpha kept) with any embedded profile applied and then dropped: what a
    preview or thumbnail must be, since it is shown without a profile."""
    if image.get_typeof(ICC) != 0:
        # Display P3 or Adobe RGB shown as sRGB looks washed out once the profile is
        # stripped, so convert while we still know it.
        image = image.icc_transform("srgb", embedded=True, intent="perceptual").copy()
        image.remove(ICC)
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    if image.bands > 4:
        image = image.extract_band(0, n=4)
    return image


def with_alpha(image: pyvips.Image) -> pyvips.Image:
    """4-band 8-bit sRGB: grey made colour, an opaque alpha added when there is none."""
    image = to_srgb8(image)
    if image.bands == 1:
        image = image.colourspace("srgb")
    if image.bands == 2:
        image = image[0].colourspace("srgb").bandjoin(image[1])
    if image.bands == 3:
        image = image.bandjoin(255)
    return image


def flatten(image: pyvips.Image, background: list[float] | None = None) -> pyvips.Image:
    """Drop the alpha channel onto a background (white by default)."""
    if image.hasalpha():
        image = image.flatten(background=background or [255, 255, 255])
    return image


def from_array(data: np.ndarray[Any, Any]) -> pyvips.Image:
    """An 8-bit vips image that owns a copy of the (height, width[, bands]) array's pixels.

    new_from_memory borrows the buffer, and copy_memory of a memory image hands back that
    same borrowed image: once the buffer's owner is collected, libvips reads freed memory
    (a crash seen here). Going through copy() makes copy_memory really copy, so the array
    is only borrowed for the length of this call.
    """
    pixels = np.ascontiguousarray(data, dtype=np.uint8)
    bands = 1 if pixels.ndim == 2 else pixels.shape[2]
    borrowed = pyvips.Image.new_from_memory(
        pixels.data, pixels.shape[1], pixels.shape[0], bands, "uchar"
    )
    interpretation = "b-w" if bands <= 2 else "srgb"
    return borrowed.copy(interpretation=interpretation).copy_memory()


def canvas(width: int, height: int, color: list[float]) -> pyvips.Image:
    """A solid RGBA image."""
    base = pyvips.Image.black(width, height, bands=4)
    return (base + color).cast("uchar").copy(interpretation="srgb")


# Colours -------------------------------------------------------------------------------

_HEX = re.compile(r"^#?([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
NAMED = {
    "white": "#ffffff",
    "black": "#000000",
    "red": "#ff0000",
    "green": "#00ff00",
    "blue": "#0000ff",
    "yellow": "#ffff00",
    "gray": "#808080",
    "grey": "#808080",
    "transparent": "#00000000",
}


def parse_color(value: str) -> list[float]:
    """`#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa` or a basic name → [r, g, b, a] (0–255)."""
    text = NAMED.get(value.strip().lower(), value.strip())
    match = _HEX.match(text)
    if not match:
        raise ValueError(f"{value!r} is not a colour (use #rrggbb)")
    digits = match.group(1)
    if len(digits) in (3, 4):
        digits = "".join(c * 2 for c in digits)
    if len(digits) == 6:
        digits += "ff"
    return [float(int(digits[i : i + 2], 16)) for i in range(0, 8, 2)]


def color_field(value: str) -> str:
    """Pydantic validator body: keep the text, fail when it is not a colour."""
    parse_color(value)
    return value


Color = Annotated[str, AfterValidator(color_field)]  # a settings field holding a colour
RGBA = list[float]
