"""Beautify a screenshot: window or device chrome, background, padding, shadow, sizes."""

from __future__ import annotations

import html
from typing import Literal

import pyvips
from pydantic import Field

from satchel.codes import Code
from satchel.media import drawing, imaging
from satchel.media.drawing import GradientStop
from satchel.media.imaging import RGBA, Color
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

Frame = Literal[
    "none", "macos-light", "macos-dark", "windows-light", "windows-dark", "browser-light",
    "browser-dark", "iphone", "macbook", "ipad",
]  # fmt: skip
SOCIAL = {
    "twitter": (1600, 900),
    "linkedin": (1200, 627),
    "instagram-square": (1080, 1080),
    "instagram-story": (1080, 1920),
    "facebook": (1200, 630),
    "producthunt": (1270, 760),
}
SHADOWS = {  # blur sigma, y offset, opacity (sizes per 1000 px of the card)
    "none": (0.0, 0.0, 0.0),
    "small": (6.0, 3.0, 0.25),
    "medium": (16.0, 10.0, 0.35),
    "large": (32.0, 20.0, 0.45),
    "floating": (48.0, 40.0, 0.35),
}
TRAFFIC: tuple[RGBA, ...] = (
    [255.0, 95.0, 87.0, 255.0],
    [254.0, 188.0, 46.0, 255.0],
    [40.0, 200.0, 64.0, 255.0],
)


class Settings(ToolSettings):
    background_type: Literal[
        "solid", "linear-gradient", "radial-gradient", "image", "transparent"
    ] = Field("linear-gradient", description="The backdrop; image takes a `background` file part.")
    background_color: Color = Field("#6366f1", description="Colour of a solid backdrop.")
    gradient_stops: list[Color | GradientStop] = Field(
        default_factory=lambda: list[Color | GradientStop](["#667eea", "#764ba2"]),
        min_length=2,
        max_length=16,
        description="Gradient colours: '#rrggbb' or {color, position (0–100)}.",
    )
    gradient_angle: float = Field(135, ge=0, le=360, description="Linear gradient direction.")
    padding: int = Field(64, ge=0, le=2000, description="Space around the screenshot (px).")
    border_radius: int = Field(12, ge=0, le=500, description="Corner radius of the window.")
    shadow_preset: Literal["none", "small", "medium", "large", "floating"] = Field(
        "medium", description="Drop shadow under the window."
    )
    frame: Frame = Field("none", description="Window or device chrome drawn around it.")
    social_preset: Literal[
        "none",
        "twitter",
        "linkedin",
        "instagram-square",
        "instagram-story",
        "facebook",
        "producthunt",
    ] = Field(
        "none",
        description="Fixed canvas: twitter 1600×900, linkedin 1200×627, instagram-square "
        "1080×1080, instagram-story 1080×1920, facebook 1200×630, producthunt 1270×760.",
    )
    watermark_text: str | None = Field(
        None, max_length=200, description="Small text in the bottom right corner."
    )
    output_format: Literal["png", "jpeg", "jpg", "webp", "avif"] = Field("png")
    quality: int | None = Field(None, ge=1, le=100)


def scale_of(width: int) -> float:
    return min(4.0, max(0.5, width / 1000))


def titlebar(image: pyvips.Image, bar: pyvips.Image) -> pyvips.Image:
    """The screenshot under its (RGBA) bar."""
    return bar.join(imaging.with_alpha(image), "vertical")


def dots(bar: pyvips.Image, k: float) -> pyvips.Image:
    """macOS traffic lights at the left of a bar."""
    r = max(3, round(6 * k))
    disc = drawing.rounded_mask(2 * r, 2 * r, r)
    layers = [
        (
            drawing.mask_alpha(imaging.canvas(2 * r, 2 * r, color), disc),
            round((14 + i * 20) * k),
            bar.height // 2 - r,
        )
        for i, color in enumerate(TRAFFIC)
    ]
    return drawing.over(bar, layers)


def macos(image: pyvips.Image, dark: bool) -> pyvips.Image:
    k = scale_of(image.width)
    bar = imaging.canvas(
        image.width, round(32 * k), [45, 45, 48, 255] if dark else [232, 232, 232, 255]
    )
    return titlebar(image, dots(bar, k))


