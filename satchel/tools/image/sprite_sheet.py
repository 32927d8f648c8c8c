"""Sprite sheet: many images on one grid, with each sprite's rectangle and CSS."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import Field

from satchel.media import drawing, imaging
from satchel.media.imaging import Color
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    columns: int | None = Field(
        None, ge=1, le=16, description="Sprites per row (default: about the square root)."
    )
    padding: int = Field(0, ge=0, le=512, description="Pixels between and around sprites.")
    background: Color = Field("#00000000", description="Sheet colour (default transparent).")
    format: Literal["png", "webp", "jpeg", "jpg"] = Field("png", description="Sheet format.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


def css_names(stems: list[str]) -> list[str]:
    """Distinct CSS class names from file names."""
    seen: dict[str, int] = {}
    names = []
    for stem in stems:
        base = re.sub(r"[^a-zA-Z0-9_-]+", "-", stem).strip("-").lower() or "sprite"
        if base[0].isdigit():
            base = f"s-{base}"
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return names


def stylesheet(sheet_name: str, sprites: list[dict[str, Any]]) -> str:
    lines = [f".sprite {{ background-image: url('{sheet_name}'); background-repeat: no-repeat; "
             "display: inline-block; }"]  # fmt: skip
    for sp in sprites:
        lines.append(
            f".sprite-{sp['class']} {{ width: {sp['width']}px; height: {sp['height']}px; "
            f"background-position: -{sp['x']}px -{sp['y']}px; }}"
        )
    return "\n".join(lines) + "\n"


@tool(
    "image",
    "sprite-sheet",
    name="Sprite Sheet",
    settings=Settings,
    inputs=InputSpec(min_files=2, max_files=64),
    pipeline=False,
)
def sprite_sheet(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Pack 2–64 images into one sprite sheet on a grid of equal cells (the largest
    sprite's size); answers each sprite's rectangle and a ready CSS stylesheet."""
    s = settings
    images = [imaging.load_input(f) for f in inputs.files]
    n = len(images)
    cols = min(n, s.columns or math.ceil(math.sqrt(n)))
    rows = math.ceil(n / cols)
    cw, ch = max(i.width for i in images), max(i.height for i in images)
    width = cols * cw + (cols + 1) * s.padding
    height = rows * ch + (rows + 1) * s.padding
    imaging.check_dimensions(width, height, ctx.limits)
    classes = css_names([f.stem for f in inputs.files])
    sprites, layers = [], []
    for k, (f, img) in enumerate(zip(inputs.files, images, strict=True)):
        x = s.padding + (k % cols) * (cw + s.padding)
        y = s.padding + (k // cols) * (ch + s.padding)
        layers.append((img, x, y))
        sprites.append(
            {"name": f.name, "class": classes[k], "x": x, "y": y,
             "width": img.width, "height": img.height}
        )  # fmt: skip
    sheet = drawing.over(imaging.canvas(width, height, imaging.parse_color(s.background)), layers)
    out = imaging.save_output(sheet, ctx, "sprite-sheet", s.format, quality=s.quality)
    return ToolResult(
        [out],
        data={
            "width": width,
            "height": height,
            "columns": cols,
            "rows": rows,
            "sprites": sprites,
            "css": stylesheet(out.name, sprites),
        },
    )
