"""Booklet PDF: pages imposed for saddle-stitch printing (print both sides, fold, staple)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import pdf_layout, pdf_structure
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    per_sheet: Literal[2, 4, 6, 8] = Field(
        2, description="Pages per sheet side: 2 is one spread; 4, 6 and 8 stack spreads to cut."
    )


@tool(
    "pdf",
    "booklet-pdf",
    name="Booklet PDF",
    settings=Settings,
    inputs=InputSpec(accepts=pdf_structure.PDF),
    produces=pdf_structure.PDF,
)
def booklet_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Impose pages for a saddle-stitched booklet: blanks pad the count to a multiple of
    4, and each sheet side shows a spread in folding order (for 8 pages: 8|1, 2|7, 6|3,
    4|5). Print double-sided (flip on the short edge), fold in the middle and staple."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-booklet.pdf", "application/pdf")
    count = pdf_structure.page_count(inp.path, inp.name)
    order = pdf_layout.booklet_order(count, settings.per_sheet)
    rows = settings.per_sheet // 2
    sides = pdf_layout.impose(inp.path, out.path, inp.name, order, 2, rows)
    return ToolResult([out], data={"pages": count, "sides": sides, "order": order})
