"""PDF: page count, document info, text within the daemon's limits, first-page previews."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from satchel.processing.processors.base import (
    Derivative,
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    Progress,
    processor,
)
from satchel.processing.processors.image import from_array, save_webp

# PDFium is not thread-safe; worker threads in one process must take turns.
_PDFIUM = threading.Lock()
_INFO_KEYS = {
    "Title": "title",
    "Author": "author",
    "Subject": "subject",
    "Keywords": "keywords",
    "Creator": "creator",
    "Producer": "producer",
    "CreationDate": "created",
    "ModDate": "modified",
}
_MAX_INFO_CHARS = 1024
_MAX_RENDER_SCALE = 8.0  # a tiny page (a stamp-sized MediaBox) must not render gigapixels


@processor("application/pdf")
def process_pdf(
    path: Path, media_type: str, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    progress(5, "opening the PDF")
    with _PDFIUM:
        document = _open(path)
        try:
            return _process(document, out_dir, limits, progress)
        finally:
            document.close()


def _open(path: Path) -> Any:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            # Without the password nothing inside (pages, text, even most of the info) can be
            # read; saying so is clearer than a "ready" asset with nothing in it.
            raise ProcessingFailed(
                "the PDF is encrypted with a password, so its pages and text cannot be read"
            ) from None
        raise ProcessingFailed(f"the PDF could not be opened: {_reason(exc)}") from None


def _process(
    document: Any, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    pages = len(document)
    if pages == 0:
        raise ProcessingFailed("the PDF has no pages")
    info = _info(document)
    metadata: dict[str, Any] = {"pages": pages, "pdf_info": info}
    for key in ("title", "author"):
        if info.get(key):
            metadata[key] = info[key]
    raw: dict[str, Any] = {"version": document.get_version(), "info": info}
    width, height = document.get_page_size(0)
    # Points, not pixels: width/height stay reserved for pixel sizes.
    metadata["page_width_pt"], metadata["page_height_pt"] = round(width, 1), round(height, 1)

    progress(10, "rendering the first page")
    scale = min(limits.preview_px / max(width, height, 1.0), _MAX_RENDER_SCALE)
    page = document[0]
    try:
        bitmap = page.render(scale=scale, rev_byteorder=True, may_draw_forms=True)
        preview = from_array(bitmap.to_numpy())
    finally:
        page.close()
    thumb = preview.thumbnail_image(limits.thumbnail_px, height=limits.thumbnail_px, size="down")
    derivatives = [
        save_webp(thumb, out_dir / "thumbnail.webp", "thumbnail"),
        save_webp(preview, out_dir / "preview.webp", "preview"),
    ]

    text, read, truncated = _text(document, pages, limits, progress)
    if text.strip():  # scanned pages have none; an empty text file helps nobody
        target = out_dir / "text.txt"
        target.write_text(text, encoding="utf-8")
        derivatives.append(Derivative("text", target, "text/plain"))
    metadata["text_chars"] = len(text)
    raw.update(text_pages=read, text_truncated=truncated)
    return ProcessResult(metadata=metadata, raw=raw, derivatives=derivatives)


def _text(
    document: Any, pages: int, limits: ProcessLimits, progress: Progress
) -> tuple[str, int, bool]:
    """Text of the first pages, one form feed between pages, capped in UTF-8 bytes."""
    parts: list[str] = []
    size = 0
    wanted = min(pages, limits.max_pdf_pages_text)
    for index in range(wanted):
        progress(40 + 55 * index // wanted, f"reading the text of page {index + 1}")
        page = document[index]
        try:
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n")
            finally:
                textpage.close()
        finally:
            page.close()
        encoded = text.encode("utf-8")
        if size + len(encoded) > limits.max_pdf_text_bytes:
            room = limits.max_pdf_text_bytes - size
            parts.append(encoded[: max(room, 0)].decode("utf-8", "ignore"))
            return "\f".join(parts), index + 1, True
        parts.append(text)
        size += len(encoded) + 1
    return "\f".join(parts), wanted, wanted < pages


def _info(document: Any) -> dict[str, str]:
    try:
        raw = document.get_metadata_dict(skip_empty=True)
    except (pdfium.PdfiumError, UnicodeDecodeError, ValueError):
        return {}
    return {
        _INFO_KEYS.get(key, key.lower()): text
        for key, value in raw.items()
        if (text := " ".join(str(value).replace("\0", " ").split())[:_MAX_INFO_CHARS])
    }


def _reason(exc: BaseException) -> str:
    text = str(exc)
    # "Failed to load document (PDFium: Data format error)." → "Data format error"
    if "PDFium: " in text:
        return text.split("PDFium: ", 1)[1].rstrip(").")
    return text[:200]
