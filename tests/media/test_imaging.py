"""The imaging engine on corpus files: decode and orient, fit, encode, limits, frame bombs."""

from __future__ import annotations

import gc
import io
import resource
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import pyvips
from PIL import Image

from satchel.media import animation, imaging
from satchel.media.errors import (
    ImageDecodeError,
    ImageTooLarge,
    InvalidDimensions,
    ResultTooLarge,
)
from tests.corpus import CORPUS

IMAGES = CORPUS / "images"
ORIENTATION = IMAGES / "exif-samples/jpg/orientation"
PHOTO = IMAGES / "exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg"  # 4608×1976
HEIC = IMAGES / "exif-samples/heic/IMG_5195.HEIC"  # 2566×3313 as shown
PNG = IMAGES / "pngsuite/png/basn6a08.png"  # 32×32 RGBA
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"><rect width="60" height="80" fill="#f00"/></svg>'  # noqa: E501


def mean_difference(a: pyvips.Image, b: pyvips.Image) -> float:
    return float((a.cast("float") - b.cast("float")).abs().avg())


def left_third(image: pyvips.Image) -> pyvips.Image:
    """The part of the orientation samples without the digit that names the sample."""
    return image.crop(0, 0, image.width // 3, image.height)


# Decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["landscape", "portrait"])
@pytest.mark.parametrize("orientation", range(2, 9))
def test_load_applies_the_exif_orientation(kind: str, orientation: int) -> None:
    # samples 2–8 are one picture stored in the eight EXIF ways (1 is another shot)
    upright = imaging.load(ORIENTATION / f"{kind}_2.jpg", "image/jpeg")
    path = ORIENTATION / f"{kind}_{orientation}.jpg"
    image = imaging.load(path, "image/jpeg")
    assert (image.width, image.height) == (upright.width, upright.height)
    assert mean_difference(left_third(image), left_third(upright)) < 3
    stored = imaging.load(path, "image/jpeg", autorotate=False)
    turned = orientation in (5, 6, 7, 8)
    assert (stored.width, stored.height) == (
        (upright.height, upright.width) if turned else (upright.width, upright.height)
    )
    assert imaging.oriented_size(path) == (upright.width, upright.height)


def test_heic_decodes_through_pillow_heif() -> None:
    image = imaging.load(HEIC, "image/heic")
    assert (image.width, image.height, image.bands) == (2566, 3313, 3)
    head = imaging.header(HEIC, "image/heic")
    assert (head.width, head.height) == (2566, 3313)
    assert imaging.thumbnail(HEIC, "image/heic", 320).height == 320


def test_svg_is_read_from_memory_and_other_untrusted_loaders_stay_blocked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.svg"
    path.write_bytes(SVG)
    image = imaging.load(path, "image/svg+xml")
    assert (image.width, image.height) == (120, 80)
    assert imaging.thumbnail(path, "image/svg+xml", 60).width == 60
    with pytest.raises(pyvips.Error):  # svgload (file) is one of the blocked loaders
        pyvips.Image.new_from_file(str(path)).avg()


def test_undecodable_files_raise_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(PNG.read_bytes()[:40])
    with pytest.raises(ImageDecodeError) as caught:
        imaging.load(broken, "image/png", name="photo.png").avg()
    assert caught.value.code == "tool_failed"
    assert caught.value.message.startswith("photo.png could not be decoded: ")
    with pytest.raises(ImageDecodeError):
        imaging.thumbnail(broken, "image/png", 10)


def test_single_images_are_checked_against_limits_given() -> None:
    small = imaging.PixelLimits(max_image_edge=16_384, max_image_pixels=1_000_000)
    with pytest.raises(ImageTooLarge) as caught:
        imaging.load(PHOTO, "image/jpeg", limits=small)
    assert caught.value.code == "tool_input_too_large"
    assert "4608×1976" in caught.value.message
    imaging.load(PHOTO, "image/jpeg")  # no limits given: the upload's sniffing decided


def test_pillow_reads_a_jpeg_libvips_refuses() -> None:
    path = IMAGES / "exif-samples/jpg/corrupted.jpg"
    decoded = imaging.pillow_thumbnail(path, 400)
    assert (decoded.width, decoded.height) == (3648, 2736)
    assert max(decoded.image.width, decoded.image.height) == 400


def test_from_array_owns_its_pixels() -> None:
    pixels = np.zeros((20, 30, 3), dtype=np.uint8)
    pixels[:, :, 1] = 200
    image = imaging.from_array(pixels)
    del pixels
    gc.collect()
    assert (image.width, image.height, image.bands) == (30, 20, 3)
    assert image.interpretation == "srgb"
    assert image(5, 5) == [0.0, 200.0, 0.0]


# Fitting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fit", "size"),
    [
        ("cover", (400, 400)),
        ("contain", (400, 400)),
        ("fill", (400, 400)),
        ("inside", (400, 172)),
        ("outside", (933, 400)),
    ],
)
def test_fit_sizes(fit: Any, size: tuple[int, int]) -> None:
    image = imaging.fit(PHOTO, 400, 400, fit, media_type="image/jpeg")
    assert (image.width, image.height) == size


