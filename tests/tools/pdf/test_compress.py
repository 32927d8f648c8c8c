"""compress-pdf: smaller, same pages and text, images still the same picture."""

from __future__ import annotations

import httpx

from tests.tools.helpers import call_tool, corpus, run_tool, ssim
from tests.tools.pdf.docs import texts

IMAGE = corpus("pdf/003-pdflatex-image/pdflatex-image.pdf")
TEXT_ONLY = corpus("pdf/004-pdflatex-4-pages/pdflatex-4-pages.pdf")


async def test_compress_by_quality_and_target(client: httpx.AsyncClient) -> None:
    data, out = await run_tool(client, "compress-pdf", IMAGE, {"quality": 50}, section="pdf")
    facts = data["data"]
    assert facts["images"] == 1 and facts["size"] == len(out)
    assert len(out) < 0.6 * IMAGE.stat().st_size
    assert texts(out) == texts(IMAGE.read_bytes())
    settings = {"pages": "1", "dpi": 50}
    _, before = await run_tool(client, "pdf-to-image", IMAGE, settings, section="pdf")
    _, after = await run_tool(client, "pdf-to-image", ("c.pdf", out), settings, section="pdf")
    assert ssim(before, after) > 0.9
    data, out = await run_tool(
        client, "compress-pdf", IMAGE, {"mode": "targetSize", "targetSizeKb": 36}, section="pdf"
    )
    assert len(out) <= 36 * 1024 and data["data"]["quality"] < 75
    body = await call_tool(
        client, "compress-pdf", TEXT_ONLY, {"mode": "targetSize", "targetSizeKb": 1},
        section="pdf", expect=422,
    )  # fmt: skip
    assert body["error"]["code"] == "tool_target_size_unreachable"
    body = await call_tool(
        client, "compress-pdf", IMAGE, {"mode": "targetSize"}, section="pdf", expect=422
    )
    assert body["error"]["code"] == "validation_error"


async def test_a_colour_key_mask_becomes_a_soft_mask(client: httpx.AsyncClient) -> None:
    keyed = corpus("pdf/018-base64-image/base64image.pdf")  # an RGB image with /Mask [255…]
    data, out = await run_tool(client, "compress-pdf", keyed, {"quality": 50}, section="pdf")
    assert data["data"]["images"] == 1 and len(out) < 0.5 * keyed.stat().st_size
    settings = {"pages": "1", "dpi": 36}
    _, before = await run_tool(client, "pdf-to-image", keyed, settings, section="pdf")
    _, after = await run_tool(client, "pdf-to-image", ("k.pdf", out), settings, section="pdf")
    assert ssim(before, after) > 0.9


async def test_a_cmyk_palette_image_is_expanded_and_compressed(client: httpx.AsyncClient) -> None:
    indexed = corpus("pdf/023-cmyk-image/cmyk-image.pdf")  # /Indexed /DeviceCMYK, Flate
    data, out = await run_tool(client, "compress-pdf", indexed, {"quality": 50}, section="pdf")
    assert data["data"]["images"] == 1 and len(out) < 0.3 * indexed.stat().st_size
    settings = {"pages": "1", "dpi": 36}
    _, before = await run_tool(client, "pdf-to-image", indexed, settings, section="pdf")
    _, after = await run_tool(client, "pdf-to-image", ("k.pdf", out), settings, section="pdf")
    assert ssim(before, after) > 0.85
