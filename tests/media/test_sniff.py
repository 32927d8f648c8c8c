"""sniff_file on synthetic files: hints versus content, limits, truncation, raw PCM, fuzzing."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satchel.allowed_types import DEFAULT_ALLOWED_TYPES
from satchel.errors import Invalid, SatchelError, TooLarge
from satchel.media import MediaInfo, MediaLimits, check_declared_type, sniff_file
from tests.media import synth

LIMITS = MediaLimits(
    allowed_types=frozenset(DEFAULT_ALLOWED_TYPES),
    max_image_edge=16_384,
    max_image_pixels=50_000_000,
    max_audio_seconds=1800.0,
)
NOT_ALLOWED = "asset_content_type_not_allowed"
CORRUPT = "asset_file_corrupt"
OUT_OF_LIMITS = "asset_audio_out_of_limits"

Sniff = Callable[..., MediaInfo]


@pytest.fixture
def sniff(tmp_path: Path) -> Sniff:
    def run(
        data: bytes,
        declared: str | None = None,
        filename: str | None = None,
        limits: MediaLimits = LIMITS,
    ) -> MediaInfo:
        path = tmp_path / "upload.bin"
        path.write_bytes(data)
        return sniff_file(path, declared_type=declared, filename=filename, limits=limits)

    return run


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
DXF = b"  0\nSECTION\n  2\nHEADER\n  0\nENDSEC\n  0\nEOF\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30"/>'


@pytest.mark.parametrize(
    ("data", "declared", "filename", "media_type"),
    [
        (synth.png(3, 2), None, None, "image/png"),
        (synth.png(3, 2), "application/octet-stream", "x.bin", "image/png"),
        (synth.png(3, 2), "image/png; foo=bar", None, "image/png"),
        (synth.jpeg(5, 4), "image/jpg", None, "image/jpeg"),
        (synth.gif(7, 6), None, None, "image/gif"),
        (synth.mp3(), None, None, "audio/mpeg"),
        (synth.mp3(), "audio/mpga", None, "audio/mpga"),
        (synth.mp3(), None, "song.mpga", "audio/mpga"),
        (synth.mp3(), "audio/mp3", None, "audio/mpeg"),
        (synth.wav(), "audio/wav; codecs=1", None, "audio/wav"),
        (synth.wav(), "audio/x-wav", None, "audio/wav"),
        (synth.flac(), "audio/x-flac", None, "audio/flac"),
        (synth.PDF, None, None, "application/pdf"),
        (b"a,b\n1,2\n", None, None, "text/plain"),
        (b"a,b\n1,2\n", "text/csv; charset=utf-8", None, "text/csv"),
        (b"a,b\n1,2\n", "application/csv", None, "text/csv"),
        (b"a,b\n1,2\n", None, "table.csv", "text/csv"),
        (b"# Title\n", "text/x-markdown", None, "text/markdown"),
        (b"# Title\n", None, "notes.md", "text/markdown"),
        (b"print('hi')\n", "text/x-python", None, "text/plain"),
        (b"\xef\xbb\xbfhello\n", None, None, "text/plain"),
        (b'{"a": [1, 2]}', None, None, "application/json"),
        (b"[1, 2]", "text/plain", None, "text/plain"),
        (b"1", None, "n.json", "application/json"),
        (DXF, None, None, "application/dxf"),
        (DXF, "image/vnd.dxf", None, "application/dxf"),
        (DXF, "text/plain", None, "text/plain"),
        (SVG, None, None, "image/svg+xml"),
        (
            DOCX,
            None,
            None,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            DOCX,
            "application/zip",
            None,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (ODS, None, None, "application/vnd.oasis.opendocument.spreadsheet"),
        (_zip({"a.txt": b"x"}), "application/x-zip-compressed", None, "application/zip"),
        (b"PK\x05\x06" + b"\0" * 18, None, None, "application/zip"),
    ],
)
def test_accepted(
    sniff: Sniff, data: bytes, declared: str | None, filename: str | None, media_type: str
) -> None:
    assert sniff(data, declared, filename).media_type == media_type


def test_facts_from_headers(sniff: Sniff) -> None:
    assert sniff(synth.png(3, 2)) == MediaInfo("image/png", "image", 3, 2)
    assert sniff(synth.jpeg(5, 4)) == MediaInfo("image/jpeg", "image", 5, 4)
    assert sniff(SVG) == MediaInfo("image/svg+xml", "image", 40, 30)
    assert sniff(synth.wav(rate=8000, frames=8000)).duration == pytest.approx(1.0)
    assert sniff(synth.flac()).duration == pytest.approx(1.0)
    assert sniff(synth.PDF).pages == 3
    assert sniff(b"x").kind == "text"


@pytest.mark.parametrize(
    ("data", "declared", "filename", "names"),
    [
        (synth.jpeg(), "image/png", None, ("image/png", "image/jpeg")),
        (synth.png(), "image/jpeg", None, ("image/jpeg", "image/png")),
        (synth.PDF, "text/plain", None, ("text/plain", "application/pdf")),
        (synth.mp3(), "audio/wav", None, ("audio/wav", "audio/mpeg")),
        (synth.wav(), "audio/pcm", None, ("audio/pcm", "audio/wav")),
        (b"hello\n", "application/pdf", None, ("application/pdf", "text/plain")),
        (b"hello\n", "application/dxf", None, ("application/dxf", "text/plain")),
        (b"hello\n", "image/png", None, ("image/png", "text/plain")),
        (b"hello\n", None, "track.mpc", ("audio/x-musepack", "text/plain")),
        (
            DOCX,
            "application/vnd.oasis.opendocument.text",
            None,
            ("opendocument.text", "wordprocessingml"),
        ),
    ],
)
def test_declared_type_contradicting_content(
    sniff: Sniff, data: bytes, declared: str | None, filename: str | None, names: tuple[str, str]
) -> None:
    with pytest.raises(Invalid) as caught:
        sniff(data, declared, filename)
    assert caught.value.code == NOT_ALLOWED
    assert all(name in caught.value.message for name in names)


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (b"<!DOCTYPE html><html><body>hi</body></html>", None),
        (b"MThd\0\0\0\x06\0\0\0\x01\0\x60", None),
        (b"\x1f\x8b\x08\0" + b"\0" * 16, None),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "application/msword"),
        ("h\u00e9llo".encode("latin-1"), None),
        ("hello".encode("utf-16"), "text/plain"),
        (b"\x00\x01\x02\x03" * 64, None),
    ],
)
def test_types_outside_the_allow_list(sniff: Sniff, data: bytes, declared: str | None) -> None:
    with pytest.raises(Invalid) as caught:
        sniff(data, declared)
    assert caught.value.code == NOT_ALLOWED


def test_allow_list_comes_from_limits(sniff: Sniff) -> None:
    only_png = MediaLimits(frozenset({"image/png"}), 100, 10_000, 10.0)
    assert sniff(synth.png(), limits=only_png).media_type == "image/png"
    with pytest.raises(Invalid) as caught:
        sniff(synth.jpeg(), limits=only_png)
    assert caught.value.code == NOT_ALLOWED


@pytest.mark.parametrize(
    "data",
    [
        synth.png(100_000, 100_000),
        synth.jpeg(60_000, 60_000),
        synth.gif(60_000, 60_000),
        synth.webp_vp8x(100_000, 100_000),
        synth.png(16_385, 1),
        synth.png(8_000, 8_000),
    ],
    ids=["png", "jpeg", "gif", "webp", "png-edge", "png-pixels"],
)
def test_pixel_bomb_headers(sniff: Sniff, data: bytes) -> None:
    with pytest.raises(TooLarge) as caught:
        sniff(data)
    assert caught.value.code == "asset_image_too_large"


def test_empty_file(sniff: Sniff) -> None:
    for declared in (None, "image/png", "audio/pcm"):
        with pytest.raises(Invalid) as caught:
            sniff(b"", declared)
        assert caught.value.code == "asset_file_empty"


def _crc_broken(data: bytes) -> bytes:
    return data[:-5] + bytes([data[-5] ^ 1]) + data[-4:]


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (synth.png()[:40], None),
        (synth.png()[:-12], None),  # no IEND
        (_crc_broken(synth.png()), None),
        (synth.png(colour=2, depth=4), None),
        (synth.png(0, 1), None),
        (synth.jpeg()[:12], None),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", None),
        (synth.gif()[:13], None),
        (synth.wav()[:-4], None),
        (synth.wav(frames=0), None),
        (synth.wav().replace(b"\x02\x00\x10\x00", b"\x03\x00\x10\x00"), None),  # block align
        (synth.mp3(1)[:300], None),
        (b"ID3\x03\0\0\0\0\0\x0a" + b"\0" * 10 + b"\xff\xfb\x90\x64" + b"\0" * 50, None),
        (synth.flac(frames=False), None),
        (synth.flac()[:30], None),
        (synth.PDF[:-7], None),
        (_zip({"a.txt": b"x" * 100})[:-30], None),
        (b"not json", "application/json"),
        (  # AIFF whose 80-bit sample rate overflows a float
            b"FORM\0\0\0\x26AIFFCOMM\0\0\0\x12\0\x01\0\0\0\x01\0\x10\x7f\xfe"
            + b"\x80"
            + b"\0" * 7
            + b"SSND\0\0\0\x00",
            None,
        ),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08mdat", None),
        (b"\x1a\x45\xdf\xa3\x84\x42\x82\x81w", None),
        (b"OggS\0\x02" + b"\0" * 30, None),
    ],
)
def test_truncated_or_broken(sniff: Sniff, data: bytes, declared: str | None) -> None:
    with pytest.raises(Invalid) as caught:
        sniff(data, declared)
    assert caught.value.code == CORRUPT, caught.value.message


def test_invalid_json_is_plain_text_unless_declared(sniff: Sniff) -> None:
    assert sniff(b'{"a": ').media_type == "text/plain"  # unbalanced: just text
    with pytest.raises(Invalid):
        sniff(b'{"a": ', filename="data.json")


@pytest.mark.parametrize(
    ("declared", "size", "ok"),
    [
        ("audio/pcm", 4, True),
        ("audio/pcm", 3, False),
        ("audio/x-pcm", 2, True),
        ("audio/l16", 6, True),
        ("audio/l16", 5, False),
        ("audio/l24", 6, True),
        ("audio/l24", 4, False),
        ("audio/l24; rate=48000; channels=2", 9, True),
    ],
)
def test_raw_pcm_alignment(sniff: Sniff, declared: str, size: int, ok: bool) -> None:
    data = bytes(range(1, size + 1))  # no magic, and not all zero
    if ok:
        info = sniff(data, declared)
        assert info.kind == "audio" and info.media_type.startswith("audio/")
    else:
        with pytest.raises(Invalid) as caught:
            sniff(data, declared)
        assert caught.value.code == CORRUPT


def test_raw_bytes_without_declaration_are_not_audio(sniff: Sniff) -> None:
    with pytest.raises(Invalid) as caught:
        sniff(b"\x00\x80" * 100)
    assert caught.value.code == NOT_ALLOWED


@pytest.mark.parametrize(
    ("data", "limits"),
    [
        (synth.wav(rate=4000), LIMITS),
        (synth.wav(rate=200_000), LIMITS),
        (synth.wav(channels=9), LIMITS),
        (synth.wav(rate=8000, frames=16_000), MediaLimits(LIMITS.allowed_types, 100, 100, 1.5)),
    ],
)
def test_audio_limits(sniff: Sniff, data: bytes, limits: MediaLimits) -> None:
    with pytest.raises(Invalid) as caught:
        sniff(data, limits=limits)
    assert caught.value.code == OUT_OF_LIMITS


def test_a_large_png_is_streamed_and_checked(sniff: Sniff) -> None:
    # A 3 MiB ancillary chunk forces the CRC check past the in-memory head.
    import struct
    import zlib

    blob = b"\x01" * (3 * 1024 * 1024)
    chunk = (
        struct.pack(">I", len(blob))
        + b"teXt"
        + blob
        + struct.pack(">I", zlib.crc32(b"teXt" + blob))
    )
    base = synth.png(2, 2)
    data = base[:33] + chunk + base[33:]
    assert sniff(data).media_type == "image/png"
    with pytest.raises(Invalid):
        sniff(data[:40] + b"\x02" + data[41:])


DECLARED = st.sampled_from(
    [None, "image/png", "audio/pcm", "audio/l24", "application/json", "text/plain", "audio/mpeg"]
)
PREFIXES = st.sampled_from(
    [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF", b"OggS", b"fLaC", b"ID3", b"\xff\xfb",
     b"\x1a\x45\xdf\xa3", b"\x00\x00\x00\x18ftyp", b"%PDF-", b"PK\x03\x04", b"GIF89a", b"II*\x00",
     b"FORM", b"ADIF", b"\xff\xf1"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(prefix=PREFIXES, body=st.binary(max_size=2048), declared=DECLARED)
def test_random_bytes_raise_only_satchel_errors(
    prefix: bytes, body: bytes, declared: str | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz"
        path.write_bytes(prefix + body)
        try:
            info = sniff_file(path, declared_type=declared, filename=None, limits=LIMITS)
        except SatchelError:
            return
        assert info.media_type in LIMITS.allowed_types


def test_quicktime_from_ffmpeg_is_video(sniff: Sniff, tmp_path: Path) -> None:
    """QuickTime puts a data handler (`alis`) after the media one; the track stays video."""
    import av
    import numpy as np

    path = tmp_path / "clip.mov"
    with av.open(str(path), "w", format="mov") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(
                np.full((48, 64, 3), i * 40, np.uint8), format="rgb24"
            )
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    assert b"alis" in path.read_bytes() or b"url " in path.read_bytes()
    found = sniff(path.read_bytes(), None, "clip.mov")
    assert found.media_type == "video/quicktime"
    assert (found.width, found.height) == (64, 48)


# --- whole files: JPEG to its EOI, GIF to its trailer, TIFF strips, BMP rows ------------


def _jpeg(width: int, height: int, scan: bytes, *, restart: int = 0, tail: bytes = b"") -> bytes:
    """A one-component 1x1-sampled baseline JPEG with `scan` as its entropy-coded data."""
    import struct

    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    dri = b"\xff\xdd" + struct.pack(">HH", 4, restart) if restart else b""
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + sof + dri + sos + scan + b"\xff\xd9" + tail


def _rst(n: int) -> bytes:
    """n restart markers in order, each after a little data (a stuffed 0xFF among it)."""
    return b"".join(b"\x12\xff\x00\x34" + bytes((0xFF, 0xD0 + i % 8)) for i in range(n)) + b"\x56"


NOKIA = (
    Path(__file__).resolve().parents[2].parent
    / "shared/corpus/images/exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg"
)


@pytest.mark.parametrize(
    ("data", "ok"),
    [
        (_jpeg(8, 8, b"\x00" * 16), True),
        (_jpeg(8, 8, b"\x00" * 16, tail=b"trailing bytes after EOI: a preview, a trailer"), True),
        (_jpeg(8, 8, b"\x00" * 16)[:-2], False),  # no EOI
        (_jpeg(8, 8, b"\x00" * 8 + b"\xff\x9f" + b"\x00" * 8), False),  # not a marker
        (_jpeg(8, 8, b"\x00" * 8 + b"\xff\xd8" + b"\x00" * 8), False),  # SOI inside the scan
        (_jpeg(32, 8, _rst(3), restart=1), True),  # 4 MCUs, a restart after each but the last
        (_jpeg(32, 8, _rst(2), restart=1), False),  # one restart interval missing
        (_jpeg(32, 16, _rst(3), restart=2), True),  # 8 MCUs in intervals of 2
        (_jpeg(8, 8, b"\x00" * 16).replace(b"\xff\xd9", b"\xff\xff\xff\xd9"), True),  # fill
    ],
)
def test_jpeg_is_walked_to_its_end(sniff: Sniff, data: bytes, ok: bool) -> None:
    if ok:
        assert sniff(data).media_type == "image/jpeg"
        return
    with pytest.raises(Invalid) as caught:
        sniff(data)
    assert caught.value.code == CORRUPT, caught.value.message


def test_jpeg_with_two_scans_and_a_restart_interval_between(sniff: Sniff) -> None:
    whole = _jpeg(32, 8, _rst(3), restart=1)
    second = whole[whole.index(b"\xff\xda") : whole.index(b"\xff\xd9")]
    assert sniff(whole[:-2] + second + b"\xff\xd9").media_type == "image/jpeg"
    # The second scan is cut short: one restart marker of three.
    assert _rst(3)[-7:] in second
    short = second.replace(_rst(3), _rst(1))
    with pytest.raises(Invalid):
        sniff(whole[:-2] + short + b"\xff\xd9")


@pytest.mark.parametrize("cut", [2000, 100_000, 0.5, 0.99, -2])
def test_a_real_jpeg_cut_anywhere_is_corrupt(sniff: Sniff, cut: float) -> None:
    data = NOKIA.read_bytes()
    assert sniff(data).media_type == "image/jpeg"
    end = int(len(data) * cut) if isinstance(cut, float) else int(cut)
    with pytest.raises(Invalid) as caught:
        sniff(data[:end])
    assert caught.value.code == CORRUPT


def test_jpeg_check_is_cheap(sniff: Sniff) -> None:
    """Block searches, not a loop per byte: 40 MiB of image data in well under a second."""
    import time

    data = _jpeg(64, 64, b"\x12\x34\x56\x78" * (10 << 20))
    started = time.perf_counter()
    assert sniff(data).media_type == "image/jpeg"
    assert time.perf_counter() - started < 2.0


def _gif(frames: int = 1) -> bytes:
    body = synth.gif(7, 6)[13:-1]
    return synth.gif(7, 6)[:13] + body * frames + b";"


@pytest.mark.parametrize(
    ("data", "ok"),
    [
        (_gif(), True),
        (_gif(3), True),
        (_gif() + b"\0" * 10, True),  # after the trailer: ignored
        (_gif()[:-1], False),  # no trailer
        (_gif(3)[:-4], False),  # cut inside the last frame's data
        (synth.gif(7, 6)[:13] + b"!\xf9\x04\x00\x00\x00\x00", False),  # cut in an extension
    ],
)
def test_gif_is_walked_to_its_trailer(sniff: Sniff, data: bytes, ok: bool) -> None:
    if ok:
        assert sniff(data).media_type == "image/gif"
        return
    with pytest.raises(Invalid) as caught:
        sniff(data)
    assert caught.value.code == CORRUPT, caught.value.message


def _tiff(strip_bytes: int, *, present: int) -> bytes:
    """A little-endian TIFF, 4x4 grey, one strip of `strip_bytes` of which `present` exist."""
    import struct

    strip_at = 8 + 2 + 5 * 12 + 4  # after the header and the one directory
    entries = [(256, 3, 1, 4), (257, 3, 1, 4), (273, 4, 1, strip_at), (279, 4, 1, strip_bytes)]
    entries.append((258, 3, 1, 8))
    ifd = struct.pack("<H", len(entries))
    for tag, ftype, count, value in entries:
        packed = struct.pack("<H", value) + b"\0\0" if ftype == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, ftype, count) + packed
    ifd += b"\0\0\0\0"
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x80" * present


def _bmp(width: int, height: int, *, cut: int = 0) -> bytes:
    import struct

    row = (width * 24 + 31) // 32 * 4
    pixels = b"\x10" * (row * height)
    dib = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 0, 0, 0, 0)
    head = b"BM" + struct.pack("<IHHI", 14 + 40 + len(pixels), 0, 0, 14 + 40)
    data = head + dib + pixels
    return data[: len(data) - cut]


@pytest.mark.parametrize(
    ("data", "media_type", "ok"),
    [
        (_tiff(16, present=16), "image/tiff", True),
        (_tiff(16, present=10), "image/tiff", False),
        (_bmp(3, 2), "image/bmp", True),
        (_bmp(3, 2, cut=5), "image/bmp", False),
    ],
)
def test_image_data_must_lie_within_the_file(
    sniff: Sniff, data: bytes, media_type: str, ok: bool
) -> None:
    limits = MediaLimits(
        allowed_types=LIMITS.allowed_types | {"image/bmp"},
        max_image_edge=LIMITS.max_image_edge,
        max_image_pixels=LIMITS.max_image_pixels,
        max_audio_seconds=LIMITS.max_audio_seconds,
    )
    if ok:
        assert sniff(data, limits=limits).media_type == media_type
        return
    with pytest.raises(Invalid) as caught:
        sniff(data, limits=limits)
    assert caught.value.code == CORRUPT, caught.value.message


# --- refusing at announcement: the declared type alone -------------------------------


@pytest.mark.parametrize(
    ("declared", "kept"),
    [
        (None, None),
        ("", None),
        ("application/octet-stream", None),
        ("image/PNG; x=1", "image/png"),
        ("image/jpg", "image/jpeg"),
        ("text/x-python", "text/x-python"),  # any text/* but HTML: plain text may take it
        ("application/xml", "application/xml"),  # an SVG may be declared so
        ("application/zip", "application/zip"),  # a DOCX may be declared so
        ("audio/x-matroska", "audio/x-matroska"),  # a Matroska video may be declared so
        ("text/html", NOT_ALLOWED),
        ("application/x-msdownload", NOT_ALLOWED),
        ("image/jp2", NOT_ALLOWED),
        ("audio/x-ms-wma", NOT_ALLOWED),
    ],
)
def test_check_declared_type(declared: str | None, kept: str | None) -> None:
    if kept == NOT_ALLOWED:
        with pytest.raises(Invalid) as caught:
            check_declared_type(declared, LIMITS)
        assert caught.value.code == NOT_ALLOWED
    else:
        assert check_declared_type(declared, LIMITS) == kept


def _one_file_per_type() -> list[Path]:
    from tests.corpus import CORPUS, EXPECTED, Accepted

    seen: dict[str, Path] = {}
    for key, verdict in sorted(EXPECTED.items()):
        if isinstance(verdict, Accepted):
            seen.setdefault(verdict.media_type, CORPUS / key)
    return list(seen.values())


# Declarations to try on every kind of file: the allow-list, the hint-only types, and some
# that are never allowed.
_DECLARATIONS = sorted(
    set(DEFAULT_ALLOWED_TYPES)
    | {"text/xml", "application/xml", "audio/x-matroska", "text/x-python", "text/html"}
    | {"application/x-msdownload", "image/jp2", "video/3gpp", "audio/3gpp", "image/bmp"}
)


@pytest.mark.parametrize("path", _one_file_per_type(), ids=lambda p: p.name)
def test_announcement_never_refuses_what_the_bytes_would_pass(path: Path) -> None:
    """Whatever a declaration lets the sniffer accept, the announcement lets through."""
    for declared in _DECLARATIONS:
        try:
            sniff_file(path, declared_type=declared, filename=None, limits=LIMITS)
        except SatchelError:
            continue
        assert check_declared_type(declared, LIMITS) is not None, declared
