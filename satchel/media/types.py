"""Media type names: aliases, normalization, kinds, and the sniffing result and limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from satchel.config import Settings

# Left side: any spelling clients, browsers or libmagic use; right side: the one we store.
ALIASES: Final[dict[str, str]] = {
    # text and data
    "application/csv": "text/csv",
    "text/x-csv": "text/csv",
    "text/comma-separated-values": "text/csv",
    "text/x-comma-separated-values": "text/csv",
    "application/x-csv": "text/csv",
    "text/x-markdown": "text/markdown",
    "text/md": "text/markdown",
    "text/json": "application/json",
    "application/x-json": "application/json",
    "image/vnd.dxf": "application/dxf",
    "image/x-dxf": "application/dxf",
    "application/x-dxf": "application/dxf",
    "application/x-autocad": "application/dxf",
    "image/x-autocad": "application/dxf",
    "drawing/x-dxf": "application/dxf",
    "application/x-pdf": "application/pdf",
    "application/x-zip-compressed": "application/zip",
    "application/x-zip": "application/zip",
    # images
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/x-tiff": "image/tiff",
    "image/svg": "image/svg+xml",
    "image/heic-sequence": "image/heic",
    "image/heif-sequence": "image/heif",
    "image/x-ms-bmp": "image/bmp",
    # audio
    "audio/mp3": "audio/mpeg",
    "audio/x-mp3": "audio/mpeg",
    "audio/mpeg3": "audio/mpeg",
    "audio/x-mpeg-3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "audio/x-mpga": "audio/mpga",
    "audio/x-aac": "audio/aac",
    "audio/aacp": "audio/aac",
    "audio/x-hx-aac-adts": "audio/aac",
    "audio/x-hx-aac-adif": "audio/aac",
    "audio/x-flac": "audio/flac",
    "audio/x-opus": "audio/opus",
    "audio/x-opus+ogg": "audio/opus",
    "audio/x-pcm": "audio/pcm",
    "audio/raw": "audio/pcm",
    "audio/x-raw": "audio/pcm",
    "audio/s16le": "audio/pcm",
    "audio/x-m4a": "audio/m4a",
    "audio/x-mp4": "audio/mp4",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-pn-wav": "audio/wav",
    "audio/x-aiff": "audio/aiff",
    "audio/aif": "audio/aiff",
    "audio/x-aifc": "audio/aiff",
    "audio/aifc": "audio/aiff",
    "audio/vorbis": "audio/ogg",
    "audio/x-vorbis+ogg": "audio/ogg",
    "audio/x-speex": "audio/ogg",
    "audio/x-flac+ogg": "audio/ogg",
    "application/ogg": "audio/ogg",
    "audio/x-ogg": "audio/ogg",
    # video
    "video/x-m4v": "video/mp4",
    "video/mkv": "video/x-matroska",
    "video/x-theora+ogg": "video/ogg",
    "video/x-quicktime": "video/quicktime",
}

# Types with no parameters of their own whose "nothing declared" meaning we must honour.
UNDECLARED: Final[frozenset[str]] = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/unknown", "*/*"}
)

KINDS: Final[tuple[str, ...]] = (
    "image",
    "video",
    "audio",
    "document",
    "text",
    "data",
    "archive",
    "other",
)

_EXACT_KINDS: Final[dict[str, str]] = {
    "application/pdf": "document",
    "application/dxf": "document",
    "application/json": "data",
    "application/zip": "archive",
    "application/gzip": "archive",
    "application/x-7z-compressed": "archive",
    "application/vnd.rar": "archive",
    "application/x-tar": "archive",
    "application/ogg": "audio",
}


def normalize_media_type(value: str) -> str:
    """Strip parameters, lowercase, and map aliases to the one name we store."""
    base = value.split(";", 1)[0].strip().lower()
    return ALIASES.get(base, base)


def kind_of(media_type: str) -> str:
    """The broad family of a (normalized) media type, used for listing and processing."""
    media_type = normalize_media_type(media_type)
    exact = _EXACT_KINDS.get(media_type)
    if exact is not None:
        return exact
    top, _, sub = media_type.partition("/")
    if top in ("image", "video", "audio"):
        return top
    if top == "text":
        return "text"
    if sub.startswith(("vnd.openxmlformats-officedocument.", "vnd.oasis.opendocument.")):
        return "document"
    if sub in ("msword", "vnd.ms-excel", "vnd.ms-powerpoint", "rtf", "epub+zip"):
        return "document"
    if sub.endswith("+json"):
        return "data"
    return "other"


@dataclass(frozen=True)
class MediaLimits:
    """What an upload may be: the allow-list and the header-read size limits."""

    allowed_types: frozenset[str]
    max_image_edge: int
    max_image_pixels: int
    max_audio_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaLimits:
        return cls(
            allowed_types=frozenset(normalize_media_type(t) for t in settings.allowed_media_types),
            max_image_edge=settings.max_image_edge,
            max_image_pixels=settings.max_image_pixels,
            max_audio_seconds=settings.max_audio_seconds,
        )


@dataclass(frozen=True)
class MediaInfo:
    """What the content turned out to be, with the facts its header states."""

    media_type: str
    kind: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    pages: int | None = None


# File name extensions, consulted only to choose between types the content allows.
EXTENSIONS: Final[dict[str, str]] = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".json": "application/json",
    ".dxf": "application/dxf",
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".avif": "image/avif",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".mp3": "audio/mpeg",
    ".mpga": "audio/mpga",
    ".m4a": "audio/m4a",
    ".m4b": "audio/mp4",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".wav": "audio/wav",
    ".aif": "audio/aiff",
    ".aiff": "audio/aiff",
    ".flac": "audio/flac",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".ogv": "video/ogg",
    ".opus": "audio/opus",
    ".pcm": "audio/pcm",
    ".mpc": "audio/x-musepack",
    ".ape": "audio/x-ape",
    ".wv": "audio/x-wavpack",
    ".wma": "audio/x-ms-wma",
    ".mid": "audio/midi",
    ".doc": "application/msword",
    ".exe": "application/x-msdownload",
}
