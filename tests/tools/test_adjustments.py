"""Adjustments through the API: adjust-colors, sharpening, replace-color, color-blindness,
duotone, pixelate, vignette — on the phone photo (made small) and PngSuite files."""

from __future__ import annotations

from functools import cache
from typing import Any

import httpx
import numpy as np
import pyvips

from satchel.tools.image.color_blindness import MATRICES
from tests.tools.helpers import PHOTO, PNGSUITE, call_tool, golden, image, pixels, run_tool

RGB_PNG = PNGSUITE / "png/basn2c08.png"  # 32×32 RGB gradients
RGBA_PNG = PNGSUITE / "png/basn6a08.png"  # 32×32 RGBA
GREY_PNG = PNGSUITE / "png/basn0g08.png"  # 32×32 8-bit grey


@cache
def photo() -> bytes:
    """The phone photo, 320 px wide (a real camera JPEG, quick to process)."""
    thumb = pyvips.Image.thumbnail(str(PHOTO), 320)
    data: bytes = thumb.jpegsave_buffer(Q=90)
    return data


def small() -> tuple[str, bytes]:
    return ("photo.jpg", photo())


def decoded(data: bytes) -> np.ndarray[Any, Any]:
    return pixels(image(data)).astype(np.int32)


def rgba(data: bytes) -> np.ndarray[Any, Any]:
    img = image(data)
    return np.ndarray(
        buffer=img.write_to_memory(), dtype=np.uint8, shape=[img.height, img.width, img.bands]
    ).astype(np.int32)


async def bad_setting(client: httpx.AsyncClient, tool: str, settings: dict[str, Any]) -> str:
    body = await call_tool(client, tool, RGB_PNG, settings, expect=422)
    assert body["error"]["code"] == "validation_error"
    field: str = body["error"]["fields"][0]["field"]
    return field


# adjust-colors -------------------------------------------------------------------------


async def test_adjust_colors_grayscale_has_equal_channels(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "adjust-colors", small(), {"effect": "grayscale"})
    out = image(content)
    assert (out.width, out.height) == (320, 137)
    assert data["download_url"].endswith(".jpg")
    px = decoded(content)
    assert np.abs(px[..., 0] - px[..., 1]).max() <= 3  # JPEG chroma rounding only
    assert np.abs(px[..., 1] - px[..., 2]).max() <= 3


async def test_adjust_colors_invert_and_black_are_exact(client: httpx.AsyncClient) -> None:
    source = decoded(RGB_PNG.read_bytes())
    _, content = await run_tool(client, "adjust-colors", RGB_PNG, {"effect": "invert"})
    assert (decoded(content) == 255 - source).all()
    _, content = await run_tool(client, "adjust-colors", RGB_PNG, {"brightness": -100})
    assert decoded(content).max() == 0
    _, content = await run_tool(client, "adjust-colors", RGB_PNG, {"red": -100})
    out = decoded(content)
    assert out[..., 0].max() == 0 and (out[..., 1] == source[..., 1]).all()


async def test_adjust_colors_warms_saturates_and_keeps_alpha(client: httpx.AsyncClient) -> None:
    before = decoded(photo())
    _, content = await run_tool(client, "adjust-colors", small(), {"temperature": 60})
    after = decoded(content)
    assert (after[..., 0] - after[..., 2]).mean() > (before[..., 0] - before[..., 2]).mean() + 10
    _, content = await run_tool(client, "adjust-colors", small(), {"saturation": -60})
    assert decoded(content).std(axis=2).mean() < before.std(axis=2).mean() * 0.6
    settings = {"temperature": 30, "saturation": 20, "contrast": 10, "hue": 15, "sharpness": 30}
    _, content = await run_tool(client, "adjust-colors", small(), settings)
    golden("adjust-colors-mix.jpg", content)
    _, content = await run_tool(client, "adjust-colors", RGBA_PNG, {"effect": "sepia"})
    assert image(content).bands == 4
    assert (rgba(content)[..., 3] == rgba(RGBA_PNG.read_bytes())[..., 3]).all()


async def test_adjust_colors_refuses_bad_settings(client: httpx.AsyncClient) -> None:
    assert await bad_setting(client, "adjust-colors", {"brightness": 500}) == "settings.brightness"
    assert await bad_setting(client, "adjust-colors", {"effect": "blur"}) == "settings.effect"


# sharpening ----------------------------------------------------------------------------


def detail(data: bytes) -> float:
    """Mean absolute difference from a blurred copy: how much fine detail there is."""
    img = image(data).colourspace("b-w").cast("float")
    return float((img - img.gaussblur(1.5)).abs().avg())


