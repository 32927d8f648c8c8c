"""Image processor: orientation, EXIF facts, GPS, HEIC, PngSuite depths, CMYK, SVG, limits."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import pytest
import pyvips

from satchel.processing.processors import ProcessingFailed, ProcessLimits, ProcessResult
from tests.corpus import CORPUS
from tests.processing.conftest import Process

EXIF = CORPUS / "images/exif-samples"
PNGSUITE = CORPUS / "images/pngsuite/png"


def _derivative(result: ProcessResult, kind: str) -> pyvips.Image:
    [found] = [d for d in result.derivatives if d.kind == kind]
    image = pyvips.Image.new_from_file(str(found.path))
    # Thumbnails are WebP; previews JPEG when opaque (fast to make and to render from).
    allowed = {"image/webp"} if kind == "thumbnail" else {"image/jpeg", "image/webp"}
    assert found.media_type in allowed
    if found.media_type == "image/jpeg":
        assert not image.hasalpha()
    assert (image.width, image.height) == (found.width, found.height)
    assert image.format == "uchar" and image.bands in (3, 4)
    return image


@pytest.mark.parametrize("shape", ["landscape", "portrait"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_reported_and_applied(
    process: Process, shape: str, orientation: int
) -> None:
    path = EXIF / f"jpg/orientation/{shape}_{orientation}.jpg"
    result = process(path, "image/jpeg")
    expected = (600, 450) if shape == "landscape" else (450, 600)
    assert (result.metadata["width"], result.metadata["height"]) == expected
    assert result.metadata["orientation"] == orientation
    preview = _derivative(result, "preview")
    assert (preview.width, preview.height) == expected
    thumb = _derivative(result, "thumbnail")
    assert max(thumb.width, thumb.height) == 320
    # Upright, every variant shows the same picture as the untransformed _1 file.
    upright = _derivative(process(EXIF / f"jpg/orientation/{shape}_1.jpg", "image/jpeg"), "preview")
    difference = (preview.cast("float") - upright.cast("float")).abs().avg()
    assert difference < 8, f"{path.name} is not shown upright (mean difference {difference:.1f})"


def _gps_from_exif(path: Path) -> tuple[float, float]:
    """Latitude and longitude read straight from the JPEG's TIFF structure, independently."""
    data = path.read_bytes()
    start = data.index(b"Exif\0\0") + 6
    tiff = data[start:]
    order = "<" if tiff[:2] == b"II" else ">"

    def ifd(offset: int) -> dict[int, tuple[int, int, int]]:
        (count,) = struct.unpack_from(order + "H", tiff, offset)
        entries = {}
        for i in range(count):
            tag, kind, n, value = struct.unpack_from(order + "HHII", tiff, offset + 2 + 12 * i)
            entries[tag] = (kind, n, value)
        return entries

    def rationals(entry: tuple[int, int, int]) -> float:
        _, n, offset = entry
        parts = struct.unpack_from(order + "II" * n, tiff, offset)
        d, m, s = (Fraction(parts[i], parts[i + 1]) for i in range(0, 6, 2))
        return float(d + m / 60 + s / 3600)

    (first,) = struct.unpack_from(order + "I", tiff, 4)
    gps = ifd(ifd(first)[0x8825][2])
    lat_ref = chr(gps[1][2] & 0xFF if order == "<" else gps[1][2] >> 24)
    lon_ref = chr(gps[3][2] & 0xFF if order == "<" else gps[3][2] >> 24)
    latitude, longitude = rationals(gps[2]), rationals(gps[4])
    return (-latitude if lat_ref == "S" else latitude, -longitude if lon_ref == "W" else longitude)


@pytest.mark.parametrize("name", ["DSCN0010.jpg", "DSCN0021.jpg", "DSCN0042.jpg"])
def test_gps_matches_the_raw_exif(process: Process, name: str) -> None:
    path = EXIF / "jpg/gps" / name
    latitude, longitude = _gps_from_exif(path)
    gps = process(path, "image/jpeg").metadata["gps"]
    assert gps["latitude"] == pytest.approx(latitude, abs=1e-6)
    assert gps["longitude"] == pytest.approx(longitude, abs=1e-6)
    assert 43 < gps["latitude"] < 44 and 11 < gps["longitude"] < 12  # Tuscany, as shot


def test_camera_lens_and_capture_time(process: Process) -> None:
    meta = process(EXIF / "jpg/tests/87_OSError.jpg", "image/jpeg").metadata
    assert meta["camera_make"] == "NIKON CORPORATION"
    assert meta["camera_model"] == "NIKON D70s"
    assert meta["lens"] == "18.0-70.0 mm f/3.5-4.5"
    assert meta["taken_at"] == "2005-12-14T14:39:47"
    assert meta["gps"]["altitude"] == pytest.approx(42.12, abs=0.01)


def test_derivatives_carry_no_metadata(process: Process) -> None:
    result = process(EXIF / "jpg/gps/DSCN0010.jpg", "image/jpeg")
    for derivative in result.derivatives:
        image = pyvips.Image.new_from_file(str(derivative.path))
        assert image.get_typeof("exif-data") == 0


