"""PDFium (pypdfium2) for everyone who reads PDFs: the one process-wide lock, opening with
clear errors, page sizes, text and rendering to a vips image, within page budgets.

A PDF's page tree may declare far more pages than it holds (a /Count of 200,000 over one
real page costs a few bytes): counts are believed only as far as a budget allows, and a
page that is declared but missing is a clear `pdf_unreadable`, not a crash.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pyvips

from satchel.media.errors import PdfEncrypted, PdfError, PdfPageTooSmall, PdfTooManyPages
from satchel.media.pixels import from_array

# PDFium is not thread-safe: every call into it, from a tool or a processing worker in
# the same process, takes this lock.
LOCK = threading.Lock()
PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
MAX_RENDER_PAGES = 1000  # pages rendered in one run, whatever the pixel budget allows
MAX_LISTED_PAGES = 1000  # page sizes listed by `info`-like answers
# The smallest page side PDF allows (ISO 32000-1, annex C): pages below it render to
# images of a pixel or two, so a few kilobytes of page tree would buy a file per page.
MIN_PAGE_POINTS = 3.0


def _reason(exc: BaseException) -> str:
    # "Failed to load document (PDFium: Data format error)." → "Data format error"
    text = str(exc)
    if "PDFium: " in text:
        return text.split("PDFium: ", 1)[1].rstrip(").")
    return text[:200].rstrip(".")


@dataclass
class Pdf:
    """An open document; every method takes the lock itself."""

    document: Any  # pypdfium2's PdfDocument
    name: str
    pages: int  # as the page tree declares it

    def _missing(self, index: int) -> PdfError:
        return PdfError(
            f"{self.name}: page {index + 1} of the {self.pages} it declares cannot be read; "
            "the file is damaged.",
            reason="a declared page is missing",
        )

    def size(self, index: int) -> tuple[float, float]:
        """The page's (width, height) in points, as displayed (rotation applied)."""
        with LOCK:
            try:
                width, height = self.document.get_page_size(index)
            except pdfium.PdfiumError:
                raise self._missing(index) from None
        return float(width), float(height)

    def sizes(self, indexes: Iterable[int]) -> list[tuple[float, float]]:
        return [self.size(i) for i in indexes]

    def version(self) -> int | None:
        with LOCK:
            version = self.document.get_version()
        return int(version) if version else None

    def metadata(self) -> dict[str, Any]:
        """The document information dictionary as PDFium reads it ({} when unreadable)."""
        with LOCK:
            try:
                return dict(self.document.get_metadata_dict(skip_empty=True))
            except (pdfium.PdfiumError, UnicodeDecodeError, ValueError):
                return {}

    def text(self, index: int) -> str:
        """The page's text, newlines as `\\n`."""
        with LOCK:
            try:
                page = self.document[index]
            except pdfium.PdfiumError:
                raise self._missing(index) from None
            try:
                textpage = page.get_textpage()
                try:
                    text: str = textpage.get_text_bounded()
                finally:
                    textpage.close()
            finally:
                page.close()
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def render(self, index: int, scale: float) -> pyvips.Image:
        """The page on white at `scale` pixels per point, as 8-bit sRGB (annotations and
        form fields drawn); the caller checks the size against its limits first."""
        with LOCK:
            try:
                page = self.document[index]
            except pdfium.PdfiumError:
                raise self._missing(index) from None
            try:
                bitmap = page.render(scale=scale, rev_byteorder=True, may_draw_forms=True)
                try:
                    return from_array(bitmap.to_numpy())  # a copy: outlives the bitmap
                finally:
                    bitmap.close()
            finally:
                page.close()


@contextmanager
def open_pdf(path: Path, name: str | None = None, *, empty_ok: bool = False) -> Iterator[Pdf]:
    """The document, opened under the lock, closed (under the lock) when done; forms are
    initialised so they are drawn. Refused with `pdf_encrypted` (a password is needed) or
    `pdf_unreadable` (not a PDF, damaged, or no pages unless `empty_ok`)."""
    name = name or "The PDF"
    with LOCK:
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == PASSWORD_ERROR or "password" in str(exc).lower():
                raise PdfEncrypted(
                    f"{name} is encrypted with a password; its pages cannot be read. "
                    "Remove the password (e.g. with a PDF unlock tool) and try again.",
                    reason="encrypted",
                ) from None
            reason = _reason(exc)
            raise PdfError(f"{name} could not be read as a PDF: {reason}.", reason=reason) from None
        # Before any page is loaded, so form fields are drawn (without them if this fails).
        with suppress(pdfium.PdfiumError):
            document.init_forms()
        pages = len(document)
        if pages == 0 and not empty_ok:
            document.close()
            raise PdfError(f"{name} has no pages.", reason="no pages")
    try:
        yield Pdf(document, name, pages)
    finally:
        with LOCK:
            document.close()


def check_render_budget(pdf: Pdf, count: int, *, limit: int = MAX_RENDER_PAGES) -> None:
    """Refuse rendering more than `limit` pages in one run, before any is rendered."""
    if count > limit:
        raise PdfTooManyPages(
            f"{pdf.name} has {pdf.pages} pages; at most {limit} can be rendered in one run. "
            f"Choose pages (such as 1-{limit}).",
        )


def check_page_sizes(
    sizes: Iterable[tuple[float, float]], numbers: Iterable[int], *, name: str
) -> None:
    """Refuse rendering a page smaller than the PDF minimum (3 × 3 points)."""
    for (width, height), number in zip(sizes, numbers, strict=False):
        if min(width, height) < MIN_PAGE_POINTS:
            raise PdfPageTooSmall(
                f"{name}: page {number} is {width:g}×{height:g} points; pages smaller than "
                f"{MIN_PAGE_POINTS:g}×{MIN_PAGE_POINTS:g} points are not rendered.",
                reason="page too small",
            )