async def test_sharpening_methods_add_detail(client: httpx.AsyncClient) -> None:
    base = detail(photo())
    for settings in (
        {},
        {"method": "unsharp-mask", "amount": 150, "radius": 1.5},
        {"method": "high-pass", "strength": 1.5, "kernelSize": 5},
    ):
        _, content = await run_tool(client, "sharpening", small(), settings)
        assert image(content).width == 320
        assert detail(content) > base * 1.15, settings
    _, content = await run_tool(client, "sharpening", small(), {"sigma": 1.5, "m2": 4})
    golden("sharpening-adaptive.jpg", content)


async def test_sharpening_threshold_and_denoise(client: httpx.AsyncClient) -> None:
    usm = {"method": "unsharp-mask", "amount": 200}
    _, loose = await run_tool(client, "sharpening", RGB_PNG, usm)
    _, strict = await run_tool(client, "sharpening", RGB_PNG, {**usm, "threshold": 255})
    assert (decoded(strict) == decoded(RGB_PNG.read_bytes())).all()  # nothing passes 255
    assert (decoded(loose) != decoded(RGB_PNG.read_bytes())).any()
    _, smooth = await run_tool(client, "sharpening", small(), {"m2": 0, "denoise": "strong"})
    assert detail(smooth) < detail(photo())


async def test_sharpening_refuses_bad_settings(client: httpx.AsyncClient) -> None:
    assert await bad_setting(client, "sharpening", {"kernelSize": 4}) == "settings.kernelSize"
    assert await bad_setting(client, "sharpening", {"method": "magic"}) == "settings.method"
    assert await bad_setting(client, "sharpening", {"sigma": 0}) == "settings.sigma"


# replace-color -------------------------------------------------------------------------


async def test_replace_color_exact_match(client: httpx.AsyncClient) -> None:
    source = decoded(RGB_PNG.read_bytes())
    r, g, b = source[0, 0]
    settings = {"sourceColor": f"#{r:02x}{g:02x}{b:02x}", "targetColor": "#ff00ff", "tolerance": 0}
    _, content = await run_tool(client, "replace-color", RGB_PNG, settings)
    out = decoded(content)
    hit = (source == source[0, 0]).all(axis=2)
    assert hit.sum() >= 1
    assert (out[hit] == [255, 0, 255]).all()
    assert (out[~hit] == source[~hit]).all()


async def test_replace_color_transparent_sky_becomes_png(client: httpx.AsyncClient) -> None:
    sky = decoded(photo())[5, 160]  # the blue sky at the top of the photo
    settings = {"sourceColor": "#{:02x}{:02x}{:02x}".format(*sky), "makeTransparent": True}
    data, content = await run_tool(client, "replace-color", small(), {**settings, "tolerance": 12})
    assert data["download_url"].endswith(".png")
    out = rgba(content)
    assert out.shape[2] == 4
    assert out[5, 160, 3] == 0  # the sky is gone
    assert out[-5, 160, 3] == 255  # the sea is kept
    assert 0.05 < (out[..., 3] == 0).mean() < 0.9


async def test_replace_color_refuses_bad_colours(client: httpx.AsyncClient) -> None:
    field = await bad_setting(client, "replace-color", {"sourceColor": "sky-ish"})
    assert field == "settings.sourceColor"
    assert await bad_setting(client, "replace-color", {}) == "settings.sourceColor"
    field = await bad_setting(client, "replace-color", {"sourceColor": "#fff", "tolerance": 101})
    assert field == "settings.tolerance"


# color-blindness -----------------------------------------------------------------------


def simulate(px: np.ndarray[Any, Any], kind: str) -> np.ndarray[Any, Any]:
    """The reference: the matrix on linear RGB (sRGB transfer curve both ways)."""
    c = px / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    mixed = np.clip(lin @ np.array(MATRICES[kind]).T, 0, 1)
    out = np.where(mixed <= 0.0031308, mixed * 12.92, 1.055 * mixed ** (1 / 2.4) - 0.055)
    return np.asarray(np.round(out * 255))


async def test_color_blindness_matches_the_published_matrices(client: httpx.AsyncClient) -> None:
    source = decoded(RGB_PNG.read_bytes())
    for kind in ("protanopia", "tritanomaly", "blueConeMonochromacy"):
        _, content = await run_tool(client, "color-blindness", RGB_PNG, {"simulationType": kind})
        assert np.abs(decoded(content) - simulate(source, kind)).max() <= 2, kind
    _, content = await run_tool(client, "color-blindness", RGB_PNG)  # default: deuteranomaly
    assert np.abs(decoded(content) - simulate(source, "deuteranomaly")).max() <= 2