def test_fit_drafts_jpeg_and_matches_libvips() -> None:
    assert imaging.jpeg_draft(PHOTO, 400, 400) is not None  # 1/8 scale still covers 400 px
    assert imaging.jpeg_draft(PHOTO, 4000, 4000) is None  # no DCT scale helps
    assert imaging.jpeg_draft(PNG, 10, 10) is None
    drafted = imaging.fit(PHOTO, 400, 400, "inside")
    plain = pyvips.Image.thumbnail(str(PHOTO), 400, height=400)
    assert (drafted.width, drafted.height) == (plain.width, plain.height)
    assert mean_difference(drafted, plain) < 4
    data = PHOTO.read_bytes()
    from_bytes = imaging.fit(data, 400, 400, "cover")
    from_image = imaging.fit(imaging.load(PHOTO, "image/jpeg"), 400, 400, "cover")
    assert mean_difference(from_bytes, from_image) < 4


def test_draft_scale_follows_the_fitted_size_not_the_box() -> None:
    # 4608×1976 inside 800×800 is 800×343: 1/4 scale (1152×494) covers it; the box alone
    # (fill) needs 988 px of height, so 1/2.
    inside = imaging.jpeg_draft(PHOTO, 800, 800, fit="inside")
    filled = imaging.jpeg_draft(PHOTO, 800, 800, fit="fill")
    assert inside is not None and filled is not None
    assert (inside.width, inside.height) == (1152, 494)
    assert (filled.width, filled.height) == (2304, 988)
    covered = imaging.jpeg_draft(PHOTO, 800, 800, fit="cover")
    assert covered is not None and covered.height >= 800
    turned = imaging.jpeg_draft(ORIENTATION / "portrait_6.jpg", 60, 60, fit="inside")
    assert turned is None or turned.height >= 60  # upright, covering the fitted height


def test_fit_of_oriented_jpeg_keeps_it_upright() -> None:
    upright = imaging.fit(ORIENTATION / "portrait_2.jpg", 120, 120, "inside")
    turned = imaging.fit(ORIENTATION / "portrait_6.jpg", 120, 120, "inside")
    assert (turned.width, turned.height) == (upright.width, upright.height) == (90, 120)
    assert mean_difference(left_third(turned), left_third(upright)) < 6


def test_contain_pads_with_the_background() -> None:
    opaque = imaging.fit(PHOTO, 300, 300, "contain", background=[255, 0, 0, 255])
    assert (opaque.width, opaque.height, opaque.bands) == (300, 300, 3)
    assert opaque(0, 0) == [255.0, 0.0, 0.0]
    clear = imaging.fit(PHOTO, 300, 300, "contain")
    assert clear.bands == 4 and clear(0, 0)[3] == 0


def test_thumbnail_never_enlarges_unless_asked() -> None:
    assert imaging.thumbnail(PNG, "image/png", 100).width == 32
    assert imaging.thumbnail(PNG, "image/png", 100, enlarge=True).width == 100


