"""Office conversions through the warm LibreOffice converter: text, pages and sheets
read back from the results; macro-enabled and entity-bomb documents handled safely."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import openpyxl
import pytest

from satchel.media import office
from tests.tools.helpers import call_tool, run_tool
from tests.tools.pdf.docs import docx, odp, texts

pytestmark = pytest.mark.skipif(
    office.available() is not None, reason=f"LibreOffice: {office.available()}"
)
HOSTNAME = Path("/etc/hostname").read_text().strip()
WORDS = ["Zürich façade naïve", "Second page text", "Third and last"]
DOCX = ("report.docx", docx(WORDS, page_breaks=True))


def workbook() -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["city", "people"])
    ws.append(["Kraków", 800_000])
    ws.append(["Łódź", 670_000])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


async def test_word_to_pdf_keeps_text_and_pages(client: httpx.AsyncClient) -> None:
    data, pdf = await run_tool(client, "word-to-pdf", DOCX, section="pdf")
    assert data["data"] == {"pages": 3}
    assert [t.strip() for t in texts(pdf)] == WORDS


async def test_convert_document_round_trip(client: httpx.AsyncClient) -> None:
    _, odt = await run_tool(client, "convert-document", DOCX, {"format": "odt"}, section="pdf")
    _, text = await run_tool(
        client, "convert-document", ("r.odt", odt), {"format": "txt"}, section="pdf"
    )
    assert [line for line in text.decode("utf-8-sig").splitlines() if line] == WORDS
    _, back = await run_tool(
        client, "convert-document", ("r.txt", text), {"format": "docx"}, section="pdf"
    )
    _, pdf = await run_tool(client, "word-to-pdf", ("r.docx", back), section="pdf")
    assert all(w in " ".join(texts(pdf)) for w in WORDS)


async def test_spreadsheets(client: httpx.AsyncClient) -> None:
    xlsx = ("cities.xlsx", workbook())
    _, csv = await run_tool(client, "convert-spreadsheet", xlsx, {"format": "csv"}, section="pdf")
    assert csv.decode().splitlines() == ["city,people", "Kraków,800000", "Łódź,670000"]
    _, ods = await run_tool(client, "convert-spreadsheet", xlsx, {"format": "ods"}, section="pdf")
    _, pdf = await run_tool(client, "excel-to-pdf", ("c.ods", ods), section="pdf")
    assert "Łódź" in texts(pdf)[0] and "670000" in texts(pdf)[0]


async def test_presentations(client: httpx.AsyncClient) -> None:
    deck = ("deck.odp", odp(["First slide", "Second slide"]))
    data, pdf = await run_tool(client, "powerpoint-to-pdf", deck, section="pdf")
    assert data["data"]["pages"] == 2 and "Second slide" in texts(pdf)[1]
    _, pptx = await run_tool(
        client, "convert-presentation", deck, {"format": "pptx"}, section="pdf"
    )
    _, pdf = await run_tool(client, "powerpoint-to-pdf", ("d.pptx", pptx), section="pdf")
    assert "First slide" in texts(pdf)[0]


async def test_hostile_documents(client: httpx.AsyncClient) -> None:
    bomb = (
        '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;'
        '&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;'
        '&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>'
    )
    evil = docx(["&e;"], doctype=bomb)
    response = await client.post(
        "/api/v1/tools/pdf/word-to-pdf", files={"file": ("bomb.docx", evil)}
    )  # refused by LibreOffice's parser, or converted without expanding the entities
    if response.status_code == 200:
        assert response.json()["data"]["data"]["pages"] <= 2
    else:
        assert response.json()["error"]["code"] == "tool_failed"
    xxe = docx(["&x;"], doctype='<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]>')
    response = await client.post("/api/v1/tools/pdf/word-to-pdf", files={"file": ("xxe.docx", xxe)})
    if response.status_code == 200:
        pdf = (await client.get(response.json()["data"]["download_url"])).content
        assert HOSTNAME not in " ".join(texts(pdf))
    else:
        assert response.json()["error"]["code"] == "tool_failed"
    macro = docx(["macro"]).replace(
        b"wordprocessingml.document.main", b"ms-word.document.macroEnabled.main"
    )
    body = await call_tool(client, "word-to-pdf", ("m.docm", macro), section="pdf", expect=422)
    assert body["error"]["code"] in (
        "asset_content_type_not_allowed",
        "tool_input_type_not_supported",
    )
    body = await call_tool(
        client, "convert-document", DOCX, {"format": "pdfx"}, section="pdf", expect=422
    )
    assert body["error"]["fields"][0]["field"] == "settings.format"
    assert (await client.get("/api/v1/health")).status_code == 200


async def test_an_uploaded_docx_gets_a_preview(client: httpx.AsyncClient, workers: object) -> None:
    from tests.conftest import upload
    from tests.jobs.helpers import wait_for_asset

    body = await upload(client, DOCX[1], filename="report.docx")
    asset = await wait_for_asset(client, body["data"]["id"])
    assert asset["status"] == "ready", asset
    kinds = {d["kind"] for d in asset["derivatives"]}
    assert {"thumbnail", "preview", "text"} <= kinds, asset
