"""Opening PDFs with PDFium for tools: one lock for the whole process, clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pypdfium2 as pdfium

# PDFium is not thread-safe: share the lock the asset processor already takes, so a tool
# and a processing worker in the same process never call into it at the same time.
from satchel.processing.processors.pdf import _PDFIUM
from satchel.tools.base import InputFile, ToolError

LOCK = _PDFIUM

PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD


@contextmanager
def open_pdf(inp: InputFile) -> Iterator[Any]:
    """The document, opened under the lock; closed (under the lock) when done. Callers
    take `LOCK` themselves around every later PDFium call."""
    with LOCK:
        try:
            document = pdfium.PdfDocument(str(inp.path))
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == PASSWORD_ERROR:
                raise ToolError(
                    f"{inp.name} is encrypted with a password; its pages cannot be read. "
                    "Remove the password (e.g. with a PDF unlock tool) and try again.",
                    code="pdf_encrypted",
                ) from None
            reason = str(exc).split("PDFium: ", 1)[-1].rstrip(").")
            raise ToolError(
                f"{inp.name} could not be read as a PDF: {reason}.", code="pdf_unreadable"
            ) from None
        # Before any page is loaded, so form fields are drawn (without them if this fails).
        with suppress(pdfium.PdfiumError):
            document.init_forms()
        if len(document) == 0:
            document.close()
            raise ToolError(f"{inp.name} has no pages.", code="pdf_unreadable")
    try:
        yield document
    finally:
        with LOCK:
            document.close()


def page_sizes(document: Any) -> list[tuple[float, float]]:
    """Each page's (width, height) in points, as displayed (rotation applied)."""
    sizes = []
    with LOCK:
        for index in range(len(document)):
            width, height = document.get_page_size(index)
            sizes.append((float(width), float(height)))
    return sizes
