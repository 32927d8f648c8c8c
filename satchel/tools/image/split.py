"""Split: cut an image into a grid of tiles, rows, columns or fixed-size tiles."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.codes import Code
from satchel.media import imaging
from satchel.media.formats import Format, share_format
from satchel.tools.base import Inputs, ToolContext, ToolError, ToolResult, ToolSettings, tool

MAX_TILES = 1024


class Settings(ToolSettings):
    mode: Literal["grid", "rows", "cols"] = Field(
        "grid", description="rows × cols tiles, `rows` horizontal strips, or `cols` columns."
    )
    rows: int = Field(2, ge=1, le=256, description="Number of rows (grid and rows modes).")
    cols: int = Field(2, ge=1, le=256, description="Number of columns (grid and cols modes).")
    tile_width: int | None = Field(
        None, ge=1, le=16384, description="Fixed tile width in pixels (overrides cols)."
    )
    tile_height: int | None = Field(
        None, ge=1, le=16384, description="Fixed tile height in pixels (overrides rows)."
    )
    format: Format | None = Field(
        None, description="Output format; default: the input's (HEIC becomes JPEG)."
    )
    quality: int | None = Field(None, ge=1, le=100)


def edges(total: int, count: int | None, size: int | None) -> list[tuple[int, int]]:
    """(start, length) of each piece along one side: `count` even pieces, or pieces of
    `size` (the last one shorter)."""
    if size is not None:
        return [(a, min(size, total - a)) for a in range(0, total, size)]
    n = count or 1
    cuts = [round(i * total / n) for i in range(n + 1)]
    return [(cuts[i], cuts[i + 1] - cuts[i]) for i in range(n)]


@tool("image", "split", name="Image Splitting", settings=Settings, pipeline=False)
def split(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Cut an image into tiles: a rows × cols grid, horizontal strips, vertical columns, or
    tiles of a fixed size. Several tiles come back as a ZIP, in reading order."""
    s = settings
    inp = inputs.first
    image = imaging.load_input(inp)
    rows = s.rows if s.mode in ("grid", "rows") else 1
    cols = s.cols if s.mode in ("grid", "cols") else 1
    too_many_rows = s.tile_height is None and rows > image.height
    if too_many_rows or (s.tile_width is None and cols > image.width):
        raise ToolError(
            f"{image.width}×{image.height} cannot be cut into {rows} rows × {cols} columns.",
            code=Code.TOOL_SPLIT_TOO_MANY_TILES,
        )
    ys = edges(image.height, rows, s.tile_height)
    xs = edges(image.width, cols, s.tile_width)
    if len(ys) * len(xs) > MAX_TILES:
        raise ToolError(
            f"That would make {len(ys) * len(xs)} tiles; at most {MAX_TILES} are allowed.",
            code=Code.TOOL_SPLIT_TOO_MANY_TILES,
        )
    image = image.copy_memory() if len(ys) * len(xs) > 1 else image
    fmt = share_format(s.format, inp.media_type, transparent=False)
    files, tiles = [], []
    digits = len(str(max(len(ys), len(xs))))
    for r, (top, h) in enumerate(ys):
        ctx.progress(r * 100 // len(ys), "cutting tiles")
        for c, (left, w) in enumerate(xs):
            name = f"{inp.stem}_r{r + 1:0{digits}d}_c{c + 1:0{digits}d}"
            out = imaging.save_output(
                image.crop(left, top, w, h), ctx, name, fmt, quality=s.quality
            )
            files.append(out)
            tiles.append(
                {"name": out.name, "row": r + 1, "col": c + 1, "x": left, "y": top,
                 "width": w, "height": h}
            )  # fmt: skip
    return ToolResult(files, data={"rows": len(ys), "cols": len(xs), "tiles": tiles})
