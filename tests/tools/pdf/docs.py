"""Documents made in the tests: PDFs whose pages say their number, read back with PDFium."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2


def numbered_pdf(
    pages: int, *, size: tuple[float, float] = (300, 200), extra: str | dict[int, str] = ""
) -> bytes:
    """A PDF whose page N shows `Page N` (and `extra`) in Helvetica."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                           BaseFont=pikepdf.Name.Helvetica, Encoding=pikepdf.Name.WinAnsiEncoding)
    )  # fmt: skip
    for n in range(1, pages + 1):
        more = extra.get(n, "") if isinstance(extra, dict) else extra
        text = f"Page {n} {more}".strip()
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


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def docx(paragraphs: list[str], *, page_breaks: bool = False, doctype: str = "") -> bytes:
    """A minimal DOCX: one paragraph per string (each on its own page with `page_breaks`)."""
    brk = '<w:r><w:br w:type="page"/></w:r>' if page_breaks else ""
    body = "".join(
        f'<w:p>{brk if i else ""}<w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>'
        for i, p in enumerate(paragraphs)
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:document {_W}><w:body>{body}'
        "</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _DOCX_TYPES)
        z.writestr("_rels/.rels", _DOCX_RELS)
        z.writestr("word/document.xml", document)
    return buf.getvalue()


def odp(slides: list[str]) -> bytes:
    """A minimal OpenDocument presentation: one text box per slide."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
        'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"'
    )
    pages = "".join(
        f'<draw:page draw:name="s{i}"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" '
        f'svg:height="4cm"><draw:text-box><text:p>{t}</text:p></draw:text-box></draw:frame>'
        "</draw:page>"
        for i, t in enumerate(slides)
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version='
        f'"1.2"><office:body><office:presentation>{pages}</office:presentation></office:body>'
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
        'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'presentation"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.presentation")
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buf.getvalue()
