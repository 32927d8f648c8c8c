"""Collage: images cover-cropped into the cells of a layout, layouts defined as data."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from satchel.codes import Code
from satchel.media import drawing, imaging
from satchel.media.formats import auto_format
from satchel.media.imaging import Color
from satchel.tools.base import (
    Inputs,
    InputSpec,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)

Cell = tuple[int, int, int, int]  # x, y, w, h in units of the layout's grid
Layout = tuple[int, int, tuple[Cell, ...]]  # columns, rows, cells


def grid(cols: int, rows: int) -> Layout:
    return cols, rows, tuple((c, r, 1, 1) for r in range(rows) for c in range(cols))


# Every layout is a grid of units and the rectangles its cells cover (in reading order).
LAYOUTS: dict[str, Layout] = {
    **{f"{c}x{r}": grid(c, r) for c, r in (
        (2, 1), (1, 2), (3, 1), (1, 3), (2, 2), (3, 2), (2, 3), (4, 1), (1, 4),
        (3, 3), (4, 2), (2, 4), (4, 3), (3, 4), (4, 4),
    )},
    # one large image and a column (or row) of small ones
    "1+2": (2, 2, ((0, 0, 1, 2), (1, 0, 1, 1), (1, 1, 1, 1))),
    "2+1": (2, 2, ((0, 0, 1, 1), (0, 1, 1, 1), (1, 0, 1, 2))),
    "1+3": (3, 3, ((0, 0, 2, 3), (2, 0, 1, 1), (2, 1, 1, 1), (2, 2, 1, 1))),
    "3+1": (3, 3, ((0, 0, 1, 1), (0, 1, 1, 1), (0, 2, 1, 1), (1, 0, 2, 3))),
    "1+2v": (2, 2, ((0, 0, 2, 1), (0, 1, 1, 1), (1, 1, 1, 1))),
    "2+1v": (2, 2, ((0, 0, 1, 1), (1, 0, 1, 1), (0, 1, 2, 1))),
    "1+3v": (3, 3, ((0, 0, 3, 2), (0, 2, 1, 1), (1, 2, 1, 1), (2, 2, 1, 1))),
    "3+1v": (3, 3, ((0, 0, 1, 1), (1, 0, 1, 1), (2, 0, 1, 1), (0, 1, 3, 2))),
    "1+4v": (4, 3, ((0, 0, 4, 2), (0, 2, 1, 1), (1, 2, 1, 1), (2, 2, 1, 1), (3, 2, 1, 1))),
    # mosaics
    "mosaic-2-3": (6, 2, ((0, 0, 3, 1), (3, 0, 3, 1), (0, 1, 2, 1), (2, 1, 2, 1), (4, 1, 2, 1))),
    "mosaic-3-2": (6, 2, ((0, 0, 2, 1), (2, 0, 2, 1), (4, 0, 2, 1), (0, 1, 3, 1), (3, 1, 3, 1))),
    "mosaic-l": (3, 3, (
        (0, 0, 2, 2), (2, 0, 1, 1), (2, 1, 1, 1), (0, 2, 1, 1), (1, 2, 1, 1), (2, 2, 1, 1),
    )),
    "mosaic-t": (4, 2, ((0, 0, 2, 2), (2, 0, 2, 1), (2, 1, 1, 1), (3, 1, 1, 1))),
    "mosaic-pillar": (3, 2, ((0, 0, 1, 1), (0, 1, 1, 1), (1, 0, 1, 2), (2, 0, 1, 1), (2, 1, 1, 1))),
    "pinwheel": (3, 3, ((0, 0, 2, 1), (2, 0, 1, 2), (1, 2, 2, 1), (0, 1, 1, 2), (1, 1, 1, 1))),
    "mosaic-7": (4, 3, (
        (0, 0, 2, 2), (2, 0, 1, 1), (3, 0, 1, 1), (2, 1, 1, 1), (3, 1, 1, 1),
        (0, 2, 2, 1), (2, 2, 2, 1),
    )),
    "mosaic-steps": (4, 4, (
        (0, 0, 2, 2), (2, 0, 2, 1), (2, 1, 1, 1), (3, 1, 1, 1),
        (0, 2, 1, 2), (1, 2, 1, 1), (1, 3, 1, 1), (2, 2, 2, 2),
    )),
}  # fmt: skip
Template = Literal[
    "auto", "2x1", "1x2", "3x1", "1x3", "2x2", "3x2", "2x3", "4x1", "1x4", "3x3", "4x2", "2x4",
    "4x3", "3x4", "4x4", "1+2", "2+1", "1+3", "3+1", "1+2v", "2+1v", "1+3v", "3+1v", "1+4v",
    "mosaic-2-3", "mosaic-3-2", "mosaic-l", "mosaic-t", "mosaic-pillar", "pinwheel",
    "mosaic-7", "mosaic-steps",
]  # fmt: skip
AUTO = {2: "2x1", 3: "1+2", 4: "2x2", 5: "mosaic-2-3", 6: "3x2", 7: "mosaic-7", 8: "mosaic-steps"}
DEFAULT_LONG_SIDE = 1600


class Settings(ToolSettings):
    template: Template = Field(
        "auto",
        description="Layout: grids CxR (columns × rows), 1+N / N+1 (one large image beside N "
        "small ones; the v variants stack vertically), mosaics; auto picks one with exactly "
        "one cell per image. Images fill the cells in order and repeat when a template has "
        "more cells than images.",
    )
    gap: int = Field(16, ge=0, le=500, description="Pixels between cells and around them.")
    background_color: Color = Field("#ffffff", description="Canvas colour (#rrggbbaa allowed).")
    border_radius: int = Field(0, ge=0, le=1000, description="Corner radius of each cell.")
    width: int | None = Field(
        None, ge=16, le=16384, description="Canvas width (default: 1600 on the longer side; "
        "grids follow their columns:rows, other layouts are square)."
    )  # fmt: skip
    height: int | None = Field(None, ge=16, le=16384, description="Canvas height.")
    format: Literal["png", "jpeg", "jpg", "webp", "avif"] | None = Field(
        None, description="Output format; default JPEG, PNG when the background is transparent."
    )
    quality: int | None = Field(None, ge=1, le=100)


def justified(count: int) -> Layout:
    """About-square rows of cells, the last row's cells widened to fill it."""
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    last = count - (rows - 1) * cols
    units = cols * last
    cells = [(c * last, r, last, 1) for r in range(rows - 1) for c in range(cols)]
    cells += [(c * cols, rows - 1, cols, 1) for c in range(last)]
    return units, rows, tuple(cells)


