"""Image parsers: dimensions without decoding, and a cheap structural check that the file
is whole (PNG chunks and CRCs to IEND, GIF blocks to its trailer, the end of TIFF strips
and BMP pixels within the file; JPEG is `satchel.media.jpeg`)."""

from __future__ import annotations

import struct
import zlib

from satchel.codes import Code
from satchel.errors import TooLarge
from satchel.media.source import STREAM_BLOCK, Found, Source, corrupt
from satchel.media.types import MediaLimits

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# PNG colour type → the bit depths the specification allows for it.
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
_PNG_CRITICAL = {b"IHDR", b"PLTE", b"IDAT", b"IEND"}
_PNG_MAX_LENGTH = 2**31 - 1


def check_image_size(width: int, height: int, limits: MediaLimits) -> None:
    """Refuse an image by its header, before anything allocates its pixels."""
    if width > limits.max_image_edge or height > limits.max_image_edge:
        raise TooLarge(
            f"image is {width}×{height}; the longest edge allowed is {limits.max_image_edge}",
            code=Code.ASSET_IMAGE_TOO_LARGE,
        )
    if width * height > limits.max_image_pixels:
        raise TooLarge(
            f"image is {width}×{height} ({width * height} pixels); "
            f"at most {limits.max_image_pixels} pixels are allowed",
            code=Code.ASSET_IMAGE_TOO_LARGE,
        )


def looks_like_png(head: bytes) -> bool:
    """A PNG signature, or a damaged one still followed by IHDR (bytes mangled in transfer)."""
    return head.startswith(PNG_SIGNATURE) or b"IHDR" in head[8:20]


def parse_png(src: Source, limits: MediaLimits) -> Found:
    if not src.head.startswith(PNG_SIGNATURE):
        raise corrupt("PNG signature is damaged (the file was probably altered in transfer)")
    pos = 8
    width = height = colour = 0
    seen_idat = seen_plte = False
    first = True
    while True:
        header = src.read_at(pos, 8)
        if len(header) < 8:
            raise corrupt("PNG is truncated: no IEND chunk")
        length, ctype = struct.unpack(">I4s", header)
        if length > _PNG_MAX_LENGTH or not ctype.isalpha():
            raise corrupt(f"PNG chunk at byte {pos} has an invalid header")
        end = pos + 12 + length
        if end > src.size:
            raise corrupt(f"PNG is truncated inside its {ctype.decode('ascii')} chunk")
        crc = zlib.crc32(ctype)
        if end <= len(src.head):
            data = src.head[pos + 8 : pos + 8 + length]
            crc = zlib.crc32(data, crc)
        else:
            data = src.read_at(pos + 8, min(length, 64))
            for block in src.blocks(pos + 8, length):
                crc = zlib.crc32(block, crc)
        (stored,) = struct.unpack(">I", src.read_at(pos + 8 + length, 4))
        if crc != stored:
            raise corrupt(f"PNG {ctype.decode('ascii')} chunk fails its CRC check")
        if first:
            if ctype != b"IHDR" or length != 13:
                raise corrupt("PNG does not start with a 13-byte IHDR chunk")
            width, height, depth, colour, compression, filtering, interlace = struct.unpack(
                ">IIBBBBB", data[:13]
            )
            if not (0 < width <= _PNG_MAX_LENGTH and 0 < height <= _PNG_MAX_LENGTH):
                raise corrupt(f"PNG IHDR has an invalid size {width}×{height}")
            if depth not in _PNG_DEPTHS.get(colour, set()):
                raise corrupt(f"PNG IHDR has an invalid colour type {colour} / bit depth {depth}")
            if compression != 0 or filtering != 0 or interlace not in (0, 1):
                raise corrupt("PNG IHDR names an unknown compression, filter or interlace method")
            check_image_size(width, height, limits)
            first = False
        elif ctype == b"IHDR":
            raise corrupt("PNG has a second IHDR chunk")
        elif ctype == b"PLTE":
            seen_plte = True
        elif ctype == b"IDAT":
            if colour == 3 and not seen_plte:
                raise corrupt("palette PNG has image data before its PLTE chunk")
            seen_idat = True
        elif ctype == b"IEND":
            if not seen_idat:
                raise corrupt("PNG has no IDAT chunk (no image data)")
            return Found("image/png", width=width, height=height)
        elif ctype not in _PNG_CRITICAL and ctype[0:1].isupper():
            raise corrupt(f"PNG has an unknown critical chunk {ctype.decode('ascii')}")
        pos = end


