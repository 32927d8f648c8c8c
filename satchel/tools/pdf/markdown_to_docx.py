"""Markdown to Word: a DOCX with real headings, lists and tables."""

from __future__ import annotations

from satchel.media import pandoc
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@tool(
    "pdf",
    "markdown-to-docx",
    name="Markdown to Word",
    inputs=InputSpec(accepts=("text/markdown", "text/plain")),
    produces=(DOCX,),
    availability=pandoc.available,
)
def markdown_to_docx(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Convert GitHub-flavoured Markdown to a Word document with pandoc (headings become
    Word heading styles, tables Word tables), sandboxed: nothing remote is fetched."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}.docx", DOCX)
    pandoc.convert(inp.path, out.path, source="gfm", target="docx", name=inp.name)
    return ToolResult([out])
