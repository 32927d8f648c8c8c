"""Stitch: images side by side, one under another, or in a grid."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from satchel.media import drawing, imaging
from satchel.media.formats import auto_format
from satchel.media.imaging import Color
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

Align = Literal["start", "center", "end"]


class Settings(ToolSettings):
    direction: Literal["horizontal", "vertical", "grid"] = Field(
        "horizontal", description="Side by side, top to bottom, or rows of `columns` images."
    )
    gap: int = Field(0, ge=0, le=1000, description="Pixels between images.")
    background_color: Color = Field("#ffffff", description="Fill of gaps and unused space.")
    alignment: Align = Field(
        "center", description="Where smaller images sit across the direction (grid: in cells)."
    )
    columns: int | None = Field(
        None, ge=1, le=64, description="Grid columns (default: about the square root)."
    )
    match_size: bool = Field(
        False,
        description="Scale every image to the smallest height (horizontal), width (vertical) "
        "or cell (grid) first, instead of keeping sizes.",
    )
    format: Literal["png", "jpeg", "jpg", "webp", "avif"] | None = Field(
        None, description="Output format; default JPEG, PNG when the background is transparent."
    )
    quality: int | None = Field(None, ge=1, le=100)


def offset(free: int, alignment: Align) -> int:
    return 0 if alignment == "start" else free // 2 if alignment == "center" else free


@tool(
    "image",
    "stitch",
    name="Stitch / Combine",
    settings=Settings,
    inputs=InputSpec(min_files=2, max_files=64),
    pipeline=False,
)
def stitch(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Join 2–64 images horizontally, vertically or in a grid, with a gap, a background
    colour and start/center/end alignment of images of different sizes."""
    s = settings
    images = [imaging.load_input(f) for f in inputs.files]
    n = len(images)
    if s.match_size:
        if s.direction == "horizontal":
            target = min(i.height for i in images)
            images = [i.resize(target / i.height) for i in images]
        elif s.direction == "vertical":
            target = min(i.width for i in images)
            images = [i.resize(target / i.width) for i in images]
        else:
            cw, ch = min(i.width for i in images), min(i.height for i in images)
            images = [i.resize(min(cw / i.width, ch / i.height)) for i in images]
    sizes = [(i.width, i.height) for i in images]
    if s.direction == "horizontal":
        cols, rows = n, 1
    elif s.direction == "vertical":
        cols, rows = 1, n
    else:
        cols = min(n, s.columns or math.ceil(math.sqrt(n)))
        rows = math.ceil(n / cols)
    places: list[tuple[int, int]] = []
    if s.direction == "grid":
        cw, ch = max(w for w, _ in sizes), max(h for _, h in sizes)
        width, height = cols * cw + (cols - 1) * s.gap, rows * ch + (rows - 1) * s.gap
        for k, (w, h) in enumerate(sizes):
            col, row = k % cols, k // cols
            places.append(
                (
                    col * (cw + s.gap) + offset(cw - w, s.alignment),
                    row * (ch + s.gap) + offset(ch - h, s.alignment),
                )
            )
    elif s.direction == "horizontal":
        width = sum(w for w, _ in sizes) + (n - 1) * s.gap
        height = max(h for _, h in sizes)
        x = 0
        for w, h in sizes:
            places.append((x, offset(height - h, s.alignment)))
            x += w + s.gap
    else:
        width = max(w for w, _ in sizes)
        height = sum(h for _, h in sizes) + (n - 1) * s.gap
        y = 0
        for w, h in sizes:
            places.append((offset(width - w, s.alignment), y))
            y += h + s.gap
    imaging.check_dimensions(width, height, ctx.limits)
    background = imaging.parse_color(s.background_color)
    transparent = background[3] < 255 or any(i.hasalpha() for i in images)
    result = drawing.over(
        imaging.canvas(width, height, background),
        [(img, x, y) for img, (x, y) in zip(images, places, strict=True)],
    )
    fmt = auto_format(s.format, transparent)
    out = imaging.save_output(result, ctx, "stitched", fmt, quality=s.quality)
    return ToolResult(
        [out],
        data={
            "width": width,
            "height": height,
            "columns": cols,
            "rows": rows,
            "placements": [
                {"file": f.name, "x": px, "y": py, "width": pw, "height": ph}
                for f, (px, py), (pw, ph) in zip(inputs.files, places, sizes, strict=True)
            ],
        },
    )
