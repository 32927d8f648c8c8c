"""Web-optimize PDF: linearize, so a viewer shows the first page before the rest arrives."""

from __future__ import annotations

from satchel.media import pdf_structure as structure
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "pdf",
    "linearize-pdf",
    name="Web-Optimize PDF",
    inputs=InputSpec(accepts=structure.PDF),
    produces=structure.PDF,
)
def linearize_pdf(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Linearize a PDF ("fast web view"): the first page's objects come first and a hint
    table lets a viewer fetch any page by byte range."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-web.pdf", "application/pdf")
    with structure.open_pdf(inp.path, inp.name) as pdf:
        structure.save(pdf, out.path, linearize=True)
    return ToolResult([out], data={"linearized": True})
