"""PDF/A convert: an archival PDF/A-2b, checked for what PDF/A requires before it is given."""

from __future__ import annotations

from satchel.media import ghostscript, pdf_structure
from satchel.media.errors import PdfError
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "pdf",
    "pdfa-convert",
    name="PDF/A Convert",
    inputs=InputSpec(accepts=pdf_structure.PDF),
    produces=pdf_structure.PDF,
    availability=ghostscript.available,
)
def pdfa_convert(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Convert to PDF/A-2b for archiving (Ghostscript): every font embedded, an sRGB
    output intent, XMP metadata identifying PDF/A-2, no encryption. The result is checked
    for each of these (veraPDF is not available here: this is not full validation) and
    the checks are listed."""
    inp = inputs.first
    pdf_structure.page_count(inp.path, inp.name)  # encrypted and damaged refused here
    out = ctx.output(f"{inp.stem}-pdfa.pdf", "application/pdf")
    ghostscript.pdfa(inp.path, out.path, inp.name)
    checks = pdf_structure.pdfa_checks(out.path)
    failed = [k for k, ok in checks.items() if not ok]
    if failed:
        raise PdfError(f"The PDF/A conversion of {inp.name} failed its checks: {failed}.")
    return ToolResult([out], data={"conformance": "PDF/A-2B", "checks": checks})
