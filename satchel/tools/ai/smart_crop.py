"""Smart crop: to the faces (BlazeFace), to the most interesting part (libvips attention or
entropy), or trimmed of a plain border."""

from __future__ import annotations

from typing import Literal

import pyvips
from pydantic import Field

from satchel.codes import Code
from satchel.media import imaging
from satchel.media.formats import Format, out_format
from satchel.media.ml import faces
from satchel.tools.base import Inputs, ToolContext, ToolError, ToolResult, ToolSettings, tool

# How much room around the faces each preset keeps, in face heights (above, below, sides).
PRESETS = {
    "closeup": (0.35, 0.25, 0.3),
    "head-shoulders": (0.6, 1.2, 0.8),
    "upper-body": (0.8, 2.5, 1.3),
    "half-body": (1.0, 4.0, 1.8),
}


class Settings(ToolSettings):
    mode: Literal["subject", "face", "trim"] = Field("subject", description="What to keep.")
    strategy: Literal["attention", "entropy"] = Field(
        "attention", description="`subject`: libvips' saliency (attention) or busiest part."
    )
    width: int | None = Field(None, ge=1, le=16384, description="Output width (px).")
    height: int | None = Field(None, ge=1, le=16384, description="Output height (px).")
    face_preset: Literal["closeup", "head-shoulders", "upper-body", "half-body"] = Field(
        "head-shoulders", description="`face`: how much around the faces."
    )
    sensitivity: float = Field(0.5, ge=0, le=1, description="`face`: detector sensitivity.")
    threshold: int = Field(10, ge=0, le=255, description="`trim`: background tolerance.")
    format: Format | None = Field(None, description="Output format; default: the input's.")
    quality: int | None = Field(None, ge=1, le=100, description="Encoder quality.")


def face_box(image: pyvips.Image, s: Settings) -> tuple[int, int, int, int] | None:
    found = faces.find(image, threshold=faces.threshold_for(s.sensitivity))
    if not found:
        return None
    left = min(f.box[0] for f in found)
    top = min(f.box[1] for f in found)
    right = max(f.box[0] + f.box[2] for f in found)
    bottom = max(f.box[1] + f.box[3] for f in found)
    h = max(f.box[3] for f in found)
    above, below, side = PRESETS[s.face_preset]
    x0, y0 = max(0, int(left - side * h)), max(0, int(top - above * h))
    x1, y1 = min(image.width, int(right + side * h)), min(image.height, int(bottom + below * h))
    return x0, y0, x1 - x0, y1 - y0


def fit_aspect(box: tuple[int, int, int, int], s: Settings, image: pyvips.Image) -> pyvips.Image:
    x, y, w, h = box
    if s.width and s.height:  # grow the box to the asked aspect ratio, centred, inside
        want = s.width / s.height
        if w / h < want:
            nw = min(image.width, round(h * want))
            x, w = max(0, min(image.width - nw, x - (nw - w) // 2)), nw
        else:
            nh = min(image.height, round(w / want))
            y, h = max(0, min(image.height - nh, y - (nh - h) // 2)), nh
    crop = image.crop(x, y, w, h)
    if s.width or s.height:
        scale = min((s.width or 10**9) / w, (s.height or 10**9) / h)
        crop = crop.resize(scale)
    return crop


@tool("image", "smart-crop", name="Smart Crop", settings=Settings)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Crop to what matters. `face`: around every face MediaPipe BlazeFace finds, with the
    preset's room (close-up to half-body), then to width×height. `subject`: libvips
    smartcrop by `attention` (saliency: skin tones, saturation, edges) or `entropy`.
    `trim`: cut a plain border (libvips find_trim, within `threshold`)."""
    inp = inputs.first
    s = settings
    image = imaging.load_input(inp)
    data: dict[str, object] = {"mode": s.mode}
    if s.mode == "face":
        box = face_box(image, s)
        if box is None:
            raise ToolError("No face was found to crop to.", code=Code.TOOL_INPUT_INVALID)
        out, data["box"] = (
            fit_aspect(box, s, image),
            dict(zip(("left", "top", "width", "height"), box, strict=True)),
        )
    elif s.mode == "trim":
        left, top, width, height = image.find_trim(threshold=s.threshold)
        if width == 0 or height == 0:
            left, top, width, height = 0, 0, image.width, image.height
        out = fit_aspect((left, top, width, height), s, image)
        data["box"] = {"left": left, "top": top, "width": width, "height": height}
    else:
        if not (s.width and s.height):
            raise ToolError("`subject` needs width and height.", code=Code.TOOL_INVALID_DIMENSIONS)
        w, h = min(s.width, image.width), min(s.height, image.height)
        scale = max(s.width / image.width, s.height / image.height)
        base = image.resize(scale) if scale > 1 else image
        out = base.smartcrop(
            s.width if scale > 1 else w, s.height if scale > 1 else h, interesting=s.strategy
        )
    fmt = out_format(s.format, inp.media_type)
    saved = imaging.save_output(out, ctx, inp.name, fmt, quality=s.quality)
    data.update(width=out.width, height=out.height)
    return ToolResult([saved], data=data)
