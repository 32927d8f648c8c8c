"""Image to PDF: one page per image, on a paper size or the image's own size."""

from __future__ import annotations

from typing import Any, Literal

import img2pdf
import pyvips
from pydantic import Field

from satchel.codes import Code
from satchel.media import imaging
from satchel.tools.base import (
    InputFile,
    Inputs,
    InputSpec,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)

PAGES_MM = {"A4": (210, 297), "Letter": (215.9, 279.4), "Legal": (215.9, 355.6),
            "A3": (297, 420), "A5": (148, 210)}  # fmt: skip
SCALES = (1.0, 0.5, 0.25, 0.125)


class TargetSize(ToolSettings):
    value: float = Field(..., gt=0, le=1_048_576, description="The largest PDF size.")
    unit: Literal["KB", "MB"] = Field("KB", description="KB (1024 bytes) or MB.")

    @property
    def bytes(self) -> int:
        return int(self.value * (1024 if self.unit == "KB" else 1024 * 1024))


class Settings(ToolSettings):
    page_size: Literal["A4", "Letter", "Legal", "A3", "A5", "fit"] = Field(
        "A4", description="Paper size, or `fit`: each page the size of its image."
    )
    orientation: Literal["auto", "portrait", "landscape"] = Field(
        "auto", description="`auto` turns each page to match its image."
    )
    margin: float = Field(
        0, ge=0, le=144, description="Margin around each image in points (1/72 inch)."
    )
    target_size: TargetSize | None = Field(
        None,
        description="Re-encode the pages as JPEG (lowering quality, then resolution) so "
        "the PDF fits in {value, unit}.",
    )


def layout(s: Settings) -> Any:
    border = (s.margin, s.margin)
    if s.page_size == "fit":
        return img2pdf.get_layout_fun(None, None, border)
    w, h = (img2pdf.mm_to_pt(v) for v in PAGES_MM[s.page_size])
    if s.orientation == "landscape":
        w, h = h, w
    return img2pdf.get_layout_fun(
        (w, h), None, border, img2pdf.FitMode.into, s.orientation == "auto"
    )


def passes_through(inp: InputFile) -> bool:
    """JPEG and plain PNG go into the PDF as they are (no re-encoding)."""
    if inp.media_type not in ("image/jpeg", "image/png"):
        return False
    header = imaging.header(inp.path, inp.media_type, name=inp.name)
    if header.get_typeof("orientation") and header.get("orientation") != 1:
        return False
    if inp.media_type == "image/jpeg":
        return header.interpretation in ("srgb", "b-w", "cmyk")
    interlaced = header.get_typeof("interlaced") and header.get("interlaced")
    return not header.hasalpha() and not interlaced and header.format == "uchar"


def page_image(inp: InputFile, scale: float, ctx: ToolContext) -> pyvips.Image:
    image = imaging.load_input(inp)
    if scale < 1:
        image = image.resize(scale)
    imaging.check_dimensions(image.width, image.height, ctx.limits)
    return imaging.to_srgb8(imaging.flatten(image))


def page_bytes(inp: InputFile, ctx: ToolContext, *, quality: int | None, scale: float) -> bytes:
    if quality is None and passes_through(inp):
        return inp.path.read_bytes()
    image = page_image(inp, scale, ctx)
    if quality is not None:
        return imaging.encode(image, "jpg", quality=quality, keep="icc")
    lossy = inp.media_type in ("image/jpeg", "image/webp", "image/avif", "image/heic", "image/heif")
    return imaging.encode(
        image, "jpg" if lossy else "png", quality=92 if lossy else None, keep="icc"
    )


def make_pdf(
    inputs: Inputs, s: Settings, ctx: ToolContext, *, quality: int | None, scale: float = 1.0
) -> bytes:
    pages = [page_bytes(inp, ctx, quality=quality, scale=scale) for inp in inputs.files]
    try:
        pdf: bytes = img2pdf.convert(pages, layout_fun=layout(s), rotation=img2pdf.Rotation.ifvalid)
    except (img2pdf.ImageOpenError, img2pdf.PdfTooLargeError, ValueError) as exc:
        raise ToolError(f"The PDF could not be made: {exc}", code=Code.TOOL_FAILED) from exc
    return pdf


def fit_target(
    inputs: Inputs, s: Settings, ctx: ToolContext, target: int
) -> tuple[bytes, int, float]:
    """The best (quality, then scale) whose PDF fits: binary search on quality per scale."""
    smallest = 0
    for step, scale in enumerate(SCALES):
        lo, hi, best = 5, 95, None
        while lo <= hi:
            mid = (lo + hi) // 2
            pdf = make_pdf(inputs, s, ctx, quality=mid, scale=scale)
            ctx.progress(min(95, step * 25 + 3 * (96 - hi + lo)))
            if len(pdf) <= target:
                best, lo = (pdf, mid), mid + 1
            else:
                smallest, hi = len(pdf), mid - 1
        if best is not None:
            return best[0], best[1], scale
    raise ToolError(
        f"The PDF cannot be made as small as {target / 1024:.0f} KB: with the pages at "
        f"{SCALES[-1]:.1%} size and quality 5 it is {smallest / 1024:.0f} KB.",
        code=Code.TOOL_TARGET_SIZE_UNREACHABLE,
    )


@tool(
    "image",
    "image-to-pdf",
    name="Image to PDF",
    settings=Settings,
    inputs=InputSpec(min_files=1, max_files=64),
    produces=("application/pdf",),
)
def image_to_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Put images into one PDF, a page each in the order given, on A4, Letter, Legal, A3, A5
    or pages the size of each image, with a margin; JPEG and PNG are embedded without
    re-encoding. With targetSize the pages are re-encoded as JPEG to fit that size."""
    quality, scale = None, 1.0
    if settings.target_size is None:
        pdf = make_pdf(inputs, settings, ctx, quality=None)
    else:
        pdf, quality, scale = fit_target(inputs, settings, ctx, settings.target_size.bytes)
    name = f"{inputs.first.stem}.pdf" if len(inputs.files) == 1 else "images.pdf"
    out = ctx.output(name, "application/pdf")
    out.path.write_bytes(pdf)
    facts = {"pages": len(inputs.files), "size": len(pdf), "quality": quality, "scale": scale}
    return ToolResult([out], data=facts)
