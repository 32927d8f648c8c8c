"""Metadata blocks in image containers: JPEG segments, PNG chunks and WebP chunks read and
rewritten without touching the pixels (EXIF, XMP, IPTC, ICC, comments)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from satchel.codes import Code
from satchel.media.errors import MetadataError

EXIF_HEADER = b"Exif\x00\x00"
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
XMP_EXT_HEADER = b"http://ns.adobe.com/xmp/extension/\x00"
ICC_HEADER = b"ICC_PROFILE\x00"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
XMP_PNG_KEY = b"XML:com.adobe.xmp"
MAX_SEGMENT = 65533  # a JPEG segment's payload, its two length bytes excluded


@dataclass(frozen=True)
class Piece:
    kind: str  # "exif" | "xmp" | "iptc" | "icc" | "comment" | "other" | "keep"
    data: bytes  # the raw bytes, header included, written back as they are


def corrupt(name: str) -> MetadataError:
    return MetadataError(f"{name} is damaged: its metadata could not be read.")


# JPEG -----------------------------------------------------------------------------------


def jpeg_pieces(data: bytes, name: str = "image") -> Iterator[Piece]:
    """The JPEG as pieces: each marker segment classified, entropy-coded data kept whole,
    and whatever follows the end-of-image marker as a `trailer`."""
    if not data.startswith(b"\xff\xd8"):
        raise corrupt(name)
    yield Piece("keep", b"\xff\xd8")
    pos, end = 2, len(data)
    while pos < end:
        if data[pos] != 0xFF:
            raise corrupt(name)
        while pos + 1 < end and data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 1 >= end:
            raise corrupt(name)
        marker = data[pos + 1]
        if marker == 0xD9:
            yield Piece("keep", b"\xff\xd9")
            if pos + 2 < end:  # appended images (MPF gain maps, depth maps, thumbnails)
                yield Piece("trailer", data[pos + 2 :])
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            yield Piece("keep", data[pos : pos + 2])
            pos += 2
            continue
        if pos + 4 > end:
            raise corrupt(name)
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        stop = pos + 2 + length
        if length < 2 or stop > end:
            raise corrupt(name)
        segment, payload = data[pos:stop], data[pos + 4 : stop]
        if marker == 0xDA:  # start of scan: the entropy-coded data runs to the next marker
            scan = stop
            while True:
                scan = data.find(b"\xff", scan)
                if scan < 0 or scan + 1 >= end:
                    yield Piece("keep", data[pos:])  # truncated file: keep what there is
                    return
                follower = data[scan + 1]
                if follower == 0 or 0xD0 <= follower <= 0xD7 or follower == 0xFF:
                    scan += 2 if follower != 0xFF else 1
                    continue
                break
            yield Piece("keep", data[pos:scan])
            pos = scan
            continue
        yield Piece(_jpeg_kind(marker, payload), segment)
        pos = stop
    raise corrupt(name)


def _jpeg_kind(marker: int, payload: bytes) -> str:
    if marker == 0xE1 and payload.startswith(EXIF_HEADER):
        return "exif"
    if marker == 0xE1 and (payload.startswith(XMP_HEADER) or payload.startswith(XMP_EXT_HEADER)):
        return "xmp"
    if marker == 0xED:
        return "iptc"
    if marker == 0xE2 and payload.startswith(ICC_HEADER):
        return "icc"
    if marker == 0xFE:
        return "comment"
    if marker in (0xE0, 0xEE):  # JFIF and Adobe (the Adobe one says how to read colours)
        return "keep"
    if 0xE1 <= marker <= 0xEF:
        return "other"
    return "keep"


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    if len(payload) > MAX_SEGMENT:
        raise MetadataError(
            "The metadata is too large for a JPEG segment (64 KB).",
            code=Code.TOOL_METADATA_TOO_LARGE,
        )
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_rewrite(
    data: bytes, *, drop: set[str], insert: tuple[bytes, ...] = (), name: str
) -> bytes:
    """The JPEG without the pieces of the `drop` kinds, with `insert` segments placed after
    the JFIF header (where EXIF readers look for them)."""
    pieces = list(jpeg_pieces(data, name))
    out = [pieces[0].data]
    rest = pieces[1:]
    if rest and rest[0].data[:2] == b"\xff\xe0":
        out.append(rest.pop(0).data)
    out.extend(insert)
    out.extend(p.data for p in rest if p.kind not in drop)
    return b"".join(out)


# PNG ------------------------------------------------------------------------------------


def png_chunks(data: bytes, name: str = "image") -> Iterator[tuple[bytes, bytes]]:
    """(type, whole chunk bytes) for every chunk up to IEND."""
    if not data.startswith(PNG_SIGNATURE):
        raise corrupt(name)
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        stop = pos + 12 + length
        if stop > len(data):
            raise corrupt(name)
        yield ctype, data[pos:stop]
        if ctype == b"IEND":
            return
        pos = stop
    raise corrupt(name)


def png_chunk(ctype: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(ctype + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + ctype + payload + struct.pack(">I", crc)


def png_kind(ctype: bytes, chunk: bytes) -> str:
    if ctype == b"eXIf":
        return "exif"
    if ctype == b"iTXt" and chunk[8:].startswith(XMP_PNG_KEY + b"\x00"):
        return "xmp"
    if ctype in (b"tEXt", b"zTXt", b"iTXt"):
        return "comment"
    if ctype == b"iCCP":
        return "icc"
    if ctype == b"tIME":
        return "other"
    return "keep"


def png_rewrite(data: bytes, *, drop: set[str], insert: tuple[bytes, ...] = (), name: str) -> bytes:
    """The PNG without the chunks of the `drop` kinds, `insert` chunks before the pixels."""
    out = [PNG_SIGNATURE]
    placed = False
    for ctype, chunk in png_chunks(data, name):
        if ctype in (b"IDAT", b"fdAT", b"acTL") and not placed:
            out.extend(insert)
            placed = True
        if png_kind(ctype, chunk) not in drop:
            out.append(chunk)
    return b"".join(out)


def png_xmp_chunk(xmp: bytes) -> bytes:
    return png_chunk(b"iTXt", XMP_PNG_KEY + b"\x00\x00\x00\x00\x00" + xmp)


# WebP -----------------------------------------------------------------------------------

_VP8X_FLAGS = {"icc": 0x20, "exif": 0x08, "xmp": 0x04}
_WEBP_KIND = {b"EXIF": "exif", b"XMP ": "xmp", b"ICCP": "icc"}


def webp_chunks(data: bytes, name: str = "image") -> list[tuple[bytes, bytes]]:
    """(fourcc, payload) of each chunk of a WebP file."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise corrupt(name)
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        fourcc, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if pos + 8 + size > len(data):
            raise corrupt(name)
        chunks.append((fourcc, data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    if not chunks:
        raise corrupt(name)
    return chunks


def webp_rewrite(
    data: bytes,
    *,
    drop: set[str],
    add: dict[str, bytes] | None = None,
    size: tuple[int, int] = (0, 0),
    alpha: bool = False,
    name: str,
) -> bytes:
    """The WebP without the chunks of the `drop` kinds, plus `add` ({"exif"|"xmp": payload}
    at the end, as the format wants); the VP8X header is made or fixed to match."""
    add = add or {}
    chunks = [(c, p) for c, p in webp_chunks(data, name) if _WEBP_KIND.get(c) not in drop]
    chunks += [(b"EXIF" if k == "exif" else b"XMP ", v) for k, v in add.items()]
    present = {_WEBP_KIND[c] for c, _ in chunks if c in _WEBP_KIND}
    if chunks[0][0] == b"VP8X":
        flags = chunks[0][1][0]
        for kind, bit in _VP8X_FLAGS.items():
            flags = flags | bit if kind in present else flags & ~bit
        chunks[0] = (b"VP8X", bytes([flags]) + chunks[0][1][1:])
    elif present:
        flags = sum(_VP8X_FLAGS[k] for k in present) | (0x10 if alpha else 0)
        w, h = size[0] - 1, size[1] - 1
        header = bytes([flags, 0, 0, 0]) + w.to_bytes(3, "little") + h.to_bytes(3, "little")
        chunks.insert(0, (b"VP8X", header))
    body = b"".join(c + struct.pack("<I", len(p)) + p + b"\x00" * (len(p) & 1) for c, p in chunks)
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body
