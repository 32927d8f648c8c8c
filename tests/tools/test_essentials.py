"""Compress, optimize-for-web, strip-metadata, edit-metadata, bulk-rename, image-to-pdf and
favicon through the API, on corpus photos (EXIF, GPS, XMP, rotated) and PngSuite files."""

from __future__ import annotations

import io
import json
import zipfile
from functools import cache
from typing import Any

import httpx
import numpy as np
import pikepdf
import pytest
import pyvips
from PIL import Image

from tests.tools.helpers import (
    CORPUS,
    PHOTO,
    PNGSUITE,
    call_tool,
    corpus,
    golden,
    image,
    pixels,
    run_tool,
    ssim,
)

JPG = CORPUS / "images/exif-samples/jpg"
GPS_JPEG = JPG / "gps/DSCN0010.jpg"  # 640×480, GPS, DateTimeOriginal 2008:10:22
GPS_JPEG_2 = JPG / "gps/DSCN0012.jpg"
XMP_JPEG = JPG / "xmp/BlueSquare.jpg"  # EXIF + XMP (Photoshop) + IPTC
ROTATED = JPG / "orientation/landscape_6.jpg"  # stored 450×600, orientation 6, Generic RGB
UPRIGHT = JPG / "orientation/landscape_1.jpg"  # the same picture, 600×450, orientation 1
RGB_PNG = PNGSUITE / "png/basn2c08.png"  # 32×32 RGB
RGBA_PNG = PNGSUITE / "png/basn6a08.png"  # 32×32 RGBA
TEXT_PNG = PNGSUITE / "png/cten0g04.png"  # tEXt/zTXt chunks (title, author, copyright…)


@cache
def photo(width: int = 320) -> bytes:
    """The phone photo made small, its EXIF (GPS included) kept."""
    data: bytes = pyvips.Image.thumbnail(str(PHOTO), width).jpegsave_buffer(Q=90)
    return data


def fields(data: bytes) -> set[str]:
    return set(image(data).get_fields())


def raw_pixels(data: bytes) -> np.ndarray[Any, Any]:
    img = image(data)
    return np.ndarray(
        buffer=img.write_to_memory(), dtype=np.uint8, shape=[img.height, img.width, img.bands]
    )


async def invalid(
    client: httpx.AsyncClient, tool: str, settings: dict[str, Any], file: Any = None
) -> str:
    body = await call_tool(client, tool, file or RGB_PNG, settings, expect=422)
    assert body["error"]["code"] == "validation_error", body
    field: str = body["error"]["fields"][0]["field"]
    return field


# compress -------------------------------------------------------------------------------


async def test_compress_at_a_quality(client: httpx.AsyncClient) -> None:
    source = photo()
    data, content = await run_tool(client, "compress", ("p.jpg", source), {"quality": 40})
    out = image(content)
    assert (out.width, out.height, out.get("vips-loader")) == (320, 137, "jpegload_buffer")
    assert len(content) < len(source) and data["data"]["quality"] == 40
    assert "exif-ifd3-GPSLatitude" not in fields(content)  # metadata other than colour goes
    golden("compress-q40.jpg", content)


async def test_compress_to_a_target_size(client: httpx.AsyncClient) -> None:
    source = photo(1200)
    data, content = await run_tool(
        client, "compress", ("p.jpg", source), {"mode": "targetSize", "targetSizeKb": 60}
    )
    assert len(content) <= 60 * 1024
    assert 1 <= data["data"]["quality"] < 100
    assert ssim(content, source) > 0.8
    # one step of quality more would not have fitted
    finer = image(source).jpegsave_buffer(
        Q=data["data"]["quality"] + 1, keep="icc", optimize_coding=True
    )
    assert len(finer) > 60 * 1024


