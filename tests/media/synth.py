"""Builders of small synthetic media files with exactly the shape a test needs."""

from __future__ import annotations

import struct
import zlib


def png(width: int = 1, height: int = 1, *, colour: int = 0, depth: int = 8) -> bytes:
    def chunk(ctype: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + ctype
            + data
            + struct.pack(">I", zlib.crc32(ctype + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    idat = zlib.compress(b"\0\0")  # one filter byte and one grey pixel; never the claimed size
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg(width: int = 1, height: int = 1) -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + sof + sos + b"\x00" * 16 + b"\xff\xd9"


def gif(width: int = 1, height: int = 1) -> bytes:
    screen = struct.pack("<HHBBB", width, height, 0, 0, 0)
    image = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x44\x01\x00"
    return b"GIF89a" + screen + image + b";"


def webp_vp8x(width: int, height: int) -> bytes:
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\0" * 4
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    vp8l = b"VP8L" + struct.pack("<I", 6) + b"\x2f" + b"\0" * 5
    body = b"WEBP" + vp8x + vp8l
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wav(rate: int = 8000, channels: int = 1, bits: int = 16, frames: int = 8) -> bytes:
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * align, align, bits)
    data = b"\0" * (frames * align)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


MP3_FRAME = b"\xff\xfb\x90\x64" + b"\0" * 413  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz: 417 bytes


def mp3(frames: int = 3) -> bytes:
    return MP3_FRAME * frames


def flac(*, frames: bool = True) -> bytes:
    packed = (44100 << 44) | (1 << 41) | (15 << 36) | 44100
    info = struct.pack(">HH", 4096, 4096) + b"\0" * 6 + packed.to_bytes(8, "big") + b"\0" * 16
    body = b"fLaC" + bytes([0x80]) + (34).to_bytes(3, "big") + info
    return body + (b"\xff\xf8\x69\x08" + b"\0" * 16 if frames else b"")


PDF = b"%PDF-1.4\n1 0 obj<</Type/Pages/Count 3/Kids[]>>endobj\ntrailer<<>>\n%%EOF\n"
