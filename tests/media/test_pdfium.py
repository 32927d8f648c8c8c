"""The PDFium engine: opening with clear errors, pages, text, rendering, page budgets."""

from __future__ import annotations

import resource
import threading
from pathlib import Path

import pikepdf
import pytest

from satchel.media import pdfium
from satchel.media.errors import PdfEncrypted, PdfError, PdfTooManyPages
from tests.corpus import CORPUS

PDF = CORPUS / "pdf"
FOUR_PAGES = PDF / "004-pdflatex-4-pages/pdflatex-4-pages.pdf"  # A4
ENCRYPTED = PDF / "005-libreoffice-writer-password/libreoffice-writer-password.pdf"


def declared_pages(count: int) -> bytes:
    """A PDF whose page tree says /Count `count` over a single real page (pikepdf and
    qpdf repair the count when they write, so the bytes are put together here)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def blank_pages(path: Path, count: int, size: tuple[int, int] = (72, 72)) -> Path:
    pdf = pikepdf.new()
    for _ in range(count):
        pdf.add_blank_page(page_size=size)
    pdf.save(path)
    return path


def test_pages_sizes_text_and_rendering() -> None:
    with pdfium.open_pdf(FOUR_PAGES, "report.pdf") as pdf:
        assert pdf.pages == 4 and pdf.name == "report.pdf"
        width, height = pdf.size(0)
        assert (round(width), round(height)) == (595, 842)
        assert pdf.sizes(range(4)) == [pdf.size(0)] * 4
        assert pdf.text(0).strip()
        image = pdf.render(0, 72 / 72)
        assert (image.width, image.height, image.bands) == (596, 842, 3)  # 595.3 pt, rounded up
        assert image.interpretation == "srgb"
        assert image(0, 0) == [255.0, 255.0, 255.0]  # white paper
        assert image.min() < 100  # and some ink
        assert pdf.version() == 15


def test_clear_errors() -> None:
    with pytest.raises(PdfEncrypted) as encrypted, pdfium.open_pdf(ENCRYPTED, "secret.pdf"):
        pass
    assert encrypted.value.code == "pdf_encrypted"
    assert encrypted.value.message.startswith("secret.pdf is encrypted with a password")


def test_a_damaged_file_is_unreadable(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >>\n" * 50 + b"%%EOF\n")
    with pytest.raises(PdfError) as caught, pdfium.open_pdf(broken):
        pass
    assert caught.value.code == "pdf_unreadable"
    assert caught.value.message.startswith("The PDF could not be read as a PDF: ")


@pytest.mark.timeout(60)  # a hang guard, not a speed measure: the bench measures speed
def test_a_page_tree_declaring_200000_pages(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(declared_pages(200_000))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pdfium.open_pdf(path, "bomb.pdf") as pdf:
        assert pdf.pages == 200_000  # what PDFium believes
        with pytest.raises(PdfTooManyPages) as caught:
            pdfium.check_render_budget(pdf, pdf.pages)
        assert caught.value.code == "pdf_too_many_pages"
        assert "200000 pages; at most 1000" in caught.value.message
        assert pdf.render(0, 1.0).width == 200  # the real page is fine
        with pytest.raises(PdfError) as missing:
            pdf.size(1)
        assert missing.value.code == "pdf_unreadable"
        assert "page 2 of the 200000 it declares" in missing.value.message
        with pytest.raises(PdfError):
            pdf.text(199_999)
        with pytest.raises(PdfError):
            pdf.render(5, 1.0)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # kB


@pytest.mark.timeout(60)  # a hang guard, not a speed measure: the bench measures speed
def test_many_real_pages_are_refused_before_rendering(tmp_path: Path) -> None:
    path = blank_pages(tmp_path / "blank.pdf", 1200)
    with pdfium.open_pdf(path) as pdf:
        assert pdf.pages == 1200
        with pytest.raises(PdfTooManyPages):
            pdfium.check_render_budget(pdf, pdf.pages)
        pdfium.check_render_budget(pdf, 1000)


def test_the_lock_serialises_pdfium_across_threads() -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with pdfium.open_pdf(FOUR_PAGES) as pdf:
                for index in range(pdf.pages):
                    pdf.render(index, 0.2)
                    pdf.text(index)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
