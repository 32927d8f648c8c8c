"""Markdown to PDF: pandoc's HTML printed by the sealed-off Chromium."""

from __future__ import annotations

from satchel.media import pandoc, pdf_structure
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "pdf",
    "markdown-to-pdf",
    name="Markdown to PDF",
    inputs=InputSpec(accepts=("text/markdown", "text/plain")),
    produces=pdf_structure.PDF,
    availability=pandoc.with_browser,
    memory_limit=False,  # Chromium reserves far more address space than it uses
)
def markdown_to_pdf(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Convert GitHub-flavoured Markdown to an A4 PDF: pandoc writes HTML, Chromium prints
    it with scripts off and every request refused (remote images are left out, nothing
    is fetched; the answer counts the refused requests)."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}.pdf", "application/pdf")
    refused = pandoc.to_pdf(inp.path, out.path, source="gfm", name=inp.name, title=inp.stem)
    pages = pdf_structure.page_count(out.path, out.name)
    return ToolResult([out], data={"pages": pages, "refused_requests": refused})