# Encoding ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jpg", "png", "webp", "avif", "tiff", "gif", "heic"])
def test_encode_round_trips(fmt: str) -> None:
    source = imaging.fit(PHOTO, 160, 160, "inside")
    data = imaging.encode(source, fmt, quality=90)
    if fmt == "heic":
        import pillow_heif

        heif = pillow_heif.open_heif(io.BytesIO(data))
        back = imaging.from_array(np.asarray(heif.to_pillow().convert("RGB")))
    else:
        back = pyvips.Image.new_from_buffer(data, "")
    assert (back.width, back.height) == (source.width, source.height)
    assert mean_difference(imaging.to_srgb8(back)[:3], source) < (12 if fmt == "gif" else 6)


def test_encode_keeps_only_the_metadata_asked_for(tmp_path: Path) -> None:
    image = imaging.load(PHOTO, "image/jpeg").icc_transform("srgb", input_profile="srgb")
    assert image.get_typeof("exif-data") and image.get_typeof(imaging.ICC)
    kept = pyvips.Image.new_from_buffer(imaging.encode(image, "jpg"), "")
    assert kept.get_typeof("exif-data") and kept.get_typeof(imaging.ICC)
    stripped = pyvips.Image.new_from_buffer(imaging.encode(image, "jpg", strip=True), "")
    assert not stripped.get_typeof("exif-data") and not stripped.get_typeof(imaging.ICC)
    colour = pyvips.Image.new_from_buffer(imaging.encode(image, "webp", keep="icc"), "")
    assert not colour.get_typeof("exif-data") and colour.get_typeof(imaging.ICC)
    target = tmp_path / "out.png"
    imaging.save(image, target, "png", strip=True)
    assert not pyvips.Image.new_from_file(str(target)).get_typeof("exif-data")


def test_save_output_checks_limits_and_names_the_file(tmp_path: Path) -> None:
    class Out:
        def __init__(self, path: Path) -> None:
            self.path = path

    class Ctx:
        limits = imaging.PixelLimits(max_image_edge=100, max_image_pixels=10_000)

        def output(self, name: str, media_type: str) -> Out:
            assert media_type == "image/jpeg"
            return Out(tmp_path / name)

    out = imaging.save_output(pyvips.Image.black(100, 100), Ctx(), "x.png", "jpeg")
    assert out.path.name == "x.jpg" and out.path.read_bytes().startswith(b"\xff\xd8")
    with pytest.raises(ResultTooLarge) as caught:
        imaging.save_output(pyvips.Image.black(101, 10), Ctx(), "y.png", "png")
    assert caught.value.code == "tool_result_too_large"


@pytest.mark.parametrize(
    ("width", "height", "error", "code"),
    [
        (0, 10, InvalidDimensions, "tool_invalid_dimensions"),
        (16_385, 1, ResultTooLarge, "tool_result_too_large"),
        (10_000, 5_001, ResultTooLarge, "tool_result_too_large"),
    ],
)
def test_check_dimensions(width: int, height: int, error: type[Exception], code: str) -> None:
    with pytest.raises(error) as caught:
        imaging.check_dimensions(width, height, imaging.PixelLimits())
    assert getattr(caught.value, "code", None) == code
    imaging.check_dimensions(16_384, 1, imaging.PixelLimits())


@pytest.mark.parametrize(
    ("text", "rgba"),
    [
        ("#fff", [255, 255, 255, 255]),
        ("#00000080", [0, 0, 0, 128]),
        ("ff8000", [255, 128, 0, 255]),
        ("Transparent", [0, 0, 0, 0]),
        ("#1234", [17, 34, 51, 68]),
    ],
)
def test_parse_color(text: str, rgba: list[float]) -> None:
    assert imaging.parse_color(text) == rgba


@pytest.mark.parametrize("text", ["", "#12", "red-ish", "#ggg"])
def test_parse_color_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a colour"):
        imaging.color_field(text)


# Animations and their budget -----------------------------------------------------------


