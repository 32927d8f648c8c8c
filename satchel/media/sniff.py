"""The entry point: what an uploaded file really is, judged by its content, within limits."""

from __future__ import annotations

import os
from pathlib import Path

import magic

from satchel.codes import Code
from satchel.errors import Invalid
from satchel.media import audio, documents, images, isobmff, jpeg, matroska, ogg, text
from satchel.media.source import Found, Source, corrupt
from satchel.media.types import (
    EXTENSIONS,
    UNDECLARED,
    MediaInfo,
    MediaLimits,
    kind_of,
    normalize_media_type,
)

_MAGIC_BYTES = 8192
_MIN_SAMPLE_RATE, _MAX_SAMPLE_RATE = 8_000, 192_000
_MAX_CHANNELS = 8

# Formats we know by their first bytes but do not store: named here so the refusal says what
# the file is (libmagic calls most of them application/octet-stream).
_FOREIGN: tuple[tuple[bytes, str], ...] = (
    (b"MAC ", "audio/x-ape"),
    (b"wvpk", "audio/x-wavpack"),
    (b"MPCK", "audio/x-musepack"),
    (b"MP+", "audio/x-musepack"),
    (b"tBaK", "audio/x-tak"),
    (b"TTA1", "audio/x-tta"),
    (b"OFR ", "audio/x-optimfrog"),
    (b"DSD ", "audio/x-dsf"),
    (b"FRM8", "audio/x-dff"),
    (b"MThd", "audio/midi"),
    (b"\x0b\x77", "audio/ac3"),
    (b"caff", "audio/x-caf"),
    (b".snd", "audio/basic"),
    (b"RF64", "audio/x-rf64"),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "video/x-ms-asf"),
    (b"FLV\x01", "video/x-flv"),
    (b"APETAGEX", "application/x-apetag"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"\x7fELF", "application/x-executable"),
    (b"MZ", "application/x-msdownload"),
    (b"8BPS", "image/vnd.adobe.photoshop"),
    (b"\xff\x0a", "image/jxl"),
    (b"\x00\x00\x00\x0cJXL ", "image/jxl"),
    (b"\x00\x00\x00\x0cjP  ", "image/jp2"),
    (b"wOFF", "font/woff"),
    (b"wOF2", "font/woff2"),
)


# Declared types that content of another, allowed type may still be stored as, so an
# announcement declaring them cannot be refused before the bytes are seen: the `related`
# types the parsers name (declared audio/mp4 for a video MP4, application/zip for a DOCX,
# text/xml for an SVG: the content's type wins). Any text/* type but HTML is also a mere
# hint (plain text takes it, see `_reconcile`).
_HINT_ONLY: frozenset[str] = frozenset(
    {
        "text/plain", "text/xml", "application/xml", "application/zip",
        "video/mp4", "audio/mp4", "audio/m4a", "video/quicktime",
        "video/webm", "audio/webm", "video/x-matroska", "audio/x-matroska",
        "video/ogg", "audio/ogg",
    }
)  # fmt: skip


# Declared types of data formats with no parser of their own here: plain text to us.
_TEXTUAL = frozenset({"application/xml", "application/yaml", "application/x-yaml"})


def check_declared_type(declared_type: str | None, limits: MediaLimits) -> str | None:
    """Refuse an announcement whose declared type already rules the file out (422
    `asset_content_type_not_allowed`); returns the normalized declaration (None: nothing
    declared). What it lets through is still sniffed once the bytes arrive."""
    declared = normalize_media_type(declared_type or "")
    if declared in UNDECLARED:
        return None
    if declared in limits.allowed_types or declared in _HINT_ONLY:
        return declared
    if declared.startswith("text/") and declared != "text/html":
        return declared
    raise Invalid(
        f"files of type {declared} are not allowed", code=Code.ASSET_CONTENT_TYPE_NOT_ALLOWED
    )


