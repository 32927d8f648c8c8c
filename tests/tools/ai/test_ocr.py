"""OCR (image/ocr): text rendered with DejaVu at three sizes and a scanned-looking page,
checked against the truth by character error rate, with word boxes where the words are."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.tools.ai.samples import PARAGRAPH, cer, png, render, scanned
from tests.tools.helpers import call_tool

TRUTH = "\n".join(PARAGRAPH)


def facts(body: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = body["data"]["data"]
    return data


@pytest.mark.parametrize("size", [14, 24, 48])
async def test_rendered_text_at_three_sizes(client: httpx.AsyncClient, size: int) -> None:
    image = render(size=size)
    found = facts(await call_tool(client, "ocr", ("page.png", png(image))))
    assert cer(TRUTH, found["text"]) <= 0.02, found["text"]
    assert found["language"] == "eng" and found["engine"].startswith("tesseract 5")
    assert found["confidence"] > 80
    fox = next(w for w in found["words"] if w["text"] == "fox")
    box = fox["box"]
    assert 40 < box["left"] < image.width and 35 <= box["top"] < 40 + size  # first line
    assert box["height"] <= size * 1.5 and fox["line"] == 0


async def test_scanned_looking_page(client: httpx.AsyncClient) -> None:
    page = scanned(render(size=28), skew=1.0)
    body = await call_tool(client, "ocr", ("scan.png", png(page)), {"quality": "best"})
    assert cer(TRUTH, facts(body)["text"]) <= 0.02, facts(body)["text"]
    download = await client.get(body["data"]["download_url"])
    assert cer(TRUTH, download.text) <= 0.02


async def test_seed_language_spelling_and_enhance(client: httpx.AsyncClient) -> None:
    settings = {"language": "en", "enhance": True, "layout": "single-block", "quality": "fast"}
    found = facts(await call_tool(client, "ocr", ("page.png", png(render(size=24))), settings))
    assert found["language"] == "eng" and cer(TRUTH, found["text"]) <= 0.02


async def test_blank_image_has_no_text(client: httpx.AsyncClient) -> None:
    from PIL import Image

    found = facts(
        await call_tool(client, "ocr", ("blank.png", png(Image.new("RGB", (300, 200), "white"))))
    )
    assert found["text"] == "" and found["words"] == [] and found["wordCount"] == 0


@pytest.mark.parametrize(
    ("options", "status", "code"),
    [
        ({"language": "xyz"}, 503, "tool_unavailable"),
        ({"language": "eng; rm -rf"}, 503, "tool_unavailable"),
        ({"quality": "perfect"}, 422, "validation_error"),
        ({"layout": "columns"}, 422, "validation_error"),
    ],
)
async def test_bad_settings(
    client: httpx.AsyncClient, options: dict[str, Any], status: int, code: str
) -> None:
    body = await call_tool(client, "ocr", ("p.png", png(render(size=14))), options, expect=status)
    assert body["error"]["code"] == code
    if code == "tool_unavailable":
        assert (
            "not installed" in body["error"]["message"]
            or "Not a Tesseract" in body["error"]["message"]
        )


async def test_not_an_image(client: httpx.AsyncClient) -> None:
    body = await call_tool(client, "ocr", ("notes.txt", b"plain text"), expect=422)
    assert body["error"]["code"] == "tool_input_type_not_supported"
