"""The Utilities tools through the API: info, compare, find-duplicates, color-palette,
qr-generate, barcode-read, image-to-base64, histogram, lqip-placeholder, barcode-generate.
(html-to-image has its own file.)"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

import httpx
import numpy as np
import pytest
import pyvips
import zxingcpp

from tests.tools.helpers import PHOTO, call_tool, corpus, golden, image, pixels, run_tool

SMALL = corpus("images/pngsuite/png/basn2c08.png")  # 32×32 RGB gradient
ALPHA = corpus("images/pngsuite/png/basn6a08.png")  # 32×32 RGBA
GREY = corpus("images/pngsuite/png/basn0g08.png")  # 32×32 grey
GPS = corpus("images/exif-samples/jpg/gps/DSCN0010.jpg")  # 640×480, 300 dpi, GPS EXIF
HEIC = corpus("images/exif-samples/heic/IMG_5195.HEIC")


@functools.cache
def _photo_640() -> pyvips.Image:
    return pyvips.Image.thumbnail(str(PHOTO), 640).copy_memory()


def photo(width: int = 480, *, fmt: str = ".jpg", flip: bool = False, **options: Any) -> bytes:
    """The phone photo, small (and flipped / re-encoded on request)."""
    small = _photo_640().thumbnail_image(width)
    if flip:
        small = small.flip("horizontal")
    data: bytes = small.write_to_buffer(fmt, **options)
    return data


def facts(body: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = body["data"]["data"]
    return data


def decode(content: bytes) -> list[Any]:
    """zxing-cpp's reading of a PNG (flattened onto white first, as a viewer shows it)."""
    img = pixels(content)  # flattened RGB
    return list(zxingcpp.read_barcodes(np.ascontiguousarray(img)))


# info ------------------------------------------------------------------------------------


async def test_info_reports_size_format_dpi_and_exif(client: httpx.AsyncClient) -> None:
    body = await call_tool(client, "info", GPS)
    info = facts(body)
    assert (info["width"], info["height"]) == (640, 480)
    assert info["format"] == "jpeg" and info["channels"] == 3 and info["hasAlpha"] is False
    assert info["size"] == GPS.stat().st_size
    assert info["dpi"] == {"x": 300.0, "y": 300.0}
    assert info["exif"]["Make"] == "NIKON"
    assert info["exif"]["GPSLatitudeRef"] == "N"
    assert len(info["exif"]["GPSLatitude"]) == 3
    assert body["data"]["download_url"] is None
    json.dumps(info)  # plain JSON all the way down

    info = facts(await call_tool(client, "info", ALPHA))
    assert info["format"] == "png" and info["channels"] == 4 and info["hasAlpha"] is True
    assert info["exif"] == {}
    info = facts(await call_tool(client, "info", HEIC))
    assert info["format"] == "heic" and info["exif"]["Make"] == "Apple"
    assert (info["width"], info["height"]) == (2566, 3313)


