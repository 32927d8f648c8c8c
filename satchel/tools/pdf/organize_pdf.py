"""Organize PDF: reorder (or repeat, or drop) pages with one qpdf page order."""

from __future__ import annotations

from pydantic import Field, field_validator

from satchel.media import pdf_structure as structure
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    order: str = Field(..., description="The new page order, such as `3,1,2,5-z` or `z-1`.")

    _order = field_validator("order")(structure.check_spec)


@tool(
    "pdf",
    "organize-pdf",
    name="Organize PDF",
    settings=Settings,
    inputs=InputSpec(accepts=structure.PDF),
    produces=structure.PDF,
)
def organize_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Put the pages in a new order written in qpdf syntax: `3,1,2,5-z` moves page 3
    first, `z-1` reverses the document; pages left out are dropped."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-organized.pdf", "application/pdf")
    with structure.open_pdf(inp.path, inp.name) as pdf:
        order = structure.select(settings.order, len(pdf.pages))
        structure.pages_pdf(pdf, order, out.path)
    return ToolResult([out], data={"order": order})
