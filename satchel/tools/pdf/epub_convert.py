"""Convert EPUB: an e-book as PDF, DOCX, HTML or Markdown."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from satchel.media import pandoc
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

TYPES = {
    "pdf": "application/pdf",
    "html": "text/html",
    "md": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class Settings(ToolSettings):
    format: Literal["pdf", "docx", "html", "md"] = Field("pdf", description="Output format.")


@tool(
    "pdf",
    "epub-convert",
    name="Convert EPUB",
    settings=Settings,
    inputs=InputSpec(accepts=("application/epub+zip",)),
    produces=tuple(TYPES.values()),
    availability=pandoc.with_browser,
    memory_limit=False,  # PDF output prints through Chromium
)
def epub_convert(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Convert an EPUB e-book to PDF (printed by the sealed-off Chromium), DOCX, one
    standalone HTML page (its pictures embedded) or Markdown, with pandoc, sandboxed.
    The archive is checked against the ZIP bomb budgets first."""
    inp = inputs.first
    fmt = settings.format
    out = ctx.output(f"{inp.stem}.{fmt}", TYPES[fmt])
    if fmt == "pdf":
        pandoc.to_pdf(inp.path, out.path, source="epub", name=inp.name, title=inp.stem)
    elif fmt == "html":
        pandoc.to_html(inp.path, out.path, source="epub", name=inp.name, title=inp.stem)
    else:
        target = "gfm" if fmt == "md" else "docx"
        pandoc.convert(inp.path, out.path, source="epub", target=target, name=inp.name)
    return ToolResult([out])
