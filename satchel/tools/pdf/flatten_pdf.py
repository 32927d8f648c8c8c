"""Flatten PDF: forms and annotations baked into the pages; scripts and actions removed."""

from __future__ import annotations

from satchel.media import pdf_sanitize, pdf_structure
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "pdf",
    "flatten-pdf",
    name="Flatten PDF",
    inputs=InputSpec(accepts=pdf_structure.PDF),
    produces=pdf_structure.PDF,
)
def flatten_pdf(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Bake form fields (with their values) and annotations into the page content, so
    they print and show everywhere and can no longer be edited; JavaScript, open and
    launch actions, embedded files and the interactive form are removed (never run)."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-flat.pdf", "application/pdf")
    removed = pdf_sanitize.flatten(inp.path, out.path, inp.name)
    return ToolResult([out], data={"removed": removed})
