"""N-up PDF: 2 to 16 pages on each sheet, in reading order."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import pdf_layout, pdf_structure
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    per_sheet: Literal[2, 3, 4, 8, 9, 12, 16] = Field(2, description="Pages on each sheet.")


@tool(
    "pdf",
    "nup-pdf",
    name="N-up PDF",
    settings=Settings,
    inputs=InputSpec(accepts=pdf_structure.PDF),
    produces=pdf_structure.PDF,
)
def nup_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Put 2, 3, 4, 8, 9, 12 or 16 pages on each sheet (the first page's paper size,
    landscape for wide grids), left to right and top to bottom, each page scaled to its
    cell as vectors (nothing is rasterized)."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-{settings.per_sheet}up.pdf", "application/pdf")
    cols, rows = pdf_layout.GRIDS[settings.per_sheet]
    count = pdf_structure.page_count(inp.path, inp.name)
    order = pdf_layout.nup_order(count, settings.per_sheet)
    sheets = pdf_layout.impose(inp.path, out.path, inp.name, order, cols, rows)
    return ToolResult([out], data={"pages": count, "sheets": sheets, "grid": [cols, rows]})
