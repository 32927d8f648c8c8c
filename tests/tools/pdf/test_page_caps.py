"""Hostile PDFs (issue 14 #7): a few kilobytes of page tree must not buy thousands of
files, megabytes of JSON or renders of dust-sized pages. The files are made here."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pikepdf
import pytest

from satchel.config import Settings
from satchel.media.errors import ResultTooLarge
from satchel.tools.base import ToolContext, ToolLimits
from tests.tools.helpers import call_tool
from tests.tools.pdf.docs import numbered_pdf

MAX_FILES = 50


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.tool_max_files = MAX_FILES
    return settings


def dust_pdf(pages: int, side: float = 1) -> bytes:
    """`pages` real pages of `side`×`side` points sharing one content stream."""
    pdf = pikepdf.new()
    contents = pdf.make_stream(b"0 0 m 1 1 l S")
    for _ in range(pages):
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, side, side], Contents=contents
        )
        pdf.pages.append(pikepdf.Page(page))
    buf = io.BytesIO()
    pdf.save(buf, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buf.getvalue()


async def test_an_18_kb_pdf_of_3001_pages_makes_no_files(client: httpx.AsyncClient) -> None:
    data = dust_pdf(3001)
    assert len(data) < 32_000  # the review's was 18 KB; object streams make this 29 KB
    hostile = ("dust.pdf", data)
    body = await call_tool(client, "split-pdf", hostile, {"everyN": 1}, section="pdf", expect=422)
    assert body["error"]["code"] == "tool_result_too_large"
    assert "3001 files" in body["error"]["message"]
    body = await call_tool(client, "pdf-to-image", hostile, section="pdf", expect=422)
    assert body["error"]["code"] == "pdf_too_many_pages"
    # Within the file cap, pages under the PDF minimum of 3×3 points are not rendered.
    settings = {"pages": "1-40"}
    body = await call_tool(client, "pdf-to-image", hostile, settings, section="pdf", expect=422)
    assert body["error"]["code"] == "pdf_page_too_small"
    assert "page 1 is 1×1 points" in body["error"]["message"]
    response = await client.post("/api/v1/tools/pdf/pdf-to-image/preview", files={"file": hostile})
    assert response.status_code == 422 and response.json()["error"]["code"] == "pdf_page_too_small"


async def test_the_file_cap_is_configurable_and_checked_before_work(
    client: httpx.AsyncClient,
) -> None:
    pages = ("sixty.pdf", numbered_pdf(MAX_FILES + 10))
    cases = (
        ("pdf-to-image", {"dpi": 36}, "pdf_too_many_pages"),
        ("split-pdf", {"everyN": 1}, "tool_result_too_large"),
    )
    for tool, settings, code in cases:
        body = await call_tool(client, tool, pages, settings, section="pdf", expect=422)
        assert body["error"]["code"] == code, tool
        assert f"at most {MAX_FILES}" in body["error"]["message"]
    data = (await call_tool(client, "split-pdf", pages, {"everyN": 2}, section="pdf"))["data"]
    assert data["data"]["files"] == 30


def test_every_tool_run_stops_at_the_file_cap(tmp_path: Path) -> None:
    ctx = ToolContext(tmp_path, ToolLimits(max_output_files=3))
    names = [ctx.output("page.png", "image/png").name for _ in range(3)]
    assert names == ["page.png", "page-2.png", "page-3.png"]
    with pytest.raises(ResultTooLarge, match="at most 3"):
        ctx.output("page.png", "image/png")


async def test_info_of_thousands_of_pages_is_small(client: httpx.AsyncClient) -> None:
    hostile = ("dust.pdf", dust_pdf(3001))
    response = await client.post("/api/v1/tools/pdf/pdf-to-image/info", files={"file": hostile})
    assert response.status_code == 200, response.text
    assert len(response.content) < 100_000
    data = response.json()["data"]
    assert data["pages"] == 3001 and data["page_sizes_truncated"] is True
    assert len(data["page_sizes"]) == 1000
