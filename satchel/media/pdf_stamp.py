"""Text stamped onto PDF pages (watermarks, page numbers): the text is laid out by PDFium
(exact glyph bounds, transparency, rotation) on pages the size of the targets, and each
stamp page is laid over its target by pikepdf as a form XObject, so the original content
streams are kept byte for byte.

Latin text uses the standard Helvetica (nothing embedded); other scripts embed DejaVu
Sans when Debian's fonts-dejavu-core is installed.
"""

from __future__ import annotations

import ctypes
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as raw

from satchel.media import pdf_structure as structure
from satchel.media.errors import TextInvalid
from satchel.media.pdfium import LOCK

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
POSITIONS = ("center", "tl", "tc", "tr", "ml", "mr", "bl", "bc", "br")
FPDF_FONT_TRUETYPE = 2


@dataclass(frozen=True)
class Style:
    size: float = 48
    position: str = "center"
    opacity: float = 0.3
    rotation: float = 0  # degrees counter-clockwise
    color: tuple[int, int, int] = (128, 128, 128)
    margin: float = 24


def _anchor(
    box: tuple[float, float, float, float], w: float, h: float, s: Style
) -> tuple[float, float]:
    """Where the text's centre goes inside the visible box."""
    x0, y0, x1, y1 = box
    pos = "mc" if s.position == "center" else s.position
    vertical, horizontal = pos[0], pos[1]
    cx = {"l": x0 + s.margin + w / 2, "c": (x0 + x1) / 2, "r": x1 - s.margin - w / 2}
    cy = {"t": y1 - s.margin - h / 2, "m": (y0 + y1) / 2, "b": y0 + s.margin + h / 2}
    return cx[horizontal if horizontal in cx else "c"], cy[vertical]


def _wide(text: str) -> ctypes.Array[ctypes.c_char]:
    return ctypes.create_string_buffer((text + "\x00").encode("utf-16-le"))


def _font(doc: pdfium.PdfDocument, text: str, keep: list[object]) -> object | None:
    try:
        text.encode("cp1252")
        return None  # Helvetica covers it
    except UnicodeEncodeError:
        pass
    if not DEJAVU.is_file():
        raise TextInvalid(
            "The text needs a Unicode font: apt-get install fonts-dejavu-core, or use Latin text."
        )
    data = DEJAVU.read_bytes()
    buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    keep.append(buf)
    font: object = raw.FPDFText_LoadFont(doc.raw, buf, len(data), FPDF_FONT_TRUETYPE, True)
    return font


def _text_object(doc: pdfium.PdfDocument, text: str, style: Style, font: object | None) -> object:
    if font is None:
        obj = raw.FPDFPageObj_NewTextObj(doc.raw, b"Helvetica", ctypes.c_float(style.size))
    else:
        obj = raw.FPDFPageObj_CreateTextObj(doc.raw, font, ctypes.c_float(style.size))
    raw.FPDFText_SetText(obj, ctypes.cast(_wide(text), raw.FPDF_WIDESTRING))
    r, g, b = style.color
    raw.FPDFPageObj_SetFillColor(obj, r, g, b, round(255 * style.opacity))
    return obj


def _bounds(obj: object) -> tuple[float, float, float, float]:
    vals = [ctypes.c_float() for _ in range(4)]
    raw.FPDFPageObj_GetBounds(obj, *(ctypes.byref(v) for v in vals))
    return vals[0].value, vals[1].value, vals[2].value, vals[3].value


def _stamp_pages(
    boxes: list[tuple[tuple[float, float, float, float], tuple[float, float, float, float]]],
    texts: list[str | None],
    style: Style,
) -> bytes:
    """One PDF page per target page (same media box), with its text placed."""
    with LOCK:
        doc = pdfium.PdfDocument.new()
        keep: list[object] = []
        try:
            fonts: dict[bool, object | None] = {}
            for (media, crop), text in zip(boxes, texts, strict=True):
                mx0, my0, mx1, my1 = media
                page = doc.new_page(mx1 - mx0, my1 - my0)
                if text:
                    unicode = not _is_latin(text)
                    if unicode not in fonts:
                        fonts[unicode] = _font(doc, text, keep) if unicode else None
                    obj = _text_object(doc, text, style, fonts[unicode])
                    left, b, r, t = _bounds(obj)
                    w, h = r - left, t - b
                    box = (crop[0] - mx0, crop[1] - my0, crop[2] - mx0, crop[3] - my0)
                    rad = math.radians(style.rotation)
                    rw = abs(w * math.cos(rad)) + abs(h * math.sin(rad))
                    rh = abs(w * math.sin(rad)) + abs(h * math.cos(rad))
                    cx, cy = _anchor(box, rw, rh, style)
                    cos, sin = math.cos(rad), math.sin(rad)
                    ox, oy = -(left + w / 2), -(b + h / 2)  # the text's centre to the origin
                    e = cx + cos * ox - sin * oy
                    f = cy + sin * ox + cos * oy
                    raw.FPDFPageObj_Transform(obj, cos, sin, -sin, cos, e, f)
                    raw.FPDFPage_InsertObject(page.raw, obj)
                    raw.FPDFPage_GenerateContent(page.raw)
                page.close()
            buf = io.BytesIO()
            doc.save(buf)
            return buf.getvalue()
        finally:
            doc.close()


def _is_latin(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def stamp(
    src: Path, out: Path, name: str, text_for: Callable[[int, int], str | None], style: Style
) -> int:
    """Lay `text_for(page_number, page_count)` over each page; returns the page count."""
    with structure.open_pdf(src, name) as pdf:
        count = len(pdf.pages)
        boxes = [
            (tuple(float(v) for v in p.mediabox), tuple(float(v) for v in p.cropbox))
            for p in pdf.pages
        ]
        texts = [text_for(i + 1, count) for i in range(count)]
        stamps = _stamp_pages(boxes, texts, style)  # type: ignore[arg-type]
        with pikepdf.open(io.BytesIO(stamps)) as layer:
            for page, over, text in zip(pdf.pages, layer.pages, texts, strict=True):
                if text:
                    page.add_overlay(over, pikepdf.Rectangle(*page.mediabox))
            structure.save(pdf, out)
    return count