def pick_layout(template: str, count: int) -> tuple[str, Layout, float]:
    """The layout's name, cells and default aspect ratio (width / height)."""
    if template == "auto":
        if count in AUTO:
            template = AUTO[count]
        else:
            cols = math.ceil(math.sqrt(count))
            return "auto", justified(count), cols / math.ceil(count / cols)
    layout = LAYOUTS[template]
    if count > len(layout[2]):
        raise ToolError(
            f"The {template} layout has {len(layout[2])} cells but {count} images were "
            "given; choose a larger layout.",
            code=Code.TOOL_COLLAGE_TOO_MANY_IMAGES,
        )
    across, x, down = template.partition("x")
    aspect = int(across) / int(down) if x and across.isdigit() and down.isdigit() else 1.0
    return template, layout, aspect


def canvas_size(aspect: float, width: int | None, height: int | None) -> tuple[int, int]:
    if width and height:
        return width, height
    if width:
        return width, max(16, round(width / aspect))
    if height:
        return max(16, round(height * aspect)), height
    if aspect >= 1:
        return DEFAULT_LONG_SIDE, max(16, round(DEFAULT_LONG_SIDE / aspect))
    return max(16, round(DEFAULT_LONG_SIDE * aspect)), DEFAULT_LONG_SIDE


def cell_rects(layout: Layout, width: int, height: int, gap: int) -> list[Cell]:
    """Pixel rectangles of the cells: units share what the gaps leave."""
    cols, rows, cells = layout
    uw = (width - gap * (cols + 1)) / cols
    uh = (height - gap * (rows + 1)) / rows
    rects = []
    for x, y, w, h in cells:
        x0, y0 = round(gap + x * (uw + gap)), round(gap + y * (uh + gap))
        x1, y1 = round(gap + (x + w) * (uw + gap) - gap), round(gap + (y + h) * (uh + gap) - gap)
        if x1 - x0 < 1 or y1 - y0 < 1:
            raise ToolError(
                f"The gap ({gap} px) leaves no room for the cells on a {width}×{height} canvas.",
                code=Code.TOOL_COLLAGE_NO_ROOM,
            )
        rects.append((x0, y0, x1 - x0, y1 - y0))
    return rects


@tool(
    "image",
    "collage",
    name="Collage / Grid",
    settings=Settings,
    inputs=InputSpec(min_files=2, max_files=64),
    pipeline=False,
)
def collage(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Arrange 2–64 images on one canvas in one of 32 layouts (grids, one-plus-many,
    mosaics), each cover-cropped into its cell, with gaps, background and round corners."""
    s = settings
    name, layout, aspect = pick_layout(s.template, len(inputs.files))
    width, height = canvas_size(aspect, s.width, s.height)
    imaging.check_dimensions(width, height, ctx.limits)
    rects = cell_rects(layout, width, height, s.gap)
    background = imaging.parse_color(s.background_color)
    layers = []
    for i, (x, y, w, h) in enumerate(rects):
        ctx.progress(i * 90 // len(rects), "placing images")
        cell = drawing.cover(inputs.files[i % len(inputs.files)], w, h)
        if s.border_radius:
            cell = drawing.mask_alpha(cell, drawing.rounded_mask(w, h, s.border_radius))
        layers.append((cell, x, y))
    image = drawing.over(imaging.canvas(width, height, background), layers)
    fmt = auto_format(s.format, background[3] < 255)
    out = imaging.save_output(image, ctx, "collage", fmt, quality=s.quality)
    return ToolResult(
        [out],
        data={
            "template": name,
            "width": width,
            "height": height,
            "cells": [
                {
                    "x": x,
                    "y": y,
                    "width": w,
                    "height": h,
                    "file": inputs.files[i % len(inputs.files)].name,
                }
                for i, (x, y, w, h) in enumerate(rects)
            ],
        },
    )
