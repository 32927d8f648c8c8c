"""Grayscale PDF: every colour (text, vectors, images) converted to grey by Ghostscript."""

from __future__ import annotations

from satchel.media import ghostscript, pdf_structure
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "pdf",
    "grayscale-pdf",
    name="Grayscale PDF",
    inputs=InputSpec(accepts=pdf_structure.PDF),
    produces=pdf_structure.PDF,
    availability=ghostscript.available,
)
def grayscale_pdf(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Convert every colour of a PDF (text, vector art and images) to grey, for printing
    in black and white; Ghostscript rewrites the file, text stays text."""
    inp = inputs.first
    pages = pdf_structure.page_count(inp.path, inp.name)  # encrypted and damaged refused here
    out = ctx.output(f"{inp.stem}-gray.pdf", "application/pdf")
    ghostscript.grayscale(inp.path, out.path, inp.name)
    return ToolResult([out], data={"pages": pages})
