"""Ogg streams: Opus, Vorbis, FLAC and Speex audio, Theora video, with checked page CRCs."""

from __future__ import annotations

import struct

from satchel.codes import Code
from satchel.errors import Invalid
from satchel.media.audio import read_streaminfo
from satchel.media.source import Found, Source, corrupt


def _crc_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
        table.append(r & 0xFFFFFFFF)
    return tuple(table)


_CRC_TABLE = _crc_table()
_MAX_BOS_PAGES = 16


def _ogg_crc(data: bytes) -> int:
    """Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, zero start (unlike zlib's)."""
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC_TABLE[(crc >> 24) ^ byte]
    return crc


def _page(src: Source, pos: int) -> tuple[int, int, int, bytes, int]:
    """(header type, granule, serial, first packet bytes, page end) of the page at pos."""
    header = src.read_at(pos, 27)
    if len(header) < 27 or header[:4] != b"OggS" or header[4] != 0:
        raise corrupt(f"Ogg page at byte {pos} is missing or has an unknown version")
    htype, granule, serial, _seq, crc, nsegs = struct.unpack("<BqIIIB", header[5:27])
    lacing = src.read_exact(pos + 27, nsegs, "Ogg segment table")
    body_len = sum(lacing)
    page = src.read_exact(pos, 27 + nsegs + body_len, "Ogg page")
    if _ogg_crc(page[:22] + b"\0\0\0\0" + page[26:]) != crc:
        raise corrupt(f"Ogg page at byte {pos} fails its CRC check")
    first = 0
    for value in lacing:
        first += value
        if value < 255:
            break
    body = page[27 + nsegs :]
    return htype, granule, serial, body[:first], pos + len(page)


def parse_ogg(src: Source) -> Found:
    streams: dict[int, bytes] = {}
    pos = 0
    for _ in range(_MAX_BOS_PAGES):
        if pos >= src.size or src.read_at(pos, 4) != b"OggS":
            break
        htype, _granule, serial, packet, end = _page(src, pos)
        if not htype & 2:
            break
        streams[serial] = packet
        pos = end
    if not streams:
        raise corrupt("Ogg file does not begin with a stream header page")
    media = {serial: p for serial, p in streams.items() if not p.startswith(b"fishead\0")}
    if any(p.startswith(b"\x80theora") for p in media.values()):
        serial, packet = next((s, p) for s, p in media.items() if p.startswith(b"\x80theora"))
        if len(packet) < 20:
            raise corrupt("Ogg Theora header is truncated")
        width = int.from_bytes(packet[14:17], "big")
        height = int.from_bytes(packet[17:20], "big")
        if not width or not height:
            raise corrupt("Ogg Theora header declares an empty picture")
        return Found("video/ogg", width=width, height=height, related=frozenset({"audio/ogg"}))
    if not media:
        raise corrupt("Ogg file has no media stream")
    serial, packet = next(iter(media.items()))
    media_type, rate, channels, skip = _audio_header(packet)
    duration = None
    last = _last_granule(src, serial)
    if last is not None and last > skip:
        duration = (last - skip) / rate
    choices = frozenset({"audio/ogg"}) if media_type == "audio/opus" else frozenset()
    return Found(
        media_type,
        duration=duration,
        sample_rate=None if media_type == "audio/opus" else rate,
        channels=channels,
        choices=choices,
        related=frozenset({"video/ogg"}),
    )


def _audio_header(packet: bytes) -> tuple[str, int, int, int]:
    """(media type, granule rate, channels, pre-skip) from a stream's first packet."""
    if packet.startswith(b"OpusHead"):
        if len(packet) < 19:
            raise corrupt("Ogg Opus header is truncated")
        version, channels, pre_skip, _rate, _gain, family = struct.unpack("<BBHIhB", packet[8:19])
        if version >= 16 or channels == 0 or (family == 0 and channels > 2):
            raise corrupt(f"Ogg Opus header has an invalid channel count {channels}")
        return "audio/opus", 48000, channels, pre_skip
    if packet.startswith(b"\x01vorbis"):
        if len(packet) < 30:
            raise corrupt("Ogg Vorbis header is truncated")
        version, channels, rate = struct.unpack("<IBI", packet[7:16])
        if version != 0 or channels == 0 or rate == 0:
            raise corrupt("Ogg Vorbis header is invalid")
        return "audio/ogg", rate, channels, 0
    if packet.startswith(b"\x7fFLAC"):
        if len(packet) < 51 or packet[9:13] != b"fLaC":
            raise corrupt("Ogg FLAC header is truncated")
        rate, channels, _total = read_streaminfo(packet[17:51])
        return "audio/ogg", rate, channels, 0
    if packet.startswith(b"Speex   "):
        if len(packet) < 52:
            raise corrupt("Ogg Speex header is truncated")
        rate, _mode, _mbv, channels = struct.unpack("<iiii", packet[36:52])
        if rate <= 0 or channels <= 0:
            raise corrupt("Ogg Speex header is invalid")
        return "audio/ogg", rate, channels, 0
    raise Invalid(
        "Ogg stream uses a codec that is not supported", code=Code.ASSET_CONTENT_TYPE_NOT_ALLOWED
    )


def _last_granule(src: Source, serial: int) -> int | None:
    """Granule of the stream's last page in the file's tail: its length in samples."""
    tail_start = max(0, src.size - 65536)
    tail = src.read_at(tail_start, src.size - tail_start)
    at = tail.rfind(b"OggS")
    while at >= 0:
        if len(tail) - at >= 27:
            granule, page_serial = struct.unpack("<qI", tail[at + 6 : at + 18])
            if page_serial == serial and granule >= 0:
                return int(granule)
        at = tail.rfind(b"OggS", 0, at)
    return None
