"""Word to PDF: through the warm LibreOffice converter."""

from __future__ import annotations

from satchel.media import office, pdf_structure
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "pdf",
    "word-to-pdf",
    name="Word to PDF",
    inputs=InputSpec(accepts=office.WORD),
    produces=pdf_structure.PDF,
    availability=office.available,
    memory_limit=False,  # soffice maps far more address space than it uses
)
def word_to_pdf(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Convert a Word, OpenDocument or plain-text document to PDF through the warm LibreOffice
    converter (macros never run, links never updated, nothing fetched)."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}.pdf", "application/pdf")
    office.convert(inp.path, out.path, fmt="pdf", media_type=inp.media_type, name=inp.name)
    return ToolResult([out], data={"pages": pdf_structure.page_count(out.path, out.name)})
