"""WebM and Matroska: the EBML DocType, the tracks, and whether media data follows."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from satchel.media.images import check_image_size
from satchel.media.source import Found, Source, corrupt
from satchel.media.types import MediaLimits

EBML_MAGIC = b"\x1a\x45\xdf\xa3"

_SEGMENT = 0x18538067
_INFO = 0x1549A966
_TRACKS = 0x1654AE6B
_CLUSTER = 0x1F43B675
_TRACK_ENTRY = 0xAE
_DOC_TYPE = 0x4282
_UNKNOWN = -1
_MAX_ELEMENTS = 10_000
_MAX_HEADER_ELEMENT = 16 * 1024 * 1024
_WEBM_AUDIO = frozenset({"A_OPUS", "A_VORBIS"})


@dataclass
class _Track:
    kind: int = 0
    codec: str = ""
    sample_rate: float = 0.0
    channels: int = 0
    width: int = 0
    height: int = 0


def _vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int]:
    """Read an EBML variable-length integer; return (value, length). -1 means 'unknown size'."""
    if pos >= len(data):
        raise corrupt("Matroska element is truncated")
    first = data[pos]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        mask >>= 1
        length += 1
    if length > 8 or pos + length > len(data):
        raise corrupt("Matroska element has an invalid length field")
    value = first if keep_marker else first & (mask - 1)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    if not keep_marker and value == (1 << (7 * length)) - 1:
        return _UNKNOWN, length
    return value, length


def _element(src: Source, pos: int) -> tuple[int, int, int]:
    """(id, payload start, payload size or -1) of the element at pos."""
    header = src.read_at(pos, 12)
    eid, id_len = _vint(header, 0, keep_marker=True)
    size, size_len = _vint(header, id_len, keep_marker=False)
    return eid, pos + id_len + size_len, size


def _children(data: bytes) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        eid, id_len = _vint(data, pos, keep_marker=True)
        size, size_len = _vint(data, pos + id_len, keep_marker=False)
        start = pos + id_len + size_len
        if size == _UNKNOWN or start + size > len(data):
            raise corrupt("Matroska header element overruns its parent")
        out.append((eid, data[start : start + size]))
        pos = start + size
    return out


def _uint(data: bytes) -> int:
    return int.from_bytes(data, "big")


def _float(data: bytes) -> float:
    if len(data) == 4:
        return float(struct.unpack(">f", data)[0])
    if len(data) == 8:
        return float(struct.unpack(">d", data)[0])
    return 0.0


def parse_matroska(src: Source, limits: MediaLimits) -> Found:
    eid, start, size = _element(src, 0)
    if size == _UNKNOWN or start + size > src.size:
        raise corrupt("EBML header is truncated")
    doc_type = ""
    for cid, payload in _children(src.read_exact(start, size, "EBML header")):
        if cid == _DOC_TYPE:
            doc_type = payload.rstrip(b"\0").decode("ascii", "replace")
    if doc_type not in ("webm", "matroska"):
        raise corrupt(f"EBML file has an unsupported DocType {doc_type!r}")
    seg_id, seg_start, seg_size = _element(src, start + size)
    if seg_id != _SEGMENT:
        raise corrupt("Matroska file has no Segment")
    seg_end = src.size if seg_size == _UNKNOWN else min(src.size, seg_start + seg_size)
    tracks: list[_Track] = []
    duration: float | None = None
    has_media = False
    pos = seg_start
    for _ in range(_MAX_ELEMENTS):
        if pos >= seg_end or (tracks and has_media):
            break
        eid, start, size = _element(src, pos)
        if eid == _CLUSTER:
            # a live stream's cluster has unknown size; any content counts as media data
            has_media = size == _UNKNOWN or size > 0
            if size == _UNKNOWN:
                break
        elif size == _UNKNOWN:
            raise corrupt("Matroska element of unknown size outside a cluster")
        elif eid == _INFO:
            duration = _read_info(src.read_exact(start, min(size, _MAX_HEADER_ELEMENT), "Info"))
        elif eid == _TRACKS:
            if size > _MAX_HEADER_ELEMENT:
                raise corrupt("Matroska Tracks element is implausibly large")
            tracks = _read_tracks(src.read_exact(start, size, "Tracks"))
        pos = start + size
    if not tracks:
        raise corrupt("Matroska file has no tracks")
    if not has_media:
        raise corrupt("Matroska file has no media data (no clusters)")
    video = [t for t in tracks if t.kind == 1]
    audio = [t for t in tracks if t.kind == 2]
    width = height = None
    if video:
        best = max(video, key=lambda t: t.width * t.height)
        if best.width and best.height:
            check_image_size(best.width, best.height, limits)
            width, height = best.width, best.height
    sound = audio[0] if audio else None
    if doc_type == "webm":
        if not video:
            if sound is None:
                raise corrupt("WebM file has neither audio nor video tracks")
            if sound.codec not in _WEBM_AUDIO:
                raise corrupt(f"WebM audio codec {sound.codec} is not Opus or Vorbis")
        media_type, related = (
            ("video/webm" if video else "audio/webm"),
            {"video/webm", "audio/webm"},
        )
    else:
        media_type = "video/x-matroska" if video else "audio/x-matroska"
        related = {"video/x-matroska", "audio/x-matroska"}
    return Found(
        media_type,
        width=width,
        height=height,
        duration=duration,
        sample_rate=round(sound.sample_rate) or None if sound else None,
        channels=sound.channels or None if sound else None,
        related=frozenset(related - {media_type}),
    )


def _read_info(data: bytes) -> float | None:
    scale = 1_000_000
    duration = None
    for cid, payload in _children(data):
        if cid == 0x2AD7B1:
            scale = _uint(payload) or scale
        elif cid == 0x4489:
            duration = _float(payload)
    return duration * scale / 1e9 if duration else None


def _read_tracks(data: bytes) -> list[_Track]:
    tracks: list[_Track] = []
    for cid, entry in _children(data):
        if cid != _TRACK_ENTRY:
            continue
        track = _Track()
        for eid, payload in _children(entry):
            if eid == 0x83:
                track.kind = _uint(payload)
            elif eid == 0x86:
                track.codec = payload.rstrip(b"\0").decode("ascii", "replace")
            elif eid == 0xE1:
                for aid, value in _children(payload):
                    if aid == 0xB5:
                        track.sample_rate = _float(value)
                    elif aid == 0x9F:
                        track.channels = _uint(value)
            elif eid == 0xE0:
                for vid, value in _children(payload):
                    if vid == 0xB0:
                        track.width = _uint(value)
                    elif vid == 0xBA:
                        track.height = _uint(value)
        tracks.append(track)
    return tracks
