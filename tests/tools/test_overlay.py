"""Watermark & overlay through the API: watermark-text, watermark-image, text-overlay,
compose and meme-generator, on the phone photo (made small) and PngSuite files."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import pyvips

from tests.tools.helpers import PHOTO, PNGSUITE, call_tool, golden, image, run_tool

LOGO = PNGSUITE / "png/basn6a08.png"  # 32×32 RGBA
RGB_PNG = PNGSUITE / "png/basn2c08.png"  # 32×32 RGB
FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)


@pytest.fixture(scope="module", autouse=True)
def fonts() -> None:
    """The text tools render with DejaVu and Liberation; install them when missing
    (tests.servers.ensure_debian_package looks for a binary, fonts have none)."""
    for font, package in zip(FONTS, ("fonts-dejavu-core", "fonts-liberation"), strict=True):
        if not font.is_file():
            for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
                subprocess.run(cmd, check=True, capture_output=True, timeout=600)
        assert font.is_file(), font


@cache
def photo() -> bytes:
    """The phone photo, 320 px wide, decoded once and kept as PNG (exact comparisons)."""
    data: bytes = pyvips.Image.thumbnail(str(PHOTO), 320).pngsave_buffer()
    return data


def small() -> tuple[str, bytes]:
    return ("photo.png", photo())


def as_jpeg(data: bytes) -> bytes:
    """A small JPEG of a result, to keep golden files small (compared by SSIM anyway)."""
    out: bytes = image(data).jpegsave_buffer(Q=85)
    return out


def px(data: bytes | Path) -> np.ndarray[Any, Any]:
    img = image(data.read_bytes() if isinstance(data, Path) else data)
    return np.ndarray(
        buffer=img.write_to_memory(), dtype=np.uint8, shape=[img.height, img.width, img.bands]
    ).astype(np.int32)


def changed(before: bytes | Path, after: bytes, *, by: int = 0) -> np.ndarray[Any, Any]:
    """Where two same-size images differ by more than `by` (a boolean mask)."""
    return np.asarray(np.abs(px(before)[..., :3] - px(after)[..., :3]).max(axis=2) > by)


def box(mask: np.ndarray[Any, Any]) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the True pixels."""
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


async def error_code(client: httpx.AsyncClient, tool: str, files: Any, settings: Any) -> str:
    body = await call_tool(client, tool, files, settings, expect=422)
    code: str = body["error"]["code"]
    return code


# watermark-text ------------------------------------------------------------------------


async def test_watermark_text_lands_where_asked(client: httpx.AsyncClient) -> None:
    settings = {"text": "© Satchel", "fontSize": 20, "opacity": 0.8}
    data, content = await run_tool(client, "watermark-text", small(), settings)
    assert data["download_url"].endswith(".png")
    assert image(content).width == 320
    left, top, right, bottom = box(changed(photo(), content))
    assert left > 160 and top > 68 and right < 320 and bottom < 137  # bottom-right corner
    assert 60 < right - left < 140 and 10 < bottom - top < 30  # ~ the size of the text
    golden("watermark-text-corner.jpg", as_jpeg(content))
    _, content = await run_tool(
        client, "watermark-text", small(), {**settings, "position": "Top Left"}
    )
    left, top, _, _ = box(changed(photo(), content))
    assert left < 20 and top < 20


async def test_watermark_text_tiles_and_rotates(client: httpx.AsyncClient) -> None:
    settings = {"text": "SAMPLE", "fontSize": 14, "tile": True, "rotation": -30, "opacity": 40}
    _, content = await run_tool(client, "watermark-text", small(), settings)
    mask = changed(photo(), content)
    for quadrant in (mask[:68, :160], mask[:68, 160:], mask[68:, :160], mask[68:, 160:]):
        assert quadrant.mean() > 0.02
    golden("watermark-text-tiled.jpg", as_jpeg(content))


async def test_watermark_text_escapes_markup(client: httpx.AsyncClient) -> None:
    settings = {"text": "<b>bold?</b> & <span foreground='red'>x</span>", "color": "#00ff00"}
    _, content = await run_tool(client, "watermark-text", small(), {**settings, "opacity": 1})
    out = px(content)
    mask = changed(photo(), content)
    assert mask.sum() > 200
    reddish = (out[..., 0] > 200) & (out[..., 1] < 80)
    assert not (reddish & mask).any()  # the span was text, not markup


