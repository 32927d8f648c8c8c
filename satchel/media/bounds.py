"""Image size limits and the checks against them, without the imaging engine (the API
process and the browser use them; importing them loads neither libvips nor numpy).

`satchel.media.pixels` (and so `satchel.media.imaging`) re-exports every name here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from satchel.media.errors import ImageTooLarge, InvalidDimensions, ResultTooLarge


class ImageLimits(Protocol):
    """How large an image may be; the tools' limits and `PixelLimits` both qualify."""

    @property
    def max_image_edge(self) -> int: ...

    @property
    def max_image_pixels(self) -> int: ...


@dataclass(frozen=True)
class PixelLimits:
    """Bounds on what is decoded or made: a side, one frame, and all frames together."""

    max_image_edge: int = 16_384
    max_image_pixels: int = 50_000_000
    # Every frame of an animation or page of a TIFF, decoded together; None: one image's
    # worth (what the GIF tools have always allowed).
    max_total_pixels: int | None = None

    @property
    def total_pixels(self) -> int:
        return self.max_total_pixels or self.max_image_pixels

    @classmethod
    def of(cls, limits: ImageLimits | None) -> PixelLimits:
        if limits is None:
            return cls()
        if isinstance(limits, PixelLimits):
            return limits
        return cls(limits.max_image_edge, limits.max_image_pixels)


def check_dimensions(width: int, height: int, limits: ImageLimits) -> None:
    """Refuse a result that is empty or larger than the limits, before it is made."""
    if width < 1 or height < 1:
        raise InvalidDimensions("The result would be empty.")
    if max(width, height) > limits.max_image_edge or width * height > limits.max_image_pixels:
        raise ResultTooLarge(
            f"The result ({width}×{height}) is larger than the image limits "
            f"({limits.max_image_edge} px a side, {limits.max_image_pixels} pixels)."
        )


def check_size(width: int, height: int, limits: ImageLimits, name: str | None = None) -> None:
    """Refuse an input larger than the limits, from its header's size."""
    what = name or "The image"
    if width * height > limits.max_image_pixels:
        raise ImageTooLarge(
            f"{what} is {width}×{height} pixels, more than the {limits.max_image_pixels:,} allowed."
        )
    if max(width, height) > limits.max_image_edge:
        raise ImageTooLarge(
            f"{what} is {width}×{height} pixels; a side may be at most "
            f"{limits.max_image_edge} pixels."
        )
