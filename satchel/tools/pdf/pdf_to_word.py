"""PDF to Word: the text of each page as DOCX paragraphs, one page per Word page."""

from __future__ import annotations

import re

from satchel.media import pandoc, pdfium
from satchel.media import pdf_structure as structure
from satchel.tools.base import Inputs, InputSpec, NoSettings, ToolContext, ToolResult, tool

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_PAGES = 2000
PAGE_BREAK = '\n\n```{=openxml}\n<w:p><w:r><w:br w:type="page"/></w:r></w:p>\n```\n\n'
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~^$])")


def _paragraphs(text: str) -> str:
    """Lines joined into paragraphs (a blank line or a short line ends one), escaped."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line)
        if len(line) < 40 and not line.endswith((",", "-")):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(_SPECIAL.sub(r"\\\1", p) for p in paragraphs)


@tool(
    "pdf",
    "pdf-to-word",
    name="PDF to Word",
    inputs=InputSpec(accepts=structure.PDF),
    produces=(DOCX,),
    availability=pandoc.available,
)
def pdf_to_word(inputs: Inputs, settings: NoSettings, ctx: ToolContext) -> ToolResult:
    """Turn a PDF's text layer into an editable Word document: each PDF page becomes a
    Word page of paragraphs (lines rejoined). Layout, images and tables are not
    reconstructed, only the text in reading order; scanned pages need OCR first."""
    inp = inputs.first
    chunks = []
    with pdfium.open_pdf(inp.path, inp.name) as pdf:
        pdfium.check_render_budget(pdf, pdf.pages, limit=MAX_PAGES)
        for index in range(pdf.pages):
            ctx.progress(80 * index // pdf.pages, f"page {index + 1}")
            chunks.append(_paragraphs(pdf.text(index)))
        pages = pdf.pages
    source = ctx.workdir / ".pdf-text.md"
    source.write_text(PAGE_BREAK.join(chunks) + "\n", encoding="utf-8")
    out = ctx.output(f"{inp.stem}.docx", DOCX)
    pandoc.convert(source, out.path, source="markdown", target="docx", name=inp.name)
    source.unlink()
    return ToolResult([out], data={"pages": pages})
