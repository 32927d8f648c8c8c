"""Composition: layer a second image on top of the first, with a blend mode."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from satchel.codes import Code
from satchel.media import drawing, imaging
from satchel.media.drawing import OPACITY
from satchel.media.formats import Format, out_format
from satchel.tools.base import (
    Extra,
    InputFile,
    Inputs,
    InputSpec,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)

# libvips' composite blend modes (the PDF/Cairo set); "color-…" spellings are accepted.
Blend = Literal[
    "over", "multiply", "screen", "overlay", "darken", "lighten", "colour-dodge",
    "colour-burn", "hard-light", "soft-light", "difference", "exclusion", "add", "saturate",
    "atop", "in", "out", "dest-over", "dest-in", "dest-out", "dest-atop", "xor", "source",
    "clear",
]  # fmt: skip


def blend_name(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower().replace("_", "-").replace("color", "colour")
    return value


class Settings(ToolSettings):
    x: int = Field(0, ge=-16384, le=16384, description="Left edge of the top layer (px).")
    y: int = Field(0, ge=-16384, le=16384, description="Top edge of the top layer (px).")
    opacity: float = Field(1.0, ge=0, le=1, description=OPACITY)
    blend: Blend = Field("over", description="libvips composite blend mode.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")

    _blend = field_validator("blend", mode="before")(blend_name)
    _opacity = field_validator("opacity", mode="before")(drawing.opacity_field)


def second_file(inputs: Inputs, part: str) -> InputFile:
    """The layer of a two-file tool: the named extra part, else the second `file` part."""
    if part in inputs.extras:
        if len(inputs.files) > 1:
            raise ToolError(
                f"Send the second image either as a {part!r} part or as a second file, not both.",
                code=Code.TOOL_TOO_MANY_INPUTS,
            )
        return inputs.extras[part]
    if len(inputs.files) < 2:
        raise ToolError(
            f"This tool needs a second image: a {part!r} part or a second `file` part.",
            code=Code.TOOL_INPUT_MISSING,
        )
    return inputs.files[1]


INPUTS = InputSpec(
    min_files=1,
    max_files=2,
    extras=(
        Extra(
            "overlay",
            required=False,
            description="The image layered on top (or send it as the second `file` part).",
        ),
    ),
)


@tool(
    "image", "compose", name="Image Composition", settings=Settings, inputs=INPUTS, pipeline=False
)
def compose(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Layer a second image on top of the first at (x, y) with an opacity and a libvips
    blend mode (over, multiply, screen, overlay, darken, lighten, colour-dodge, …). The
    second file is the top layer (a second `file` part, or an `overlay` part, which also
    works for batches); the result has the first image's size."""
    inp = inputs.first
    s = settings
    base = imaging.load_input(inp)
    top = imaging.with_alpha(imaging.load_input(second_file(inputs, "overlay")))
    if s.x >= base.width or s.y >= base.height or s.x + top.width <= 0 or s.y + top.height <= 0:
        raise ToolError(
            f"The top layer ({top.width}×{top.height} at {s.x},{s.y}) does not touch the "
            f"image ({base.width}×{base.height}).",
            code=Code.TOOL_LAYER_OUTSIDE,
        )
    if s.opacity < 1:
        top = top[:3].bandjoin((top[3] * s.opacity).cast("uchar")).copy(interpretation="srgb")
    out = drawing.overlay(base, top, s.x, s.y, mode=s.blend)
    fmt = out_format(s.format, inp.media_type)
    return ToolResult([imaging.save_output(out, ctx, inp.name, fmt, quality=s.quality)])
