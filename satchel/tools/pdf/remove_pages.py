"""Remove pages: the PDF without the pages a qpdf range names."""

from __future__ import annotations

from pydantic import Field, field_validator

from satchel.codes import Code
from satchel.media import pdf_structure as structure
from satchel.tools.base import (
    Inputs,
    InputSpec,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)


class Settings(ToolSettings):
    pages: str = Field(..., description="qpdf pages and ranges to remove, such as `2,4-6,z`.")

    _pages = field_validator("pages")(structure.check_spec)


@tool(
    "pdf",
    "remove-pages",
    name="Remove Pages",
    settings=Settings,
    inputs=InputSpec(accepts=structure.PDF),
    produces=structure.PDF,
)
def remove_pages(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Delete the pages a qpdf range names (`2,4-6,z`); the others keep their order.
    Removing every page is refused."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}-removed.pdf", "application/pdf")
    with structure.open_pdf(inp.path, inp.name) as pdf:
        count = len(pdf.pages)
        gone = set(structure.select(settings.pages, count))
        kept = [p for p in range(1, count + 1) if p not in gone]
        if not kept:
            raise ToolError("That removes every page; a PDF needs one.", code=Code.BAD_SETTING)
        structure.pages_pdf(pdf, kept, out.path)
    return ToolResult([out], data={"removed": sorted(gone), "pages": len(kept)})