def parse_gif(src: Source, limits: MediaLimits) -> Found:
    """The logical screen and first frame give the size; every block is then walked to the
    trailer (`;`), a length byte at a time, so a GIF cut off inside a frame is refused."""
    header = src.read_exact(0, 13, "GIF header")
    width, height, packed = struct.unpack("<HHB", header[6:11])
    pos = 13
    if packed & 0x80:
        pos += 3 << ((packed & 7) + 1)
    frame: tuple[int, int] | None = None
    while True:
        block = src.read_at(pos, 1)
        if block == b"!":
            pos = _gif_sub_blocks(src, pos + 2)
        elif block == b",":
            desc = src.read_exact(pos + 1, 9, "GIF image descriptor")
            fw, fh, fpacked = struct.unpack("<4xHHB", desc)
            pos += 10 + ((3 << ((fpacked & 7) + 1)) if fpacked & 0x80 else 0)
            code_size = src.read_at(pos, 1)
            if not code_size or not 1 <= code_size[0] <= 11 or pos + 1 >= src.size:
                raise corrupt("GIF image data is missing or invalid")
            pos = _gif_sub_blocks(src, pos + 1)
            frame = frame or (fw, fh)
        elif block == b";" and frame is not None:
            break
        elif not block and frame is not None:
            raise corrupt("GIF is truncated: it has no trailer")
        else:
            raise corrupt("GIF has no image (unknown block or early end)")
    if width == 0 or height == 0:
        width, height = frame
    if width == 0 or height == 0:
        raise corrupt("GIF declares an empty image")
    check_image_size(max(width, frame[0]), max(height, frame[1]), limits)
    return Found("image/gif", width=width, height=height)


def _gif_sub_blocks(src: Source, pos: int) -> int:
    """The position after a chain of data sub-blocks (a length byte, that many bytes; a
    zero length ends the chain), read a window at a time."""
    while True:
        window = src.read_at(pos, STREAM_BLOCK)
        if not window:
            raise corrupt("GIF is truncated inside a block")
        i = 0
        while i < len(window):
            if window[i] == 0:
                return pos + i + 1
            i += window[i] + 1
        pos += i  # the next length byte is past this window


def parse_webp(src: Source, limits: MediaLimits) -> Found:
    (riff_size,) = struct.unpack("<I", src.head[4:8])
    end = riff_size + 8
    if end > src.size:
        raise corrupt("WebP is truncated (RIFF size exceeds the file)")
    pos = 12
    width = height = 0
    has_image = False
    while pos + 8 <= end:
        ctype = src.head[pos : pos + 4] if pos + 8 <= len(src.head) else src.read_at(pos, 4)
        (length,) = struct.unpack("<I", src.read_at(pos + 4, 4))
        if pos + 8 + length > end:
            raise corrupt(f"WebP chunk {ctype!r} overruns the file")
        data = src.read_at(pos + 8, min(length, 32))
        if pos == 12:
            width, height = _webp_size(ctype, data)
            check_image_size(width, height, limits)
        if ctype in (b"VP8 ", b"VP8L", b"ANMF"):
            has_image = True
        pos += 8 + length + (length & 1)
    if not has_image:
        raise corrupt("WebP has no image data")
    return Found("image/webp", width=width, height=height)


def _webp_size(ctype: bytes, data: bytes) -> tuple[int, int]:
    if ctype == b"VP8 " and len(data) >= 10 and data[3:6] == b"\x9d\x01\x2a":
        w, h = struct.unpack("<HH", data[6:10])
        width, height = w & 0x3FFF, h & 0x3FFF
    elif ctype == b"VP8L" and len(data) >= 5 and data[0] == 0x2F:
        bits = int.from_bytes(data[1:5], "little")
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    elif ctype == b"VP8X" and len(data) >= 10:
        width = int.from_bytes(data[4:7], "little") + 1
        height = int.from_bytes(data[7:10], "little") + 1
    else:
        raise corrupt("WebP does not start with a valid VP8, VP8L or VP8X chunk")
    if width == 0 or height == 0:
        raise corrupt("WebP declares an empty image")
    return width, height


# BMP compressions whose pixel data has a size known from the header: none, bit fields.
_BMP_UNCOMPRESSED = frozenset({0, 3, 6})


