"""PDF to image: render pages with PDFium; `info` and `preview` sub-routes."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pyvips
from pydantic import Field, field_validator

from satchel.tools.base import (
    Action,
    Inputs,
    InputSpec,
    NoSettings,
    OutputFile,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)
from satchel.tools.image._common import check_dimensions, save
from satchel.tools.pdf._pdfium import LOCK, open_pdf, page_sizes
from satchel.tools.pdf._ranges import check_ranges, select

TOTAL_PIXELS_FACTOR = 4  # all pages of one run together: at most 4× one image's limit
PDF = ("application/pdf",)


class Settings(ToolSettings):
    pages: str = Field("all", description="`all`, or pages and ranges such as `1-3,5` or `4-`.")
    format: Literal["png", "jpg", "jpeg", "webp"] = Field("png", description="Image format.")
    dpi: int = Field(150, ge=36, le=600, description="Resolution: 72 is one pixel per point.")
    quality: int = Field(85, ge=1, le=100, description="JPEG/WebP quality.")

    _pages = field_validator("pages")(check_ranges)


class PreviewSettings(ToolSettings):
    page: int = Field(1, ge=1, description="The page to preview (1 is the first).")
    size: int = Field(400, ge=32, le=1200, description="Longest side of the preview, pixels.")


def pixel_size(size: tuple[float, float], scale: float) -> tuple[int, int]:
    return max(1, math.ceil(size[0] * scale)), max(1, math.ceil(size[1] * scale))


def render(document: Any, index: int, scale: float) -> pyvips.Image:
    """One page on white, as 8-bit sRGB (annotations and form fields drawn)."""
    with LOCK:
        page = document[index]
        try:
            bitmap = page.render(scale=scale, rev_byteorder=True, may_draw_forms=True)
            array = np.array(bitmap.to_numpy(), copy=True, order="C")  # outlives the bitmap
            bitmap.close()
        finally:
            page.close()
    height, width = array.shape[:2]
    bands = 1 if array.ndim == 2 else array.shape[2]
    image = pyvips.Image.new_from_memory(array.data, width, height, bands, "uchar")
    return image.copy(interpretation="b-w" if bands == 1 else "srgb")


def info(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Page count and each page's size in points (1/72 inch), as displayed."""
    inp = inputs.first
    with open_pdf(inp) as document:
        sizes = page_sizes(document)
        with LOCK:
            version = document.get_version()
    return ToolResult(
        data={
            "pages": len(sizes),
            "version": f"{version // 10}.{version % 10}" if version else None,
            "page_sizes": [
                {"page": i + 1, "width_pt": round(w, 2), "height_pt": round(h, 2)}
                for i, (w, h) in enumerate(sizes)
            ],
        }
    )


def preview(inputs: Inputs, settings: PreviewSettings, ctx: ToolContext) -> ToolResult:
    """One page as a small WebP image (its longest side `size` pixels)."""
    inp = inputs.first
    with open_pdf(inp) as document:
        sizes = page_sizes(document)
        (number,) = select(str(settings.page), len(sizes))
        size = sizes[number - 1]
        image = render(document, number - 1, settings.size / max(size[0], size[1], 1.0))
    out = save(image, ctx, f"{inp.stem}-page-{number}.webp", "webp", quality=75)
    return ToolResult([out], data={"page": number})


def _check_budget(sizes: list[tuple[int, int]], ctx: ToolContext, dpi: int) -> None:
    for width, height in sizes:
        check_dimensions(width, height, ctx)
    total, budget = sum(w * h for w, h in sizes), ctx.limits.max_image_pixels * TOTAL_PIXELS_FACTOR
    if total > budget:
        raise ToolError(
            f"{len(sizes)} pages at {dpi} DPI make {total} pixels, more than the limit of "
            f"{budget}; choose fewer pages or a lower DPI.",
            code="tool_result_too_large",
        )


@tool(
    "pdf",
    "pdf-to-image",
    name="PDF to Image",
    settings=Settings,
    inputs=InputSpec(accepts=PDF),
    produces=("image/png", "image/jpeg", "image/webp"),
    actions=(
        Action("info", info, description=info.__doc__ or ""),
        Action("preview", preview, PreviewSettings, description=preview.__doc__ or ""),
    ),
)
def pdf_to_image(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Render PDF pages (all, or a selection such as `1-3,5`) to PNG, JPEG or WebP images at
    36–600 DPI, one image per page. Encrypted PDFs are refused with `pdf_encrypted`."""
    inp = inputs.first
    scale = settings.dpi / 72
    outputs: list[OutputFile] = []
    with open_pdf(inp) as document:
        sizes = page_sizes(document)
        chosen = select(settings.pages, len(sizes))
        _check_budget([pixel_size(sizes[n - 1], scale) for n in chosen], ctx, settings.dpi)
        digits = len(str(len(sizes)))
        for i, number in enumerate(chosen):
            ctx.progress(100 * i // len(chosen), f"page {number}")
            image = render(document, number - 1, scale)
            name = f"{inp.stem}-page-{number:0{digits}d}"
            outputs.append(
                save(
                    image,
                    ctx,
                    f"{name}.{settings.format}",
                    settings.format,
                    quality=settings.quality,
                )
            )
    return ToolResult(outputs, data={"pages": chosen, "dpi": settings.dpi})
