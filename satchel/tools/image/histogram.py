"""Histogram: an RGB histogram chart, and each channel's statistics."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pyvips
from pydantic import Field

from satchel.media import imaging
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool

CHANNELS = ("red", "green", "blue")
_COLOURS = np.array([[230, 40, 40], [40, 180, 40], [40, 90, 230]], dtype=np.float64)


class Settings(ToolSettings):
    scale: Literal["linear", "log"] = Field(
        "linear", description="Bar heights: counts (`linear`) or log(1 + count) (`log`)."
    )
    width: int = Field(512, ge=256, le=2048, description="Chart width in pixels.")
    height: int = Field(256, ge=64, le=1024, description="Chart height in pixels.")


def _counts(image: pyvips.Image, lo: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Per-band counts of values lo … lo + 255, in one pass (inputs are read sequentially)."""
    found = image.hist_find()  # width = bins, one band per image band
    table = np.ndarray(
        buffer=found.write_to_memory(), dtype=np.uint32, shape=(found.width, found.bands)
    ).T
    counts = np.zeros((image.bands, 256), dtype=np.float64)
    part = table[:, lo : lo + 256]
    counts[:, : part.shape[1]] = part
    return counts


def histograms(image: pyvips.Image) -> np.ndarray[Any, np.dtype[np.float64]]:
    """256 bins per RGB channel (3 × 256), over the pixels that are not fully transparent."""
    image = imaging.to_srgb8(image)
    if image.bands < 3:
        grey = image[0]
        image = grey.bandjoin([grey, grey, *([image[1]] if image.bands == 2 else [])])
    rgb = image[:3]
    if image.bands >= 4:
        # transparent pixels say nothing about the colours: 0 = transparent, 1–256 = value + 1
        rgb = (image[3] > 0).ifthenelse(rgb.cast("ushort") + 1, 0).cast("ushort")
        return _counts(rgb, 1)
    return _counts(rgb, 0)


def stats(hist: np.ndarray[Any, np.dtype[np.float64]]) -> dict[str, float | int | None]:
    total = hist.sum()
    if total == 0:
        return {"mean": None, "median": None, "std": None, "min": None, "max": None}
    values = np.arange(256, dtype=np.float64)
    mean = float((hist * values).sum() / total)
    std = float(np.sqrt((hist * (values - mean) ** 2).sum() / total))
    nonzero = np.nonzero(hist)[0]
    median = int(np.searchsorted(np.cumsum(hist), total / 2))
    return {
        "mean": round(mean, 3),
        "median": median,
        "std": round(std, 3),
        "min": int(nonzero[0]),
        "max": int(nonzero[-1]),
    }


def chart(
    hist: np.ndarray[Any, np.dtype[np.float64]], *, width: int, height: int, log: bool
) -> pyvips.Image:
    """The three histograms as translucent areas over a white chart, multiplied where they
    overlap."""
    values = np.log1p(hist) if log else hist
    peak = values.max() or 1.0
    bars = np.round(values / peak * (height - 1)).astype(np.int64)  # 3 × 256 heights
    column = np.minimum((np.arange(width) * 256) // width, 255)
    rows = np.arange(height)[:, None]
    canvas = np.full((height, width, 3), 255.0)
    for ch in range(3):
        filled = rows >= (height - bars[ch][column])[None, :]
        canvas[filled] *= 1.0 - 0.6 * (1.0 - _COLOURS[ch] / 255.0)  # multiply, 60 % opaque
    return imaging.from_array(np.clip(canvas, 0, 255).astype(np.uint8))


@tool("image", "histogram", name="Histogram", settings=Settings, pipeline=False)
def histogram(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """An RGB histogram chart (PNG: red, green and blue as translucent areas, linear or log
    scale) and per-channel statistics: mean, median, standard deviation, min and max, plus
    the 256 counts per channel. Fully transparent pixels are not counted; grey images count
    the same value in each channel."""
    inp = inputs.first
    hist = histograms(imaging.load_input(inp))
    ctx.progress(60)
    image = chart(hist, width=settings.width, height=settings.height, log=settings.scale == "log")
    out = imaging.save_output(image, ctx, f"{inp.stem}-histogram.png", "png")
    data = {
        "scale": settings.scale,
        "pixels": int(hist[0].sum()),
        "channels": {name: stats(hist[i]) for i, name in enumerate(CHANNELS)},
        "bins": {name: [int(v) for v in hist[i]] for i, name in enumerate(CHANNELS)},
    }
    return ToolResult([out], data)
