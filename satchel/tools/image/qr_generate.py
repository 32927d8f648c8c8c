"""QR code generator: styled modules and corners, colours, an optional centre logo."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from satchel.codes import Code
from satchel.media import imaging
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

DotStyle = Literal[
    "square", "rounded", "extra-rounded", "dots", "gapped", "vertical-bars", "horizontal-bars"
]
CornerStyle = Literal["square", "rounded", "extra-rounded", "dots"]
MIN_CONTRAST = 2.0  # WCAG contrast ratio below which scanners struggle
LOGO_RATIO = 0.22  # share of the code's width the logo covers (H recovers ~30 %)


def _luminance(rgba: list[float]) -> float:
    def channel(v: float) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


class Settings(ToolSettings):
    data: str = Field(
        ..., min_length=1, max_length=4296, description="Text or URL to encode (UTF-8)."
    )
    size: int = Field(512, ge=64, le=4096, description="Width and height of the PNG in pixels.")
    margin: int = Field(4, ge=0, le=16, description="Quiet zone around the code, in modules.")
    color_dark: str = Field("#000000", description="Module colour (#rrggbb).")
    color_light: str = Field(
        "#ffffff", description="Background colour (#rrggbb, or #rrggbb00 for transparent)."
    )
    error_correction_level: Literal["L", "M", "Q", "H"] = Field(
        "M",
        description="Error correction: L 7 %, M 15 %, Q 25 %, H 30 %. With a logo the "
        "level is raised to H.",
    )
    dot_style: DotStyle = Field("square", description="Shape of the data modules.")
    corner_style: CornerStyle = Field(
        "square", description="Shape of the modules of the three corner finder patterns."
    )

    @field_validator("color_dark", "color_light")
    @classmethod
    def _colour(cls, value: str) -> str:
        imaging.parse_color(value)
        return value

    @field_validator("color_light")
    @classmethod
    def _contrast(cls, value: str, info: ValidationInfo) -> str:
        dark = info.data.get("color_dark")
        if not isinstance(dark, str):
            return value
        light_rgba, dark_rgba = imaging.parse_color(value), imaging.parse_color(dark)
        if light_rgba[3] < 255:  # transparent background: judged against white
            light_rgba = [255.0, 255.0, 255.0, 255.0]
        a, b = _luminance(dark_rgba), _luminance(light_rgba)
        ratio = (max(a, b) + 0.05) / (min(a, b) + 0.05)
        if ratio < MIN_CONTRAST:
            raise ValueError(
                f"colorDark and colorLight are too alike (contrast {ratio:.2f}:1, need "
                f"{MIN_CONTRAST}:1) for the code to scan"
            )
        return value


def _drawer(style: str) -> Any:
    from qrcode.image.styles.moduledrawers import pil as drawers

    return {
        "square": lambda: drawers.SquareModuleDrawer(),
        "rounded": lambda: drawers.RoundedModuleDrawer(radius_ratio=0.5),
        "extra-rounded": lambda: drawers.RoundedModuleDrawer(radius_ratio=1),
        "dots": lambda: drawers.CircleModuleDrawer(),
        "gapped": lambda: drawers.GappedSquareModuleDrawer(size_ratio=0.8),
        "vertical-bars": lambda: drawers.VerticalBarsDrawer(),
        "horizontal-bars": lambda: drawers.HorizontalBarsDrawer(),
    }[style]()


def _logo(inputs: Inputs) -> Any:
    """The logo part as an RGBA Pillow image, or None."""
    from PIL import Image

    part = inputs.extras.get("logo")
    if part is None:
        return None
    image = imaging.with_alpha(imaging.to_srgb8(imaging.load_input(part)))
    if max(image.width, image.height) > 1024:
        image = image.resize(1024 / max(image.width, image.height))
    return Image.frombytes("RGBA", (image.width, image.height), image.write_to_memory())


# (outer 7×7, light 5×5, inner 3×3) corner radii in modules, per corner style
_RADII = {"rounded": (1.6, 1.0, 0.6), "extra-rounded": (2.6, 1.8, 1.1)}


def _draw_finders(
    image: Any, count: int, margin: int, box: int, style: str, fill: tuple[Any, Any]
) -> None:
    """Redraw the three 7×7 finder patterns as rounded squares or concentric circles."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    dark, light = fill
    for mx, my in ((0, 0), (count - 7, 0), (0, count - 7)):
        x0, y0 = (margin + mx) * box, (margin + my) * box
        draw.rectangle((x0, y0, x0 + 7 * box - 1, y0 + 7 * box - 1), fill=light)
        for inset, colour, level in ((0, dark, 0), (1, light, 1), (2, dark, 2)):
            rect = (
                x0 + inset * box,
                y0 + inset * box,
                x0 + (7 - inset) * box - 1,
                y0 + (7 - inset) * box - 1,
            )
            if style == "dots":
                draw.ellipse(rect, fill=colour)
            else:
                radius = round(_RADII[style][level] * box)
                draw.rounded_rectangle(rect, radius=radius, fill=colour)


