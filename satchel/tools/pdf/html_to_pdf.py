"""HTML to PDF: an HTML file printed by the sealed-off Chromium (nothing fetched)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import browser, pdf_structure, tables
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    paper: Literal["A4", "Letter", "Legal", "A3", "A5"] = Field("A4", description="Paper size.")
    landscape: bool = Field(False, description="Landscape pages.")


@tool(
    "pdf",
    "html-to-pdf",
    name="HTML to PDF",
    settings=Settings,
    inputs=InputSpec(accepts=("text/html",)),
    produces=pdf_structure.PDF,
    availability=browser.available,
    memory_limit=False,  # Chromium reserves far more address space than it uses
)
def html_to_pdf(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Print an HTML file to PDF with Chromium, remote resources disabled: scripts do not
    run and every request (images, stylesheets, fonts, frames) is refused, so only what
    the file holds inline (styles, `data:` images) appears. The answer counts the refused
    requests."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}.pdf", "application/pdf")
    html = tables.decode(inp.path, inp.name)
    refused = browser.print_pdf(html, out.path, paper=settings.paper, landscape=settings.landscape)
    pages = pdf_structure.page_count(out.path, out.name)
    return ToolResult([out], data={"pages": pages, "refused_requests": refused})
