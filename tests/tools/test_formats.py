"""Format & Conversion tools: svg-to-raster, vectorize, gif-tools, gif-webp (pdf-to-image:
test_formats_pdf.py)."""

from __future__ import annotations

import base64
import http.server
import io
import json
import subprocess
import threading
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import pyvips

from satchel.runtime import Runtime
from tests.conftest import make_png
from tests.media.test_imaging import gif_bomb
from tests.tools.helpers import PHOTO, call_tool, corpus, golden, image, pixels, run_tool, ssim

SMILE = corpus("pdf/007-imagemagick-images/smile.png")  # 16×16, flat colours
FRAMES = ("basn2c08", "basn6a08", "f00n2c08", "basn0g08")
DELAYS = [100, 200, 300, 400]
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def ensure_fonts() -> None:
    if not FONT.exists():
        for cmd in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "fonts-dejavu-core"],
        ):
            subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    assert FONT.exists()


@cache
def animated_gif() -> bytes:
    """Four 32×24 PngSuite frames, delays 100–400 ms, played three times."""
    frames = []
    for name in FRAMES:
        frame = pyvips.Image.new_from_file(str(corpus(f"images/pngsuite/png/{name}.png")))
        frame = frame.colourspace("srgb").cast("uchar")
        frame = frame if frame.hasalpha() else frame.bandjoin(255)
        frames.append(frame.crop(0, 4, 32, 24))
    strip = pyvips.Image.arrayjoin(frames, across=1).copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", 24)
    strip.set_type(pyvips.GValue.array_int_type, "delay", DELAYS)
    strip.set_type(pyvips.GValue.gint_type, "loop", 3)
    data: bytes = strip.gifsave_buffer()
    return data


