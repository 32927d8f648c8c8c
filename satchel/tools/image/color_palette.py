"""Colour palette: the image's dominant colours and their shares (k-means, deterministic)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from satchel.media import imaging
from satchel.tools.base import InputFile, Inputs, ToolContext, ToolResult, ToolSettings, tool

SAMPLE_EDGE = 128  # colours are counted on a thumbnail this big: plenty for a palette
_ITERATIONS = 30


class Settings(ToolSettings):
    count: int = Field(6, ge=1, le=32, description="How many dominant colours (1–32).")
    format: Literal["hex", "rgb"] = Field(
        "hex", description="How colours are written: `#rrggbb` or `rgb(r, g, b)`."
    )


def sample(inp: InputFile) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The opaque pixels of a small thumbnail, as an N × 3 array of RGB values."""
    small = imaging.thumbnail(inp.path, inp.media_type, SAMPLE_EDGE, name=inp.name)
    small = imaging.to_srgb8(small)
    if small.bands in (1, 2):
        small = (
            small[0].colourspace("srgb").bandjoin(small[1:])
            if small.bands == 2
            else (small.colourspace("srgb"))
        )
    arr = np.ndarray(
        buffer=small.write_to_memory(),
        dtype=np.uint8,
        shape=(small.height * small.width, small.bands),
    )
    if small.bands >= 4:
        arr = arr[arr[:, 3] >= 128]
    return arr[:, :3].astype(np.float64)


def kmeans(
    points: np.ndarray[Any, np.dtype[np.float64]], k: int
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.int64]]]:
    """Centres and their sizes. Deterministic: the distinct colours are sorted, the first
    centre is the most common colour and each next one the farthest from those chosen
    (farthest-point seeding), then Lloyd iterations."""
    colours, counts = np.unique(points.astype(np.uint8), axis=0, return_counts=True)
    colours = colours.astype(np.float64)
    weights = counts.astype(np.float64)
    k = min(k, len(colours))
    centres = [colours[int(np.argmax(counts))]]
    nearest = ((colours - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        centres.append(colours[int(np.argmax(nearest))])
        nearest = np.minimum(nearest, ((colours - centres[-1]) ** 2).sum(axis=1))
    centre = np.array(centres)
    labels = np.zeros(len(colours), dtype=np.int64)
    for _ in range(_ITERATIONS):
        dist = ((colours[:, None, :] - centre[None, :, :]) ** 2).sum(axis=2)
        new_labels = dist.argmin(axis=1)
        if _ > 0 and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for j in range(k):
            member = labels == j
            if member.any():
                centre[j] = (colours[member] * weights[member, None]).sum(axis=0) / weights[
                    member
                ].sum()
    sizes = np.bincount(labels, weights=weights, minlength=k).astype(np.int64)
    return centre, sizes


def write(rgb: tuple[int, int, int], fmt: str) -> str:
    if fmt == "rgb":
        return f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})"
    return "#" + "".join(f"{v:02x}" for v in rgb)


@tool("image", "color-palette", name="Color Palette", settings=Settings, pipeline=False)
def color_palette(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """The image's dominant colours, most common first, each with its share of the pixels
    (k-means over a 128-pixel thumbnail; the same image always gives the same palette).
    Transparent pixels are ignored; an image with fewer distinct colours than asked gives
    fewer."""
    points = sample(inputs.first)
    if len(points) == 0:
        return ToolResult(data={"colors": [], "count": 0, "format": settings.format})
    centres, sizes = kmeans(points, settings.count)
    total = float(sizes.sum())
    found: dict[tuple[int, int, int], int] = {}
    for centre, size in zip(centres, sizes, strict=True):
        if size == 0:
            continue
        r, g, b = (round(float(v)) for v in centre)
        found[(r, g, b)] = found.get((r, g, b), 0) + int(size)
    ordered = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    colors = [
        {
            "color": write(rgb, settings.format),
            "hex": write(rgb, "hex"),
            "rgb": list(rgb),
            "share": round(size / total, 4),
        }
        for rgb, size in ordered
    ]
    return ToolResult(data={"colors": colors, "count": len(colors), "format": settings.format})
