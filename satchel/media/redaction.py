"""True redaction: every page where a term occurs is replaced by an image of itself with the
term's boxes painted black, so the text is gone, not hidden under a rectangle. Pages
without a match keep their text. Metadata, outlines and annotations that mention a term
are removed too.

PDFium finds the terms (its text layer, the one pdf-to-text reads) and draws the boxes
into the page before rendering it, so rotated and cropped pages come out right.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as raw

from satchel.media import pdf_structure as structure
from satchel.media.errors import PdfTooManyPages
from satchel.media.pdfium import LOCK, MAX_RENDER_PAGES
from satchel.media.pixels import from_array

FILL_ALTERNATE = 1
PAD = 1.0  # points around each box: antialiased glyph edges are covered too


@dataclass
class Redacted:
    matches: dict[str, int] = field(default_factory=dict)
    pages: list[int] = field(default_factory=list)


def _boxes(textpage: pdfium.PdfTextPage, term: str, case: bool) -> list[tuple[float, ...]]:
    boxes = []
    searcher = textpage.search(term, match_case=case)
    while (hit := searcher.get_next()) is not None:
        index, count = hit
        for i in range(textpage.count_rects(index, count)):
            boxes.append(tuple(textpage.get_rect(i)))
    return boxes


def _paint(page: pdfium.PdfPage, boxes: list[tuple[float, ...]]) -> None:
    for left, bottom, right, top in boxes:
        rect = raw.FPDFPageObj_CreateNewRect(
            ctypes.c_float(left - PAD),
            ctypes.c_float(bottom - PAD),
            ctypes.c_float(right - left + 2 * PAD),
            ctypes.c_float(top - bottom + 2 * PAD),
        )
        raw.FPDFPageObj_SetFillColor(rect, 0, 0, 0, 255)
        raw.FPDFPath_SetDrawMode(rect, FILL_ALTERNATE, False)
        raw.FPDFPage_InsertObject(page.raw, rect)
    raw.FPDFPage_GenerateContent(page.raw)


def _render_matches(
    src: Path, terms: list[str], case: bool, dpi: int, result: Redacted
) -> dict[int, tuple[float, float, int, int, bytes]]:
    """Page index → (width, height in points as displayed, pixels wide and high, the JPEG
    of the painted page)."""
    images: dict[int, tuple[float, float, int, int, bytes]] = {}
    with LOCK:
        doc = pdfium.PdfDocument(str(src))
        try:
            for index in range(len(doc)):
                page = doc[index]
                try:
                    textpage = page.get_textpage()
                    boxes = []
                    for term in terms:
                        found = _boxes(textpage, term, case)
                        result.matches[term] = result.matches.get(term, 0) + len(found)
                        boxes += found
                    textpage.close()
                    if not boxes:
                        continue
                    if len(images) >= MAX_RENDER_PAGES:
                        raise PdfTooManyPages(
                            f"The terms occur on over {MAX_RENDER_PAGES} pages; redact in parts."
                        )
                    _paint(page, boxes)
                    bitmap = page.render(scale=dpi / 72, may_draw_forms=True, rev_byteorder=True)
                    image = from_array(bitmap.to_numpy())
                    bitmap.close()
                    width, height = page.get_size()
                    jpeg = image.jpegsave_buffer(Q=88, keep="none")
                    images[index] = (width, height, image.width, image.height, jpeg)
                finally:
                    page.close()
        finally:
            doc.close()
    return images


def _image_page(
    pdf: pikepdf.Pdf, width: float, height: float, pixel_w: int, pixel_h: int, jpeg: bytes
) -> pikepdf.Page:
    image = pdf.make_stream(
        jpeg, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=pixel_w,
        Height=pixel_h, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )  # fmt: skip
    content = pdf.make_stream(f"q {width:.4f} 0 0 {height:.4f} 0 0 cm /Im0 Do Q".encode())
    return pikepdf.Page(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, width, height],
            Contents=content,
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
        )
    )


def _mentions(obj: object, needles: list[str], case: bool, depth: int = 0) -> bool:
    if depth > 8:
        return False
    if isinstance(obj, pikepdf.String):
        text = str(obj) if case else str(obj).lower()
        return any(n in text for n in needles)
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Array):
        values = obj.values() if isinstance(obj, pikepdf.Dictionary) else list(obj)
        return any(_mentions(v, needles, case, depth + 1) for v in values)
    return False


def redact(
    src: Path, out: Path, name: str, terms: list[str], *, case: bool, dpi: int = 150
) -> Redacted:
    result = Redacted()
    with structure.open_pdf(src, name) as pdf:
        images = _render_matches(src, terms, case, dpi, result)
        needles = terms if case else [t.lower() for t in terms]
        for index, facts in sorted(images.items()):
            pdf.pages.insert(index, _image_page(pdf, *facts))
            del pdf.pages[index + 1]
            result.pages.append(index + 1)
        for key in list(pdf.docinfo.keys()):
            if _mentions(pdf.docinfo[key], needles, case):
                del pdf.docinfo[key]
        if "/Metadata" in pdf.Root:
            del pdf.Root["/Metadata"]  # XMP may repeat a title or subject: it goes
        if "/Outlines" in pdf.Root and _mentions(pdf.Root.Outlines, needles, case):
            del pdf.Root["/Outlines"]
        for page in pdf.pages:
            annots = page.obj.get("/Annots")
            if isinstance(annots, pikepdf.Array):
                kept = [a for a in annots if not _mentions(a, needles, case)]
                page.obj.Annots = pikepdf.Array(kept)
        structure.save(pdf, out)
    return result