async def test_info_refuses_corrupt_files(client: httpx.AsyncClient) -> None:
    for name in ("xcrn0g04.png", "xd9n2c08.png"):
        path = corpus(f"images/pngsuite/png/{name}")
        body = await call_tool(client, "info", path, expect=422)
        assert body["error"]["code"] in ("asset_file_corrupt", "tool_failed"), body
    body = await call_tool(client, "info", SMALL, {"verbose": True}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.verbose"


# compare ---------------------------------------------------------------------------------


async def test_compare_modes_and_figures(client: httpx.AsyncClient) -> None:
    base = photo(256, fmt=".png")
    changed = pyvips.Image.new_from_buffer(base, "").copy_memory()
    changed = changed.draw_rect([255, 0, 0], 10, 10, 40, 20, fill=True)
    target = changed.write_to_buffer(".png")
    data, content = await run_tool(
        client, "compare", [("a.png", base), ("b.png", target)], {"mode": "diff"}
    )
    figures = data["data"]
    assert figures["differingPixels"] <= 40 * 20 and figures["differingPixels"] > 700
    assert figures["diffPercent"] == pytest.approx(
        figures["differingPixels"] / (256 * 110) * 100, abs=0.01
    )
    assert 0.9 < figures["ssim"] < 1.0 and 10 < figures["psnr"] < 60
    diff = pixels(content)
    assert diff.shape == (110, 256, 3)
    assert tuple(diff[20, 20]) == (230, 0, 0)  # a changed pixel is red
    assert diff[80, 200, 0] == diff[80, 200, 1] == diff[80, 200, 2]  # unchanged: grey
    golden("compare-diff.png", content)

    same = facts(await call_tool(client, "compare", [("a.png", base), ("b.png", base)]))
    assert same["identical"] is True and same["ssim"] == 1.0 and same["psnr"] is None

    _, content = await run_tool(
        client, "compare", [("a.png", base), ("c.jpg", photo(128))], {"mode": "side-by-side"}
    )
    side = image(content)
    assert (side.width, side.height) == (256 + 8 + 256, 110)
    data, content = await run_tool(
        client, "compare", [("a.png", base), ("c.jpg", photo(128))], {"mode": "overlay"}
    )
    assert data["data"]["resized"] is True and image(content).width == 256


async def test_compare_needs_two_files_and_valid_settings(client: httpx.AsyncClient) -> None:
    body = await call_tool(client, "compare", SMALL, expect=422)
    assert body["error"]["code"] == "tool_input_missing"
    body = await call_tool(client, "compare", [SMALL, SMALL], {"mode": "blink"}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.mode"
    body = await call_tool(client, "compare", [SMALL, SMALL], {"diffThreshold": 256}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.diffThreshold"


# find-duplicates -------------------------------------------------------------------------


async def test_find_duplicates_groups_re_encoded_copies(client: httpx.AsyncClient) -> None:
    files: list[Any] = [
        ("photo.jpg", photo(480)),
        ("other.jpg", GPS.read_bytes()),
        ("photo-small.webp", photo(200, fmt=".webp", Q=50)),
        ("flipped.png", photo(300, fmt=".png", flip=True)),
        ("gradient.png", SMALL.read_bytes()),
    ]
    for algorithm in ("phash", "dhash"):
        found = facts(await call_tool(client, "find-duplicates", files, {"algorithm": algorithm}))
        assert found["duplicateGroups"] == 1, found
        group = found["groups"][0]["files"]
        assert [f["name"] for f in group] == ["photo.jpg", "photo-small.webp"]
        assert group[0]["distance"] == 0 and group[1]["distance"] <= 8
        assert {u["name"] for u in found["unique"]} == {"other.jpg", "flipped.png", "gradient.png"}
        assert len(found["hashes"]) == 5 and found["failed"] == []
    strict = facts(await call_tool(client, "find-duplicates", files, {"threshold": 64}))
    assert strict["duplicateGroups"] == 1 and len(strict["groups"][0]["files"]) == 5
    body = await call_tool(client, "find-duplicates", files[:1], expect=422)
    assert body["error"]["code"] == "tool_input_missing"
    body = await call_tool(client, "find-duplicates", files, {"threshold": -1}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.threshold"


# color-palette ---------------------------------------------------------------------------


async def test_color_palette_is_deterministic_and_faithful(client: httpx.AsyncClient) -> None:
    two = pyvips.Image.black(60, 40, bands=3).copy(interpretation="srgb")
    two = two.draw_rect([200, 30, 30], 0, 0, 45, 40, fill=True)  # 75 % red, 25 % black
    found = facts(
        await call_tool(
            client, "color-palette", ("two.png", two.write_to_buffer(".png")), {"count": 4}
        )
    )
    assert found["count"] == 2
    assert [c["color"] for c in found["colors"]] == ["#c81e1e", "#000000"]
    assert found["colors"][0]["share"] == pytest.approx(0.75, abs=0.01)
    first = facts(await call_tool(client, "color-palette", PHOTO, {"count": 6, "format": "rgb"}))
    again = facts(await call_tool(client, "color-palette", PHOTO, {"count": 6, "format": "rgb"}))
    assert first == again and first["count"] == 6
    assert first["colors"][0]["color"].startswith("rgb(")
    assert sum(c["share"] for c in first["colors"]) == pytest.approx(1.0, abs=0.01)
    shares = [c["share"] for c in first["colors"]]
    assert shares == sorted(shares, reverse=True)
    body = await call_tool(client, "color-palette", SMALL, {"count": 0}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.count"


# qr-generate and barcode-read ------------------------------------------------------------


async def test_qr_generate_styles_decode(client: httpx.AsyncClient) -> None:
    text = "https://satchel.example/ünïcode?x=1"
    data, content = await run_tool(client, "qr-generate", None, {"data": text, "size": 300})
    out = image(content)
    assert (out.width, out.height) == (300, 300)
    assert [c.text for c in decode(content)] == [text]
    assert data["data"]["errorCorrectionLevel"] == "M"
    golden("qr-generate-default.png", content)
    for dot, corner in (("dots", "dots"), ("rounded", "extra-rounded"), ("gapped", "rounded")):
        settings = {
            "data": text,
            "size": 256,
            "margin": 2,
            "dotStyle": dot,
            "cornerStyle": corner,
            "colorDark": "#1a237e",
            "colorLight": "#fff8e1",
            "errorCorrectionLevel": "Q",
        }
        _, content = await run_tool(client, "qr-generate", None, settings)
        assert [c.text for c in decode(content)] == [text], (dot, corner)
        assert tuple(pixels(content)[1, 1]) == (255, 248, 225)
    _, content = await run_tool(
        client, "qr-generate", None, {"data": "clear", "colorLight": "#ffffff00"}
    )
    assert image(content).hasalpha() and [c.text for c in decode(content)] == ["clear"]


async def test_qr_generate_with_a_logo_part(client: httpx.AsyncClient) -> None:
    settings = {"data": "https://satchel.example/logo", "size": 400, "errorCorrectionLevel": "L"}
    data, content = await run_tool(
        client,
        "qr-generate",
        None,
        settings,
        extras={"logo": corpus("images/exif-samples/jpg/Canon_40D.jpg")},
    )
    assert data["data"]["hasLogo"] is True and data["data"]["errorCorrectionLevel"] == "H"
    centre = pixels(content)[195:205, 195:205].astype(int)
    assert centre.std() > 5  # photo content, not modules
    assert [c.text for c in decode(content)] == ["https://satchel.example/logo"]


async def test_qr_generate_refuses_bad_settings(client: httpx.AsyncClient) -> None:
    body = await call_tool(client, "qr-generate", None, {"data": ""}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.data"
    body = await call_tool(
        client,
        "qr-generate",
        None,
        {"data": "x", "colorDark": "#777777", "colorLight": "#888888"},
        expect=422,
    )
    assert body["error"]["fields"][0]["field"] == "settings.colorLight"
    assert "contrast" in body["error"]["fields"][0]["message"]
    body = await call_tool(
        client, "qr-generate", None, {"data": "x", "colorDark": "nope"}, expect=422
    )
    assert body["error"]["fields"][0]["field"] == "settings.colorDark"
    body = await call_tool(
        client, "qr-generate", None, {"data": "x", "dotStyle": "hearts"}, expect=422
    )
    assert body["error"]["fields"][0]["field"] == "settings.dotStyle"
    body = await call_tool(
        client, "qr-generate", None, {"data": "y" * 3000, "errorCorrectionLevel": "H"}, expect=422
    )
    assert body["error"]["code"] == "qr_data_too_long"
    body = await call_tool(
        client, "qr-generate", None, {"data": "z" * 1000, "size": 64}, expect=422
    )
    assert body["error"]["code"] == "qr_too_small"


async def test_barcode_read_finds_generated_codes_and_none_in_a_photo(
    client: httpx.AsyncClient,
) -> None:
    _, qr = await run_tool(client, "qr-generate", None, {"data": "hello qr", "size": 200})
    _, ean = await run_tool(
        client, "barcode-generate", None, {"type": "ean13", "text": "400638133393"}
    )
    found = facts(await call_tool(client, "barcode-read", ("qr.png", qr)))
    assert found["count"] == 1
    code = found["codes"][0]
    assert (code["format"], code["text"]) == ("QR Code", "hello qr")
    assert 0 < code["bounds"]["left"] < 100 and code["bounds"]["width"] > 100
    found = facts(await call_tool(client, "barcode-read", ("ean.png", ean)))
    assert [(c["format"], c["text"]) for c in found["codes"]] == [("EAN-13", "4006381333931")]
    # both codes on one canvas, the EAN turned a quarter: each is found where it is
    canvas = pyvips.Image.black(700, 400).copy(interpretation="b-w") + 255
    canvas = canvas.insert(image(qr).colourspace("b-w")[0], 20, 100)
    canvas = canvas.insert(image(ean).colourspace("b-w")[0].rot90(), 400, 20).cast("uchar")
    found = facts(
        await call_tool(client, "barcode-read", ("both.png", canvas.write_to_buffer(".png")))
    )
    by_format = {c["format"]: c for c in found["codes"]}
    assert set(by_format) == {"QR Code", "EAN-13"}
    assert by_format["EAN-13"]["bounds"]["left"] >= 400
    assert by_format["QR Code"]["bounds"]["left"] < 250
    none = facts(await call_tool(client, "barcode-read", PHOTO))
    assert none == {"count": 0, "codes": []}
    body = await call_tool(client, "barcode-read", SMALL, {"formats": ["qr"]}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.formats"


# barcode-generate ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("code128", "Satchel-128 ok", "Satchel-128 ok"),
        ("ean13", "4006381333931", "4006381333931"),
        ("upca", "03600029145", "036000291452"),
        ("code39", "HELLO-39", "HELLO-39"),
        ("itf14", "1234567890123", "12345678901231"),
        ("datamatrix", "Data Matrix: ünï", "Data Matrix: ünï"),
    ],
)
async def test_barcode_generate_each_type_decodes(
    client: httpx.AsyncClient, kind: str, text: str, expected: str
) -> None:
    data, content = await run_tool(
        client, "barcode-generate", None, {"type": kind, "text": text, "scale": 3}
    )
    assert data["download_url"].endswith(".png")
    codes = decode(content)
    assert len(codes) == 1
    assert codes[0].text.lstrip("0") == expected.lstrip("0")  # UPC-A reads as EAN-13 (0…)
    out = image(content)
    assert (out.width, out.height) == (data["data"]["width"], data["data"]["height"])
    if kind == "code128":
        golden("barcode-generate-code128.png", content)
        _, plain = await run_tool(
            client, "barcode-generate", None, {"text": text, "scale": 3, "includeText": False}
        )
        assert image(plain).height < out.height  # no printed text under the bars


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"type": "ean13", "text": "4006381333932"}, "check digit"),
        ({"type": "ean13", "text": "40063813"}, "12 digits"),
        ({"type": "upca", "text": "03600029145X"}, "digits only"),
        ({"type": "itf14", "text": "12345678901234"}, "check digit"),
        ({"type": "code39", "text": "lower case"}, "upper case"),
        ({"type": "code128", "text": "naïve"}, "ASCII"),
        ({"type": "qr", "text": "x"}, "code128"),
        ({"type": "code128", "text": "x", "scale": 9}, "8"),
    ],
)
async def test_barcode_generate_refuses_bad_text(
    client: httpx.AsyncClient, given: dict[str, Any], message: str
) -> None:
    body = await call_tool(client, "barcode-generate", None, given, expect=422)
    assert body["error"]["code"] == "validation_error"
    assert message in body["error"]["fields"][0]["message"], body


# image-to-base64 -------------------------------------------------------------------------


async def test_image_to_base64(client: httpx.AsyncClient) -> None:
    found = facts(await call_tool(client, "image-to-base64", ALPHA))
    prefix = "data:image/png;base64,"
    assert found["dataUri"].startswith(prefix) and found["mimeType"] == "image/png"
    assert base64.b64decode(found["dataUri"][len(prefix) :]) == ALPHA.read_bytes()
    found = facts(
        await call_tool(
            client, "image-to-base64", ALPHA, {"format": "plain", "mimeType": "image/webp"}
        )
    )
    decoded = image(base64.b64decode(found["base64"]))
    assert decoded.get("vips-loader").startswith("webp") and decoded.hasalpha()
    assert found["size"] == len(base64.b64decode(found["base64"]))
    body = await call_tool(client, "image-to-base64", ALPHA, {"format": "hex"}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.format"


# histogram -------------------------------------------------------------------------------


async def test_histogram_chart_and_stats(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "histogram", GREY)
    stats = data["data"]["channels"]
    assert stats["red"] == stats["green"] == stats["blue"]  # grey: the same in each channel
    grey = pixels(GREY.read_bytes())[:, :, 0].astype(np.float64)
    assert stats["red"]["mean"] == pytest.approx(grey.mean(), abs=0.01)
    assert stats["red"]["std"] == pytest.approx(grey.std(), abs=0.01)
    assert (stats["red"]["min"], stats["red"]["max"]) == (int(grey.min()), int(grey.max()))
    assert stats["red"]["median"] == pytest.approx(float(np.median(grey)), abs=1)
    assert sum(data["data"]["bins"]["red"]) == 32 * 32
    chart = image(content)
    assert (chart.width, chart.height) == (512, 256)

    data, content = await run_tool(client, "histogram", ("p.jpg", photo(320)), {"scale": "log"})
    golden("histogram-photo-log.png", content)
    s = data["data"]["channels"]
    assert s["blue"]["mean"] > s["green"]["mean"] > s["red"]["mean"]  # a blue sky photo
    # transparent pixels are not counted
    data, _ = await run_tool(client, "histogram", corpus("images/pngsuite/png/tbbn0g04.png"))
    assert data["data"]["pixels"] < 32 * 32
    body = await call_tool(client, "histogram", GREY, {"scale": "sqrt"}, expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.scale"


# lqip-placeholder ------------------------------------------------------------------------


async def test_lqip_placeholder_strategies(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(
        client, "lqip-placeholder", PHOTO, {"width": 64, "format": "png"}
    )
    out = image(content)
    assert (out.width, out.height) == (64, round(64 * 1976 / 4608))
    found = data["data"]
    assert found["dataUri"] == "data:image/png;base64," + base64.b64encode(content).decode()
    golden("lqip-placeholder-blur.png", content)

    data, content = await run_tool(
        client, "lqip-placeholder", ("p.jpg", photo(640)), {"strategy": "solid"}
    )
    assert image(content).get("vips-loader").startswith("webp")
    flat = pixels(content).reshape(-1, 3).astype(int)
    assert (flat.max(axis=0) - flat.min(axis=0)).max() <= 3  # one colour
    average = data["data"]["averageColor"]
    assert abs(int(average[1:3], 16) - int(flat[0][0])) <= 3

    _, content = await run_tool(
        client,
        "lqip-placeholder",
        ("p.jpg", photo(640)),
        {"strategy": "pixelate", "width": 8, "format": "png"},
    )
    _, blurred = await run_tool(
        client,
        "lqip-placeholder",
        PHOTO,
        {"strategy": "blur", "blur": 3, "width": 8, "format": "png"},
    )
    sharp, soft = pixels(content).astype(int), pixels(blurred).astype(int)
    assert np.abs(np.diff(sharp, axis=1)).mean() > np.abs(np.diff(soft, axis=1)).mean()

    data, content = await run_tool(client, "lqip-placeholder", ALPHA, {"format": "png"})
    assert image(content).hasalpha() and data["data"]["hasAlpha"] is True
    for bad in ({"width": 3}, {"width": 65}, {"strategy": "noise"}, {"format": "gif"}):
        body = await call_tool(client, "lqip-placeholder", SMALL, bad, expect=422)
        assert body["error"]["code"] == "validation_error"


async def test_facts_tools_are_not_pipeline_steps(client: httpx.AsyncClient) -> None:
    tools = {t["id"]: t for t in (await client.get("/api/v1/tools")).json()["data"]}
    for tool_id in (
        "info",
        "compare",
        "find-duplicates",
        "color-palette",
        "barcode-read",
        "image-to-base64",
        "histogram",
        "qr-generate",
        "barcode-generate",
    ):
        assert tools[tool_id]["pipeline"] is False, tool_id
    assert tools["lqip-placeholder"]["pipeline"] is True
    assert tools["qr-generate"]["inputs"]["extras"] == [
        {"name": "logo", "accepts": ["image/*"], "required": False}
    ]
