"""ISO base media files (MP4, MOV, M4A, 3GP, HEIF/HEIC, AVIF): brands, tracks, sizes."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from satchel.media.images import check_image_size
from satchel.media.source import Found, Source, corrupt
from satchel.media.types import MediaLimits

TOP_LEVEL_TYPES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P "})
_3GPP2_PREFIX = b"3g2"
_3GPP_PREFIX = b"3gp"
# Boxes whose payload is only child boxes, on the way down to the ones we read.
_CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl", b"iprp", b"ipco"})
_MAX_BOXES = 100_000


@dataclass
class _Track:
    handler: bytes = b""
    width: int = 0
    height: int = 0
    timescale: int = 0
    duration: int = 0
    sample_rate: int = 0
    channels: int = 0


@dataclass
class _Movie:
    brands: set[bytes] = field(default_factory=set)
    major: bytes = b""
    has_ftyp: bool = False
    moov: tuple[int, int] | None = None
    meta: tuple[int, int] | None = None
    media_bytes: int = 0
    fragments: bool = False


def boxes(
    src: Source, start: int, end: int, *, top: bool = False
) -> Iterator[tuple[bytes, int, int]]:
    """Yield (type, payload start, box end) for each box between start and end."""
    pos = start
    count = 0
    while end - pos >= 8:
        count += 1
        if count > _MAX_BOXES:
            raise corrupt("ISO media file has too many boxes")
        header = src.read_at(pos, 16)
        size, btype = struct.unpack(">I4s", header[:8])
        header_size = 8
        if size == 1:
            if len(header) < 16:
                raise corrupt("ISO media box header is truncated")
            (size,) = struct.unpack(">Q", header[8:16])
            header_size = 16
        elif size == 0:  # "extends to the end of the file"
            size = end - pos
        if size < header_size or pos + size > end:
            raise corrupt(f"ISO media box {btype!r} at byte {pos} overruns its parent or the file")
        yield btype, pos + header_size, pos + size
        pos += size
    # Inside containers QuickTime ends lists with a 4-byte zero; at the top level leftover
    # bytes mean the file was cut short.
    if top and pos < end and src.read_at(pos, end - pos).strip(b"\0"):
        raise corrupt("ISO media file is truncated (a partial box at the end)")


def parse_isobmff(src: Source, limits: MediaLimits) -> Found:
    movie = _Movie()
    for btype, start, end in boxes(src, 0, src.size, top=True):
        if btype == b"ftyp":
            payload = src.read_exact(start, min(end - start, 1024), "ftyp box")
            if len(payload) < 8:
                raise corrupt("ftyp box is too short")
            movie.has_ftyp = True
            movie.major = payload[:4]
            movie.brands = {payload[i : i + 4] for i in range(8, len(payload) - 3, 4)}
            movie.brands.add(movie.major)
        elif btype == b"moov":
            movie.moov = (start, end)
        elif btype == b"meta":
            movie.meta = (start, end)
        elif btype == b"mdat":
            movie.media_bytes += end - start
        elif btype == b"moof":
            movie.fragments = True
    image = movie.brands & (_HEIC_BRANDS | _HEIF_BRANDS | _AVIF_BRANDS)
    if image and movie.meta is not None and (movie.moov is None or movie.major in image):
        return _parse_heif(src, movie, limits)
    return _parse_movie(src, movie, limits)


def _parse_heif(src: Source, movie: _Movie, limits: MediaLimits) -> Found:
    assert movie.meta is not None
    brands = movie.brands
    if brands & _AVIF_BRANDS:
        media_type, choices = "image/avif", frozenset[str]()
    elif brands & _HEIC_BRANDS:
        media_type, choices = "image/heic", frozenset({"image/heif"})
    else:
        media_type, choices = "image/heif", frozenset[str]()
    start, end = movie.meta
    handler = b""
    primary: int | None = None
    properties: list[tuple[bytes, int, int]] = []
    associations: dict[int, list[int]] = {}
    for btype, bstart, bend in boxes(src, start + 4, end):  # meta is a full box
        if btype == b"hdlr":
            handler = src.read_exact(bstart + 8, 4, "hdlr box")
        elif btype == b"pitm":
            head = src.read_exact(bstart, 8, "pitm box")
            primary = (
                struct.unpack(">H", head[4:6])[0]
                if head[0] == 0
                else struct.unpack(">I", head[4:8])[0]
            )
        elif btype == b"iprp":
            for ptype, pstart, pend in boxes(src, bstart, bend):
                if ptype == b"ipco":
                    properties = list(boxes(src, pstart, pend))
                elif ptype == b"ipma":
                    associations.update(_read_ipma(src.read_exact(pstart, pend - pstart, "ipma")))
    if handler != b"pict":
        raise corrupt("HEIF file has no picture handler")
    sizes = [
        struct.unpack(">II", src.read_exact(ps + 4, 8, "ispe box"))
        for ptype, ps, _pe in properties
        if ptype == b"ispe"
    ]
    size: tuple[int, int] | None = None
    if primary is not None:
        for index in associations.get(primary, []):
            if 0 < index <= len(properties) and properties[index - 1][0] == b"ispe":
                _t, ps, _e = properties[index - 1]
                size = struct.unpack(">II", src.read_exact(ps + 4, 8, "ispe box"))
    if size is None and sizes:
        size = max(sizes, key=lambda wh: wh[0] * wh[1])
    if size is None or size[0] == 0 or size[1] == 0:
        raise corrupt("HEIF file has no image size (ispe) for its primary image")
    check_image_size(size[0], size[1], limits)
    return Found(media_type, width=size[0], height=size[1], choices=choices)


def _read_ipma(data: bytes) -> dict[int, list[int]]:
    version, flags = data[0], int.from_bytes(data[1:4], "big")
    (count,) = struct.unpack(">I", data[4:8])
    pos = 8
    out: dict[int, list[int]] = {}
    try:
        for _ in range(count):
            if version < 1:
                (item,) = struct.unpack(">H", data[pos : pos + 2])
                pos += 2
            else:
                (item,) = struct.unpack(">I", data[pos : pos + 4])
                pos += 4
            n = data[pos]
            pos += 1
            indexes: list[int] = []
            for _ in range(n):
                if flags & 1:
                    indexes.append(struct.unpack(">H", data[pos : pos + 2])[0] & 0x7FFF)
                    pos += 2
                else:
                    indexes.append(data[pos] & 0x7F)
                    pos += 1
            out[item] = indexes
    except (IndexError, struct.error) as exc:
        raise corrupt("HEIF property association box is truncated") from exc
    return out


def _parse_movie(src: Source, movie: _Movie, limits: MediaLimits) -> Found:
    brands = movie.brands
    if movie.moov is None:
        raise corrupt("MP4/QuickTime file has no movie header (moov)")
    if movie.media_bytes == 0:
        raise corrupt("MP4/QuickTime file has no media data")
    timescale, duration, tracks = _read_moov(src, *movie.moov)
    video = [t for t in tracks if t.handler == b"vide"]
    audio = [t for t in tracks if t.handler == b"soun"]
    if not video and not audio:
        raise corrupt("MP4/QuickTime file has no audio or video track")
    seconds = (
        duration / timescale if timescale and duration not in (0, 0xFFFFFFFF, 2**64 - 1) else None
    )
    if seconds is None:
        spans = [t.duration / t.timescale for t in tracks if t.timescale and t.duration]
        seconds = max(spans) if spans else None
    width = height = None
    if video:
        best = max(video, key=lambda t: t.width * t.height)
        if best.width and best.height:
            check_image_size(best.width, best.height, limits)
            width, height = best.width, best.height
    sound = audio[0] if audio else None
    sample_rate = sound.sample_rate or None if sound else None
    channels = sound.channels or None if sound else None
    if movie.major == b"qt  " or not movie.has_ftyp:
        media_type = "video/quicktime"
    elif any(b.startswith(_3GPP2_PREFIX) for b in brands):
        media_type = "video/3gpp2" if video else "audio/3gpp2"
    elif any(b.startswith(_3GPP_PREFIX) for b in brands):
        media_type = "video/3gpp" if video else "audio/3gpp"
    elif video:
        media_type = "video/mp4"
    else:
        media_type = "audio/mp4"
    mp4_family = frozenset({"video/mp4", "audio/mp4", "audio/m4a", "video/quicktime"})
    choices = (
        frozenset({"audio/mp4", "audio/m4a"}) if media_type.startswith("audio/m") else frozenset()
    )
    return Found(
        media_type,
        width=width,
        height=height,
        duration=seconds,
        sample_rate=sample_rate,
        channels=channels,
        choices=choices,
        related=mp4_family - {media_type},
    )


def _read_moov(src: Source, start: int, end: int) -> tuple[int, int, list[_Track]]:
    timescale = duration = 0
    tracks: list[_Track] = []
    for btype, bstart, bend in boxes(src, start, end):
        if btype == b"mvhd":
            timescale, duration = _read_time(src.read_exact(bstart, min(bend - bstart, 32), "mvhd"))
        elif btype == b"trak":
            track = _Track()
            _read_track(src, bstart, bend, track)
            tracks.append(track)
    return timescale, duration, tracks


def _read_time(data: bytes) -> tuple[int, int]:
    """Timescale and duration from an mvhd or mdhd payload (versions 0 and 1)."""
    if data[0] == 1:
        if len(data) < 32:
            raise corrupt("ISO media header box is truncated")
        ts, dur = struct.unpack(">IQ", data[20:32])
        return int(ts), int(dur)
    if len(data) < 20:
        raise corrupt("ISO media header box is truncated")
    ts, dur = struct.unpack(">II", data[12:20])
    return int(ts), int(dur)


def _read_track(src: Source, start: int, end: int, track: _Track) -> None:
    for btype, bstart, bend in boxes(src, start, end):
        if btype in _CONTAINERS:
            _read_track(src, bstart, bend, track)
        elif btype == b"tkhd":
            data = src.read_at(bstart, min(bend - bstart, 96))
            at = 88 if data[:1] == b"\x01" else 76
            if len(data) >= at + 8:
                w, h = struct.unpack(">II", data[at : at + 8])
                track.width, track.height = w >> 16, h >> 16
        elif btype == b"hdlr" and not track.handler:
            # The first is the media handler (`vide`, `soun`); QuickTime puts a data
            # handler (`alis`, `url `) in `minf` too, which must not replace it.
            track.handler = src.read_exact(bstart + 8, 4, "hdlr box")
        elif btype == b"mdhd":
            track.timescale, track.duration = _read_time(
                src.read_exact(bstart, min(bend - bstart, 32), "mdhd")
            )
        elif btype == b"stsd" and track.handler == b"soun":
            entry = src.read_at(bstart + 8, 36)
            if len(entry) >= 36:
                track.channels = struct.unpack(">H", entry[24:26])[0]
                track.sample_rate = struct.unpack(">I", entry[32:36])[0] >> 16
