"""Text processor: plain, Markdown, CSV, JSON, and office text with a safe XML reader."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from satchel.processing.processors import ProcessingFailed, ProcessLimits, ProcessResult
from tests.corpus import CORPUS
from tests.processing.conftest import Process

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'


def _text(result: ProcessResult) -> str:
    [derivative] = [d for d in result.derivatives if d.kind == "text"]  # previews too
    assert (derivative.kind, derivative.media_type) == ("text", "text/plain")
    return derivative.path.read_bytes().decode("utf-8")


def _zip(path: Path, parts: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return path


def test_plain_text_and_markdown(process: Process, tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes("\ufeff# Title\r\n\r\nSome *text* — ünïcödé\r\n".encode())
    result = process(path, "text/markdown")
    assert _text(result) == "# Title\n\nSome *text* — ünïcödé\n"
    assert result.metadata["text_chars"] == len(_text(result))
    assert process(CORPUS / "pdf/020-xmp/requirements.txt", "text/plain").metadata["lines"] > 5


def test_text_is_capped_on_a_character_edge(process: Process, tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("é" * 1000, encoding="utf-8")
    result = process(path, "text/plain", ProcessLimits(max_text_bytes=101))
    assert _text(result) == "é" * 50
    assert result.raw["text_truncated"] is True


@pytest.mark.parametrize(
    ("body", "rows", "columns", "delimiter"),
    [
        ("a,b,c\n1,2,3\n4,5,6\n", 3, 3, ","),
        ('name;note\n"Smith; J";"said ""hi""\nthen left"\nDoe;ok\n', 3, 2, ";"),
        ("x\ty\n1\t2\n\n3\t4\n", 3, 2, "\t"),
    ],
)
def test_csv_rows_and_columns(
    process: Process, tmp_path: Path, body: str, rows: int, columns: int, delimiter: str
) -> None:
    path = tmp_path / "data.csv"
    path.write_text(body, encoding="utf-8")
    result = process(path, "text/csv")
    assert (result.metadata["rows"], result.metadata["columns"]) == (rows, columns)
    assert result.raw["csv_delimiter"] == delimiter


@pytest.mark.parametrize(
    ("body", "valid", "kind"),
    [('{"a": [1, 2]}', True, "dict"), ("[1, 2, 3]", True, "list"), ('{"a": ', False, None)],
)
def test_json_validity(
    process: Process, tmp_path: Path, body: str, valid: bool, kind: str | None
) -> None:
    path = tmp_path / "data.json"
    path.write_text(body, encoding="utf-8")
    meta = process(path, "application/json").metadata
    assert meta["json_valid"] is valid
    assert meta.get("json_type") == kind


def test_docx(process: Process, tmp_path: Path) -> None:
    document = (
        f"<w:document {W}><w:body>"
        "<w:p><w:r><w:t>Hello</w:t></w:r><w:r><w:t xml:space='preserve'> world</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Second</w:t><w:tab/><w:t>para &amp; more</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    path = _zip(
        tmp_path / "a.docx", {"[Content_Types].xml": "<Types/>", "word/document.xml": document}
    )
    assert _text(process(path, DOCX)) == "Hello world\nSecond\tpara & more"


def test_xlsx(process: Process, tmp_path: Path) -> None:
    shared = (
        "<sst><si><t>Name</t></si><si><t>Total</t></si>"
        "<si><r><t>Rich </t></r><r><t>cell</t></r></si></sst>"
    )
    sheet = (
        "<worksheet><sheetData><row><c t='s'><v>0</v></c><c><v>42</v></c></row>"
        "<row><c t='inlineStr'><is><t>inline</t></is></c></row></sheetData></worksheet>"
    )
    path = _zip(
        tmp_path / "a.xlsx",
        {
            "xl/workbook.xml": "<workbook/>",
            "xl/sharedStrings.xml": shared,
            "xl/worksheets/sheet1.xml": sheet,
        },
    )
    assert _text(process(path, XLSX)).split("\n") == ["Name", "Total", "Rich cell", "inline"]


def test_pptx_slides_in_order(process: Process, tmp_path: Path) -> None:
    def slide(text: str) -> str:
        return f"<p:sld {A} xmlns:p='p'><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:sld>"

    parts = {f"ppt/slides/slide{n}.xml": slide(f"slide {n}") for n in (10, 2, 1)}
    path = _zip(tmp_path / "a.pptx", {"ppt/presentation.xml": "<p/>", **parts})
    result = process(path, PPTX)
    assert _text(result) == "slide 1\nslide 2\nslide 10"
    assert result.metadata["slides"] == 3


def test_odt_from_the_corpus(process: Process) -> None:
    text = _text(process(CORPUS / "pdf/002-trivial-libre-office-writer/source.odt", ODT))
    assert "Lorem ipsum dolor sit amet" in text


@pytest.mark.parametrize(
    "document",
    [
        # billion laughs: entity expansion
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        f"<w:document {W}><w:p><w:t>&lol2;</w:t></w:p></w:document>",
        # external entity: file disclosure
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f"<w:document {W}><w:p><w:t>&x;</w:t></w:p></w:document>",
    ],
)
def test_dtds_and_entities_are_refused(process: Process, tmp_path: Path, document: str) -> None:
    path = _zip(tmp_path / "evil.docx", {"word/document.xml": document})
    with pytest.raises(ProcessingFailed, match="DTD or entities"):
        process(path, DOCX)


def test_office_text_is_capped(process: Process, tmp_path: Path) -> None:
    body = "".join(f"<w:p><w:t>paragraph {n}</w:t></w:p>" for n in range(20_000))
    path = _zip(
        tmp_path / "big.docx", {"word/document.xml": f"<w:document {W}>{body}</w:document>"}
    )
    result = process(path, DOCX, ProcessLimits(max_text_bytes=1000))
    assert len(_text(result).encode()) <= 1000
    assert result.raw["text_truncated"] is True


def test_malformed_office_xml_fails_clearly(process: Process, tmp_path: Path) -> None:
    path = _zip(tmp_path / "bad.docx", {"word/document.xml": "<w:document><w:p>"})
    with pytest.raises(ProcessingFailed, match="XML is malformed"):
        process(path, DOCX)


def test_office_document_without_text_parts_fails_clearly(process: Process, tmp_path: Path) -> None:
    path = _zip(tmp_path / "empty.docx", {"[Content_Types].xml": "<Types/>"})
    with pytest.raises(ProcessingFailed, match="none of the parts"):
        process(path, DOCX)


def test_office_documents_get_a_preview_from_libreoffice(process: Process, tmp_path: Path) -> None:
    from satchel.media import office
    from tests.tools.pdf.docs import docx

    if office.available():
        pytest.skip(office.available() or "")
    path = tmp_path / "r.docx"
    path.write_bytes(docx(["Quarterly report", "Page two"], page_breaks=True))
    result = process(
        path, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    kinds = {d.kind for d in result.derivatives}
    assert {"text", "preview", "thumbnail"} <= kinds and result.metadata["pages"] == 2
