"""Format & Conversion: pdf-to-image, with its `info` and `preview` sub-routes."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.media.test_pdfium import blank_pages, declared_pages
from tests.tools.helpers import PHOTO, call_tool, corpus, golden, image, pixels, run_tool

FOUR_PAGES = corpus("pdf/004-pdflatex-4-pages/pdflatex-4-pages.pdf")  # A4
TRIVIAL = corpus("pdf/001-trivial/minimal-document.pdf")
ENCRYPTED = corpus("pdf/005-libreoffice-writer-password/libreoffice-writer-password.pdf")
ROTATED = corpus("pdf/015-arabic/habibi-rotated.pdf")
MANY_PAGES = corpus("pdf/009-pdflatex-geotopo/GeoTopo-komprimiert.pdf")  # 117 pages


async def test_pdf_pages_to_images(client: httpx.AsyncClient) -> None:
    body = await call_tool(
        client,
        "pdf-to-image",
        ("report.v2.pdf", FOUR_PAGES.read_bytes()),
        {"pages": "1-2,4", "dpi": 72},
        section="pdf",
    )
    data = body["data"]
    names = [f["name"] for f in data["files"]]
    stem = "report.v2"  # dots in the name stay
    assert names == [
        f"{stem}-page-1.png",
        f"{stem}-page-2.png",
        f"{stem}-page-4.png",
        "pdf-to-image-results.zip",
    ]
    assert data["data"]["pages"] == [1, 2, 4]
    zf = zipfile.ZipFile(io.BytesIO((await client.get(data["download_url"])).content))
    pages = [image(zf.read(n)) for n in names[:3]]
    assert all((p.width, p.height) == (596, 842) for p in pages)
    assert all(
        pixels(p).min() < 100 and pixels(p)[0, 0].min() == 255 for p in pages
    )  # text on white
    data, content = await run_tool(
        client, "pdf-to-image", TRIVIAL, {"format": "jpg", "dpi": 36, "quality": 80}, section="pdf"
    )
    assert data["download_url"].endswith(".jpg") and len(data["files"]) == 1
    assert (image(content).width, image(content).height) == (298, 421)
    golden("pdf-to-image-trivial.jpg", content)
    _, content = await run_tool(
        client, "pdf-to-image", ROTATED, {"pages": "1", "format": "webp", "dpi": 36}, section="pdf"
    )
    assert (image(content).width, image(content).height) == (421, 298)  # a landscape page


async def test_pdf_form_fields_are_drawn(client: httpx.AsyncClient) -> None:
    forms = corpus("pdf/010-pdflatex-forms/pdflatex-forms.pdf")
    _, content = await run_tool(client, "pdf-to-image", forms, {"dpi": 36}, section="pdf")
    assert pixels(content).min() < 50  # the fields' text and borders, not just faint lines


async def test_pdf_errors(client: httpx.AsyncClient) -> None:
    body = await call_tool(client, "pdf-to-image", ENCRYPTED, section="pdf", expect=422)
    assert body["error"]["code"] == "pdf_encrypted"
    assert "password" in body["error"]["message"]
    broken = ("broken.pdf", b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >>\n" * 50 + b"%%EOF\n")
    body = await call_tool(client, "pdf-to-image", broken, section="pdf", expect=422)
    assert body["error"]["code"] == "pdf_unreadable", body
    body = await call_tool(
        client, "pdf-to-image", FOUR_PAGES, {"pages": "9"}, section="pdf", expect=422
    )
    assert body["error"]["code"] == "tool_page_out_of_range"
    body = await call_tool(
        client, "pdf-to-image", MANY_PAGES, {"dpi": 600}, section="pdf", expect=422
    )
    assert body["error"]["code"] == "tool_result_too_large"
    for settings, field in [
        ({"pages": "3-1"}, "settings.pages"),
        ({"pages": "one"}, "settings.pages"),
        ({"dpi": 700}, "settings.dpi"),
        ({"format": "gif"}, "settings.format"),
    ]:
        body = await call_tool(
            client, "pdf-to-image", FOUR_PAGES, settings, section="pdf", expect=422
        )
        assert body["error"]["code"] == "validation_error"
        assert body["error"]["fields"][0]["field"] == field
    body = await call_tool(client, "pdf-to-image", PHOTO, section="pdf", expect=422)
    assert body["error"]["code"] == "tool_input_type_not_supported"


async def test_pdf_info_and_preview(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/tools/pdf/pdf-to-image/info",
        files={"file": (FOUR_PAGES.name, FOUR_PAGES.read_bytes())},
    )
    data = response.json()["data"]
    assert data["pages"] == 4
    assert data["page_sizes"][0] == {"page": 1, "width_pt": 595.28, "height_pt": 841.89}
    response = await client.post(
        "/api/v1/tools/pdf/pdf-to-image/preview",
        files={"file": (FOUR_PAGES.name, FOUR_PAGES.read_bytes())},
        data={"settings": json.dumps({"page": 2, "size": 200})},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/webp"
    assert int(response.headers["x-original-size"]) == FOUR_PAGES.stat().st_size
    out = image(response.content)
    assert (out.width, out.height) == (142, 200)
    response = await client.post(
        "/api/v1/tools/pdf/pdf-to-image/preview",
        files={"file": (FOUR_PAGES.name, FOUR_PAGES.read_bytes())},
        data={"settings": json.dumps({"page": 5})},
    )
    assert (
        response.status_code == 422 and response.json()["error"]["code"] == "tool_page_out_of_range"
    )
    response = await client.post(
        "/api/v1/tools/pdf/pdf-to-image/info",
        files={"file": (ENCRYPTED.name, ENCRYPTED.read_bytes())},
    )
    assert response.json()["error"]["code"] == "pdf_encrypted"


@pytest.mark.timeout(60)  # a hang guard, not a speed measure: the bench measures speed
async def test_page_budgets(client: httpx.AsyncClient, tmp_path: Path) -> None:
    bomb = ("bomb.pdf", declared_pages(200_000))  # one real page, 200,000 declared
    body = await call_tool(client, "pdf-to-image", bomb, section="pdf", expect=422)
    assert body["error"]["code"] == "pdf_too_many_pages"
    assert "at most 1000" in body["error"]["message"]
    _, content = await run_tool(client, "pdf-to-image", bomb, {"pages": "1"}, section="pdf")
    assert image(content).width == 417  # 200 pt at 150 DPI
    body = await call_tool(client, "pdf-to-image", bomb, {"pages": "2"}, section="pdf", expect=422)
    assert body["error"]["code"] == "pdf_unreadable"  # declared, but not there
    response = await client.post("/api/v1/tools/pdf/pdf-to-image/info", files={"file": bomb})
    assert response.json()["error"]["code"] == "pdf_unreadable"
    blank = blank_pages(tmp_path / "blank.pdf", 1001)
    body = await call_tool(client, "pdf-to-image", blank, {"dpi": 36}, section="pdf", expect=422)
    assert body["error"]["code"] == "pdf_too_many_pages"
    response = await client.post(
        "/api/v1/tools/pdf/pdf-to-image/info", files={"file": ("blank.pdf", blank.read_bytes())}
    )
    facts = response.json()["data"]
    assert facts["pages"] == 1001 and len(facts["page_sizes"]) == 1000
    assert facts["page_sizes_truncated"] is True


async def test_pdf_to_image_also_answers_under_image(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(
        client, "pdf-to-image", TRIVIAL, {"dpi": 36, "format": "png"}, section="image"
    )
    assert (image(content).width, image(content).height) == (298, 421)
    response = await client.post(
        "/api/v1/tools/image/pdf-to-image/info",
        files={"file": (FOUR_PAGES.name, FOUR_PAGES.read_bytes())},
    )
    assert response.json()["data"]["pages"] == 4
    response = await client.post("/api/v1/tools/video/pdf-to-image", json={})
    assert response.status_code == 404