def windows(image: pyvips.Image, dark: bool) -> pyvips.Image:
    """Minimise, maximise and close glyphs at the right of the bar."""
    k = scale_of(image.width)
    bar = imaging.canvas(
        image.width, round(32 * k), [32, 32, 32, 255] if dark else [243, 243, 243, 255]
    )
    ink: RGBA = [230, 230, 230, 255] if dark else [40, 40, 40, 255]
    g, lw, mid = round(5 * k), max(1, round(k)), bar.height // 2
    close = image.width - round(23 * k)
    box = close - round(46 * k)
    minus = box - round(46 * k)
    for x0, y0, x1, y1 in (
        (close - g, mid - g, close + g, mid + g),
        (close - g, mid + g, close + g, mid - g),
        (box - g, mid - g, box + g, mid - g),
        (box - g, mid + g, box + g, mid + g),
        (box - g, mid - g, box - g, mid + g),
        (box + g, mid - g, box + g, mid + g),
        (minus - g, mid, minus + g, mid),
    ):
        if min(x0, x1) >= 0:
            bar = drawing.draw_line(bar, ink, x0, y0, x1, y1, lw)
    return titlebar(image, bar)


def browser(image: pyvips.Image, dark: bool) -> pyvips.Image:
    """Traffic lights and an address field."""
    k = scale_of(image.width)
    bar = imaging.canvas(
        image.width, round(44 * k), [53, 54, 58, 255] if dark else [222, 225, 230, 255]
    )
    bar = dots(bar, k)
    left = round(80 * k)
    field_w, field_h = image.width - left - round(16 * k), round(26 * k)
    if field_w >= 8:
        fill: RGBA = [32, 33, 36, 255] if dark else [255, 255, 255, 255]
        bar = drawing.over(
            bar,
            [
                (
                    drawing.shape(field_w, field_h, field_h / 2, fill),
                    left,
                    (bar.height - field_h) // 2,
                )
            ],
        )
    return titlebar(image, bar)


