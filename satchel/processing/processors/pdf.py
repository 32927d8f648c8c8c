"""PDF: page count, document info, text within the daemon's limits, first-page previews."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from satchel.media import imaging, pdfium
from satchel.media.errors import PdfEncrypted, PdfError
from satchel.processing.processors.base import (
    Derivative,
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    Progress,
    processor,
)

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
    try:
        with pdfium.open_pdf(path, empty_ok=True) as pdf:
            return _process(pdf, out_dir, limits, progress)
    except PdfEncrypted:
        # Without the password nothing inside (pages, text, even most of the info) can be
        # read; saying so is clearer than a "ready" asset with nothing in it.
        raise ProcessingFailed(
            "the PDF is encrypted with a password, so its pages and text cannot be read"
        ) from None
    except PdfError as exc:
        if exc.reason == "a declared page is missing":
            raise ProcessingFailed(f"the PDF is damaged: {exc.reason}") from None
        raise ProcessingFailed(f"the PDF could not be opened: {exc.reason}") from None


def _process(
    pdf: pdfium.Pdf, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    if pdf.pages == 0:
        raise ProcessingFailed("the PDF has no pages")
    info = _info(pdf)
    metadata: dict[str, Any] = {"pages": pdf.pages, "pdf_info": info}
    for key in ("title", "author"):
        if info.get(key):
            metadata[key] = info[key]
    raw: dict[str, Any] = {"version": pdf.version(), "info": info}
    width, height = pdf.size(0)
    # Points, not pixels: width/height stay reserved for pixel sizes.
    metadata["page_width_pt"], metadata["page_height_pt"] = round(width, 1), round(height, 1)

    progress(10, "rendering the first page")
    scale = min(limits.preview_px / max(width, height, 1.0), _MAX_RENDER_SCALE)
    preview = pdf.render(0, scale)
    thumb = preview.thumbnail_image(limits.thumbnail_px, height=limits.thumbnail_px, size="down")
    derivatives = [
        Derivative.of(
            "thumbnail", imaging.save_webp(thumb, out_dir / "thumbnail.webp", thumbnail=True)
        ),
        Derivative.of("preview", imaging.save_webp(preview, out_dir / "preview.webp")),
    ]

    text, read, truncated = _text(pdf, limits, progress)
    if text.strip():  # scanned pages have none; an empty text file helps nobody
        target = out_dir / "text.txt"
        target.write_text(text, encoding="utf-8")
        derivatives.append(Derivative("text", target, "text/plain"))
    metadata["text_chars"] = len(text)
    raw.update(text_pages=read, text_truncated=truncated)
    return ProcessResult(metadata=metadata, raw=raw, derivatives=derivatives)


def _text(pdf: pdfium.Pdf, limits: ProcessLimits, progress: Progress) -> tuple[str, int, bool]:
    """Text of the first pages, one form feed between pages, capped in UTF-8 bytes. A page
    tree may declare pages it does not hold: reading stops at the first missing one."""
    parts: list[str] = []
    size = 0
    wanted = min(pdf.pages, limits.max_pdf_pages_text)
    for index in range(wanted):
        progress(40 + 55 * index // wanted, f"reading the text of page {index + 1}")
        try:
            text = pdf.text(index)
        except PdfError:
            return "\f".join(parts), index, True
        encoded = text.encode("utf-8")
        if size + len(encoded) > limits.max_pdf_text_bytes:
            room = limits.max_pdf_text_bytes - size
            parts.append(encoded[: max(room, 0)].decode("utf-8", "ignore"))
            return "\f".join(parts), index + 1, True
        parts.append(text)
        size += len(encoded) + 1
    return "\f".join(parts), wanted, wanted < pdf.pages


def _info(pdf: pdfium.Pdf) -> dict[str, str]:
    return {
        _INFO_KEYS.get(key, key.lower()): text
        for key, value in pdf.metadata().items()
        if (text := " ".join(str(value).replace("\0", " ").split())[:_MAX_INFO_CHARS])
    }