def sniff_file(
    path: Path, *, declared_type: str | None, filename: str | None, limits: MediaLimits
) -> MediaInfo:
    """Identify a stored upload from its content; raise a SatchelError when it may not stay.

    The declared type and the file name only choose between types the content cannot tell
    apart; they never override it.
    """
    declared = normalize_media_type(declared_type or "")
    declared = "" if declared in UNDECLARED else declared
    extension = os.path.splitext(filename)[1].lower() if filename else ""
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size == 0:
            raise Invalid("the file is empty", code=Code.ASSET_FILE_EMPTY)
        src = Source(file, size)
        found = _identify(src, declared, extension, limits)
    media_type = _reconcile(found, declared, extension)
    if media_type not in limits.allowed_types:
        raise Invalid(
            f"files of type {media_type} are not allowed", code=Code.ASSET_CONTENT_TYPE_NOT_ALLOWED
        )
    kind = kind_of(media_type)
    if kind == "audio":
        _check_audio(found, limits)
    return MediaInfo(
        media_type=media_type,
        kind=kind,
        width=found.width,
        height=found.height,
        duration=found.duration,
        pages=found.pages,
    )


def _identify(src: Source, declared: str, extension: str, limits: MediaLimits) -> Found:
    head = src.head
    if images.looks_like_png(head):
        return images.parse_png(src, limits)
    if head.startswith(b"\xff\xd8\xff"):
        return jpeg.parse_jpeg(src, limits)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return images.parse_gif(src, limits)
    if head[:4] == b"RIFF" and len(head) >= 12:
        form = head[8:12]
        if form == b"WEBP":
            return images.parse_webp(src, limits)
        if form == b"WAVE":
            return audio.parse_wav(src)
        return Found("video/x-msvideo" if form == b"AVI " else "application/x-riff")
    if head[:4] in (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"):
        return images.parse_tiff(src, limits)
    if head[4:8] == b"ftyp" or (head[4:8] in isobmff.TOP_LEVEL_TYPES and head[:4] != b"\0\0\0\0"):
        return isobmff.parse_isobmff(src, limits)
    if head.startswith(matroska.EBML_MAGIC):
        return matroska.parse_matroska(src, limits)
    if head[:4] == b"OggS":
        return ogg.parse_ogg(src)
    if head[:4] == b"fLaC":
        return audio.parse_flac(src, 0)
    if head[:3] == b"ID3":
        return _after_id3(src)
    if text.looks_like_utf16(head):
        raise text.not_utf8(head)  # before MPEG: FF FE also reads as a frame sync
    if head[:4] == b"ADIF":
        return audio.parse_adif(src)
    if head[:1] == b"\xff" and len(head) > 1 and head[1] & 0xF6 == 0xF0:
        return audio.parse_adts(src, 0)
    if head[:1] == b"\xff" and len(head) > 1 and head[1] & 0xE0 == 0xE0:
        return audio.parse_mpeg_audio(src, 0)
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return audio.parse_aiff(src)
    if documents.pdf_header_at(head) >= 0:
        return documents.parse_pdf(src)
    if head[:4] in documents.ZIP_MAGICS:
        return documents.parse_zip(src)
    if head.startswith(text.BINARY_DXF):
        return Found("application/dxf")
    if head[:2] == b"BM" and head[14:18] in (b"\x0c\0\0\0", b"\x28\0\0\0", b"\x7c\0\0\0"):
        return images.parse_bmp(src, limits)
    for signature, name in _FOREIGN:
        if head.startswith(signature):
            return Found(name)
    if declared in audio.RAW_PCM_WIDTHS:
        # Raw samples have no magic at all: the declaration is the only evidence there is.
        return audio.check_raw_pcm(src, declared)
    if text.is_text(src):
        return text.parse_text(src, declared == "application/json" or extension == ".json")
    return _by_libmagic(head)


def _after_id3(src: Source) -> Found:
    start = audio.id3_end(src)
    following = src.read_at(start, 4)
    if following == b"fLaC":
        return audio.parse_flac(src, start)
    if following[:1] == b"\xff" and len(following) > 1 and following[1] & 0xF6 == 0xF0:
        return audio.parse_adts(src, start)
    rest = src.read_at(start, 128)
    only_trailer = rest.startswith((b"TAG", b"APETAGEX")) and src.size - start <= 128
    if not rest.strip(b"\0") or only_trailer:
        # Nothing but tags: a tag file (.id3), not audio.
        return Found("application/x-id3")
    return audio.parse_mpeg_audio(src, start)


def _by_libmagic(head: bytes) -> Found:
    name = normalize_media_type(magic.from_buffer(head[:_MAGIC_BYTES], mime=True))
    if name.startswith("text/"):
        raise text.not_utf8(head)
    if name in UNDECLARED or name in ("application/x-empty", "inode/x-empty"):
        raise Invalid(
            "the file's content type could not be recognised",
            code=Code.ASSET_CONTENT_TYPE_NOT_ALLOWED,
        )
    if name in _PARSED_TYPES:
        # libmagic matched looser rules than our parsers; we cannot vouch for the structure.
        raise corrupt(f"the file resembles {name} but does not have a valid {name} header")
    return Found(name)


# Types our own parsers own: libmagic naming one of them means the header was not valid.
_PARSED_TYPES = frozenset(
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/tiff", "image/heic",
        "image/heif", "image/avif", "video/mp4", "video/quicktime", "video/webm",
        "video/x-matroska", "video/ogg", "audio/wav", "audio/mpeg", "audio/aac", "audio/flac",
        "audio/mp4", "audio/m4a", "audio/ogg", "audio/opus", "audio/aiff", "application/pdf",
        "application/zip",
    }
)  # fmt: skip


