"""PDF processor: page counts, text, document info, limits, and the encrypted sample."""

from __future__ import annotations

from pathlib import Path

import pytest
import pyvips

from satchel.processing.processors import ProcessingFailed, ProcessLimits
from tests.corpus import CORPUS
from tests.media.test_pdfium import declared_pages
from tests.processing.conftest import Process

PDF = CORPUS / "pdf"


@pytest.mark.parametrize(
    ("name", "pages", "snippet"),
    [
        ("001-trivial/minimal-document.pdf", 1, "Lorem ipsum dolor sit amet"),
        (
            "004-pdflatex-4-pages/pdflatex-4-pages.pdf",
            4,
            "Hello, here is some text without a meaning",
        ),
        ("009-pdflatex-geotopo/GeoTopo-komprimiert.pdf", 117, "Topologie"),
        ("011-google-doc-document/google-doc-document.pdf", 1, "Beautiful is better than ugly."),
        ("026-latex-multicolumn/multicolumn.pdf", 3, "Lorem ipsum"),
        ("021-pdfa/crazyones-pdfa.pdf", 1, "Heres to the crazy ones. The misfits."),
    ],
)
def test_pages_and_text(process: Process, name: str, pages: int, snippet: str) -> None:
    result = process(PDF / name, "application/pdf")
    assert result.metadata["pages"] == pages
    kinds = {d.kind: d for d in result.derivatives}
    text = kinds["text"].path.read_bytes().decode("utf-8")
    assert snippet in " ".join(text.split())
    assert result.metadata["text_chars"] == len(text)
    preview = pyvips.Image.new_from_file(str(kinds["preview"].path))
    assert max(preview.width, preview.height) == 1600
    thumb = pyvips.Image.new_from_file(str(kinds["thumbnail"].path))
    assert max(thumb.width, thumb.height) == 320


def test_document_info(process: Process) -> None:
    meta = process(PDF / "009-pdflatex-geotopo/GeoTopo-komprimiert.pdf", "application/pdf").metadata
    assert meta["title"] == "Geometrie und Topologie"
    assert meta["author"] == "Martin Thoma"
    assert meta["pdf_info"]["keywords"] == "Geometrie, Topologie"


def test_info_strings_lose_nul_bytes(process: Process) -> None:
    name = "007-imagemagick-images/imagemagick-images.pdf"
    meta = process(PDF / name, "application/pdf").metadata
    assert meta["title"] == "imagemagick-images"


def test_page_limit_for_text(process: Process) -> None:
    result = process(
        PDF / "009-pdflatex-geotopo/GeoTopo-komprimiert.pdf",
        "application/pdf",
        ProcessLimits(max_pdf_pages_text=2),
    )
    assert result.raw["text_pages"] == 2 and result.raw["text_truncated"] is True
    assert result.metadata["pages"] == 117


def test_text_size_limit(process: Process) -> None:
    result = process(
        PDF / "004-pdflatex-4-pages/pdflatex-4-pages.pdf",
        "application/pdf",
        ProcessLimits(max_pdf_text_bytes=1000),
    )
    text = next(d for d in result.derivatives if d.kind == "text").path.read_bytes()
    assert 900 < len(text) <= 1000
    assert result.raw["text_truncated"] is True


def test_encrypted_pdf_fails_clearly(process: Process) -> None:
    path = PDF / "005-libreoffice-writer-password/libreoffice-writer-password.pdf"
    with pytest.raises(ProcessingFailed, match="encrypted with a password"):
        process(path, "application/pdf")


def test_damaged_pdf_fails_clearly(process: Process, tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes((PDF / "001-trivial/minimal-document.pdf").read_bytes()[:300] + b"%%EOF")
    with pytest.raises(ProcessingFailed, match="the PDF could not be opened"):
        process(path, "application/pdf")


@pytest.mark.timeout(60)  # a hang guard, not a speed measure: the bench measures speed
def test_a_page_tree_declaring_200000_pages(process: Process, tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(declared_pages(200_000))  # one real page
    result = process(path, "application/pdf")
    assert result.metadata["pages"] == 200_000  # as declared
    assert result.raw["text_pages"] == 1 and result.raw["text_truncated"] is True
    assert {d.kind for d in result.derivatives} == {"thumbnail", "preview"}
