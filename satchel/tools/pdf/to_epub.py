"""Convert to EPUB: DOCX, Markdown, HTML or plain text as an EPUB 3 e-book."""

from __future__ import annotations

from satchel.media import pandoc
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool

ACCEPTS = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text/markdown",
    "text/html",
    "text/plain",
)


@tool(
    "pdf",
    "to-epub",
    name="Convert to EPUB",
    inputs=InputSpec(accepts=ACCEPTS),
    produces=("application/epub+zip",),
    availability=pandoc.available,
)
def to_epub(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Make an EPUB 3 e-book of a DOCX, Markdown, HTML or plain-text file with pandoc,
    sandboxed (nothing remote fetched); chapters start at each top-level heading."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}.epub", "application/epub+zip")
    pandoc.convert(
        inp.path, out.path, source=pandoc.reader(inp.media_type), target="epub3",
        name=inp.name, args=("--metadata", f"title={inp.stem}"),
    )  # fmt: skip
    return ToolResult([out])
