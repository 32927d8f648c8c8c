"""Markdown, HTML and EPUB through pandoc and the sealed-off Chromium: text and structure
read back, and nothing remote fetched."""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest

from satchel.media import pandoc
from tests.tools.helpers import call_tool, run_tool
from tests.tools.pdf.docs import texts

pytestmark = pytest.mark.skipif(pandoc.with_browser() is not None, reason="pandoc or Chromium")
MD = (
    "# Zürich notes\n\nSome *emphasis* and a table:\n\n| city | people |\n|---|---|\n"
    "| Kraków | 800000 |\n\n![remote](http://127.0.0.1:9/tracker.png)\n\n# Second chapter\n\n"
    "The end.\n"
).encode()
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def test_markdown_to_html_docx_and_pdf(client: httpx.AsyncClient) -> None:
    _, html = await run_tool(client, "markdown-to-html", ("notes.md", MD), section="pdf")
    assert b"<h1" in html and b"<td>Krak\xc3\xb3w</td>" in html and b"<em>emphasis</em>" in html
    _, docx = await run_tool(client, "markdown-to-docx", ("notes.md", MD), section="pdf")
    document = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert "Zürich notes" in document and "<w:tbl>" in document and "Heading1" in document
    data, pdf = await run_tool(client, "markdown-to-pdf", ("notes.md", MD), section="pdf")
    text = " ".join(texts(pdf))
    assert "Zürich notes" in text and "Kraków" in text and "The end." in text
    assert data["data"]["refused_requests"] >= 1  # the remote picture was not fetched


async def test_html_to_pdf_fetches_nothing(client: httpx.AsyncClient) -> None:
    page = (
        b"<html><head><link rel=stylesheet href='http://127.0.0.1:9/s.css'>"
        b"<style>h1{color:#c00}</style></head><body><h1>Invoice 42</h1>"
        b"<img src='http://127.0.0.1:9/x.png'><iframe src='file:///etc/passwd'></iframe>"
        b"<script>document.body.innerHTML='scripted'</script><p>Total: 10 EUR</p></body></html>"
    )
    data, pdf = await run_tool(
        client, "html-to-pdf", ("invoice.html", page, "text/html"), {"paper": "Letter"},
        section="pdf",
    )  # fmt: skip
    text = texts(pdf)[0]
    assert "Invoice 42" in text and "Total: 10 EUR" in text and "scripted" not in text
    assert "root:" not in text
    assert data["data"]["refused_requests"] >= 2
    body = await call_tool(
        client, "html-to-pdf", ("a.html", page, "text/html"), {"paper": "B5"}, section="pdf",
        expect=422,
    )  # fmt: skip
    assert body["error"]["fields"][0]["field"] == "settings.paper"


async def test_epub_both_ways(client: httpx.AsyncClient) -> None:
    _, epub = await run_tool(client, "to-epub", ("notes.md", MD), section="pdf")
    archive = zipfile.ZipFile(io.BytesIO(epub))
    assert archive.read("mimetype") == b"application/epub+zip"
    chapters = [n for n in archive.namelist() if n.endswith(".xhtml") and "ch0" in n]
    assert len(chapters) == 2
    epub_file = ("notes.epub", epub, "application/epub+zip")
    _, md = await run_tool(client, "epub-convert", epub_file, {"format": "md"}, section="pdf")
    assert "Zürich notes" in md.decode() and "Kraków" in md.decode()
    _, pdf = await run_tool(client, "epub-convert", epub_file, {"format": "pdf"}, section="pdf")
    assert "The end." in " ".join(texts(pdf))
    _, docx = await run_tool(client, "epub-convert", epub_file, {"format": "docx"}, section="pdf")
    assert b"word/document.xml" in docx
    _, back = await run_tool(client, "to-epub", ("n.docx", docx, DOCX_TYPE), section="pdf")
    assert zipfile.ZipFile(io.BytesIO(back)).read("mimetype") == b"application/epub+zip"


async def test_pdf_to_word_keeps_text_and_pages(client: httpx.AsyncClient) -> None:
    from tests.tools.pdf.docs import numbered_pdf

    source = numbered_pdf(3, extra="*not* markdown_")
    data, docx = await run_tool(client, "pdf-to-word", ("p.pdf", source), section="pdf")
    assert data["data"] == {"pages": 3}
    document = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    assert document.count('w:type="page"') == 2
    assert "Page 1 *not* markdown_" in document and "Page 3" in document
