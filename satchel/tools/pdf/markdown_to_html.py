"""Markdown to HTML: a standalone HTML5 page (GitHub-flavoured Markdown)."""

from __future__ import annotations

from satchel.media import pandoc
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "pdf",
    "markdown-to-html",
    name="Markdown to HTML",
    inputs=InputSpec(accepts=("text/markdown", "text/plain")),
    produces=("text/html",),
    availability=pandoc.available,
)
def markdown_to_html(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Convert GitHub-flavoured Markdown (tables, task lists, fenced code) to a standalone
    HTML5 page with pandoc, sandboxed: remote images and includes are never fetched."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}.html", "text/html")
    pandoc.to_html(inp.path, out.path, source="gfm", name=inp.name, title=inp.stem)
    return ToolResult([out])
