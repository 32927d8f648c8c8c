"""pdf/ocr-pdf: a scanned-looking page (noise, 1° skew) in a PDF made searchable, with a
character error rate of at most 2% in the text layer."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import img2pdf
import pypdfium2

from satchel.runtime import Runtime
from tests.tools.ai.samples import PARAGRAPH, cer, render, scanned
from tests.tools.helpers import call_tool

TRUTH = "\n".join(PARAGRAPH)


def scanned_pdf() -> bytes:
    page = io.BytesIO()
    scanned(render(size=28), skew=1.0).save(page, "PNG", dpi=(200, 200))
    return bytes(img2pdf.convert(page.getvalue()))


async def finish(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    job_id = body["data"]["job_id"]
    for _ in range(2400):
        job: dict[str, Any] = (await client.get(f"/api/v1/jobs/{job_id}")).json()["data"]
        if job["status"] in ("completed", "failed"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError("the OCR job did not finish")


async def test_scanned_page_becomes_searchable(client: httpx.AsyncClient, workers: Runtime) -> None:
    source = scanned_pdf()
    assert pypdfium2.PdfDocument(source)[0].get_textpage().get_text_range().strip() == ""
    body = await call_tool(client, "ocr-pdf", ("scan.pdf", source), section="pdf", expect=202)
    job = await finish(client, body)
    assert job["status"] == "completed", job["error"]
    pages = job["result"]["data"]["pages"]
    assert len(pages) == 1 and cer(TRUTH, pages[0]["text"]) <= 0.02, pages
    pdf = (await client.get(job["result"]["download_url"])).content
    document = pypdfium2.PdfDocument(pdf)
    assert len(document) == 1
    assert cer(TRUTH, document[0].get_textpage().get_text_range()) <= 0.02
    assert b"pdfaid" in pdf  # PDF/A metadata


async def test_refusals(client: httpx.AsyncClient) -> None:
    body = await call_tool(
        client,
        "ocr-pdf",
        ("scan.pdf", scanned_pdf()),
        {"pages": "x-y"},
        section="pdf",
        expect=422,
    )
    assert body["error"]["code"] == "validation_error"
    body = await call_tool(
        client, "ocr-pdf", ("scan.png", b"\x89PNG\r\n\x1a\n"), section="pdf", expect=422
    )
    assert body["error"]["code"] == "asset_file_corrupt"  # a PNG signature, nothing more
    body = await call_tool(
        client, "ocr-pdf", ("notes.txt", b"plain text"), section="pdf", expect=422
    )
    assert body["error"]["code"] == "tool_input_type_not_supported"
