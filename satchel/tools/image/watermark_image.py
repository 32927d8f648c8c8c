"""Image watermark: a logo scaled to the image, placed at one of nine positions."""

from __future__ import annotations

from pydantic import Field, field_validator

from satchel.tools.base import (
    Extra,
    Inputs,
    InputSpec,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)
from satchel.tools.image._common import (
    Format,
    check_dimensions,
    load,
    out_format,
    save,
    with_alpha,
)
from satchel.tools.image._text import (
    OPACITY,
    Position,
    opacity_field,
    overlay,
    place,
    position_name,
    second_file,
)


class Settings(ToolSettings):
    opacity: float = Field(0.5, ge=0, le=1, description=OPACITY)
    position: Position = Field("bottom-right", description="Where the watermark goes.")
    scale: float = Field(
        20, gt=0, le=100, description="Watermark width in percent of the image's width."
    )
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")

    _position = field_validator("position", mode="before")(position_name)
    _opacity = field_validator("opacity", mode="before")(opacity_field)


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
    image = load(inp)
    mark = with_alpha(load(second_file(inputs, "watermark")))
    width = max(1, round(image.width * s.scale / 100))
    height = max(1, round(mark.height * width / mark.width))
    check_dimensions(width, height, ctx)
    mark = mark.resize(width / mark.width, vscale=height / mark.height)
    mark = mark[:3].bandjoin((mark[3] * s.opacity).cast("uchar")).copy(interpretation="srgb")
    margin = max(4, round(min(image.width, image.height) * 0.02))
    x, y = place(image.width, image.height, mark.width, mark.height, s.position, margin)
    out = overlay(image, mark, x, y)
    return ToolResult([save(out, ctx, inp.name, out_format(s.format, inp), quality=s.quality)])