def gif_bomb(frames: int, width: int, height: int) -> bytes:
    """A GIF of `frames` frames of width × height whose image data is one clear code and
    the end code each: a few bytes a frame on disk, width × height × 4 bytes decoded."""
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0))
    out += b"\x00\x00\x00\xff\xff\xff"  # a two-colour global table
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever
    frame = (
        b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # 100 ms
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, width, height, 0)
        + b"\x02\x01\x2c\x00"  # LZW minimum code size 2; codes 4 (clear), 5 (end)
    )
    out += frame * frames
    return bytes(out + b"\x3b")


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.timeout(60)  # a hang guard, not a speed measure: the bench measures speed
def test_a_frame_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "bomb.gif"
    path.write_bytes(gif_bomb(2000, 2000, 2000))  # 8 gigapixels in 44 kB
    assert path.stat().st_size < 50_000
    before = max_rss_mb()
    with pytest.raises(ImageTooLarge) as caught:
        imaging.load(path, "image/gif", all_frames=True)
    with pytest.raises(ImageTooLarge):
        animation.load(path, "image/gif", limits=imaging.PixelLimits(), name="bomb.gif")
    assert max_rss_mb() - before < 200  # one decoded frame alone would be 16 MB
    assert caught.value.code == "tool_input_too_large"
    assert "2000 frames of 2000×2000" in caught.value.message


@pytest.mark.parametrize(("suffix", "media_type"), [("webp", "image/webp"), ("tiff", "image/tiff")])
def test_every_multi_frame_format_is_counted_from_its_header(
    tmp_path: Path, suffix: str, media_type: str
) -> None:
    # An animated WebP and a multi-page TIFF are checked as GIFs are: frames × size.
    frames = [pyvips.Image.black(32, 24, bands=3).linear(1, [60 * i, 0, 0]) for i in range(4)]
    stacked = pyvips.Image.arrayjoin(frames, across=1).cast("uchar").copy(interpretation="srgb")
    stacked.set_type(pyvips.GValue.gint_type, "page-height", 24)
    stacked.set_type(pyvips.GValue.array_int_type, "delay", [100] * 4)
    path = tmp_path / f"frames.{suffix}"
    stacked.write_to_file(str(path))
    stack = imaging.load(path, media_type, all_frames=True)
    assert (stack.width, stack.height) == (32, 96)
    tight = imaging.PixelLimits(max_total_pixels=3 * 32 * 24)
    with pytest.raises(ImageTooLarge, match="4 frames of 32×24"):
        imaging.load(path, media_type, all_frames=True, limits=tight)


def test_an_apng_decodes_as_its_first_frame_only(tmp_path: Path) -> None:
    # libvips reads an APNG's default image and none of its frames, so its frames can be
    # no bomb: only that one image's size is checked.
    path = tmp_path / "frames.png"
    images = [Image.new("RGB", (32, 24), (60 * i, 0, 0)) for i in range(4)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=100)
    with Image.open(path) as check:
        assert getattr(check, "n_frames", 1) == 4  # really animated
    image = imaging.load(path, "image/png", limits=imaging.PixelLimits(max_image_pixels=32 * 24))
    assert (image.width, image.height) == (32, 24)
    assert imaging.pages_of(imaging.header(path, "image/png")) == 1
    with pytest.raises(ImageTooLarge):
        imaging.load(path, "image/png", limits=imaging.PixelLimits(max_image_pixels=32 * 24 - 1))


def test_animations_within_the_budget_load_every_frame(tmp_path: Path) -> None:
    path = tmp_path / "small.gif"
    frames = [pyvips.Image.black(32, 24, bands=3).linear(1, [60 * i, 0, 0]) for i in range(4)]
    stacked = pyvips.Image.arrayjoin(frames, across=1).cast("uchar").copy(interpretation="srgb")
    stacked.set_type(pyvips.GValue.gint_type, "page-height", 24)
    stacked.set_type(pyvips.GValue.array_int_type, "delay", [100] * 4)
    stacked.gifsave(str(path))
    stack = imaging.load(path, "image/gif", all_frames=True)
    assert (stack.width, stack.height, animation.page_height(stack)) == (32, 96, 24)
    anim = animation.load(path, "image/gif", limits=imaging.PixelLimits())
    assert (len(anim.frames), anim.delays, anim.loop) == (4, [100] * 4, 0)
    tight = imaging.PixelLimits(max_total_pixels=3 * 32 * 24)
    with pytest.raises(ImageTooLarge, match="4 frames of 32×24"):
        imaging.load(path, "image/gif", all_frames=True, limits=tight)
    target = tmp_path / "out.webp"
    animation.save(anim, target, "webp", Q=80)
    again = pyvips.Image.new_from_file(str(target), n=-1)
    assert again.get("n-pages") == 4
