"""Watermark PDF: a line of text laid over every page, transparent and turned."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import pdf_stamp, pdf_structure
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    text: str = Field(..., min_length=1, max_length=200, description="The watermark text.")
    position: Literal["center", "tl", "tc", "tr", "ml", "mr", "bl", "bc", "br"] = Field(
        "center", description="Where on the page: centre, or top/middle/bottom + left/centre/right."
    )
    font_size: float = Field(48, ge=4, le=400, description="Points.")
    opacity: float = Field(0.3, ge=0.01, le=1, description="0.01 (faint) to 1 (opaque).")
    rotation: float = Field(45, ge=-360, le=360, description="Degrees counter-clockwise.")
    color: str = Field("#808080", pattern=r"^#[0-9a-fA-F]{6}$", description="Hex colour.")


@tool(
    "pdf",
    "watermark-pdf",
    name="Watermark PDF",
    settings=Settings,
    inputs=InputSpec(accepts=pdf_structure.PDF),
    produces=pdf_structure.PDF,
)
def watermark_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Lay a line of text over every page (centred or at an edge, any size, opacity and
    angle) as a separate layer: the page's own content is kept unchanged beneath it."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-watermarked.pdf", "application/pdf")
    rgb = tuple(int(settings.color[i : i + 2], 16) for i in (1, 3, 5))
    style = pdf_stamp.Style(
        size=settings.font_size,
        position=settings.position,
        opacity=settings.opacity,
        rotation=settings.rotation,
        color=rgb,  # type: ignore[arg-type]
    )
    pages = pdf_stamp.stamp(inp.path, out.path, inp.name, lambda _n, _c: settings.text, style)
    return ToolResult([out], data={"pages": pages})
