"""Encoding of the imaging engine: every format's options in one place, HEIF included.

Use it through `satchel.media.imaging`, which re-exports every public name here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import pyvips

from satchel.media.errors import ImageEncodeError, first_line
from satchel.media.formats import MEDIA_TYPES, file_name, normal
from satchel.media.pixels import ICC, ImageLimits, check_dimensions, flatten, for_display, to_srgb8

Keep = Literal["all", "icc", "none"]  # which metadata an encoded image keeps
# x265's default preset takes minutes on a phone photo here; ultrafast takes seconds.
HEIF_SPEED = {"preset": "ultrafast"}


def _options(
    image: pyvips.Image,
    fmt: str,
    *,
    quality: int | None,
    keep: Keep,
    lossless: bool,
    progressive: bool,
    effort: int | None,
    bitdepth: int | None,
) -> tuple[pyvips.Image, dict[str, Any]]:
    """The image as the encoder wants it and libvips' save options for `fmt`."""
    # keep="all" passes nothing: libvips then keeps what the image carries.
    options: dict[str, Any] = {} if keep == "all" else {"keep": keep}
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
        lossy = quality is not None and not lossless
        options.update(compression="jpeg" if lossy else "deflate", Q=quality or 85)
        image = flatten(image) if lossy else image
    elif fmt == "gif":
        options.update(effort=7 if effort is None else effort)
        if bitdepth is not None:
            options.update(bitdepth=bitdepth)
    return image, options


def encode(
    image: pyvips.Image,
    fmt: str,
    *,
    quality: int | None = None,
    strip: bool = False,
    lossless: bool = False,
    progressive: bool = False,
    effort: int | None = None,
    keep: Keep | None = None,
    bitdepth: int | None = None,
) -> bytes:
    """`image` encoded as `fmt`. `strip` drops all metadata; `keep` chooses finer (`icc`
    keeps only the colour profile): libvips otherwise writes what the image carries."""
    fmt = normal(fmt)
    kept: Keep = keep or ("none" if strip else "all")
    if fmt in ("heic", "heif"):
        return _heif(image, quality=quality or 80, keep=kept)
    image, options = _options(
        image,
        fmt,
        quality=quality,
        keep=kept,
        lossless=lossless,
        progressive=progressive,
        effort=effort,
        bitdepth=bitdepth,
    )
    try:
        data: bytes = image.write_to_buffer(f".{fmt}", **options)
    except pyvips.Error as exc:
        raise ImageEncodeError(
            f"The image could not be encoded as {fmt}: {first_line(exc)}", reason=first_line(exc)
        ) from exc
    return data


def save(
    image: pyvips.Image,
    path: Path,
    fmt: str,
    *,
    quality: int | None = None,
    strip: bool = False,
    lossless: bool = False,
    progressive: bool = False,
    effort: int | None = None,
    keep: Keep | None = None,
    bitdepth: int | None = None,
    limits: ImageLimits | None = None,
) -> None:
    """Encode `image` as `fmt` into `path` (options as `encode`), checked against `limits`
    first when given."""
    fmt = normal(fmt)
    if limits is not None:
        check_dimensions(image.width, image.height, limits)
    kept: Keep = keep or ("none" if strip else "all")
    if fmt in ("heic", "heif"):
        path.write_bytes(_heif(image, quality=quality or 80, keep=kept))
        return
    image, options = _options(
        image,
        fmt,
        quality=quality,
        keep=kept,
        lossless=lossless,
        progressive=progressive,
        effort=effort,
        bitdepth=bitdepth,
    )
    try:
        image.write_to_file(str(path), **options)
    except pyvips.Error as exc:
        raise ImageEncodeError(
            f"The image could not be encoded as {fmt}: {first_line(exc)}", reason=first_line(exc)
        ) from exc


def _heif(image: pyvips.Image, *, quality: int, keep: Keep) -> bytes:
    import pillow_heif
    from PIL import Image

    image = to_srgb8(image)
    if image.bands < 3:
        image = image.colourspace("srgb")  # grey (with its alpha) as colour
    if image.bands > 4:
        image = image[:4]
    mode = "RGBA" if image.bands == 4 else "RGB"
    pil = Image.frombytes(mode, (image.width, image.height), image.write_to_memory())
    pillow_heif.register_heif_opener()  # Pillow's HEIF writer too
    options: dict[str, Any] = {}
    if keep != "none" and image.get_typeof(ICC):
        options["icc_profile"] = image.get(ICC)
    buffer = io.BytesIO()
    try:
        pil.save(buffer, format="HEIF", quality=quality, enc_params=HEIF_SPEED, **options)
    except (ValueError, RuntimeError, OSError) as exc:
        raise ImageEncodeError(f"The image could not be encoded as HEIF: {exc}") from exc
    return buffer.getvalue()


# Into a tool's working folder ----------------------------------------------------------


class _Output(Protocol):
    @property
    def path(self) -> Path: ...


Out = TypeVar("Out", bound=_Output, covariant=True)


class Workdir(Protocol[Out]):
    """Where results go: a tool's context qualifies (`output` names a new file)."""

    @property
    def limits(self) -> ImageLimits: ...

    def output(self, name: str, media_type: str) -> Out: ...


def save_output(
    image: pyvips.Image,
    ctx: Workdir[Out],
    name: str,
    fmt: str,
    *,
    quality: int | None = None,
    strip: bool = False,
    lossless: bool = False,
    progressive: bool = False,
    effort: int | None = None,
) -> Out:
    """Encode `image` as a new output `<name stem>.<fmt>`, checked against the limits."""
    fmt = normal(fmt)
    check_dimensions(image.width, image.height, ctx.limits)
    out = ctx.output(file_name(name, fmt), MEDIA_TYPES[fmt])
    save(
        image,
        out.path,
        fmt,
        quality=quality,
        strip=strip,
        lossless=lossless,
        progressive=progressive,
        effort=effort,
    )
    return out


def output_bytes(ctx: Workdir[Out], name: str, fmt: str, data: bytes) -> Out:
    """Encoded bytes as a new output named after `name` with the format's extension."""
    out = ctx.output(file_name(name, fmt), MEDIA_TYPES[normal(fmt)])
    out.path.write_bytes(data)
    return out


# Previews and thumbnails ---------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """A file an engine wrote, with what it holds."""

    path: Path
    media_type: str
    width: int
    height: int


def save_webp(image: pyvips.Image, path: Path, *, thumbnail: bool = False) -> Saved:
    """An 8-bit sRGB WebP without any metadata (EXIF GPS must not leak)."""
    image = for_display(image)
    # WebP encoding is most of a preview's cost: the fastest effort (~40% quicker than 2, a
    # few % bigger); thumbnails are small enough for a tighter encode.
    image.webpsave(str(path), Q=80, keep="none", effort=2 if thumbnail else 0)
    return Saved(path, "image/webp", image.width, image.height)


def save_preview(image: pyvips.Image, out_dir: Path) -> Saved:
    """The preview: JPEG when opaque, WebP when it has transparency.

    JPEG encodes several times faster than WebP at this size, and renders
    (`/assets/{id}/render`) start from the preview when it is big enough: libjpeg's
    shrink-on-load decodes it at 1/2–1/8 scale, which WebP cannot.
    """
    image = for_display(image)
    if image.hasalpha():
        return save_webp(image, out_dir / "preview.webp")
    path = out_dir / "preview.jpg"
    image.jpegsave(str(path), Q=85, keep="none", optimize_coding=True)
    return Saved(path, "image/jpeg", image.width, image.height)
