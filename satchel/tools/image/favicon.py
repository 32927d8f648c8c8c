"""Favicon generator: favicon.ico, PNG icons for browsers, Apple and Android, a manifest."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pyvips
from pydantic import Field, field_validator

from satchel.media import imaging
from satchel.tools.base import Inputs, OutputFile, ToolContext, ToolResult, ToolSettings, tool

MASTER = 512
PNGS = {  # name → size
    "favicon-16x16.png": 16,
    "favicon-32x32.png": 32,
    "apple-touch-icon.png": 180,
    "android-chrome-192x192.png": 192,
    "android-chrome-512x512.png": 512,
}
ICO_SIZES = (16, 32, 48)


class Settings(ToolSettings):
    padding: float = Field(
        0, ge=0, le=40, description="Space around the image, in percent of the icon's side."
    )
    background_color: str = Field(
        "transparent",
        description="Fill behind the image (#rrggbb, #rrggbbaa or a name); the Apple icon is "
        "never transparent (white when this is).",
    )
    border_radius: float = Field(
        0, ge=0, le=50, description="Corner radius in percent of the side (50: a circle)."
    )

    _colour = field_validator("background_color")(imaging.color_field)


def rounded_mask(size: int, radius: float) -> pyvips.Image:
    """An anti-aliased rounded-square coverage mask (uchar, one band)."""
    r = radius * size / 100
    centre = np.arange(size, dtype=np.float64) + 0.5
    x, y = np.meshgrid(centre, centre)
    dx = np.maximum(np.maximum(r - x, x - (size - r)), 0)
    dy = np.maximum(np.maximum(r - y, y - (size - r)), 0)
    cover = np.clip(r - np.hypot(dx, dy) + 0.5, 0, 1) if r > 0 else np.ones((size, size))
    return imaging.from_array((cover * 255).round().astype(np.uint8))


def master_icon(image: pyvips.Image, s: Settings) -> pyvips.Image:
    """The 512×512 RGBA icon: image centred with padding on the background, corners cut."""
    inner = max(1, round(MASTER * (1 - 2 * s.padding / 100)))
    image = imaging.with_alpha(image)
    if image.width > inner or image.height > inner:
        image = image.thumbnail_image(inner, height=inner)
    left, top = (MASTER - image.width) // 2, (MASTER - image.height) // 2
    base = imaging.canvas(MASTER, MASTER, imaging.parse_color(s.background_color))
    icon = base.composite2(image, "over", x=left, y=top).cast("uchar")
    if s.border_radius > 0:
        alpha = (icon[3].cast("float") * rounded_mask(MASTER, s.border_radius) / 255).cast("uchar")
        icon = icon[:3].bandjoin(alpha)
    return icon.copy(interpretation="srgb").copy_memory()


def scaled(icon: pyvips.Image, size: int) -> pyvips.Image:
    if size == icon.width:
        return icon
    shrunk = icon.premultiply().resize(size / icon.width, kernel="lanczos3")
    return shrunk.unpremultiply().cast("uchar").copy(interpretation="srgb")


def opaque(icon: pyvips.Image, s: Settings) -> pyvips.Image:
    """Apple fills transparency with black: flatten onto the background (white if none)."""
    colour = imaging.parse_color(s.background_color)
    fill = colour[:3] if colour[3] > 0 else [255.0, 255.0, 255.0]
    return icon.flatten(background=fill).cast("uchar")


def write_ico(icon: pyvips.Image, ctx: ToolContext) -> OutputFile:
    from PIL import Image

    frames = [Image.frombytes("RGBA", (n, n), scaled(icon, n).write_to_memory()) for n in ICO_SIZES]
    out = ctx.output("favicon.ico", "image/vnd.microsoft.icon")
    buffer = io.BytesIO()
    frames[-1].save(
        buffer, format="ICO", sizes=[(n, n) for n in ICO_SIZES], append_images=frames[:-1]
    )
    out.path.write_bytes(buffer.getvalue())
    return out


def manifest(s: Settings) -> dict[str, Any]:
    colour = imaging.parse_color(s.background_color)
    hex_colour = "#{:02x}{:02x}{:02x}".format(*(int(c) for c in colour[:3]))
    theme = hex_colour if colour[3] > 0 else "#ffffff"
    return {
        "name": "",
        "short_name": "",
        "icons": [
            {"src": f"/{name}", "sizes": f"{n}x{n}", "type": "image/png"}
            for name, n in PNGS.items()
            if name.startswith("android")
        ],
        "theme_color": theme,
        "background_color": theme,
        "display": "standalone",
    }


HTML = """<link rel="icon" href="/favicon.ico" sizes="48x48">
<link rel="icon" type="image/png" sizes="32x32" href="/favicon-32x32.png">
<link rel="icon" type="image/png" sizes="16x16" href="/favicon-16x16.png">
<link rel="apple-touch-icon" sizes="180x180" href="/apple-touch-icon.png">
<link rel="manifest" href="/site.webmanifest">"""


@tool(
    "image",
    "favicon",
    name="Favicon Generator",
    settings=Settings,
    produces=("application/zip",),
    pipeline=False,
)
def favicon(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make every standard favicon from one image (a square logo works best): favicon.ico
    (16, 32 and 48 px), favicon-16x16 and -32x32 PNGs, apple-touch-icon (180 px, opaque),
    Android icons (192 and 512 px) and a site.webmanifest, as a ZIP; with padding, a
    background colour and rounded corners."""
    inp = inputs.first
    source = imaging.thumbnail(inp.path, inp.media_type, MASTER, enlarge=True, name=inp.name)
    icon = master_icon(source, settings)
    outputs = [write_ico(icon, ctx)]
    for name, size in PNGS.items():
        image = scaled(icon, size)
        if name.startswith("apple"):
            image = opaque(image, settings)
        outputs.append(imaging.save_output(image, ctx, name, "png", strip=True, effort=9))
    out = ctx.output("site.webmanifest", "application/json")
    out.path.write_text(json.dumps(manifest(settings), indent=2) + "\n")
    outputs.append(out)
    return ToolResult(outputs, data={"html": HTML, "files": [o.name for o in outputs]})
