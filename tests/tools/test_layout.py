"""Layout & Composition tools: collage, stitch, split, border, beautify, circle-crop,
image-pad, sprite-sheet."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any, get_args

import httpx
import numpy as np
import pytest
import pyvips

from satchel.tools.image.collage import LAYOUTS, Template, justified
from tests.conftest import make_png
from tests.tools.helpers import (
    PHOTO,
    FileArg,
    call_tool,
    corpus,
    golden,
    image,
    pixels,
    run_tool,
    ssim,
)

S40 = corpus("images/exif-samples/jpg/Canon_PowerShot_S40.jpg")  # 480×360
CANON = corpus("images/exif-samples/jpg/Canon_40D.jpg")  # 100×68
KONICA = corpus("images/exif-samples/jpg/Konica_Minolta_DiMAGE_Z3.jpg")  # 70×100
PORTRAIT = corpus("images/exif-samples/jpg/orientation/portrait_1.jpg")  # 450×600
ROTATED = corpus("images/exif-samples/jpg/orientation/landscape_6.jpg")  # 450×600, EXIF 6
RGB32 = corpus("images/pngsuite/png/basn2c08.png")  # 32×32 RGB
RGBA32 = corpus("images/pngsuite/png/basn6a08.png")  # 32×32 RGBA
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def ensure_fonts() -> None:
    if not FONT.exists():
        for cmd in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "fonts-dejavu-core"],
        ):
            subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    assert FONT.exists()


def at(data: bytes | pyvips.Image, x: int, y: int) -> list[int]:
    img = image(data) if isinstance(data, bytes) else data
    return [round(v) for v in img.getpoint(x, y)]


def near(a: list[int], b: list[int], tol: int = 12) -> bool:
    return len(a) == len(b) and all(abs(p - q) <= tol for p, q in zip(a, b, strict=True))


async def bad(client: httpx.AsyncClient, tool: str, files: Any, settings: dict[str, Any]) -> str:
    """The field a 422 validation_error names."""
    body = await call_tool(client, tool, files, settings, expect=422)
    assert body["error"]["code"] == "validation_error", body
    field: str = body["error"]["fields"][0]["field"]
    return field


async def refused(
    client: httpx.AsyncClient, tool: str, files: Any, settings: dict[str, Any]
) -> str:
    body = await call_tool(client, tool, files, settings, expect=422)
    code: str = body["error"]["code"]
    return code


# collage ------------------------------------------------------------------------------


def test_layouts_are_data_that_tile_their_grid() -> None:
    assert len(LAYOUTS) >= 25
    assert set(get_args(Template)) == {"auto", *LAYOUTS}
    layouts = [*LAYOUTS.items(), *((f"auto-{n}", justified(n)) for n in range(9, 65))]
    for name, (cols, rows, cells) in layouts:
        cover = np.zeros((rows, cols), dtype=int)
        for x, y, w, h in cells:
            cover[y : y + h, x : x + w] += 1
        assert (cover == 1).all(), name


async def test_collage_grid_cells_gaps_and_golden(client: httpx.AsyncClient) -> None:
    files: list[FileArg] = [S40, PORTRAIT, CANON, KONICA]
    settings = {"template": "2x2", "width": 400, "gap": 10, "backgroundColor": "#ff0000"}
    data, content = await run_tool(client, "collage", files, settings)
    out = image(content)
    assert (out.width, out.height) == (400, 400)
    assert data["download_url"].endswith("collage.jpg")
    cells = data["data"]["cells"]
    assert [(c["x"], c["y"], c["width"], c["height"]) for c in cells] == [
        (10, 10, 185, 185), (205, 10, 185, 185), (10, 205, 185, 185), (205, 205, 185, 185),
    ]  # fmt: skip
    for x, y in ((2, 2), (200, 100), (100, 200), (397, 397)):  # margins and gaps
        assert near(at(content, x, y), [255, 0, 0])
    # each cell is its image cover-cropped: compare with the same crop made here
    expected = pyvips.Image.thumbnail(str(PORTRAIT), 185, height=185, crop="centre")
    assert ssim(out.crop(205, 10, 185, 185), expected) > 0.9
    golden("collage-2x2.jpg", content)


async def test_collage_templates_radius_and_counts(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(
        client, "collage", [S40, PORTRAIT, CANON], {"width": 300, "borderRadius": 40, "gap": 0}
    )
    assert data["data"]["template"] == "1+2"  # auto for three images
    assert near(at(content, 1, 1), [255, 255, 255], 30)  # round corner shows the background
    assert not near(at(content, 75, 150), [255, 255, 255], 30)
    data, _ = await run_tool(
        client, "collage", [S40, CANON], {"template": "pinwheel", "width": 300}
    )
    cells = data["data"]["cells"]
    assert len(cells) == 5
    assert [c["file"] for c in cells] == ["Canon_PowerShot_S40.jpg", "Canon_40D.jpg"] * 2 + [
        "Canon_PowerShot_S40.jpg"
    ]  # images repeat to fill the cells
    ten: list[FileArg] = [(f"p{i}.png", make_png(4, 4, seed=i)) for i in range(10)]
    data, content = await run_tool(client, "collage", ten, {"gap": 0})
    assert data["data"]["template"] == "auto" and len(data["data"]["cells"]) == 10
    assert image(content).width == 1600 and image(content).height == 1200  # 4 across, 3 down
    assert [c["width"] for c in data["data"]["cells"][-2:]] == [800, 800]  # last row widened
    data, content = await run_tool(
        client, "collage", [CANON, KONICA], {"template": "1x2", "height": 200,
                                            "backgroundColor": "#00000000"}
    )  # fmt: skip
    out = image(content)
    assert (out.width, out.height, out.bands) == (100, 200, 4)
    assert data["download_url"].endswith(".png")
    assert at(out, 2, 2)[3] == 0


async def test_collage_refusals(client: httpx.AsyncClient) -> None:
    assert await bad(client, "collage", [CANON, KONICA], {"template": "9x9"}) == "settings.template"
    assert await bad(client, "collage", [CANON, KONICA], {"gap": -1}) == "settings.gap"
    assert await bad(client, "collage", [CANON, KONICA], {"backgroundColor": "nope"}) == (
        "settings.backgroundColor"
    )
    assert await refused(client, "collage", [CANON, KONICA, S40], {"template": "2x1"}) == (
        "tool_collage_too_many_images"
    )
    assert await refused(client, "collage", [CANON], {}) == "tool_input_missing"
    huge = {"width": 16384, "height": 16384}
    assert await refused(client, "collage", [CANON, KONICA], huge) == "tool_result_too_large"
    broken = corpus("images/pngsuite/png/xcsn0g01.png")  # bad checksum
    assert await refused(client, "collage", [CANON, broken], {}) in (
        "asset_file_corrupt",
        "tool_failed",
    )
    truncated = ("t.png", make_png(30, 30)[:-20])
    assert await refused(client, "collage", [CANON, truncated], {}) in (
        "asset_file_corrupt",
        "tool_failed",
    )
    assert await refused(client, "collage", [CANON, KONICA], {"width": 100, "gap": 60}) == (
        "tool_collage_no_room"
    )


# stitch -------------------------------------------------------------------------------


async def test_stitch_horizontal_aligned_end(client: httpx.AsyncClient) -> None:
    settings = {"gap": 10, "alignment": "end", "backgroundColor": "#00ff00"}
    data, content = await run_tool(client, "stitch", [S40, KONICA], settings)
    out = image(content)
    assert (out.width, out.height) == (480 + 10 + 70, 360)
    assert data["data"]["placements"][1] == {
        "file": KONICA.name, "x": 490, "y": 260, "width": 70, "height": 100,
    }  # fmt: skip
    assert near(at(out, 485, 5), [0, 255, 0])  # the gap
    assert near(at(out, 520, 100), [0, 255, 0])  # above the smaller image (aligned to the end)
    assert ssim(out.crop(490, 260, 70, 100), pyvips.Image.new_from_file(str(KONICA))) > 0.9
    golden("stitch-horizontal.jpg", content)


async def test_stitch_vertical_grid_and_match_size(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(
        client, "stitch", [CANON, KONICA], {"direction": "vertical", "alignment": "start"}
    )
    out = image(content)
    assert (out.width, out.height) == (100, 168)
    assert near(at(out, 90, 120), [255, 255, 255])  # right of the narrower, start-aligned image
    data, content = await run_tool(
        client, "stitch", [CANON, KONICA, RGB32, RGBA32], {"direction": "grid", "gap": 4}
    )
    out = image(content)
    assert (out.width, out.height, data["data"]["columns"]) == (204, 204, 2)
    assert out.bands == 4  # an input with alpha keeps transparency: PNG
    _, content = await run_tool(client, "stitch", [S40, KONICA], {"matchSize": True})
    out = image(content)
    assert out.height == 100 and out.width in range(200, 205)  # 480×360 → 133×100, + 70
    assert await bad(client, "stitch", [S40, KONICA], {"direction": "diagonal"}) == (
        "settings.direction"
    )
    assert await bad(client, "stitch", [S40, KONICA], {"alignment": "middle"}) == (
        "settings.alignment"
    )
    many: list[FileArg] = [(f"p{i}.png", make_png(2, 2, seed=i)) for i in range(64)]
    assert await refused(client, "stitch", many, {"gap": 1000}) == "tool_result_too_large"


# split --------------------------------------------------------------------------------


async def test_split_grid_returns_a_zip_of_tiles(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(client, "split", S40, {"rows": 3, "cols": 2})
    assert data["download_url"].endswith(".zip")
    zf = zipfile.ZipFile(io.BytesIO(content))
    names = zf.namelist()
    assert names == [f"Canon_PowerShot_S40_r{r}_c{c}.jpg" for r in (1, 2, 3) for c in (1, 2)]
    source = pyvips.Image.new_from_file(str(S40))
    for tile in data["data"]["tiles"]:
        got = image(zf.read(tile["name"]))
        assert (got.width, got.height) == (240, 120)
        crop = source.crop(tile["x"], tile["y"], 240, 120)
        assert ssim(got, crop) > 0.95
    golden("split-r2c2.jpg", zf.read("Canon_PowerShot_S40_r2_c2.jpg"))


async def test_split_modes_and_fixed_tiles(client: httpx.AsyncClient) -> None:
    data, _ = await run_tool(client, "split", S40, {"mode": "rows", "rows": 4})
    assert [(t["width"], t["height"]) for t in data["data"]["tiles"]] == [(480, 90)] * 4
    data, _ = await run_tool(client, "split", S40, {"mode": "cols", "cols": 3, "format": "png"})
    assert [(t["width"], t["height"]) for t in data["data"]["tiles"]] == [(160, 360)] * 3
    assert data["data"]["tiles"][0]["name"].endswith(".png")
    data, _ = await run_tool(client, "split", S40, {"tileWidth": 200, "tileHeight": 360})
    assert [t["width"] for t in data["data"]["tiles"]] == [200, 200, 80]
    data, content = await run_tool(client, "split", S40, {"rows": 1, "cols": 1})
    assert image(content).width == 480  # one tile: the file itself, no ZIP
    assert await refused(client, "split", S40, {"tileWidth": 2, "tileHeight": 2}) == (
        "tool_split_too_many_tiles"
    )
    assert await refused(client, "split", RGB32, {"rows": 40}) == "tool_split_too_many_tiles"
    assert await bad(client, "split", S40, {"rows": 0}) == "settings.rows"
    assert await bad(client, "split", S40, {"mode": "diagonal"}) == "settings.mode"


# border -------------------------------------------------------------------------------


async def test_border_solid_with_padding(client: httpx.AsyncClient) -> None:
    settings = {"width": 8, "color": "#ff0000", "padding": 4, "paddingColor": "#0000ff"}
    data, content = await run_tool(client, "border", RGB32, settings)
    out = image(content)
    assert (out.width, out.height) == (56, 56)
    assert data["download_url"].endswith(".png")  # the input's format
    assert at(out, 0, 0)[:3] == [255, 0, 0] and at(out, 55, 30)[:3] == [255, 0, 0]
    assert at(out, 9, 9)[:3] == [0, 0, 255]
    src = pyvips.Image.new_from_file(str(RGB32))
    assert (pixels(out.crop(12, 12, 32, 32)) == pixels(src)).all()


async def test_border_gradient_pattern_radius_and_shadow(client: httpx.AsyncClient) -> None:
    settings = {"width": 10, "style": "gradient", "color": "#ff0000", "secondaryColor": "#0000ff"}
    _, content = await run_tool(client, "border", CANON, settings)
    out = image(content)
    assert (out.width, out.height) == (120, 88)
    red, blue = at(out, 3, 3), at(out, 116, 84)
    assert red[0] > 200 and red[2] < 60 and blue[2] > 200 and blue[0] < 60
    settings = {"width": 12, "style": "pattern", "color": "#ffff00", "secondaryColor": "#000000"}
    _, content = await run_tool(client, "border", CANON, settings)
    ring = pixels(image(content))[:6].reshape(-1, 3)
    assert (ring.min(axis=1) < 40).any() and (ring[:, :2].min(axis=1) > 215).any()
    settings = {"width": 6, "borderRadius": 20, "shadow": True, "color": "#222222"}
    data, content = await run_tool(client, "border", CANON, settings)
    out = image(content)
    assert data["download_url"].endswith(".png") and out.bands == 4  # JPEG in, PNG out
    assert out.width > 112 and out.height > 80  # room for the shadow
    assert at(out, 0, 0)[3] == 0
    assert 0 < at(out, out.width // 2, out.height - 10)[3] < 200  # soft shadow below
    golden("border-shadow.png", content)
    assert await bad(client, "border", CANON, {"style": "dotted"}) == "settings.style"
    assert await bad(client, "border", CANON, {"width": 5000}) == "settings.width"
    assert await refused(client, "border", PHOTO, {"width": 2000, "padding": 2000}) == (
        "tool_result_too_large"
    )


# beautify -----------------------------------------------------------------------------

FRAMES = (
    "none", "macos-light", "macos-dark", "windows-light", "windows-dark", "browser-light",
    "browser-dark", "iphone", "macbook", "ipad",
)  # fmt: skip


@pytest.mark.parametrize("frame", FRAMES)
async def test_beautify_frames(client: httpx.AsyncClient, frame: str) -> None:
    settings = {"frame": frame, "padding": 20, "backgroundType": "solid",
                "backgroundColor": "#336699", "shadowPreset": "none"}  # fmt: skip
    data, content = await run_tool(client, "beautify", S40, settings)
    out = image(content)
    chrome = frame != "none"
    assert out.width >= 520 and out.height >= 400 + (10 if chrome else 0)
    assert (data["data"]["width"], data["data"]["height"]) == (out.width, out.height)
    assert at(out, 3, 3) == [51, 102, 153, 255]  # the backdrop
    # the screenshot is there, centred across, below its chrome
    patch = pixels(pyvips.Image.new_from_file(str(S40)))[160:200, 190:290].astype(int)
    found = pixels(out).astype(int)
    x = (out.width - 480) // 2 + 190
    best = min(
        np.abs(found[y + 160 : y + 200, x + dx : x + dx + 100] - patch).mean()
        for y in range(0, out.height - 360)
        for dx in (-1, 0, 1)
    )
    assert best < 8
    if frame.startswith("macos") or frame.startswith("browser"):
        red = at(out, 20 + round(14 * 0.5) + 3, 20 + 8)  # first traffic light
        assert red[0] > 200 and red[1] < 140, red


async def test_beautify_gradient_social_watermark_golden(client: httpx.AsyncClient) -> None:
    ensure_fonts()
    settings = {
        "frame": "macos-light",
        "socialPreset": "instagram-square",
        "gradientStops": [{"color": "#ff0000", "position": 0}, "#0000ff"],
        "gradientAngle": 90,
        "watermarkText": "made with <satchel> & co",
        "outputFormat": "jpeg",
    }
    data, content = await run_tool(client, "beautify", PHOTO, settings)
    out = image(content)
    assert (out.width, out.height) == (1080, 1080)
    assert data["download_url"].endswith(".jpg")
    left, right = at(out, 2, 540), at(out, 1077, 540)
    assert left[0] > 200 and left[2] < 60 and right[2] > 200 and right[0] < 60
    corner = pixels(out)[1000:1070, 700:1070]
    assert corner.min() < 40 or corner.max() > 230  # the watermark text is drawn
    golden("beautify-instagram.jpg", out.thumbnail_image(270).write_to_buffer(".jpg[Q=85]"))


async def test_beautify_backgrounds_and_presets(client: httpx.AsyncClient) -> None:
    _, content = await run_tool(
        client, "beautify", CANON, {"backgroundType": "transparent", "padding": 30}
    )
    out = image(content)
    assert (out.width, out.height, out.bands) == (160, 128, 4)
    assert at(out, 0, 0)[3] == 0
    assert 0 < at(out, 80, 100)[3] <= 255  # the shadow (medium) under the card
    _, content = await run_tool(
        client, "beautify", CANON, {"backgroundType": "radial-gradient", "padding": 40,
                                    "gradientStops": ["#ffffff", "#000000"]}
    )  # fmt: skip
    out = image(content)
    assert at(out, 0, 0)[0] < 40 and at(out, 90, 4)[0] > at(out, 0, 0)[0]
    _, content = await run_tool(
        client,
        "beautify",
        CANON,
        {"backgroundType": "image", "padding": 40, "shadowPreset": "none"},
        extras={"background": RGB32},
    )
    out = image(content)
    backdrop = pyvips.Image.thumbnail(str(RGB32), 180, height=148, crop="centre")
    assert ssim(out.crop(0, 0, 180, 30), backdrop.crop(0, 0, 180, 30)) > 0.8
    for preset, size in (("twitter", (1600, 900)), ("instagram-story", (1080, 1920)),
                         ("producthunt", (1270, 760))):  # fmt: skip
        data, _ = await run_tool(
            client, "beautify", CANON, {"socialPreset": preset, "outputFormat": "jpeg"}
        )
        assert (data["data"]["width"], data["data"]["height"]) == size


async def test_beautify_refusals(client: httpx.AsyncClient) -> None:
    assert await bad(client, "beautify", CANON, {"frame": "android"}) == "settings.frame"
    assert await bad(client, "beautify", CANON, {"socialPreset": "myspace"}) == (
        "settings.socialPreset"
    )
    field = await bad(client, "beautify", CANON, {"gradientStops": ["#fff", "teal-ish"]})
    assert field.startswith("settings.gradientStops.1")
    assert await bad(client, "beautify", CANON, {"gradientStops": ["#fff"]}) == (
        "settings.gradientStops"
    )
    assert await refused(client, "beautify", CANON, {"backgroundType": "image"}) == (
        "tool_background_missing"
    )
    assert (
        await refused(client, "beautify", CANON, {"socialPreset": "facebook", "padding": 600})
        == "tool_padding_too_large"
    )


# circle-crop --------------------------------------------------------------------------


async def test_circle_crop_ring_and_transparency(client: httpx.AsyncClient) -> None:
    settings = {"outputSize": 128, "borderWidth": 6, "borderColor": "#ff0000"}
    data, content = await run_tool(client, "circle-crop", S40, settings)
    out = image(content)
    assert (out.width, out.height, out.bands) == (128, 128, 4)
    assert data["download_url"].endswith(".png")
    assert at(out, 0, 0)[3] == 0 and at(out, 127, 127)[3] == 0
    assert at(out, 64, 2) == [255, 0, 0, 255]  # the ring
    assert at(out, 64, 64)[3] == 255
    assert data["data"]["crop"] == {"left": 60, "top": 0, "size": 360}
    golden("circle-crop-ring.png", content)


async def test_circle_crop_zoom_offset_background(client: httpx.AsyncClient) -> None:
    settings = {"zoom": 2, "offsetX": 100, "offsetY": -100, "background": "#0000ff"}
    data, content = await run_tool(client, "circle-crop", S40, settings)
    out = image(content)
    assert (out.width, out.height) == (180, 180)  # the crop's own size
    assert data["data"]["crop"] == {"left": 300, "top": 0, "size": 180}
    assert at(out, 0, 0) == [0, 0, 255, 255]
    source = pyvips.Image.new_from_file(str(S40)).crop(300, 0, 180, 180)
    assert ssim(out.crop(50, 50, 80, 80), source.crop(50, 50, 80, 80)) > 0.9
    assert await bad(client, "circle-crop", S40, {"zoom": 6}) == "settings.zoom"
    assert await bad(client, "circle-crop", S40, {"background": "blur"}) == "settings.background"
    assert await bad(client, "circle-crop", S40, {"outputSize": 9000}) == "settings.outputSize"
    assert await refused(client, "circle-crop", S40, {"outputSize": 8192}) == (
        "tool_result_too_large"
    )


# image-pad ----------------------------------------------------------------------------


async def test_image_pad_ratios_and_fills(client: httpx.AsyncClient) -> None:
    data, content = await run_tool(
        client, "image-pad", PORTRAIT, {"target": "16:9", "color": "#ff0000"}
    )
    out = image(content)
    assert (out.width, out.height) == (1067, 600)
    assert data["download_url"].endswith(".jpg")
    assert near(at(out, 5, 300), [255, 0, 0]) and near(at(out, 1060, 300), [255, 0, 0])
    source = pyvips.Image.new_from_file(str(PORTRAIT))
    assert ssim(out.crop(308, 0, 450, 600), source) > 0.95
    data, content = await run_tool(
        client, "image-pad", PORTRAIT, {"target": "1:1", "background": "transparent"}
    )
    out = image(content)
    assert (out.width, out.height, out.bands) == (600, 600, 4)
    assert data["download_url"].endswith(".png") and at(out, 3, 300)[3] == 0
    data, content = await run_tool(
        client, "image-pad", ROTATED, {"target": "custom", "ratioW": 2, "ratioH": 1,
                                       "padding": 10, "background": "blur"}
    )  # fmt: skip
    out = image(content)
    assert (out.width, out.height) == (1140, 570)  # 600×450 after EXIF, +60 a side, 2:1
    side = pixels(out)[:, :300].reshape(-1, 3)
    assert side.std() > 3  # a blurred picture, not a flat colour
    golden("image-pad-blur.jpg", out.thumbnail_image(360).write_to_buffer(".jpg[Q=85]"))


async def test_image_pad_refusals(client: httpx.AsyncClient) -> None:
    assert await bad(client, "image-pad", PORTRAIT, {"target": "custom"}) == "settings"
    assert await bad(client, "image-pad", PORTRAIT, {"padding": 60}) == "settings.padding"
    assert await bad(client, "image-pad", PORTRAIT, {"target": "5:4"}) == "settings.target"
    thin = {"target": "custom", "ratioW": 100, "ratioH": 0.01}
    assert await refused(client, "image-pad", PORTRAIT, thin) == "tool_result_too_large"


# sprite-sheet -------------------------------------------------------------------------


async def test_sprite_sheet_rects_css_and_golden(client: httpx.AsyncClient) -> None:
    files: list[FileArg] = [RGB32, RGBA32, CANON, ("1 odd name!.png", RGB32.read_bytes())]
    data, content = await run_tool(client, "sprite-sheet", files, {"columns": 2, "padding": 2})
    facts = data["data"]
    out = image(content)
    assert (out.width, out.height) == (facts["width"], facts["height"]) == (206, 142)
    assert out.bands == 4 and at(out, 0, 0)[3] == 0
    sprites = facts["sprites"]
    assert [(s["x"], s["y"], s["width"], s["height"]) for s in sprites] == [
        (2, 2, 32, 32), (104, 2, 32, 32), (2, 72, 100, 68), (104, 72, 32, 32),
    ]  # fmt: skip
    for path, sprite in ((RGB32, sprites[0]), (RGBA32, sprites[1]), (CANON, sprites[2])):
        crop = out.crop(sprite["x"], sprite["y"], sprite["width"], sprite["height"])
        assert ssim(crop, pyvips.Image.new_from_file(str(path))) > 0.99
    assert [s["class"] for s in sprites] == ["basn2c08", "basn6a08", "canon_40d", "s-1-odd-name_"]
    assert (
        ".sprite-canon_40d { width: 100px; height: 68px; background-position: -2px -72px; }"
        in (facts["css"])
    )
    golden("sprite-sheet-2col.png", content)
    data, content = await run_tool(
        client, "sprite-sheet", [CANON, KONICA], {"format": "jpeg", "background": "#ffffff"}
    )
    assert data["download_url"].endswith(".jpg") and image(content).width == 200


async def test_sprite_sheet_refusals(client: httpx.AsyncClient) -> None:
    assert await refused(client, "sprite-sheet", [CANON], {}) == "tool_input_missing"
    many: list[FileArg] = [(f"p{i}.png", make_png(2, 2, seed=i)) for i in range(65)]
    assert await refused(client, "sprite-sheet", many, {}) == "tool_too_many_inputs"
    assert await bad(client, "sprite-sheet", [CANON, KONICA], {"columns": 17}) == (
        "settings.columns"
    )
    assert await bad(client, "sprite-sheet", [CANON, KONICA], {"format": "gif"}) == (
        "settings.format"
    )


async def test_layout_tools_are_not_pipeline_steps(client: httpx.AsyncClient) -> None:
    for tool in ("collage", "stitch", "split", "sprite-sheet"):
        entry = (await client.get(f"/api/v1/tools/image/{tool}")).json()["data"]
        assert entry["pipeline"] is False, tool
    for tool in ("border", "beautify", "circle-crop", "image-pad"):
        entry = (await client.get(f"/api/v1/tools/image/{tool}")).json()["data"]
        assert entry["pipeline"] is True, tool
