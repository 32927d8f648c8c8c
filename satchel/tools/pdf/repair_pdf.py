"""Repair PDF: rebuild a damaged PDF's cross-reference table and objects with qpdf."""

from __future__ import annotations

from satchel.media import pdf_structure as structure
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "pdf",
    "repair-pdf",
    name="Repair PDF",
    inputs=InputSpec(accepts=structure.PDF),
    produces=structure.PDF,
)
def repair_pdf(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Rewrite a PDF through qpdf's recovery: a broken or missing cross-reference table
    is rebuilt from the objects, stream lengths are fixed, and the warnings are listed."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-repaired.pdf", "application/pdf")
    with structure.open_pdf(inp.path, inp.name) as pdf:
        warnings = [str(w) for w in pdf.get_warnings()][:50]
        pages = len(pdf.pages)
        structure.save(pdf, out.path)
    return ToolResult([out], data={"pages": pages, "warnings": warnings})