def parse_bmp(src: Source, limits: MediaLimits) -> Found:
    header = src.read_exact(0, 26, "BMP header")
    (pixels_at,) = struct.unpack("<I", header[10:14])
    (dib_size,) = struct.unpack("<I", header[14:18])
    if dib_size == 12:
        width, height = struct.unpack("<HH", header[18:22])
        (bits,) = struct.unpack("<H", src.read_exact(24, 2, "BMP header"))
        compression = 0
    elif dib_size in (40, 52, 56, 64, 108, 124):
        width, height = struct.unpack("<ii", header[18:26])
        bits, compression = struct.unpack("<HI", src.read_exact(28, 6, "BMP header"))
    else:
        raise corrupt("BMP has an unknown header size")
    height = abs(height)  # negative height means top-down rows, not a smaller image
    if width <= 0 or height == 0:
        raise corrupt("BMP declares an empty image")
    check_image_size(width, height, limits)
    if compression in _BMP_UNCOMPRESSED and bits in (1, 2, 4, 8, 16, 24, 32):
        row = (width * bits + 31) // 32 * 4
        if pixels_at + row * height > src.size:
            raise corrupt("BMP is truncated: its pixel rows end past the end of the file")
    return Found("image/bmp", width=width, height=height)


def parse_tiff(src: Source, limits: MediaLimits) -> Found:
    order = "<" if src.head[:2] == b"II" else ">"
    (version,) = struct.unpack(order + "H", src.head[2:4])
    if version == 43:  # BigTIFF: 8-byte offsets and counts
        (offset,) = struct.unpack(order + "Q", src.read_exact(8, 8, "TIFF header"))
        count_fmt, entry_size, count_size, value_at = "Q", 20, 8, 12
    else:
        (offset,) = struct.unpack(order + "I", src.read_exact(4, 4, "TIFF header"))
        count_fmt, entry_size, count_size, value_at = "H", 12, 2, 8
    if offset < 8 or offset >= src.size:
        raise corrupt("TIFF first directory offset points outside the file")
    (count,) = struct.unpack(order + count_fmt, src.read_exact(offset, count_size, "TIFF"))
    if not 0 < count <= 4096:
        raise corrupt("TIFF first directory has an invalid entry count")
    table = src.read_exact(offset + count_size, count * entry_size, "TIFF directory")
    dims: dict[int, int] = {}
    arrays: dict[int, list[int]] = {}
    for i in range(count):
        entry = table[i * entry_size : (i + 1) * entry_size]
        tag, ftype = struct.unpack(order + "HH", entry[:4])
        if tag in (256, 257):
            value = entry[value_at : value_at + 4]
            if ftype == 3:
                dims[tag] = struct.unpack(order + "H", value[:2])[0]
            elif ftype == 4:
                dims[tag] = struct.unpack(order + "I", value)[0]
        elif tag in _TIFF_DATA:
            found = _tiff_values(src, order, entry, value_at)
            if found is not None:
                arrays[tag] = found
    width, height = dims.get(256, 0), dims.get(257, 0)
    if width == 0 or height == 0:
        raise corrupt("TIFF first directory has no image width or length")
    check_image_size(width, height, limits)
    for offsets_tag, counts_tag in ((273, 279), (324, 325)):
        offsets, counts = arrays.get(offsets_tag), arrays.get(counts_tag)
        if not offsets or not counts or len(offsets) != len(counts):
            continue
        if max(o + c for o, c in zip(offsets, counts, strict=True)) > src.size:
            raise corrupt("TIFF is truncated: its image data ends past the end of the file")
    return Found("image/tiff", width=width, height=height)


# StripOffsets, StripByteCounts, TileOffsets, TileByteCounts: where the image data lies.
_TIFF_DATA = frozenset({273, 279, 324, 325})
_TIFF_INTS = {3: "H", 4: "I", 16: "Q"}  # SHORT, LONG, LONG8
_TIFF_MAX_VALUES = 1 << 20


def _tiff_values(src: Source, order: str, entry: bytes, value_at: int) -> list[int] | None:
    """An integer array of one directory entry, inline or where its offset points; None
    when it is of another type or implausibly long (then it is not checked here)."""
    (ftype,) = struct.unpack(order + "H", entry[2:4])
    (n,) = struct.unpack(order + ("I" if value_at == 8 else "Q"), entry[4:value_at])
    code = _TIFF_INTS.get(ftype)
    if code is None or not 0 < n <= _TIFF_MAX_VALUES:
        return None
    size = struct.calcsize(code) * n
    inline = len(entry) - value_at
    if size <= inline:
        data = entry[value_at : value_at + size]
    else:
        (at,) = struct.unpack(order + ("Q" if inline == 8 else "I"), entry[value_at:])
        data = src.read_exact(at, size, "TIFF directory values")
    return list(struct.unpack(f"{order}{n}{code}", data))