@pytest.mark.parametrize(
    ("name", "displayed", "thumb"),
    [
        ("heic/IMG_5195.HEIC", (2566, 3313), (248, 320)),
        ("heic/mobile/iphone_13_pro_max.HEIC", (3024, 4032), (240, 320)),
        ("heic/mobile/HMD_Nokia_8.3_5G_hdr.heif", (4608, 3456), (320, 240)),
        ("heic/samplefilehub.heif", (640, 426), (320, 213)),
    ],
)
def test_heic_thumbnails_decode(
    process: Process, name: str, displayed: tuple[int, int], thumb: tuple[int, int]
) -> None:
    media_type = "image/heic" if name.endswith("HEIC") else "image/heif"
    result = process(EXIF / name, media_type)
    assert (result.metadata["width"], result.metadata["height"]) == displayed
    image = _derivative(result, "thumbnail")
    assert (image.width, image.height) == thumb
    assert image.avg() > 5  # real pixels, not a black frame


def test_heic_metadata(process: Process) -> None:
    meta = process(EXIF / "heic/mobile/iphone_13_pro_max.HEIC", "image/heic").metadata
    assert meta["camera_model"] == "iPhone 13 Pro Max"
    assert meta["icc_profile"] == "Display P3"
    assert meta["taken_at"] == "2022-02-16T12:55:41+01:00"


@pytest.mark.parametrize(
    "name",
    [
        "basn0g16.png",  # 16-bit grey
        "basn2c16.png",  # 16-bit RGB
        "basn6a16.png",  # 16-bit RGBA
        "basn4a08.png",  # grey + alpha
        "basn4a16.png",
        "basn3p01.png",  # palette, 1 bit
        "basn3p08.png",
        "basi0g01.png",  # interlaced
        "basi3p02.png",
        "basi6a16.png",
        "tbbn3p08.png",  # palette with transparency
        "s01i3p01.png",  # 1×1
        "cdfn2c08.png",  # 8×32
    ],
)
def test_pngsuite_gives_sane_8bit_srgb_webp(process: Process, name: str) -> None:
    source = pyvips.Image.new_from_file(str(PNGSUITE / name))
    result = process(PNGSUITE / name, "image/png")
    for kind in ("thumbnail", "preview"):
        image = _derivative(result, kind)
        assert (image.width, image.height) == (source.width, source.height)  # never upscaled
        assert image.interpretation == "srgb"
    assert result.metadata["dominant_colors"][0].startswith("#")
    assert result.metadata["lqip"].startswith("data:image/webp;base64,")


def test_cmyk_jpeg_comes_out_in_srgb(process: Process, tmp_path: Path) -> None:
    red = pyvips.Image.black(64, 48).new_from_image([200, 30, 30])
    red = red.cast("uchar").copy(interpretation="srgb")
    path = tmp_path / "cmyk.jpg"
    red.colourspace("cmyk").jpegsave(str(path))
    result = process(path, "image/jpeg")
    assert result.metadata["color_space"] == "cmyk"
    r, g, b = (_derivative(result, "preview")[band].avg() for band in range(3))
    assert r > 150 and g < 90 and b < 90


def test_svg_is_rasterized_without_external_references(process: Process, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    (pyvips.Image.black(8, 8) + 255).cast("uchar").pngsave(str(secret))
    path = tmp_path / "drawing.svg"
    path.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="200" height="100">'
        '<rect width="200" height="100" fill="#000000"/>'
        f'<image xlink:href="file://{secret}" width="200" height="100"/>'
        f'<image href="secret.png" width="200" height="100"/></svg>'
    )
    result = process(path, "image/svg+xml")
    preview = _derivative(result, "preview")
    assert max(preview.width, preview.height) <= 1600
    assert preview.width == 2 * preview.height
    assert preview.max() < 10  # black: neither reference was followed


def test_avif_and_gif(process: Process, tmp_path: Path) -> None:
    image = (pyvips.Image.xyz(120, 80)[0] * 2).cast("uchar").bandjoin([64, 128])
    image = image.copy(interpretation="srgb")
    image.heifsave(str(tmp_path / "a.avif"), compression="av1", effort=0)
    image.gifsave(str(tmp_path / "a.gif"))
    for name, media_type in (("a.avif", "image/avif"), ("a.gif", "image/gif")):
        result = process(tmp_path / name, media_type)
        assert (result.metadata["width"], result.metadata["height"]) == (120, 80)
        assert _derivative(result, "preview").width == 120


def test_pixel_limit(process: Process) -> None:
    path = EXIF / "jpg/hdr/iphone_hdr_YES.jpg"
    with pytest.raises(ProcessingFailed, match="more than the 1,000,000 allowed"):
        process(path, "image/jpeg", ProcessLimits(max_pixels=1_000_000))


def test_preview_is_capped_and_not_upscaled(process: Process) -> None:
    big = process(EXIF / "jpg/tests/42_IndexError.jpg", "image/jpeg")
    assert _derivative(big, "preview").width == 1600
    small = process(EXIF / "jpg/Canon_40D.jpg", "image/jpeg")
    assert (_derivative(small, "preview").width, _derivative(small, "thumbnail").width) == (
        100,
        100,
    )


def test_damaged_jpeg_that_libvips_refuses_still_processes(process: Process) -> None:
    result = process(EXIF / "jpg/corrupted.jpg", "image/jpeg")
    assert (result.metadata["width"], result.metadata["height"]) == (3648, 2736)
    assert _derivative(result, "thumbnail").width == 320


def test_undecodable_image_fails_clearly(process: Process, tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes((PNGSUITE / "basn2c08.png").read_bytes()[:33] + b"\xff" * 500)
    with pytest.raises(ProcessingFailed, match="could not be decoded"):
        process(path, "image/png")