def device(image: pyvips.Image, kind: str) -> pyvips.Image:
    """A phone, tablet or laptop drawn around the screenshot (RGBA, shaped)."""
    w, h = image.width, image.height
    body: RGBA = [17, 17, 19, 255]
    if kind in ("iphone", "ipad"):
        t = max(6, round(w * (0.045 if kind == "iphone" else 0.035)))
        radius = w * (0.14 if kind == "iphone" else 0.05)
        out_w, out_h = w + 2 * t, h + 2 * t
        frame = drawing.shape(out_w, out_h, radius, body)
        screen = drawing.mask_alpha(image, drawing.rounded_mask(w, h, max(0.0, radius - t)))
        layers = [(screen, t, t)]
        if kind == "iphone":
            iw, ih = max(1, round(w * 0.3)), max(6, round(w * 0.085))
            layers.append(
                (
                    drawing.shape(iw, ih, ih / 2, [0, 0, 0, 255]),
                    t + (w - iw) // 2,
                    t + round(w * 0.03),
                )
            )
        return drawing.over(frame, layers)
    # macbook: a bezel round at the top, and a wider base under it
    t = max(6, round(w * 0.03))
    bezel_w, bezel_h = w + 2 * t, h + t + round(t * 1.6)
    base_w, base_h = round(bezel_w * 1.16), max(6, round(w * 0.035))
    out = imaging.canvas(base_w, bezel_h + base_h, [0, 0, 0, 0])
    top = drawing.shape(bezel_w, bezel_h, t * 1.5, body)
    top = top.insert(imaging.canvas(bezel_w, round(t * 1.5), body), 0, bezel_h - round(t * 1.5))
    base = drawing.shape(base_w, base_h, base_h / 2, [200, 201, 204, 255])
    base = base.insert(imaging.canvas(base_w, base_h // 2, [214, 215, 218, 255]), 0, 0)
    notch_w = round(base_w * 0.14)
    notch = drawing.shape(notch_w, max(2, base_h // 3), base_h / 6, [160, 161, 164, 255])
    bx = (base_w - bezel_w) // 2
    return drawing.over(
        out,
        [
            (top, bx, 0),
            (image, bx + t, t),
            (base, 0, bezel_h),
            (notch, (base_w - notch_w) // 2, bezel_h),
        ],
    )


def framed(image: pyvips.Image, frame: str, radius: int) -> pyvips.Image:
    """The screenshot in its chrome, as an RGBA card."""
    image = imaging.with_alpha(image)
    if frame in ("iphone", "ipad", "macbook"):
        return device(image, frame)
    if frame != "none":
        kind, _, tone = frame.partition("-")
        dark = tone == "dark"
        image = {"macos": macos, "windows": windows, "browser": browser}[kind](image, dark)
    return (
        drawing.mask_alpha(image, drawing.rounded_mask(image.width, image.height, radius))
        if radius
        else image
    )


def backdrop(s: Settings, inputs: Inputs, width: int, height: int) -> pyvips.Image:
    if s.background_type == "solid":
        return imaging.canvas(width, height, imaging.parse_color(s.background_color))
    if s.background_type == "transparent":
        return imaging.canvas(width, height, [0, 0, 0, 0])
    if s.background_type == "image":
        part = inputs.extras.get("background")
        if part is None:
            raise ToolError(
                "backgroundType image needs a `background` file part.",
                code=Code.TOOL_BACKGROUND_MISSING,
            )
        return drawing.cover(part, width, height)
    stops = drawing.stops_of(s.gradient_stops)
    if s.background_type == "radial-gradient":
        return drawing.radial_gradient(width, height, stops)
    return drawing.linear_gradient(width, height, stops, s.gradient_angle)


def watermark(image: pyvips.Image, text: str) -> pyvips.Image:
    size = max(10, round(min(image.width, image.height) * 0.025))
    mask = pyvips.Image.text(html.escape(text), font=f"DejaVu Sans {size}", dpi=72)
    margin = round(size * 0.8)
    if mask.width > image.width - 2 * margin:  # long text: smaller, to fit the width
        size = max(6, size * (image.width - 2 * margin) // max(1, mask.width))
        mask = pyvips.Image.text(html.escape(text), font=f"DejaVu Sans {size}", dpi=72)
    x, y = image.width - mask.width - margin, image.height - mask.height - margin
    if x < 0 or y < 0:
        return image
    corner = image.crop(x, y, mask.width, mask.height)
    ink: RGBA = [0, 0, 0, 255] if drawing.mean_luminance(corner) > 150 else [255, 255, 255, 255]
    label = drawing.mask_alpha(
        imaging.canvas(mask.width, mask.height, ink), (mask * 0.75).cast("uchar")
    )
    return drawing.over(image, [(label, x, y)])


@tool(
    "image",
    "beautify",
    name="Beautify Screenshot",
    settings=Settings,
    inputs=InputSpec(
        extras=(Extra("background", required=False, description="Backdrop for type image."),)
    ),
)
def beautify(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Present a screenshot: draw macOS, Windows or browser window chrome or an iPhone,
    iPad or MacBook around it, round its corners, add a shadow and a solid, gradient or
    image backdrop, fit it to a social media size and sign it with a small watermark."""
    s = settings
    inp = inputs.first
    image = imaging.load_input(inp)
    card = framed(image, s.frame, s.border_radius)
    imaging.check_dimensions(card.width, card.height, ctx.limits)
    if s.social_preset != "none":
        width, height = SOCIAL[s.social_preset]
        room_w, room_h = width - 2 * s.padding, height - 2 * s.padding
        if room_w < 16 or room_h < 16:
            raise ToolError(
                f"Padding {s.padding} leaves no room on a {width}×{height} canvas.",
                code=Code.TOOL_PADDING_TOO_LARGE,
            )
        factor = min(room_w / card.width, room_h / card.height)
        if factor < 0.9:  # shrink first (on load where it can), then draw the chrome
            image = drawing.shrunk(inp, image, factor)
            card = framed(image, s.frame, s.border_radius)
        card = drawing.contain(card, room_w, room_h)
    else:
        width, height = card.width + 2 * s.padding, card.height + 2 * s.padding
    imaging.check_dimensions(width, height, ctx.limits)
    card = card.copy_memory()  # read twice (shadow, composite): compute the chrome once
    x, y = (width - card.width) // 2, (height - card.height) // 2
    layers = []
    sigma, dy, opacity = SHADOWS[s.shadow_preset]
    if opacity:
        k = max(card.width, card.height) / 1000
        shade, margin = drawing.shadow(card[3], sigma=sigma * k, opacity=opacity)
        layers.append((shade, x - margin, y - margin + round(dy * k)))
    layers.append((card, x, y))
    result = drawing.over(backdrop(s, inputs, width, height), layers)
    if s.watermark_text:
        result = watermark(result, s.watermark_text)
    out = imaging.save_output(result, ctx, inp.name, s.output_format, quality=s.quality)
    return ToolResult([out], data={"width": width, "height": height})
