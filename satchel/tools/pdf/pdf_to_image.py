"""PDF to image: render pages with PDFium; `info` and `preview` sub-routes."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, field_validator

from satchel.media import imaging, pdfium
from satchel.media.errors import ResultTooLarge
from satchel.media.ranges import check_ranges, select
from satchel.tools.base import (
    Action,
    Inputs,
    InputSpec,
    NoSettings,
    OutputFile,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)

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


def info(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Page count and each page's size in points (1/72 inch), as displayed (the sizes of
    the first 1000 pages)."""
    inp = inputs.first
    with pdfium.open_pdf(inp.path, inp.name) as pdf:
        listed = min(pdf.pages, pdfium.MAX_LISTED_PAGES)
        sizes = pdf.sizes(range(listed))
        version = pdf.version()
    return ToolResult(
        data={
            "pages": pdf.pages,
            "version": f"{version // 10}.{version % 10}" if version else None,
            "page_sizes": [
                {"page": i + 1, "width_pt": round(w, 2), "height_pt": round(h, 2)}
                for i, (w, h) in enumerate(sizes)
            ],
            "page_sizes_truncated": listed < pdf.pages,
        }
    )


def preview(inputs: Inputs, settings: PreviewSettings, ctx: ToolContext) -> ToolResult:
    """One page as a small WebP image (its longest side `size` pixels)."""
    inp = inputs.first
    with pdfium.open_pdf(inp.path, inp.name) as pdf:
        (number,) = select(str(settings.page), pdf.pages)
        width, height = pdf.size(number - 1)
        pdfium.check_page_sizes([(width, height)], [number], name=inp.name)
        image = pdf.render(number - 1, settings.size / max(width, height, 1.0))
    name = f"{inp.stem}-page-{number}.webp"
    return ToolResult([imaging.save_output(image, ctx, name, "webp", quality=75)], {"page": number})


def check_budget(sizes: list[tuple[int, int]], ctx: ToolContext, dpi: int) -> None:
    for width, height in sizes:
        imaging.check_dimensions(width, height, ctx.limits)
    total, budget = sum(w * h for w, h in sizes), ctx.limits.max_image_pixels * TOTAL_PIXELS_FACTOR
    if total > budget:
        raise ResultTooLarge(
            f"{len(sizes)} pages at {dpi} DPI make {total} pixels, more than the limit of "
            f"{budget}; choose fewer pages or a lower DPI."
        )


@tool(
    "pdf",
    "pdf-to-image",
    name="PDF to Image",
    settings=Settings,
    inputs=InputSpec(accepts=PDF),
    produces=("image/png", "image/jpeg", "image/webp"),
    also_in=("image",),
    actions=(
        Action("info", info, description=info.__doc__ or ""),
        Action("preview", preview, PreviewSettings, description=preview.__doc__ or ""),
    ),
)
def pdf_to_image(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Render PDF pages (all, or a selection such as `1-3,5`) to PNG, JPEG or WebP images at
    36–600 DPI, one image per page, at most 1000 pages a run (pages under 3×3 points are
    refused). Encrypted PDFs are refused with `pdf_encrypted`."""
    inp = inputs.first
    scale = settings.dpi / 72
    outputs: list[OutputFile] = []
    with pdfium.open_pdf(inp.path, inp.name) as pdf:
        chosen = select(settings.pages, pdf.pages)
        # Before any page is measured: the run's page cap and its file cap.
        limit = min(pdfium.MAX_RENDER_PAGES, ctx.limits.max_output_files)
        pdfium.check_render_budget(pdf, len(chosen), limit=limit)
        sizes = pdf.sizes(n - 1 for n in chosen)
        pdfium.check_page_sizes(sizes, chosen, name=inp.name)
        check_budget([pixel_size(size, scale) for size in sizes], ctx, settings.dpi)
        digits = len(str(pdf.pages))
        for i, number in enumerate(chosen):
            ctx.progress(100 * i // len(chosen), f"page {number}")
            image = pdf.render(number - 1, scale)
            name = f"{inp.stem}-page-{number:0{digits}d}.{settings.format}"
            outputs.append(
                imaging.save_output(image, ctx, name, settings.format, quality=settings.quality)
            )
    return ToolResult(outputs, data={"pages": chosen, "dpi": settings.dpi})
