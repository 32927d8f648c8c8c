"""Image to SVG: trace a raster image into vector paths with vtracer."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Literal

import pyvips
from pydantic import Field

from satchel.codes import Code
from satchel.media import imaging
from satchel.tools.base import Inputs, ToolContext, ToolError, ToolResult, ToolSettings, tool

# Larger images are traced at this size (the SVG keeps the original size): colour tracing
# grows much faster than the pixel count.
MAX_TRACE_PIXELS = {"color": 1_000_000, "bw": 4_000_000}
TRACE_SECONDS = 120
# vtracer holds the GIL for the whole trace, which would stall every other request in this
# process: it runs in a child interpreter instead (also giving a hard time limit).
_TRACE = (
    "import json, sys, vtracer; "
    "vtracer.convert_image_to_svg_py(sys.argv[1], sys.argv[2], **json.loads(sys.argv[3]))"
)
_SVG_TAG = re.compile(r'<svg\b([^>]*?)\swidth="(\d+)"\s+height="(\d+)"')


class Settings(ToolSettings):
    color_mode: Literal["bw", "color"] = Field(
        "color", description="`color` traces coloured regions; `bw` traces black on white."
    )
    threshold: int = Field(
        128, ge=0, le=255, description="bw: pixels darker than this (0–255) become black."
    )
    color_precision: int = Field(
        6, ge=1, le=8, description="color: significant bits per channel (more: more colours)."
    )
    filter_speckle: int = Field(
        4, ge=0, le=128, description="Discard patches smaller than this many pixels a side."
    )
    path_mode: Literal["none", "polygon", "spline"] = Field(
        "spline", description="Curve fitting: none (pixel edges), polygon or spline."
    )


def trace(image: pyvips.Image, options: dict[str, object], workdir: Path) -> str:
    """vtracer's SVG for `image`, traced in a child process."""
    with tempfile.TemporaryDirectory(prefix=".trace-", dir=workdir) as tmp:
        source, target = Path(tmp) / "in.png", Path(tmp) / "out.svg"
        image.write_to_file(str(source), compression=1)
        try:
            done = subprocess.run(  # noqa: S603 - our own code; paths are ours
                [sys.executable, "-c", _TRACE, str(source), str(target), json.dumps(options)],
                capture_output=True,
                timeout=TRACE_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ToolError(
                f"Tracing took longer than {TRACE_SECONDS} s; try a smaller image, bw mode or "
                "a larger filterSpeckle.",
                code=Code.TOOL_TIMEOUT,
            ) from exc
        if done.returncode != 0 or not target.is_file():
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ToolError(f"Tracing failed: {lines[-1] if lines else done.returncode}")
        return target.read_text(encoding="utf-8")


@tool(
    "image",
    "vectorize",
    name="Image to SVG",
    settings=Settings,
    produces=("image/svg+xml",),
)
def vectorize(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Trace an image into an SVG: coloured regions, or black and white at a threshold,
    with pixel, polygon or spline paths. Larger images are traced at 1 megapixel (colour)
    or 4 megapixels (bw); the SVG keeps the original size."""
    inp = inputs.first
    image = imaging.load_input(inp)
    width, height = image.width, image.height
    cap = MAX_TRACE_PIXELS[settings.color_mode]
    if width * height > cap:
        scale = math.sqrt(cap / (width * height))
        w, h = max(1, math.floor(width * scale)), max(1, math.floor(height * scale))
        image = image.resize(w / width, vscale=h / height)
    if settings.color_mode == "bw":
        grey = imaging.flatten(imaging.with_alpha(image)).colourspace("b-w")[0]
        image = (grey >= settings.threshold).ifthenelse(255, 0).cast("uchar")
        mode = "binary"
    else:
        image = imaging.with_alpha(image)
        mode = "color"
    ctx.progress(20, "tracing")
    options = {
        "colormode": mode,
        "mode": settings.path_mode,
        "filter_speckle": settings.filter_speckle,
        "color_precision": settings.color_precision,
    }
    svg = trace(image, options, ctx.workdir)
    if (image.width, image.height) != (width, height):
        svg = _SVG_TAG.sub(
            lambda m: (
                f'<svg{m.group(1)} width="{width}" height="{height}" '
                f'viewBox="0 0 {m.group(2)} {m.group(3)}"'
            ),
            svg,
            count=1,
        )
    out = ctx.output(f"{inp.stem}.svg", "image/svg+xml")
    out.path.write_text(svg, encoding="utf-8")
    return ToolResult([out])