async def test_color_blindness_on_the_photo(client: httpx.AsyncClient) -> None:
    settings = {"simulationType": "achromatopsia"}
    _, content = await run_tool(client, "color-blindness", small(), settings)
    px = decoded(content)
    assert np.abs(px[..., 0] - px[..., 2]).max() <= 3
    _, content = await run_tool(
        client, "color-blindness", small(), {"simulationType": "deuteranopia"}
    )
    golden("color-blindness-deuteranopia.jpg", content)
    _, content = await run_tool(
        client, "color-blindness", GREY_PNG, {"simulationType": "protanopia"}
    )
    assert image(content).width == 32
    field = await bad_setting(client, "color-blindness", {"simulationType": "catVision"})
    assert field == "settings.simulationType"


# duotone -------------------------------------------------------------------------------


async def test_duotone_maps_onto_the_two_colours(client: httpx.AsyncClient) -> None:
    settings = {"shadow": "#000000", "highlight": "#ff0000", "format": "png"}
    data, content = await run_tool(client, "duotone", small(), settings)
    assert data["download_url"].endswith(".png")
    px = decoded(content)
    assert px[..., 1:].max() == 0 and px[..., 0].max() > 200
    _, content = await run_tool(client, "duotone", RGB_PNG, {"intensity": 0})
    assert np.abs(decoded(content) - decoded(RGB_PNG.read_bytes())).max() <= 1
    _, content = await run_tool(client, "duotone", small())
    golden("duotone-default.jpg", content)
    assert await bad_setting(client, "duotone", {"intensity": 150}) == "settings.intensity"
    assert await bad_setting(client, "duotone", {"shadow": "#12"}) == "settings.shadow"


# pixelate ------------------------------------------------------------------------------


async def test_pixelate_blocks_are_uniform(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(client, "pixelate", RGB_PNG, {"blockSize": 8})
    px = decoded(content)
    for by in range(4):
        for bx in range(4):
            block = px[by * 8 : by * 8 + 8, bx * 8 : bx * 8 + 8].reshape(-1, 3)
            assert (block == block[0]).all()
    source = decoded(RGB_PNG.read_bytes())
    assert np.abs(px[:8, :8].mean(axis=(0, 1)) - source[:8, :8].mean(axis=(0, 1))).max() < 1


async def test_pixelate_region_only(client: httpx.AsyncClient) -> None:
    region = {"left": 4, "top": 6, "width": 20, "height": 13}
    _, content = await run_tool(client, "pixelate", RGB_PNG, {"blockSize": 5, "region": region})
    px, source = decoded(content), decoded(RGB_PNG.read_bytes())
    inside = np.zeros(px.shape[:2], bool)
    inside[6:19, 4:24] = True
    assert (px[~inside] == source[~inside]).all()
    block = px[6:11, 4:9].reshape(-1, 3)
    assert (block == block[0]).all()
    assert (px[16:19, 19:24].reshape(-1, 3) == px[16, 19]).all()  # a cut-short edge block
    _, content = await run_tool(client, "pixelate", small(), {"blockSize": 16})
    golden("pixelate-16.jpg", content)


async def test_pixelate_refuses_bad_regions(client: httpx.AsyncClient) -> None:
    region = {"left": 20, "top": 0, "width": 20, "height": 5}
    body = await call_tool(client, "pixelate", RGB_PNG, {"region": region}, expect=422)
    assert body["error"]["code"] == "tool_region_out_of_bounds"
    assert await bad_setting(client, "pixelate", {"blockSize": 1}) == "settings.blockSize"
    field = await bad_setting(client, "pixelate", {"region": {"left": 0, "top": 0}})
    assert field.startswith("settings.region")


# vignette ------------------------------------------------------------------------------


async def test_vignette_darkens_corners_not_the_centre(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(client, "vignette", small(), {"strength": 1, "format": "png"})
    before, after = decoded(photo()), decoded(content)
    h, w = before.shape[:2]
    assert np.abs(after[h // 2, w // 2] - before[h // 2, w // 2]).max() <= 1
    assert after[:6, :6].mean() < before[:6, :6].mean() * 0.3
    _, content = await run_tool(client, "vignette", small(), {"color": "#ffffff", "roundness": 1})
    assert decoded(content)[-4:, -4:].mean() > before[-4:, -4:].mean() + 40
    _, content = await run_tool(client, "vignette", small(), {"centerX": 0.2, "softness": 0.3})
    golden("vignette-offcentre.jpg", content)


async def test_vignette_refuses_bad_settings(client: httpx.AsyncClient) -> None:
    assert await bad_setting(client, "vignette", {"strength": 0}) == "settings.strength"
    assert await bad_setting(client, "vignette", {"color": "dark"}) == "settings.color"
    assert await bad_setting(client, "vignette", {"centerX": 2}) == "settings.centerX"
