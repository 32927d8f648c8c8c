"""resize, crop, rotate and convert on real files."""

from __future__ import annotations

import httpx
import pytest

from tests.tools.helpers import PHOTO, call_tool, corpus, golden, image, pixels, run_tool

EXIF = "images/exif-samples/jpg/orientation"
PNG = corpus("images/pngsuite/png/basn2c08.png")  # 32×32 RGB


@pytest.mark.parametrize(
    ("options", "size"),
    [
        ({"width": 300, "height": 200, "fit": "inside"}, (300, 129)),
        ({"width": 300, "height": 200, "fit": "cover"}, (300, 200)),
        ({"width": 300, "height": 200, "fit": "fill"}, (300, 200)),
        ({"width": 300, "height": 200, "fit": "contain"}, (300, 200)),
        ({"width": 300, "height": 200, "fit": "outside"}, (467, 200)),
        ({"width": 461}, (461, 198)),
        ({"percentage": 5}, (230, 99)),
        ({"preset": "instagram-square"}, (1080, 1080)),
    ],
)
async def test_resize_fits(
    client: httpx.AsyncClient, options: dict[str, object], size: tuple[int, int]
) -> None:
    _, content = await run_tool(client, "resize", PHOTO, options)
    out = image(content)
    assert (out.width, out.height) == size


async def test_resize_respects_orientation_and_enlargement(client: httpx.AsyncClient) -> None:
    rotated = corpus(f"{EXIF}/landscape_6.jpg")
    _, content = await run_tool(client, "resize", rotated, {"width": 60})
    upright = corpus(f"{EXIF}/landscape_1.jpg")
    _, expected = await run_tool(client, "resize", upright, {"width": 60})
    assert image(content).width == 60
    assert pixels(content).shape == pixels(expected).shape
    _, small = await run_tool(client, "resize", PNG, {"width": 64, "withoutEnlargement": True})
    assert image(small).width == 32
    _, golden_bytes = await run_tool(client, "resize", PHOTO, {"width": 160, "format": "png"})
    golden("resize-photo-160.png", golden_bytes)


async def test_crop_pixels_and_percent(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(
        client, "crop", PNG, {"left": 4, "top": 8, "width": 10, "height": 12}
    )
    source, out = pixels(PNG.read_bytes()), pixels(content)
    assert out.shape[:2] == (12, 10)
    assert (out == source[8:20, 4:14]).all()  # PNG: lossless, exactly those pixels
    _, half = await run_tool(client, "crop", PNG, {"width": 50, "height": 50, "unit": "percent"})
    assert image(half).width == 16
    body = await call_tool(client, "crop", PNG, {"left": 30, "width": 10, "height": 10}, expect=422)
    assert body["error"]["code"] == "tool_crop_out_of_bounds"
    body = await call_tool(client, "crop", PNG, {"width": 10}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.height"


async def test_rotate_and_flip_are_exact(client: httpx.AsyncClient) -> None:
    source = pixels(PNG.read_bytes())
    _, content = await run_tool(client, "rotate", PNG, {"angle": 90})
    assert (pixels(content) == source.transpose(1, 0, 2)[:, ::-1]).all()
    _, content = await run_tool(client, "rotate", PNG, {"horizontal": True})
    assert (pixels(content) == source[:, ::-1]).all()
    _, content = await run_tool(client, "rotate", PNG, {"angle": 30})
    out = image(content)
    assert out.width > 32 and out.hasalpha()


@pytest.mark.parametrize("fmt", ["jpg", "png", "webp", "avif", "tiff", "gif", "heic"])
async def test_convert_to_each_format(client: httpx.AsyncClient, fmt: str) -> None:
    lossless = fmt in ("png", "tiff")  # a PNG quality asks for a palette (as sharp does)
    options = {"format": fmt} if lossless else {"format": fmt, "quality": 90}
    data, content = await run_tool(client, "convert", PNG, options)
    assert data["download_url"].endswith(f".{fmt}")
    if fmt == "heic":
        from io import BytesIO

        import pillow_heif

        heif = pillow_heif.open_heif(BytesIO(content))
        assert heif.size == (32, 32)
        return
    out = image(content)
    assert (out.width, out.height) == (32, 32)
    if lossless:
        assert (pixels(out) == pixels(PNG.read_bytes())).all()


async def test_convert_reads_heic(client: httpx.AsyncClient) -> None:
    heic = corpus("images/exif-samples/heic/IMG_5195.HEIC")
    _, content = await run_tool(client, "convert", heic, {"format": "jpg"})
    assert content[:3] == b"\xff\xd8\xff" and image(content).width > 100


async def test_resize_takes_svg(client: httpx.AsyncClient) -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        b'<rect width="40" height="20" fill="#ff0000"/></svg>'
    )
    _, content = await run_tool(client, "resize", ("box.svg", svg), {"width": 80})
    out = image(content)
    assert (out.width, out.height) == (80, 40)
    assert out.getpoint(40, 20)[:3] == [255.0, 0.0, 0.0]