async def test_compress_png_and_an_unreachable_target(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(client, "compress", RGB_PNG, {"quality": 50})
    assert image(content).get("vips-loader") == "pngload_buffer"
    assert ssim(content, RGB_PNG.read_bytes()) > 0.8
    body = await call_tool(
        client,
        "compress",
        ("p.jpg", photo()),
        {"mode": "targetSize", "targetSizeKb": 0.2},
        expect=422,
    )
    assert body["error"]["code"] == "tool_target_size_unreachable"
    assert "KB" in body["error"]["message"]


async def test_compress_never_answers_a_bigger_file(client: httpx.AsyncClient) -> None:
    tiny = pyvips.Image.black(8, 8).new_from_image([30, 60, 90]).cast("uchar")
    source = tiny.copy(interpretation="srgb").pngsave_buffer(compression=9, strip=True)
    data, content = await run_tool(client, "compress", ("t.png", source), {"quality": 80})
    assert content == source and data["data"]["kept"] == "original"
    assert data["data"]["size"] == data["data"]["original_size"] == len(source)
    # Asked for the re-encoded result, the tool answers it even though it is bigger.
    data, content = await run_tool(
        client, "compress", ("t.png", source), {"quality": 80, "keepSmaller": False}
    )
    assert data["data"]["kept"] == "result" and len(content) > len(source)


async def test_compress_applies_orientation(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(client, "compress", ROTATED, {"quality": 85})
    out = image(content)
    assert (out.width, out.height) == (600, 450)
    assert ssim(content, UPRIGHT.read_bytes()) > 0.85


async def test_compress_keeps_every_frame_of_an_animation(client: httpx.AsyncClient) -> None:
    frames = [
        pyvips.Image.black(40, 30).new_from_image([i * 60, 90, 200 - i * 40]) for i in range(4)
    ]
    strip = pyvips.Image.arrayjoin(frames, across=1).cast("uchar").copy(interpretation="srgb")
    strip.set_type(pyvips.GValue.gint_type, "page-height", 30)
    strip.set_type(pyvips.GValue.array_int_type, "delay", [120] * 4)
    _, content = await run_tool(
        client, "compress", ("a.gif", strip.gifsave_buffer()), {"quality": 50}
    )
    out = pyvips.Image.new_from_buffer(content, "", n=-1)
    assert (out.get("n-pages"), out.get("page-height"), out.get("delay")) == (4, 30, [120] * 4)


# optimize-for-web -----------------------------------------------------------------------


async def test_optimize_for_web_resizes_converts_and_strips(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(
        client, "optimize-for-web", ("p.jpg", photo(1200)), {"maxWidth": 800, "quality": 75}
    )
    out = image(content)
    assert (out.width, out.height, out.get("vips-loader")) == (800, 343, "webpload_buffer")
    assert data["download_url"].endswith(".webp")
    assert not {f for f in fields(content) if f.startswith(("exif", "xmp", "icc"))}
    assert data["data"]["size"] == len(content) < data["data"]["original_size"]
    golden("optimize-for-web-800.webp", content)


async def test_optimize_for_web_progressive_jpeg_keeping_metadata(
    client: httpx.AsyncClient,
) -> None:
    settings = {"format": "jpeg", "progressive": True, "stripMetadata": False, "maxHeight": 100}
    _, content = await run_tool(client, "optimize-for-web", ("p.jpg", photo()), settings)
    out = image(content)
    assert out.height == 100 and out.get("jpeg-multiscan") == 1
    assert "exif-ifd3-GPSLatitude" in fields(content)


async def test_optimize_for_web_converts_colours_to_srgb(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(client, "optimize-for-web", ROTATED, {"format": "png"})
    out = image(content)
    assert (out.width, out.height) == (600, 450)  # upright, never enlarged
    assert "icc-profile-data" not in fields(content)
    assert ssim(content, UPRIGHT.read_bytes()) > 0.85


async def test_optimize_for_web_preview_returns_the_bytes(client: httpx.AsyncClient) -> None:
    source = photo()
    response = await client.post(
        "/api/v1/tools/image/optimize-for-web/preview",
        files={"file": ("p.jpg", source)},
        data={"settings": json.dumps({"format": "avif", "quality": 40})},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/avif"
    assert response.headers["x-original-size"] == str(len(source))
    assert response.headers["x-processed-size"] == str(len(response.content))
    assert image(response.content).width == 320
    bad = await client.post(
        "/api/v1/tools/image/optimize-for-web/preview",
        files={"file": ("p.jpg", source)},
        data={"settings": json.dumps({"maxWidth": 0})},
    )
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == (
        "settings.maxWidth"
    )


# strip-metadata -------------------------------------------------------------------------


async def test_strip_metadata_jpeg_is_lossless(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "strip-metadata", GPS_JPEG)
    assert not {f for f in fields(content) if f.startswith(("exif", "xmp", "iptc"))}
    assert data["data"] == {"icc_kept": False, "lossless": True}
    assert np.array_equal(raw_pixels(content), raw_pixels(GPS_JPEG.read_bytes()))
    assert len(content) < GPS_JPEG.stat().st_size


async def test_strip_metadata_rotated_keeps_colour_profile(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "strip-metadata", ROTATED)
    out = image(content)
    assert (out.width, out.height) == (600, 450)  # the orientation applied to the pixels
    assert "exif-data" not in out.get_fields() and out.get_typeof("orientation") == 0
    assert out.get_typeof("icc-profile-data")  # Generic RGB is not sRGB: needed for colour
    assert data["data"] == {"icc_kept": True, "lossless": False}
    assert ssim(content, UPRIGHT.read_bytes()) > 0.85


async def test_strip_metadata_png_and_webp(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(client, "strip-metadata", TEXT_PNG)
    with Image.open(io.BytesIO(content)) as im:
        assert not {k for k in im.info if k not in ("gamma", "dpi", "transparency")}
    assert np.array_equal(raw_pixels(content), raw_pixels(TEXT_PNG.read_bytes()))
    webp = image(photo()).webpsave_buffer(Q=70)  # carries the photo's EXIF
    assert "exif-data" in fields(webp)
    _, content = await run_tool(client, "strip-metadata", ("p.webp", webp))
    assert "exif-data" not in fields(content)
    assert np.array_equal(raw_pixels(content), raw_pixels(webp))


async def test_strip_metadata_inspect(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/tools/image/strip-metadata/inspect",
        files={"file": ("g.jpg", GPS_JPEG.read_bytes())},
    )
    assert response.status_code == 200, response.text
    facts = response.json()["data"]
    assert facts["has_exif"] and facts["has_gps"] and not facts["has_iptc"]
    assert facts["gps"] == pytest.approx({"lat": 43.4674483, "lon": 11.8851267})
    assert "exif.Make" in facts["fields"] and facts["exif"]["Make"] == "NIKON"


async def test_strip_metadata_inspect_heic(client: httpx.AsyncClient) -> None:
    heic = corpus("images/exif-samples/heic/IMG_5195.HEIC")
    response = await client.post(
        "/api/v1/tools/image/strip-metadata/inspect", files={"file": ("i.heic", heic.read_bytes())}
    )
    assert response.status_code == 200, response.text
    facts = response.json()["data"]
    assert facts["format"] == "heif" and facts["exif"]["Make"] == "Apple"
    assert facts["gps"] == pytest.approx({"lat": 39.0513444, "lon": -94.2887722})
    assert facts["icc"]["description"] == "Display P3" and facts["has_xmp"]


# edit-metadata --------------------------------------------------------------------------

EDIT = {
    "title": "Blue Square – ünïcode",
    "description": "A test file",
    "author": "Zoë Writer",
    "copyright": "© 2026 Satchel",
    "keywords": "blue, square,test",
    "gps": {"lat": -33.8568, "lon": 151.2153},
    "dateTime": "2024-05-06T07:08:09+02:00",
}


async def inspect_edit(client: httpx.AsyncClient, name: str, data: bytes) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/tools/image/edit-metadata/inspect", files={"file": (name, data)}
    )
    assert response.status_code == 200, response.text
    facts: dict[str, Any] = response.json()["data"]
    return facts


async def test_edit_metadata_jpeg_keeps_pixels_and_other_xmp(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "edit-metadata", XMP_JPEG, EDIT)
    assert data["data"]["lossless"] is True
    assert np.array_equal(raw_pixels(content), raw_pixels(XMP_JPEG.read_bytes()))
    out = image(content)  # read back by libvips (libexif)
    assert out.get("exif-ifd0-Artist").startswith("Zoë Writer")
    assert out.get("exif-ifd0-Copyright").startswith("© 2026 Satchel")
    assert out.get("exif-ifd2-DateTimeOriginal").startswith("2024:05:06 07:08:09")
    assert out.get("exif-ifd2-OffsetTimeOriginal").startswith("+02:00")
    assert out.get("exif-ifd3-GPSLatitudeRef").startswith("S")
    with Image.open(io.BytesIO(content)) as im:  # and by Pillow
        exif = im.getexif()
        assert exif[0x9C9B].decode("utf-16-le").rstrip("\x00") == EDIT["title"]
        lat = exif.get_ifd(0x8825)[2]
        assert float(lat[0]) + float(lat[1]) / 60 + float(lat[2]) / 3600 == pytest.approx(
            33.8568, abs=1e-5
        )
    facts = await inspect_edit(client, "b.jpg", content)
    assert facts["current"] == {
        "title": EDIT["title"],
        "description": "A test file",
        "author": "Zoë Writer",
        "copyright": "© 2026 Satchel",
        "keywords": ["blue", "square", "test"],
        "gps": {"lat": -33.8568, "lon": 151.2153},
        "date_time": "2024:05:06 07:08:09",
    }
    assert facts["xmp"]["xmp:CreatorTool"] == "Adobe Photoshop CS2 Macintosh"  # kept
    assert facts["xmp"]["dc:subject"] == ["blue", "square", "test"]


async def test_edit_metadata_png_then_remove_a_field(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(client, "edit-metadata", RGBA_PNG, {"title": "x", "author": "A"})
    assert np.array_equal(raw_pixels(content), raw_pixels(RGBA_PNG.read_bytes()))
    assert (await inspect_edit(client, "a.png", content))["current"]["title"] == "x"
    _, again = await run_tool(client, "edit-metadata", ("a.png", content), {"title": ""})
    current = (await inspect_edit(client, "a.png", again))["current"]
    assert current["title"] is None and current["author"] == "A"


async def test_edit_metadata_webp(client: httpx.AsyncClient) -> None:
    webp = image(RGBA_PNG.read_bytes()).webpsave_buffer(lossless=True)
    _, content = await run_tool(client, "edit-metadata", ("a.webp", webp), {"copyright": "C"})
    assert image(content).get("exif-ifd0-Copyright").startswith("C")
    assert np.array_equal(raw_pixels(content), raw_pixels(webp))


async def test_edit_metadata_inspect_existing(client: httpx.AsyncClient) -> None:
    facts = await inspect_edit(client, "b.jpg", XMP_JPEG.read_bytes())
    assert facts["has_iptc"] and facts["iptc"]["ObjectName"] == "Blue Square Test File - .jpg"
    assert "Photoshop" in facts["iptc"]["Keywords"]
    assert facts["current"]["keywords"][:2] == ["XMP", "Blue Square"]


async def test_edit_metadata_refuses_gif(client: httpx.AsyncClient) -> None:
    gif = image(RGB_PNG.read_bytes()).gifsave_buffer()
    body = await call_tool(client, "edit-metadata", ("a.gif", gif), {"title": "x"}, expect=422)
    assert body["error"]["code"] == "tool_input_type_not_supported"


# bulk-rename ----------------------------------------------------------------------------


async def test_bulk_rename_zips_renamed_identical_bytes(client: httpx.AsyncClient) -> None:
    files = [GPS_JPEG, GPS_JPEG_2, RGB_PNG]
    settings = {"pattern": "trip-{date}-{n}", "startIndex": 5, "padding": 2}
    data, content = await run_tool(client, "bulk-rename", files, settings)  # type: ignore[arg-type]
    assert data["download_url"].endswith(".zip")
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert names[:2] == ["trip-2008-10-22-05.jpg", "trip-2008-10-22-06.jpg"]
    assert names[2].startswith("trip-") and names[2].endswith("-07.png")  # no EXIF: today
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.read(names[0]) == GPS_JPEG.read_bytes()
    assert archive.read(names[2]) == RGB_PNG.read_bytes()
    assert data["data"]["renamed"][0] == {"from": "DSCN0010.jpg", "to": names[0]}


async def test_bulk_rename_one_file_and_clashing_names(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "bulk-rename", GPS_JPEG, {"pattern": "{original}_x"})
    assert data["download_url"].endswith("/DSCN0010_x.jpg") and content == GPS_JPEG.read_bytes()
    data, _ = await run_tool(client, "bulk-rename", [GPS_JPEG, GPS_JPEG_2], {"pattern": "same"})
    assert [r["to"] for r in data["data"]["renamed"]] == ["same.jpg", "same-2.jpg"]


async def test_bulk_rename_dates_a_heic_from_its_exif(client: httpx.AsyncClient) -> None:
    heic = corpus("images/exif-samples/heic/IMG_5195.HEIC")
    data, _ = await run_tool(client, "bulk-rename", heic, {"pattern": "{date}_{original}"})
    assert data["data"]["renamed"] == [{"from": "IMG_5195.HEIC", "to": "2021-04-11_IMG_5195.HEIC"}]


# image-to-pdf ---------------------------------------------------------------------------


def pdf_of(content: bytes) -> pikepdf.Pdf:
    assert content.startswith(b"%PDF-")
    return pikepdf.open(io.BytesIO(content))


async def test_image_to_pdf_a4_embeds_jpeg_unchanged(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "image-to-pdf", [GPS_JPEG, RGBA_PNG, ROTATED])
    assert data["download_url"].endswith("/images.pdf")
    pdf = pdf_of(content)
    boxes = [[round(float(v)) for v in page.mediabox] for page in pdf.pages]
    assert boxes == [[0, 0, 842, 595], [0, 0, 595, 842], [0, 0, 842, 595]]  # auto-turned A4
    first = next(iter(pdf.pages[0].get_images().values()))
    assert first.read_raw_bytes() == GPS_JPEG.read_bytes()  # not re-encoded
    stream = next(iter(pdf.pages[2].get_images().values()))
    assert isinstance(stream, pikepdf.Stream)
    third = pikepdf.PdfImage(stream)
    assert (third.width, third.height) == (600, 450)  # the rotated photo upright


async def test_image_to_pdf_fit_with_margin_and_letter(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(client, "image-to-pdf", RGB_PNG, {"pageSize": "fit", "margin": 10})
    pdf = pdf_of(content)
    box = [float(v) for v in pdf.pages[0].mediabox]
    assert box[2] == pytest.approx(32 * 72 / 96 + 20, abs=0.5)  # 32 px at 96 dpi, 10 pt margins
    _, content = await run_tool(
        client, "image-to-pdf", GPS_JPEG, {"pageSize": "Letter", "orientation": "portrait"}
    )
    pdf = pdf_of(content)
    assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 612, 792]


async def test_image_to_pdf_target_size(client: httpx.AsyncClient) -> None:
    target = {"targetSize": {"value": 30, "unit": "KB"}}
    data, content = await run_tool(client, "image-to-pdf", [GPS_JPEG, GPS_JPEG_2], target)
    pdf = pdf_of(content)
    assert len(content) <= 30 * 1024 and len(pdf.pages) == 2
    assert data["data"]["quality"] is not None
    body = await call_tool(
        client, "image-to-pdf", GPS_JPEG, {"targetSize": {"value": 0.5, "unit": "KB"}}, expect=422
    )
    assert body["error"]["code"] == "tool_target_size_unreachable"


# favicon --------------------------------------------------------------------------------


async def test_favicon_makes_every_size(client: httpx.AsyncClient) -> None:
    settings = {"padding": 10, "backgroundColor": "#336699", "borderRadius": 50}
    data, content = await run_tool(client, "favicon", ("logo.jpg", photo()), settings)
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert sorted(archive.namelist()) == sorted(
        ["favicon.ico", "favicon-16x16.png", "favicon-32x32.png", "apple-touch-icon.png",
         "android-chrome-192x192.png", "android-chrome-512x512.png", "site.webmanifest"]
    )  # fmt: skip
    with Image.open(io.BytesIO(archive.read("favicon.ico"))) as ico:
        assert ico.info["sizes"] == {(16, 16), (32, 32), (48, 48)}
    for name, size in (("android-chrome-512x512.png", 512), ("favicon-16x16.png", 16)):
        out = image(archive.read(name))
        assert (out.width, out.height, out.bands) == (size, size, 4)
    big = raw_pixels(archive.read("android-chrome-512x512.png"))
    assert big[0, 0, 3] == 0 and big[256, 30, 3] == 255  # a circle: corners cut, sides kept
    assert tuple(big[256, 30, :3]) == (51, 102, 153)  # the background in the padding
    apple = image(archive.read("apple-touch-icon.png"))
    assert (apple.width, apple.bands) == (180, 3)  # opaque for iOS
    manifest = json.loads(archive.read("site.webmanifest"))
    assert [i["sizes"] for i in manifest["icons"]] == ["192x192", "512x512"]
    assert manifest["theme_color"] == "#336699" and "apple-touch-icon" in data["data"]["html"]
    golden("favicon-apple-round.png", archive.read("apple-touch-icon.png"))


async def test_favicon_transparent_default(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(client, "favicon", RGBA_PNG)
    archive = zipfile.ZipFile(io.BytesIO(content))
    icon = raw_pixels(archive.read("favicon-32x32.png"))
    source = raw_pixels(RGBA_PNG.read_bytes())
    assert np.abs(icon[..., 3].astype(int) - source[..., 3]).max() <= 8  # same alpha, 32 → 32
    assert pixels(archive.read("apple-touch-icon.png")).shape == (180, 180, 3)


BAD_SETTINGS = [
    ("compress", {"quality": 0}, "settings.quality"),
    ("compress", {"quality": 101}, "settings.quality"),
    ("compress", {"mode": "size"}, "settings.mode"),
    ("compress", {"mode": "targetSize"}, "settings"),
    ("compress", {"mode": "targetSize", "targetSizeKb": -1}, "settings.targetSizeKb"),
    ("optimize-for-web", {"format": "gif"}, "settings.format"),
    ("optimize-for-web", {"maxHeight": 20000}, "settings.maxHeight"),
    ("strip-metadata", {"keep": "all"}, "settings.keep"),
    ("edit-metadata", {}, "settings"),
    ("edit-metadata", {"gps": {"lat": 100, "lon": 0}}, "settings.gps.lat"),
    ("edit-metadata", {"gps": {"lat": 1}}, "settings.gps.lon"),
    ("edit-metadata", {"dateTime": "yesterday"}, "settings.dateTime"),
    ("edit-metadata", {"keywords": ["a;b"]}, "settings.keywords"),
    ("edit-metadata", {"titel": "x"}, "settings.titel"),
    ("bulk-rename", {"pattern": "{foo}-{n}"}, "settings.pattern"),
    ("bulk-rename", {"pattern": "../{n}"}, "settings.pattern"),
    ("bulk-rename", {"pattern": ""}, "settings.pattern"),
    ("bulk-rename", {"padding": 0}, "settings.padding"),
    ("bulk-rename", {"startIndex": -1}, "settings.startIndex"),
    ("image-to-pdf", {"pageSize": "B5"}, "settings.pageSize"),
    ("image-to-pdf", {"orientation": "upside"}, "settings.orientation"),
    ("image-to-pdf", {"margin": -1}, "settings.margin"),
    ("image-to-pdf", {"targetSize": {"value": 10, "unit": "GB"}}, "settings.targetSize.unit"),
    ("image-to-pdf", {"targetSize": {"unit": "KB"}}, "settings.targetSize.value"),
    ("favicon", {"backgroundColor": "blurple"}, "settings.backgroundColor"),
    ("favicon", {"padding": 60}, "settings.padding"),
    ("favicon", {"borderRadius": 51}, "settings.borderRadius"),
]


@pytest.mark.parametrize(("tool", "bad", "field"), BAD_SETTINGS)
async def test_bad_settings_name_the_field(
    client: httpx.AsyncClient, tool: str, bad: dict[str, Any], field: str
) -> None:
    assert await invalid(client, tool, bad) == field


def test_corpus_files_exist() -> None:
    for path in (GPS_JPEG, GPS_JPEG_2, XMP_JPEG, ROTATED, UPRIGHT, RGB_PNG, RGBA_PNG, TEXT_PNG):
        corpus(str(path.relative_to(CORPUS)))
