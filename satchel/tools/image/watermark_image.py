"""Image watermark: a logo scaled to the image, placed at one of nine positions."""

from __future__ import annotations

from pydantic import Field, field_validator

from satchel.media import drawing, imaging
from satchel.media.drawing import OPACITY, Position
from satchel.media.formats import Format, out_format
from satchel.tools.base import (
    Extra,
    Inputs,
    InputSpec,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)
from satchel.tools.image.compose import second_file


class Settings(ToolSettings):
    opacity: float = Field(0.5, ge=0, le=1, description=OPACITY)
    position: Position = Field("bottom-right", description="Where the watermark goes.")
    scale: float = Field(
        20, gt=0, le=100, description="Watermark width in percent of the image's width."
    )
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")

    _position = field_validator("position", mode="before")(drawing.position_name)
    _opacity = field_validator("opacity", mode="before")(drawing.opacity_field)


INPUTS = InputSpec(
    min_files=1,
    max_files=2,
    extras=(
        Extra(
            "watermark",
            required=False,
            description="The watermark image (or send it as the second `file` part).",
        ),
    ),
)


@tool(
    "image",
    "watermark-image",
    name="Image Watermark",
    settings=Settings,
    inputs=INPUTS,
    pipeline=False,
)
def watermark_image(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Put an image watermark (a logo) on an image: the second file is the watermark (a
    second `file` part, or a `watermark` part, which also works for batches). It is scaled
    to `scale` percent of the image's width, made `opacity` see-through and placed at one
    of nine positions."""
    inp = inputs.first
    s = settings
    image = imaging.load_input(inp)
    mark = imaging.with_alpha(imaging.load_input(second_file(inputs, "watermark")))
    width = max(1, round(image.width * s.scale / 100))
    height = max(1, round(mark.height * width / mark.width))
    imaging.check_dimensions(width, height, ctx.limits)
    mark = mark.resize(width / mark.width, vscale=height / mark.height)
    mark = mark[:3].bandjoin((mark[3] * s.opacity).cast("uchar")).copy(interpretation="srgb")
    margin = max(4, round(min(image.width, image.height) * 0.02))
    x, y = drawing.place(image.width, image.height, mark.width, mark.height, s.position, margin)
    out = drawing.overlay(image, mark, x, y)
    fmt = out_format(s.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=s.quality)])
