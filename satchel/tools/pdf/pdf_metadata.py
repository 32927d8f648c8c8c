"""PDF metadata: set the title, author, subject and keywords (info dictionary and XMP)."""

from __future__ import annotations

from pydantic import Field

from satchel.media import pdf_structure as structure
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

_FIELDS = {"title": "dc:title", "author": "dc:creator", "subject": "dc:description",
           "keywords": "pdf:Keywords"}  # fmt: skip


class Settings(ToolSettings):
    title: str | None = Field(None, max_length=1000, description="The document title.")
    author: str | None = Field(None, max_length=1000, description="Its author.")
    subject: str | None = Field(None, max_length=1000, description="Its subject.")
    keywords: str | None = Field(None, max_length=1000, description="Comma-separated keywords.")


@tool(
    "pdf",
    "pdf-metadata",
    name="PDF Metadata",
    settings=Settings,
    inputs=InputSpec(accepts=structure.PDF),
    produces=structure.PDF,
)
def pdf_metadata(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Set a PDF's title, author, subject and keywords, in both its document information
    dictionary and its XMP metadata (fields left out keep their value; an empty string
    clears one). The answer lists the metadata before and after."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}.pdf", "application/pdf")
    changes = settings.model_dump(exclude_none=True)
    with structure.open_pdf(inp.path, inp.name) as pdf:
        before = structure.info(pdf)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            for key, value in changes.items():
                if value:
                    xmp[_FIELDS[key]] = [value] if key == "author" else value
                elif _FIELDS[key] in xmp:
                    del xmp[_FIELDS[key]]
        structure.set_info(pdf, changes)
        after = structure.info(pdf)
        structure.save(pdf, out.path)
    return ToolResult([out], data={"before": before, "after": after})
