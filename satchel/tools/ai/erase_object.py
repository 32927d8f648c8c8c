"""Erase object: paint over what a mask marks with its surroundings (OpenCV inpainting)."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from satchel.codes import Code
from satchel.media import imaging, ml
from satchel.media.formats import Format, out_format
from satchel.media.ml import classical
from satchel.tools.base import (
    Extra,
    Inputs,
    InputSpec,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)


class Settings(ToolSettings):
    radius: int = Field(6, ge=1, le=50, description="How far around each pixel to look (px).")
    grow: int = Field(3, ge=0, le=50, description="Grow the mask by this many pixels first.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


@tool(
    "image",
    "erase-object",
    name="Erase Object",
    settings=Settings,
    inputs=InputSpec(extras=(Extra("mask", description="White where to erase, black elsewhere."),)),
    pipeline=False,
)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Remove what the `mask` image marks in white, filled in from the pixels around it by
    OpenCV's inpainting (Telea's fast marching method; a classical method, not the LaMa
    model: best for small objects, blemishes, text and wires)."""
    import cv2

    inp = inputs.first
    image = imaging.load_input(inp)
    rgb = ml.rgb_array(image)
    mask_image = imaging.load_input(inputs.extras["mask"])
    if (mask_image.width, mask_image.height) != (image.width, image.height):
        mask_image = mask_image.resize(
            image.width / mask_image.width, vscale=image.height / mask_image.height
        )
    mask = ml.rgb_array(mask_image).max(axis=2) > 127
    if not mask.any():
        raise ToolError(
            "The mask marks nothing to erase (white = erase).", code=Code.TOOL_INPUT_INVALID
        )
    marked = mask.astype(np.uint8) * 255
    if settings.grow:
        marked = cv2.dilate(marked, np.ones((settings.grow * 2 + 1,) * 2, np.uint8))
    out = imaging.from_array(classical.inpaint(rgb, marked, settings.radius))
    fmt = out_format(settings.format, inp.media_type)
    saved = imaging.save_output(out, ctx, inp.name, fmt, quality=settings.quality)
    return ToolResult([saved], data={"erasedPixels": int((marked > 0).sum())})
