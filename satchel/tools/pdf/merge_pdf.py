"""Merge PDFs: the pages of 2–20 documents, one after the other, in the order given."""

from __future__ import annotations

from contextlib import ExitStack

import pikepdf

from satchel.media import pdf_structure as structure
from satchel.media.errors import PdfTooManyPages
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool


@tool(
    "pdf",
    "merge-pdf",
    name="Merge PDFs",
    inputs=InputSpec(min_files=2, max_files=20, accepts=structure.PDF),
    produces=structure.PDF,
)
def merge_pdf(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Join 2–20 PDFs into one, their pages in the order the files were given (outlines
    and form fields of later files are not merged; their pages are)."""
    out = ctx.output(f"{inputs.first.stem}-merged.pdf", "application/pdf")
    total = 0
    # The sources stay open until the result is written: copied pages read from them.
    with ExitStack() as stack, pikepdf.new() as merged:
        for i, inp in enumerate(inputs.files):
            ctx.progress(90 * i // len(inputs.files), inp.name)
            pdf = stack.enter_context(structure.open_pdf(inp.path, inp.name))
            total += len(pdf.pages)
            if total > structure.MAX_PAGES:
                raise PdfTooManyPages(
                    f"The merged PDF would have over {structure.MAX_PAGES} pages."
                )
            merged.pages.extend(pdf.pages)
        structure.save(merged, out.path)
    return ToolResult([out], data={"pages": total, "files": len(inputs.files)})