async def test_watermark_text_refuses_bad_input(client: httpx.AsyncClient) -> None:
    big = {"text": "x" * 400, "fontSize": 1000}
    assert await error_code(client, "watermark-text", small(), big) == "tool_result_too_large"
    assert (
        await error_code(client, "watermark-text", small(), {"text": "   "}) == "tool_text_invalid"
    )
    body = await call_tool(
        client, "watermark-text", small(), {"text": "a", "position": "nowhere"}, expect=422
    )
    assert body["error"]["fields"][0]["field"] == "settings.position"
    body = await call_tool(
        client, "watermark-text", small(), {"text": "a", "font": "wingdings"}, expect=422
    )
    assert body["error"]["fields"][0]["field"] == "settings.font"
    body = await call_tool(client, "watermark-text", small(), {}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.text"


async def test_watermark_text_as_a_pipeline_step(client: httpx.AsyncClient) -> None:
    """The seed's pipeline example: resize, then a text watermark."""
    steps = [
        {"toolId": "resize", "settings": {"width": 200}},
        {"toolId": "watermark-text", "settings": {"text": "© 2025", "opacity": 1}},
    ]
    response = await client.post(
        "/api/v1/pipeline/execute",
        files={"file": ("photo.png", photo())},
        data={"pipeline": json.dumps({"steps": steps})},
    )
    assert response.status_code == 200, response.text
    content = (await client.get(response.json()["data"]["download_url"])).content
    out = image(content)
    assert (out.width, out.height) == (200, 86)
    resized = pyvips.Image.thumbnail_buffer(photo(), 200).pngsave_buffer()
    left, top, _, bottom = box(changed(resized, content, by=40))
    assert left > 100 and top > 43  # the text sits bottom-right
    assert 4 < bottom - top < 12  # default size: 6 % of the shorter side (86 px)


# watermark-image -----------------------------------------------------------------------


async def test_watermark_image_second_file(client: httpx.AsyncClient) -> None:
    settings = {"scale": 25, "opacity": 1, "position": "top-right"}
    _, content = await run_tool(client, "watermark-image", [small(), LOGO], settings)
    left, top, right, _ = box(changed(photo(), content))
    assert right >= 300 and top <= 8 and 70 <= right - left + 1 <= 82  # 25 % of 320 = 80 px
    golden("watermark-image-top-right.jpg", as_jpeg(content))
    _, faint = await run_tool(
        client, "watermark-image", [small(), LOGO], {**settings, "opacity": 30}
    )
    d_full = np.abs(px(content) - px(photo())).sum()
    d_faint = np.abs(px(faint) - px(photo())).sum()
    assert 0.15 < d_faint / d_full < 0.45


async def test_watermark_image_as_a_named_part_and_in_a_batch(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(
        client, "watermark-image", small(), {"opacity": 1}, extras={"watermark": LOGO}
    )
    assert box(changed(photo(), content))[0] > 200  # bottom-right by default
    response = await client.post(
        "/api/v1/tools/image/watermark-image/batch",
        files=[
            ("files", ("a.png", photo())),
            ("files", ("b.png", RGB_PNG.read_bytes())),
            ("watermark", ("logo.png", LOGO.read_bytes())),
        ],
        data={"settings": json.dumps({"opacity": 1})},
    )
    assert response.status_code == 200, response.text
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    assert changed(photo(), zf.read("a.png")).any()
    assert changed(RGB_PNG, zf.read("b.png")).any()


async def test_watermark_image_needs_its_second_file(client: httpx.AsyncClient) -> None:
    assert await error_code(client, "watermark-image", small(), {}) == "tool_input_missing"
    body = await call_tool(client, "watermark-image", [small(), LOGO], {"scale": 0}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.scale"


# text-overlay --------------------------------------------------------------------------


async def test_text_overlay_box_at_the_point(client: httpx.AsyncClient) -> None:
    settings = {
        "text": "Hello",
        "fontSize": 18,
        "x": 30,
        "y": 20,
        "padding": 10,
        "background": "#ff0000",
    }
    _, content = await run_tool(client, "text-overlay", small(), settings)
    left, top, right, bottom = box(changed(photo(), content))
    assert (left, top) == (30, 20)
    out = px(content)
    assert list(out[25, 40, :3]) == [255, 0, 0]  # inside the padding: the box colour
    assert 50 < right - left < 100 and 25 < bottom - top < 45
    golden("text-overlay-box.jpg", as_jpeg(content))
    settings = {"text": "two\nlines", "fontSize": 16, "borderRadius": 12}
    _, content = await run_tool(client, "text-overlay", small(), settings)
    left, top, right, bottom = box(changed(photo(), content))
    assert abs((left + right) / 2 - 160) <= 2 and bottom > 100  # centred, near the bottom


async def test_text_overlay_fonts_map_to_installed_faces(client: httpx.AsyncClient) -> None:
    masks = []
    for font in ("Times New Roman", "courier", "sans"):
        settings = {"text": "Satchel", "font": font, "fontSize": 20, "background": "#0000"}
        _, content = await run_tool(client, "text-overlay", small(), settings)
        masks.append(changed(photo(), content))
    assert masks[0].sum() > 50
    assert (masks[0] != masks[1]).sum() > 50 and (masks[1] != masks[2]).sum() > 50


async def test_text_overlay_refuses_bad_input(client: httpx.AsyncClient) -> None:
    far = {"text": "x", "x": 5000}
    assert await error_code(client, "text-overlay", small(), far) == "tool_position_out_of_bounds"
    body = await call_tool(
        client, "text-overlay", small(), {"text": "x", "padding": -1}, expect=422
    )
    assert body["error"]["fields"][0]["field"] == "settings.padding"


# compose -------------------------------------------------------------------------------


async def test_compose_over_and_blend_modes(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(client, "compose", [small(), RGB_PNG], {"x": 100, "y": 40})
    out = px(content)
    assert (out[40:72, 100:132, :3] == px(RGB_PNG)).all()  # opaque top layer, pasted exactly
    assert not changed(photo(), content)[:, :100].any()
    _, content = await run_tool(
        client, "compose", [small(), LOGO], {"x": -8, "y": 120, "blend": "color-dodge"}
    )
    left, top, right, bottom = box(changed(photo(), content))
    assert left == 0 and top >= 120 and right <= 24 and bottom <= 136  # clipped at the edges
    settings = {"x": 10, "y": 10, "blend": "multiply", "opacity": 0.7}
    _, content = await run_tool(client, "compose", small(), settings, extras={"overlay": RGB_PNG})
    golden("compose-multiply.jpg", as_jpeg(content))
    region = px(content)[10:42, 10:42, :3]
    assert (region <= px(photo())[10:42, 10:42, :3] + 1).all()  # multiply only darkens


async def test_compose_refuses_bad_input(client: httpx.AsyncClient) -> None:
    outside = {"x": 400}
    assert await error_code(client, "compose", [small(), LOGO], outside) == "tool_layer_outside"
    body = await call_tool(client, "compose", [small(), LOGO], {"blend": "melt"}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.blend"
    both = await call_tool(
        client, "compose", [small(), LOGO], {}, extras={"overlay": LOGO}, expect=422
    )
    assert both["error"]["code"] == "tool_too_many_inputs"


# meme-generator ------------------------------------------------------------------------

CAPTIONS = [{"id": "top", "text": "when the tests pass"}, {"id": "bottom", "text": "first try"}]


async def test_meme_on_an_uploaded_image(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(client, "meme-generator", small(), {"textBoxes": CAPTIONS})
    out = px(content)
    assert out.shape[:2] == (137, 320)
    mask = changed(photo(), content)
    assert mask[:40].mean() > 0.05 and mask[-40:].mean() > 0.05  # top and bottom captions
    assert mask[60:75].mean() < 0.01  # the middle is left alone
    white = (out[..., :3] > 240).all(axis=2) & mask
    black = (out[..., :3] < 20).all(axis=2) & mask
    assert white.sum() > 100 and black.sum() > 100  # white letters, black outline
    golden("meme-generator-photo.jpg", as_jpeg(content))


async def test_meme_from_a_template(client: httpx.AsyncClient) -> None:
    settings = {
        "templateId": "two-panel",
        "textBoxes": [{"text": "left"}, {"text": "right"}],
        "fontFamily": "bebas-neue",
        "allCaps": False,
    }
    data, content = await run_tool(client, "meme-generator", None, settings)
    assert data["download_url"].endswith(".png")
    out = px(content)
    assert out.shape[:2] == (600, 1200)
    white = np.asarray((out[..., :3] > 240).all(axis=2))
    assert white[:, :600].sum() > 500 and white[:, 600:].sum() > 500  # a caption per panel
    golden("meme-generator-two-panel.png", content, min_ssim=0.95)
    settings = {
        "templateId": "plain-black",
        "textLayout": "center",
        "textBoxes": [{"text": "hi"}],
        "fontSize": 40,
    }
    _, content = await run_tool(client, "meme-generator", None, settings)
    _, top, _, bottom = box(np.asarray((px(content)[..., :3] > 128).any(axis=2)))
    assert 370 < (top + bottom) / 2 < 430 and 20 < bottom - top < 50


async def test_meme_templates_sub_route(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/tools/image/meme-generator/templates", json={})
    assert response.status_code == 200, response.text
    templates = {t["id"]: t for t in response.json()["data"]["templates"]}
    assert {"plain-white", "two-panel"} <= set(templates)
    assert [b["id"] for b in templates["two-panel"]["text_boxes"]] == ["left", "right"]


async def test_meme_refuses_bad_requests(client: httpx.AsyncClient) -> None:
    one = [{"text": "x"}]
    unknown = {"templateId": "distracted-boyfriend", "textBoxes": one}
    assert await error_code(client, "meme-generator", None, unknown) == "meme_template_not_found"
    both = {"templateId": "plain-white", "textBoxes": one}
    assert await error_code(client, "meme-generator", small(), both) == "meme_mode_conflict"
    assert (
        await error_code(client, "meme-generator", None, {"textBoxes": one}) == "tool_input_missing"
    )
    empty = {"templateId": "plain-white", "textBoxes": [{"id": "top", "text": "  "}]}
    assert await error_code(client, "meme-generator", None, empty) == "meme_text_missing"
    many = {"templateId": "plain-white", "textLayout": "top-only", "textBoxes": one * 2}
    assert await error_code(client, "meme-generator", None, many) == "meme_too_many_text_boxes"
    body = await call_tool(client, "meme-generator", None, {"fontFamily": "papyrus"}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.fontFamily"