def _paste_logo(image: Any, logo: Any, inner: int, box: int, back: tuple[int, ...]) -> None:
    """The logo centred on a cleared, rounded patch of the background colour."""
    from PIL import Image, ImageDraw

    side = max(1, round(inner * LOGO_RATIO))
    scale = side / max(logo.width, logo.height)
    logo = logo.resize(
        (max(1, round(logo.width * scale)), max(1, round(logo.height * scale))),
        Image.Resampling.LANCZOS,
    )
    cx, cy = image.width // 2, image.height // 2
    pad = box // 2
    patch = (cx - side // 2 - pad, cy - side // 2 - pad, cx + side // 2 + pad, cy + side // 2 + pad)
    fill = back if image.mode == "RGBA" else back[:3]
    ImageDraw.Draw(image).rounded_rectangle(patch, radius=box, fill=fill)
    image.paste(logo, (cx - logo.width // 2, cy - logo.height // 2), logo)


@tool(
    "image",
    "qr-generate",
    name="QR Code Generator",
    settings=Settings,
    inputs=InputSpec(
        min_files=0,
        max_files=0,
        extras=(
            Extra(
                "logo",
                required=False,
                description="An image placed in the centre of the code (multipart request).",
            ),
        ),
    ),
    pipeline=False,
)
def qr_generate(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make a QR code PNG: size in pixels, quiet zone (margin, in modules), dark and light
    colours (a transparent background is allowed), error correction L/M/Q/H, module shape
    (square, rounded, extra-rounded, dots, gapped, vertical-bars, horizontal-bars) and
    finder-corner shape. Send a JSON body, or multipart with `settings` and an optional
    `logo` file part, which is centred on the code (error correction then becomes H)."""
    import qrcode
    from PIL import Image
    from qrcode.exceptions import DataOverflowError
    from qrcode.image.styledpil import StyledPilImage
    from qrcode.image.styles.colormasks import SolidFillColorMask

    logo = _logo(inputs)
    level = "H" if logo is not None else settings.error_correction_level
    qr = qrcode.QRCode(
        error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{level}"),
        border=settings.margin,
    )
    qr.add_data(settings.data.encode("utf-8"))
    try:
        qr.make(fit=True)
    except (DataOverflowError, ValueError) as exc:
        raise ToolError(
            f"The data is too long for a QR code at error correction {level} "
            f"({len(settings.data.encode('utf-8'))} bytes).",
            code=Code.QR_DATA_TOO_LONG,
        ) from exc
    modules = qr.modules_count + 2 * settings.margin
    if settings.size < modules:
        raise ToolError(
            f"This code has {modules} modules a side (margin included); it needs a size of "
            f"at least {modules} pixels (better {modules * 3}).",
            code=Code.QR_TOO_SMALL,
        )
    imaging.check_dimensions(settings.size, settings.size, ctx.limits)
    qr.box_size = max(8, math.ceil(settings.size / modules))  # drawn big, then scaled down
    dark, light = (
        imaging.parse_color(settings.color_dark),
        imaging.parse_color(settings.color_light),
    )
    transparent = light[3] < 255
    back = tuple(int(v) for v in (light if transparent else light[:3]))
    front = tuple(int(v) for v in ([*dark[:3], 255.0] if transparent else dark[:3]))
    options: dict[str, Any] = {
        "image_factory": StyledPilImage,
        "module_drawer": _drawer(settings.dot_style),
        "eye_drawer": _drawer("square"),
        "color_mask": SolidFillColorMask(back_color=back, front_color=front),
    }
    ctx.progress(30)
    made = qr.make_image(**options).get_image()
    made = made.convert("RGBA" if transparent else "RGB")
    if settings.corner_style != "square":
        fill = (front, back) if transparent else (front[:3], back[:3])
        _draw_finders(
            made, qr.modules_count, settings.margin, qr.box_size, settings.corner_style, fill
        )
    if logo is not None:
        _paste_logo(made, logo, qr.modules_count * qr.box_size, qr.box_size, back)
    if made.width != settings.size:
        # a box filter: no ringing, so the light areas stay exactly the light colour
        made = made.resize((settings.size, settings.size), Image.Resampling.BOX)
    if transparent:  # transparent pixels keep the light colour, for readers that drop alpha
        pixels = np.array(made)
        pixels[pixels[:, :, 3] == 0, :3] = back[:3]
        made = Image.fromarray(pixels, "RGBA")
    out = ctx.output("qr-code.png", "image/png")
    made.save(out.path, format="PNG", optimize=True)
    data = {
        "size": settings.size,
        "version": qr.version,
        "modules": qr.modules_count,
        "errorCorrectionLevel": level,
        "dataLength": len(settings.data.encode("utf-8")),
        "hasLogo": logo is not None,
    }
    return ToolResult([out], data)
