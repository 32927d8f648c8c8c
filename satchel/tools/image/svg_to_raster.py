"""SVG to raster: render an SVG with librsvg (through libvips) at a size, scale or DPI."""

from __future__ import annotations

from typing import Literal

import pyvips
from pydantic import Field, field_validator

from satchel.codes import Code
from satchel.media import imaging
from satchel.tools.base import (
    InputFile,
    Inputs,
    InputSpec,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)

MAX_SVG_BYTES = 64 * 1024 * 1024
BASE_DPI = 72.0  # librsvg through libvips: one SVG px is one pixel at 72 DPI

RasterFormat = Literal["png", "jpeg", "jpg", "webp", "avif", "tiff", "gif", "heif"]


class Settings(ToolSettings):
    format: RasterFormat = Field("png", description="Output format.")
    width: int | None = Field(
        None, ge=1, le=16384, description="Output width; with only a width the height follows."
    )
    height: int | None = Field(
        None, ge=1, le=16384, description="Output height; with only a height the width follows."
    )
    scale: float = Field(
        1.0, gt=0, le=64, description="Multiplies the SVG's own size (ignored with width/height)."
    )
    dpi: float = Field(
        72, ge=10, le=2400, description="Render density: 72 keeps one SVG pixel per pixel."
    )
    background: str | None = Field(
        None,
        description="Fill behind the drawing (#rrggbb[aa]); default transparent, white for JPEG.",
    )
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality (lossy formats).")

    _color = field_validator("background")(lambda v: v if v is None else imaging.color_field(v))


def read_svg(inp: InputFile, **options: float) -> pyvips.Image:
    """Parse an SVG from memory: with no base location librsvg resolves no references to
    files or the network (only `data:` URLs), and the untrusted-loader block stays intact."""
    if inp.path.stat().st_size > MAX_SVG_BYTES:
        raise ToolError(
            f"{inp.name} is larger than {MAX_SVG_BYTES // 2**20} MiB of SVG.",
            code=Code.TOOL_INPUT_TOO_LARGE,
        )
    try:
        return pyvips.Image.new_from_buffer(inp.path.read_bytes(), "", unlimited=False, **options)
    except pyvips.Error as exc:
        lines = [line for line in str(exc).splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else "not a readable SVG"
        raise ToolError(
            f"{inp.name} is not a valid SVG: {reason}", code=Code.TOOL_INPUT_INVALID
        ) from exc


def target_size(w: int, h: int, s: Settings) -> tuple[int, int]:
    if s.width and s.height:
        return s.width, s.height
    if s.width:
        return s.width, max(1, round(h * s.width / w))
    if s.height:
        return max(1, round(w * s.height / h)), s.height
    return max(1, round(w * s.scale)), max(1, round(h * s.scale))


@tool(
    "image",
    "svg-to-raster",
    name="SVG to Raster",
    settings=Settings,
    inputs=InputSpec(accepts=("image/svg+xml",)),
)
def svg_to_raster(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Render an SVG to PNG, JPEG, WebP, AVIF, TIFF, GIF or HEIF at its own size times
    `scale`, at a DPI, or to a width and/or height (both: fitted inside, centred, padded
    with the background). External references (files, URLs) are never loaded."""
    inp = inputs.first
    dpi = settings.dpi
    header = read_svg(inp, dpi=dpi)  # parses the document; nothing is drawn yet
    w, h = header.width, header.height
    width, height = target_size(w, h, settings)
    imaging.check_dimensions(width, height, ctx.limits)
    # Draw the vectors at the final size (crisp), not a small render stretched.
    factor = min(width / w, height / h)
    imaging.check_dimensions(max(1, round(w * factor)), max(1, round(h * factor)), ctx.limits)
    image = read_svg(inp, dpi=dpi, scale=factor) if abs(factor - 1) > 1e-9 else header
    if (image.width, image.height) != (width, height):
        image = image.gravity("centre", width, height, extend="background", background=[0, 0, 0, 0])
    image = image.colourspace("srgb") if image.bands < 3 else image
    fmt = "jpg" if settings.format == "jpeg" else settings.format
    background = settings.background or ("#ffffff" if fmt == "jpg" else None)
    if background:
        color = imaging.parse_color(background)
        image = imaging.canvas(image.width, image.height, color).composite2(image, "over")
        if color[3] >= 255:
            image = image.flatten()
    return ToolResult([imaging.save_output(image, ctx, inp.name, fmt, quality=settings.quality)])