def animation(data: bytes) -> tuple[list[np.ndarray[Any, Any]], list[int], int]:
    """(frames as RGB arrays on white, delays, loop) of an animated GIF or WebP."""
    img = pyvips.Image.new_from_buffer(data, "", n=-1)
    page = img.get("page-height")
    strip = pixels(img)
    frames = [strip[i * page : (i + 1) * page] for i in range(img.height // page)]
    return frames, list(img.get("delay")), img.get("loop")


def diff(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    return float(np.abs(a.astype(int) - b.astype(int)).mean())


def gif_file(name: str = "anim.gif") -> tuple[str, bytes]:
    return (name, animated_gif())


def svg(body: str, width: int = 100, height: int = 50) -> tuple[str, bytes]:
    text = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}">{body}</svg>'
    )
    return ("drawing.svg", text.encode())


SHAPES = svg(
    '<rect x="0" y="0" width="50" height="50" fill="#ff0000"/>'
    '<circle cx="75" cy="25" r="20" fill="#0000ff"/>'
)


# svg-to-raster ---------------------------------------------------------------------------


async def test_svg_renders_at_its_size_with_transparency(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "svg-to-raster", SHAPES)
    assert data["download_url"].endswith(".png")
    out = image(content)
    assert (out.width, out.height, out.bands) == (100, 50, 4)
    assert out(10, 10) == [255, 0, 0, 255]
    assert out(75, 25)[2] == 255 and out(75, 25)[3] == 255
    assert out(99, 0)[3] == 0  # nothing drawn there: transparent
    golden("svg-to-raster-shapes.png", content)


async def test_svg_size_scale_dpi_and_background(client: httpx.AsyncClient) -> None:
    cases: list[tuple[dict[str, Any], tuple[int, int]]] = [
        ({"width": 400}, (400, 200)),
        ({"height": 10}, (20, 10)),
        ({"scale": 0.5}, (50, 25)),
        ({"dpi": 144}, (200, 100)),
    ]
    for settings, size in cases:
        _, content = await run_tool(client, "svg-to-raster", SHAPES, settings)
        assert (image(content).width, image(content).height) == size, settings
    _, content = await run_tool(client, "svg-to-raster", SHAPES, {"width": 400})
    assert image(content)(100, 100) == [255, 0, 0, 255]  # drawn at 400 px, not stretched
    data, content = await run_tool(
        client, "svg-to-raster", SHAPES, {"width": 300, "height": 300, "background": "#00ff00"}
    )
    out = image(content)
    assert (out.width, out.height) == (300, 300)
    assert out(0, 0)[:3] == [0, 255, 0] and out(0, 149)[:3] == [255, 0, 0]
    data, content = await run_tool(client, "svg-to-raster", SHAPES, {"format": "jpeg"})
    assert data["download_url"].endswith(".jpg")
    assert pixels(content)[0, 99].min() > 240  # JPEG: white where the SVG is empty


@pytest.mark.parametrize("fmt", ["webp", "avif", "tiff", "gif", "heif"])
async def test_svg_to_every_format(client: httpx.AsyncClient, fmt: str) -> None:
    data, content = await run_tool(client, "svg-to-raster", SHAPES, {"format": fmt, "width": 64})
    assert data["download_url"].endswith(f".{fmt}")
    if fmt == "heif":
        import pillow_heif

        heif = pillow_heif.open_heif(io.BytesIO(content))
        assert heif.size == (64, 32)
    else:
        assert (image(content).width, image(content).height) == (64, 32)


@pytest.fixture
def recorder() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on loopback that serves a PNG to anyone and records every request."""
    hits: list[str] = []
    png = SMILE.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


async def test_svg_references_are_never_fetched(
    client: httpx.AsyncClient, recorder: tuple[int, list[str]]
) -> None:
    ensure_fonts()
    port, hits = recorder
    url = f"http://127.0.0.1:{port}"
    inline = base64.b64encode(SMILE.read_bytes()).decode()
    _, control = await run_tool(
        client,
        "svg-to-raster",
        svg(f'<image href="data:image/png;base64,{inline}" width="100" height="50"/>'),
    )
    assert image(control)[3].max() == 255  # an embedded image does render
    hostile = [
        f'<image href="{url}/a.png" width="100" height="50"/>',
        f'<image xlink:href="{url}/b.png" width="100" height="50"/>',
        f'<use href="{url}/c.svg#x"/>',
        f"<style>@import url({url}/d.css);</style>"
        f'<rect width="100" height="50" fill="url({url}/e.svg#g)"/>',
        f'<image href="file://{SMILE}" width="100" height="50"/>',
        '<image href="file:///etc/passwd" width="100" height="50"/>',
        '<text x="0" y="30" font-size="20"><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
        'href="file:///etc/passwd" parse="text"/></text>',
    ]
    for body in hostile:
        _, content = await run_tool(client, "svg-to-raster", svg(body, 400, 50))
        assert image(content)[3].max() == 0, body  # nothing loaded, nothing drawn
    _, content = await run_tool(
        client, "svg-to-raster", svg('<text x="0" y="30" font-size="20">root:x:0:0</text>', 400, 50)
    )
    assert image(content)[3].max() == 255  # text does render when it is in the file
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="50">'
        b'<text y="30">&x;</text></svg>'
    )
    body = await call_tool(client, "svg-to-raster", ("xxe.svg", xxe), expect=422)
    assert body["error"]["code"] == "tool_input_invalid"
    assert hits == []


async def test_svg_huge_sizes_are_refused(client: httpx.AsyncClient) -> None:
    body = await call_tool(client, "svg-to-raster", svg("", 100000, 100000), expect=422)
    assert body["error"]["code"] == "tool_result_too_large"
    body = await call_tool(client, "svg-to-raster", SHAPES, {"scale": 64, "dpi": 2400}, expect=422)
    assert body["error"]["code"] == "tool_result_too_large"


async def test_svg_bad_settings_and_inputs(client: httpx.AsyncClient) -> None:
    body = await call_tool(client, "svg-to-raster", SHAPES, {"format": "bmp"}, expect=422)
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["fields"][0]["field"] == "settings.format"
    body = await call_tool(client, "svg-to-raster", SHAPES, {"background": "nope"}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.background"
    body = await call_tool(client, "svg-to-raster", SHAPES, {"dpi": 5}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.dpi"
    body = await call_tool(client, "svg-to-raster", ("a.png", make_png(4, 4)), expect=422)
    assert body["error"]["code"] == "tool_input_type_not_supported"


async def test_svg_to_raster_batch_zip(client: httpx.AsyncClient) -> None:
    # The first SVG points at the second one's place in the workspace (in/0001): read from a
    # file, librsvg would draw it; read from memory, it has no base to resolve it against.
    peeker = svg('<image href="0001" width="100" height="50"/><image href="./0001"/>')[1]
    red = svg('<rect width="30" height="20" fill="#ff0000"/>', 30, 20)[1]
    files = [("files", ("peeker.svg", peeker)), ("files", ("red.svg", red))]
    response = await client.post(
        "/api/v1/tools/image/svg-to-raster/batch",
        files=files,
        data={"settings": json.dumps({"format": "webp", "scale": 2})},
    )
    assert response.status_code == 200, response.text
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(zf.namelist()) == ["manifest.json", "peeker.webp", "red.webp"]
    assert image(zf.read("red.webp")).width == 60
    assert image(zf.read("red.webp"))(30, 20)[:3][0] > 200
    peeked = image(zf.read("peeker.webp"))
    assert peeked.width == 200 and peeked[3].max() == 0
    manifest = json.loads(zf.read("manifest.json"))["results"]
    assert [r["status"] for r in manifest] == ["completed", "completed"]


async def test_other_image_tools_take_an_svg_too(client: httpx.AsyncClient) -> None:
    # imaging.load reads SVG from memory (the file and source loaders are blocked)
    _, content = await run_tool(client, "convert", SHAPES, {"format": "png"})
    assert (image(content).width, image(content).height) == (100, 50)


# vectorize ------------------------------------------------------------------------------


def enlarged(name: str) -> tuple[str, bytes]:
    """A 32×32 PngSuite image of a few flat colours, 4× larger (128×128)."""
    path = corpus(f"images/pngsuite/png/{name}.png")
    return (
        path.name,
        pyvips.Image.new_from_file(str(path)).resize(4, kernel="nearest").pngsave_buffer(),
    )


def rasterize(svg_bytes: bytes, width: int, height: int) -> pyvips.Image:
    root = ET.fromstring(svg_bytes)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.findall("{http://www.w3.org/2000/svg}path")
    out = pyvips.Image.new_from_buffer(svg_bytes, "")
    assert (out.width, out.height) == (width, height)
    return out


async def test_vectorize_color_resembles_the_input(client: httpx.AsyncClient) -> None:
    name, png = enlarged("basn3p02")  # four colours
    data, content = await run_tool(client, "vectorize", (name, png))
    assert data["download_url"].endswith("basn3p02.svg")
    assert data["files"][0]["media_type"] == "image/svg+xml"
    assert ssim(rasterize(content, 128, 128), png) > 0.9
    _, polygons = await run_tool(
        client, "vectorize", (name, png), {"pathMode": "polygon", "filterSpeckle": 0}
    )
    assert b" C" not in polygons and ssim(rasterize(polygons, 128, 128), png) > 0.9


async def test_vectorize_bw_traces_what_is_darker_than_the_threshold(
    client: httpx.AsyncClient,
) -> None:
    name, png = enlarged("basn0g04")  # a grey ramp in 15 steps
    grey = pixels(png).mean(axis=2)
    for threshold in (64, 160):
        _, content = await run_tool(
            client, "vectorize", (name, png), {"colorMode": "bw", "threshold": threshold}
        )
        traced = pixels(rasterize(content, 128, 128)).mean(axis=2)
        expected = np.where(grey >= threshold, 255, 0)
        assert (np.abs(traced - expected) < 128).mean() > 0.95, threshold
        assert 0.1 < (expected == 0).mean() < 0.9


async def test_vectorize_then_rasterize_as_a_pipeline(client: httpx.AsyncClient) -> None:
    name, png = enlarged("basn3p02")
    steps = [
        {"toolId": "vectorize", "settings": {"pathMode": "polygon"}},
        {"toolId": "svg-to-raster", "settings": {"width": 64}},
    ]
    response = await client.post(
        "/api/v1/pipeline/execute",
        files={"file": (name, png)},
        data={"pipeline": json.dumps({"steps": steps})},
    )
    assert response.status_code == 200, response.text
    content = (await client.get(response.json()["data"]["download_url"])).content
    small = pyvips.Image.new_from_buffer(png, "").resize(0.5, kernel="nearest")
    assert ssim(content, small) > 0.8


async def test_vectorize_large_photo_keeps_its_size(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(
        client, "vectorize", PHOTO, {"colorMode": "bw", "filterSpeckle": 16}
    )
    root = ET.fromstring(content)
    assert (root.get("width"), root.get("height")) == ("4608", "1976")
    box = [float(v) for v in (root.get("viewBox") or "").split()]
    assert box[2] * box[3] <= 4_000_000 and abs(box[2] / box[3] - 4608 / 1976) < 0.01


async def test_vectorize_bad_settings(client: httpx.AsyncClient) -> None:
    for settings, field in [
        ({"colorMode": "grey"}, "settings.colorMode"),
        ({"colorPrecision": 9}, "settings.colorPrecision"),
        ({"pathMode": "bezier"}, "settings.pathMode"),
        ({"threshold": 300}, "settings.threshold"),
    ]:
        body = await call_tool(client, "vectorize", SMILE, settings, expect=422)
        assert body["error"]["code"] == "validation_error"
        assert body["error"]["fields"][0]["field"] == field


# gif-tools ------------------------------------------------------------------------------


async def test_gif_info(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/tools/image/gif-tools/info", files={"file": gif_file()})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["frames"] == 4 and (data["width"], data["height"]) == (32, 24)
    assert data["delays_ms"] == DELAYS and data["duration_ms"] == 1000 and data["loop"] == 3
    bad = await client.post(
        "/api/v1/tools/image/gif-tools/info", files={"file": ("a.png", make_png())}
    )
    assert bad.json()["error"]["code"] == "tool_input_type_not_supported"


async def test_gif_resize_reverse_speed_rotate(client: httpx.AsyncClient) -> None:
    source, _, _ = animation(animated_gif())
    _, content = await run_tool(client, "gif-tools", gif_file(), {"action": "resize", "width": 16})
    frames, delays, loop = animation(content)
    assert len(frames) == 4 and frames[0].shape[:2] == (12, 16)
    assert (delays, loop) == (DELAYS, 3)
    _, content = await run_tool(client, "gif-tools", gif_file(), {"action": "reverse"})
    frames, delays, loop = animation(content)
    assert delays == DELAYS[::-1] and loop == 3
    assert all(diff(frames[i], source[3 - i]) < 4 for i in range(4))
    assert diff(frames[0], source[0]) > 20
    _, content = await run_tool(client, "gif-tools", gif_file(), {"action": "speed", "factor": 2})
    assert animation(content)[1] == [50, 100, 150, 200]
    _, content = await run_tool(client, "gif-tools", gif_file(), {"action": "speed", "factor": 10})
    assert animation(content)[1] == [20, 20, 30, 40]  # never under 20 ms
    _, content = await run_tool(client, "gif-tools", gif_file(), {"action": "rotate", "angle": 90})
    frames, delays, _ = animation(content)
    assert frames[1].shape[:2] == (32, 24) and delays == DELAYS
    assert diff(frames[1], np.rot90(source[1], k=-1)) < 4


async def test_gif_extract_frames(client: httpx.AsyncClient) -> None:
    source, _, _ = animation(animated_gif())
    body = await call_tool(
        client, "gif-tools", gif_file(), {"action": "extract-frames", "frames": "2-3"}
    )
    files = body["data"]["files"]
    assert [f["name"] for f in files] == [
        "anim-frame-2.png",
        "anim-frame-3.png",
        "gif-tools-results.zip",
    ]
    for n, f in zip((2, 3), files, strict=False):
        content = (await client.get(f["download_url"])).content
        assert diff(pixels(content), source[n - 1]) < 4
    body = await call_tool(
        client, "gif-tools", gif_file(), {"action": "extract-frames", "frames": "5"}, expect=422
    )
    assert body["error"]["code"] == "tool_frame_out_of_range"


async def test_gif_optimize_and_add_text(client: httpx.AsyncClient) -> None:
    ensure_fonts()
    source, _, _ = animation(animated_gif())
    _, content = await run_tool(
        client, "gif-tools", gif_file(), {"action": "optimize", "colors": 16}
    )
    frames, delays, loop = animation(content)
    assert len(frames) == 4 and (delays, loop) == (DELAYS, 3)
    assert len(content) <= len(animated_gif())
    _, content = await run_tool(
        client,
        "gif-tools",
        gif_file(),
        {"action": "add-text", "text": "HI", "fontSize": 10, "position": "bottom"},
    )
    frames, delays, _ = animation(content)
    assert delays == DELAYS
    assert all(diff(f[:10], s[:10]) < 4 for f, s in zip(frames, source, strict=True))
    assert all(diff(f[12:], s[12:]) > 10 for f, s in zip(frames, source, strict=True))
    golden("gif-tools-add-text.gif", content)


async def test_gif_settings_are_checked_per_action(client: httpx.AsyncClient) -> None:
    for settings, field in [
        ({}, "settings.action"),
        ({"action": "spin"}, "settings.action"),
        ({"action": "speed"}, "settings"),  # needs a factor
        ({"action": "resize"}, "settings"),  # needs a size
        ({"action": "reverse", "width": 10}, "settings"),  # width is resize's
        ({"action": "add-text"}, "settings"),
        ({"action": "extract-frames", "frames": "x"}, "settings.frames"),
        ({"action": "rotate", "angle": 45}, "settings.angle"),
    ]:
        body = await call_tool(client, "gif-tools", gif_file(), settings, expect=422)
        assert body["error"]["code"] == "validation_error", settings
        assert body["error"]["fields"][0]["field"] == field, settings
    body = await call_tool(
        client, "gif-tools", gif_file(), {"action": "reverse", "width": 10}, expect=422
    )
    assert "width" in body["error"]["fields"][0]["message"]


async def test_gif_frames_count_against_the_pixel_limit(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    runtime.settings.max_image_pixels = 3000  # one 32×24 frame fits, all four do not
    for tool, settings in [("gif-tools", {"action": "reverse"}), ("gif-webp", {})]:
        body = await call_tool(client, tool, gif_file(), settings, expect=422)
        assert body["error"]["code"] == "tool_input_too_large", tool
        assert "4 frames" in body["error"]["message"]
    response = await client.post("/api/v1/tools/image/gif-tools/info", files={"file": gif_file()})
    assert response.json()["data"]["frames"] == 4  # facts are still given


@pytest.mark.timeout(60)  # a hang guard, not a speed measure: the bench measures speed
async def test_a_gif_frame_bomb_is_refused_before_decoding(client: httpx.AsyncClient) -> None:
    bomb = ("bomb.gif", gif_bomb(2000, 2000, 2000))  # 44 kB declaring 8 gigapixels
    for tool, settings in [
        ("gif-tools", {"action": "reverse"}),
        ("gif-webp", {}),
        ("compress", {"quality": 50}),
        ("strip-metadata", {}),
    ]:
        body = await call_tool(client, tool, bomb, settings, expect=422)
        assert body["error"]["code"] == "tool_input_too_large", tool
        assert "2000 frames of 2000×2000" in body["error"]["message"], tool


# gif-webp -------------------------------------------------------------------------------


async def test_gif_to_webp_and_back(client: httpx.AsyncClient) -> None:
    source, _, _ = animation(animated_gif())
    data, webp = await run_tool(client, "gif-webp", gif_file(), {"lossless": True})
    assert data["download_url"].endswith("anim.webp")
    frames, delays, loop = animation(webp)
    assert (delays, loop) == (DELAYS, 3)
    assert all(diff(f, s) < 0.5 for f, s in zip(frames, source, strict=True))
    data, gif = await run_tool(client, "gif-webp", ("anim.webp", webp), {"resizePercent": 50})
    assert data["download_url"].endswith("anim.gif")
    frames, delays, loop = animation(gif)
    assert len(frames) == 4 and frames[0].shape[:2] == (12, 16) and (delays, loop) == (DELAYS, 3)
    _, small = await run_tool(client, "gif-webp", gif_file(), {"quality": 10})
    assert animation(small)[1] == DELAYS and len(small) < len(webp)


async def test_gif_webp_bad_settings(client: httpx.AsyncClient) -> None:
    for settings, field in [
        ({"quality": 0}, "settings.quality"),
        ({"resizePercent": 5}, "settings.resizePercent"),
        ({"lossless": "maybe"}, "settings.lossless"),
    ]:
        body = await call_tool(client, "gif-webp", gif_file(), settings, expect=422)
        assert body["error"]["fields"][0]["field"] == field
    body = await call_tool(client, "gif-webp", ("a.png", make_png()), expect=422)
    assert body["error"]["code"] == "tool_input_type_not_supported"
