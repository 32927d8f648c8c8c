"""Extract pages: a new PDF of the pages a qpdf range names, in that order."""

from __future__ import annotations

from pydantic import Field, field_validator

from satchel.media import pdf_structure as structure
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool


class Settings(ToolSettings):
    range: str = Field(..., description="qpdf pages and ranges such as `1-5,8,10-z`.")

    _range = field_validator("range")(structure.check_spec)


@tool(
    "pdf",
    "extract-pages",
    name="Extract Pages",
    settings=Settings,
    inputs=InputSpec(accepts=structure.PDF),
    produces=structure.PDF,
)
def extract_pages(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Keep the pages a qpdf range names (`1-5,8,10-z`; `z` is the last page, `r2` the
    one before it), in the order written."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-extract.pdf", "application/pdf")
    with structure.open_pdf(inp.path, inp.name) as pdf:
        pages = structure.select(settings.range, len(pdf.pages))
        structure.pages_pdf(pdf, pages, out.path)
    return ToolResult([out], data={"pages": pages})
