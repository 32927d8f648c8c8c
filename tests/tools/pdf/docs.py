"""Documents made in the tests: PDFs whose pages say their number, read back with PDFium."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pypdfium2


def numbered_pdf(pages: int, *, size: tuple[float, float] = (300, 200), extra: str = "") -> bytes:
    """A PDF whose page N shows `Page N` (and `extra`) in Helvetica."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                           BaseFont=pikepdf.Name.Helvetica, Encoding=pikepdf.Name.WinAnsiEncoding)
    )  # fmt: skip
    for n in range(1, pages + 1):
        text = f"Page {n} {extra}".strip()
        stream = f"BT /F1 14 Tf 20 100 Td ({text}) Tj ET".encode()
        page = pikepdf.Page(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, *size],
                Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                Contents=pdf.make_stream(stream),
            )
        )
        pdf.pages.append(page)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def texts(data: bytes, password: str | None = None) -> list[str]:
    """Each page's text."""
    doc = pypdfium2.PdfDocument(data, password=password)
    try:
        out = []
        for page in doc:
            tp = page.get_textpage()
            out.append(tp.get_text_bounded().strip())
            tp.close()
            page.close()
        return out
    finally:
        doc.close()


def page_numbers(data: bytes) -> list[int]:
    """The `Page N` numbers, in page order."""
    return [int(t.split()[1]) for t in texts(data)]


def open_pdf(data: bytes | Path, password: str = "") -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data) if isinstance(data, bytes) else data, password=password)
