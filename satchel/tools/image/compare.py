"""Image compare: side by side, overlaid or as a difference map, with SSIM/PSNR figures."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pyvips
from pydantic import Field

from satchel.media import imaging
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

METRIC_EDGE = 2048  # SSIM is computed on images at most this big (a downscale of both)
GAP = 8


class Settings(ToolSettings):
    mode: Literal["side-by-side", "overlay", "diff"] = Field(
        "diff",
        description="`side-by-side`: both images next to each other; `overlay`: the second "
        "blended 50 % over the first; `diff`: the first dimmed to grey with differing "
        "pixels in red.",
    )
    diff_threshold: int = Field(
        10,
        ge=0,
        le=255,
        description="A pixel differs when any channel differs by more than this (0–255).",
    )


def _rgb(image: pyvips.Image) -> pyvips.Image:
    image = imaging.to_srgb8(imaging.flatten(image))
    if image.bands == 1:
        image = image.colourspace("srgb")
    return image[:3].copy_memory()


def _array(image: pyvips.Image) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.ndarray(
        buffer=image.write_to_memory(), dtype=np.uint8, shape=(image.height, image.width, 3)
    ).astype(np.float64)


def ssim(a: pyvips.Image, b: pyvips.Image) -> float:
    """Mean SSIM of the luminance over 8×8 blocks, on copies at most METRIC_EDGE a side."""
    scale = min(1.0, METRIC_EDGE / max(a.width, a.height))
    if scale < 1.0:
        a, b = a.resize(scale), b.resize(scale)
    weights = np.array([0.299, 0.587, 0.114])
    x, y = _array(a) @ weights, _array(b) @ weights
    h, w = (x.shape[0] // 8) * 8, (x.shape[1] // 8) * 8
    if h == 0 or w == 0:  # tiny images: one window over everything
        xs, ys = x.reshape(1, 1, -1), y.reshape(1, 1, -1)
    else:
        xs = x[:h, :w].reshape(h // 8, 8, w // 8, 8).swapaxes(1, 2).reshape(h // 8, w // 8, 64)
        ys = y[:h, :w].reshape(h // 8, 8, w // 8, 8).swapaxes(1, 2).reshape(h // 8, w // 8, 64)
    mx, my = xs.mean(axis=2), ys.mean(axis=2)
    vx, vy = xs.var(axis=2), ys.var(axis=2)
    cov = ((xs - mx[..., None]) * (ys - my[..., None])).mean(axis=2)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return float(s.mean())


@tool(
    "image",
    "compare",
    name="Image Compare",
    settings=Settings,
    inputs=InputSpec(min_files=2, max_files=2),
    produces=("image/png",),
    pipeline=False,
)
def compare(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Compare two images, sent as two `file` parts: the first is the reference, the
    second the comparison target. Returns a PNG (side by side, 50 % overlay, or a
    difference map with the differing pixels in red) and the figures: SSIM, PSNR (dB;
    null when identical), the share and count of differing pixels (diffThreshold per
    channel). A target of another size is resized to the reference's size first (said in
    the data)."""
    first, second = inputs.files
    a, b = _rgb(imaging.load_input(first)), _rgb(imaging.load_input(second))
    resized = (a.width, a.height) != (b.width, b.height)
    original_b = b
    if resized:
        b = b.thumbnail_image(a.width, height=a.height, size="force").copy_memory()
    ctx.progress(30)
    delta = (a.cast("short") - b.cast("short")).abs()
    differs = (delta > settings.diff_threshold).bandor()  # 255 where a pixel differs
    total = a.width * a.height
    differing = round(differs.avg() / 255 * total)
    mse = float((delta.cast("float") ** 2).avg())
    psnr = None if mse == 0 else round(10 * math.log10(255**2 / mse), 3)
    score = ssim(a, b)
    ctx.progress(70)
    if settings.mode == "side-by-side":
        right = original_b
        if right.height != a.height:  # same height as the reference, aspect kept
            right = right.resize(a.height / right.height, vscale=a.height / right.height)
        width = a.width + GAP + right.width
        imaging.check_dimensions(width, a.height, ctx.limits)
        out_image = a.embed(0, 0, width, a.height, background=[255, 255, 255]).insert(
            right, a.width + GAP, 0
        )
    elif settings.mode == "overlay":
        out_image = ((a.cast("float") + b.cast("float")) / 2).cast("uchar")
    else:
        grey = a.colourspace("b-w").colourspace("srgb")
        dimmed = (grey.cast("float") * 0.35 + 255 * 0.65).cast("uchar")
        out_image = differs.ifthenelse([230, 0, 0], dimmed)
    out_image = out_image.copy(interpretation="srgb")
    out = imaging.save_output(out_image, ctx, f"{first.stem}-compare-{settings.mode}.png", "png")
    data = {
        "mode": settings.mode,
        "ssim": round(score, 5),
        "psnr": psnr,
        "mse": round(mse, 4),
        "diffPercent": round(differing / total * 100, 4),
        "differingPixels": differing,
        "totalPixels": total,
        "identical": differing == 0 and mse == 0,
        "diffThreshold": settings.diff_threshold,
        "reference": {"name": first.name, "width": a.width, "height": a.height},
        "target": {"name": second.name, "width": original_b.width, "height": original_b.height},
        "resized": resized,
    }
    return ToolResult([out], data)
