"""PDF to text: the text of every page (PDFium's text layer), pages split by form feeds."""

from __future__ import annotations

from pydantic import Field, field_validator

from satchel.media import pdf_structure as structure
from satchel.media import pdfium
from satchel.media.ranges import check_ranges, select
from satchel.tools.base import Inputs, InputSpec, ToolContext, ToolResult, ToolSettings, tool

MAX_TEXT_PAGES = 5000


class Settings(ToolSettings):
    pages: str = Field("all", description="`all`, or pages and ranges such as `1-3,5`.")

    _pages = field_validator("pages")(check_ranges)


@tool(
    "pdf",
    "pdf-to-text",
    name="PDF to Text",
    settings=Settings,
    inputs=InputSpec(accepts=structure.PDF),
    produces=("text/plain",),
)
def pdf_to_text(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Extract the text layer of a PDF as UTF-8 plain text, one form feed between pages.
    Scanned pages have no text layer (OCR them first); encrypted PDFs need unlocking."""
    inp = inputs.first
    out = ctx.output(f"{inp.stem}.txt", "text/plain")
    with pdfium.open_pdf(inp.path, inp.name) as pdf:
        chosen = select(settings.pages, pdf.pages)
        pdfium.check_render_budget(pdf, len(chosen), limit=MAX_TEXT_PAGES)
        with out.path.open("w", encoding="utf-8") as sink:
            for i, number in enumerate(chosen):
                ctx.progress(100 * i // len(chosen), f"page {number}")
                sink.write(("\f" if i else "") + pdf.text(number - 1).strip("\n") + "\n")
    chars = len(out.path.read_text(encoding="utf-8"))
    return ToolResult([out], data={"pages": len(chosen), "characters": chars})