def _reconcile(found: Found, declared: str, extension: str) -> str:
    """Pick the stored type: the content's, unless a hint chooses among what it allows."""
    if declared:
        if declared == found.media_type or declared in found.choices:
            return declared
        if declared in found.related:
            return found.media_type
        if found.weak and (
            (declared.startswith("text/") and declared != "text/html") or declared in _TEXTUAL
        ):
            return found.media_type  # text/x-python, XML, YAML: still plain text to us
        raise Invalid(
            f"the file was declared as {declared} but its content is {found.media_type}",
            code=Code.ASSET_CONTENT_TYPE_NOT_ALLOWED,
        )
    named = EXTENSIONS.get(extension)
    if named is None or named == found.media_type:
        return found.media_type
    if named in found.choices:
        return named
    if found.weak:
        if named == "text/html":
            return named
        if not named.startswith("text/") and named not in found.related:
            raise Invalid(
                f"the file name says {named} ({extension}) but its content is {found.media_type}",
                code=Code.ASSET_CONTENT_TYPE_NOT_ALLOWED,
            )
    return found.media_type


def _check_audio(found: Found, limits: MediaLimits) -> None:
    problems = []
    rate, channels, duration = found.sample_rate, found.channels, found.duration
    if rate is not None and not _MIN_SAMPLE_RATE <= rate <= _MAX_SAMPLE_RATE:
        problems.append(f"sample rate {rate} Hz is outside {_MIN_SAMPLE_RATE}–{_MAX_SAMPLE_RATE}")
    if channels is not None and not 1 <= channels <= _MAX_CHANNELS:
        problems.append(f"{channels} channels is outside 1–{_MAX_CHANNELS}")
    if duration is not None and duration > limits.max_audio_seconds:
        problems.append(
            f"duration {duration:.0f} s is longer than {limits.max_audio_seconds:.0f} s"
        )
    if problems:
        raise Invalid("audio " + "; ".join(problems), code=Code.ASSET_AUDIO_OUT_OF_LIMITS)
