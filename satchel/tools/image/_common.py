"""What the image tools share: loading (HEIC included), saving by format, colours, limits."""

from __future__ import annotations

import re
from typing import Any

import pyvips

from satchel.tools.base import InputFile, OutputFile, ToolContext, ToolError
from satchel.tools.image._formats import FORMAT_OF, FORMATS, HEIF_TYPES, MEDIA_TYPES, Format

__all__ = ["FORMATS", "FORMAT_OF", "HEIF_TYPES", "MEDIA_TYPES", "Format"]


def load(inp: InputFile, *, autorotate: bool = True, all_frames: bool = False) -> pyvips.Image:
    """Decode an input image; EXIF orientation applied unless asked not to."""
    try:
        if inp.media_type in HEIF_TYPES:
            image = _load_heif(inp)
        else:
            options: dict[str, Any] = (
                {"n": -1} if all_frames else ({} if autorotate else {"access": "sequential"})
            )  # not sequential when rotating: rot90 of a sequential read can fail
            if inp.media_type == "image/svg+xml":  # from memory: no base, so no file refs,
                # and svgload (file/source) is blocked as untrusted in the app process
                image = pyvips.Image.new_from_buffer(inp.path.read_bytes(), "", unlimited=False)
            else:
                image = pyvips.Image.new_from_file(str(inp.path), **options)
        if autorotate and not all_frames:
            image = image.autorot()
        return image
    except pyvips.Error as exc:
        raise ToolError(f"{inp.name} could not be decoded: {_first_line(exc)}") from exc


def _load_heif(inp: InputFile) -> pyvips.Image:
    import pillow_heif

    heif = pillow_heif.open_heif(str(inp.path), convert_hdr_to_8bit=True)
    mode = "RGBA" if heif.has_alpha else "RGB"
    pil = heif.to_pillow().convert(mode)
    bands = len(mode)
    image = pyvips.Image.new_from_memory(pil.tobytes(), pil.width, pil.height, bands, "uchar")
    return image.copy(interpretation="srgb")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def check_dimensions(width: int, height: int, ctx: ToolContext) -> None:
    limit = ctx.limits
    if width < 1 or height < 1:
        raise ToolError("The result would be empty.", code="tool_invalid_dimensions")
    if max(width, height) > limit.max_image_edge or width * height > limit.max_image_pixels:
        raise ToolError(
            f"The result ({width}×{height}) is larger than the image limits "
            f"({limit.max_image_edge} px a side, {limit.max_image_pixels} pixels).",
            code="tool_result_too_large",
        )


def out_format(requested: str | None, inp: InputFile) -> str:
    """The output format: the one requested, else the input's (SVG becomes PNG)."""
    if requested:
        return "jpg" if requested == "jpeg" else requested
    return FORMAT_OF.get(inp.media_type, "png")


def save(
    image: pyvips.Image,
    ctx: ToolContext,
    name: str,
    fmt: str,
    *,
    quality: int | None = None,
    strip: bool = False,
    lossless: bool = False,
    progressive: bool = False,
    effort: int | None = None,
) -> OutputFile:
    """Encode `image` to `fmt` into the workdir as `<name stem>.<fmt>`."""
    fmt = "jpg" if fmt == "jpeg" else fmt
    stem = name.rsplit(".", 1)[0] if "." in name else name
    out = ctx.output(f"{stem}.{fmt}", MEDIA_TYPES[fmt])
    check_dimensions(image.width, image.height, ctx)
    if fmt in ("heic", "heif"):
        _save_heif(image, out, quality=quality or 80)
        return out
    options: dict[str, Any] = {"keep": "none"} if strip else {}
    if fmt == "jpg":
        image = flatten(image)
        options.update(Q=quality or 85, optimize_coding=True, interlace=progressive)
    elif fmt == "webp":
        options.update(Q=quality or 80, lossless=lossless, effort=4 if effort is None else effort)
    elif fmt == "avif":
        options.update(
            Q=quality or 50,
            lossless=lossless,
            compression="av1",
            effort=3 if effort is None else effort,
        )
    elif fmt == "png":
        options.update(compression=6 if effort is None else effort, interlace=progressive)
        if quality is not None and quality < 100:
            options.update(palette=True, Q=quality)
    elif fmt == "tiff":
        options.update(
            compression="deflate" if lossless or quality is None else "jpeg", Q=quality or 85
        )
        if options["compression"] == "jpeg":
            image = flatten(image)
    elif fmt == "gif":
        options.update(effort=7 if effort is None else effort)
    try:
        image.write_to_file(str(out.path), **options)
    except pyvips.Error as exc:
        raise ToolError(f"The image could not be encoded as {fmt}: {_first_line(exc)}") from exc
    return out


def _save_heif(image: pyvips.Image, out: OutputFile, *, quality: int) -> None:
    import pillow_heif
    from PIL import Image as PILImage

    image = to_srgb8(image)
    mode = "RGBA" if image.bands == 4 else "RGB"
    if image.bands not in (3, 4):
        image = image.colourspace("srgb") if image.bands < 3 else image[:3]
        mode = "RGB"
    pil = PILImage.frombytes(mode, (image.width, image.height), image.write_to_memory())
    heif = pillow_heif.from_pillow(pil)
    # x265's default preset takes minutes on a phone photo here; ultrafast takes seconds.
    heif.save(str(out.path), quality=quality, enc_params={"preset": "ultrafast"})


def to_srgb8(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB (with its alpha, if any), whatever came in."""
    if image.interpretation not in ("srgb", "b-w") or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    return image


def with_alpha(image: pyvips.Image) -> pyvips.Image:
    image = to_srgb8(image)
    if image.bands == 1:
        image = image.colourspace("srgb")
    if image.bands == 2:
        image = image[0].colourspace("srgb").bandjoin(image[1])
    if image.bands == 3:
        image = image.bandjoin(255)
    return image


def flatten(image: pyvips.Image, background: list[float] | None = None) -> pyvips.Image:
    """Drop the alpha channel onto a background (white by default)."""
    if image.hasalpha():
        image = image.flatten(background=background or [255, 255, 255])
    return image


_HEX = re.compile(r"^#?([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
NAMED = {
    "white": "#ffffff",
    "black": "#000000",
    "red": "#ff0000",
    "green": "#00ff00",
    "blue": "#0000ff",
    "yellow": "#ffff00",
    "gray": "#808080",
    "grey": "#808080",
    "transparent": "#00000000",
}


def parse_color(value: str) -> list[float]:
    """`#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa` or a basic name → [r, g, b, a] (0–255)."""
    text = NAMED.get(value.strip().lower(), value.strip())
    match = _HEX.match(text)
    if not match:
        raise ValueError(f"{value!r} is not a colour (use #rrggbb)")
    digits = match.group(1)
    if len(digits) in (3, 4):
        digits = "".join(c * 2 for c in digits)
    if len(digits) == 6:
        digits += "ff"
    return [float(int(digits[i : i + 2], 16)) for i in range(0, 8, 2)]


def color_field(value: str) -> str:
    """Pydantic validator body: keep the text, fail when it is not a colour."""
    parse_color(value)
    return value


def canvas(width: int, height: int, color: list[float]) -> pyvips.Image:
    """A solid RGBA image."""
    base = pyvips.Image.black(width, height, bands=4)
    return (base + color).cast("uchar").copy(interpretation="srgb")
