"""Image header parsers: dimensions without decoding, and PNG structural validation."""

from __future__ import annotations

import struct
import zlib

from satchel.errors import TooLarge
from satchel.media.source import Found, Source, corrupt
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
            code="asset_image_too_large",
        )
    if width * height > limits.max_image_pixels:
        raise TooLarge(
            f"image is {width}×{height} ({width * height} pixels); "
            f"at most {limits.max_image_pixels} pixels are allowed",
            code="asset_image_too_large",
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


_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def parse_jpeg(src: Source, limits: MediaLimits) -> Found:
    pos = 2
    size: tuple[int, int] | None = None
    while True:
        byte = src.read_at(pos, 1)
        if byte != b"\xff":
            raise corrupt(f"JPEG has no marker at byte {pos}")
        marker_bytes = src.read_at(pos + 1, 1)
        while marker_bytes == b"\xff":  # fill bytes are allowed before any marker
            pos += 1
            marker_bytes = src.read_at(pos + 1, 1)
        if not marker_bytes:
            raise corrupt("JPEG is truncated before its image data")
        marker = marker_bytes[0]
        pos += 2
        if marker in _STANDALONE:
            continue
        if marker in (0xD8, 0xD9, 0x00):
            raise corrupt("JPEG ends or restarts before its image data")
        (length,) = struct.unpack(">H", src.read_exact(pos, 2, "JPEG segment"))
        if length < 2 or pos + length > src.size:
            raise corrupt("JPEG segment length is invalid or truncated")
        if marker in _SOF_MARKERS:
            if size is not None:
                raise corrupt("JPEG has two frame headers")
            sof = src.read_exact(pos + 2, 6, "JPEG frame header")
            height, width, components = struct.unpack(">HHB", sof[1:6])
            if length != 8 + 3 * components or components == 0:
                raise corrupt("JPEG frame header is inconsistent")
            if width == 0 or height == 0:
                raise corrupt("JPEG frame header declares an empty image")
            check_image_size(width, height, limits)
            size = (width, height)
        elif marker == 0xDA:  # start of scan: every header the decoder needs came before it
            if size is None:
                raise corrupt("JPEG has image data before any frame header")
            if pos + length >= src.size:
                raise corrupt("JPEG is truncated at its image data")
            return Found("image/jpeg", width=size[0], height=size[1])
        pos += length


def parse_gif(src: Source, limits: MediaLimits) -> Found:
    header = src.read_exact(0, 13, "GIF header")
    width, height, packed = struct.unpack("<HHB", header[6:11])
    pos = 13
    if packed & 0x80:
        pos += 3 << ((packed & 7) + 1)
    frame: tuple[int, int] | None = None
    while frame is None:
        block = src.read_at(pos, 1)
        if block == b"!":
            pos += 2
            while True:
                sub = src.read_at(pos, 1)
                if not sub:
                    raise corrupt("GIF is truncated inside an extension block")
                pos += 1 + sub[0]
                if sub[0] == 0:
                    break
        elif block == b",":
            desc = src.read_exact(pos + 1, 9, "GIF image descriptor")
            fw, fh, fpacked = struct.unpack("<4xHHB", desc)
            pos += 10 + ((3 << ((fpacked & 7) + 1)) if fpacked & 0x80 else 0)
            code_size = src.read_at(pos, 1)
            if not code_size or not 1 <= code_size[0] <= 11 or pos + 1 >= src.size:
                raise corrupt("GIF image data is missing or invalid")
            frame = (fw, fh)
        else:
            raise corrupt("GIF has no image (unknown block or early end)")
    if width == 0 or height == 0:
        width, height = frame
    if width == 0 or height == 0:
        raise corrupt("GIF declares an empty image")
    check_image_size(max(width, frame[0]), max(height, frame[1]), limits)
    return Found("image/gif", width=width, height=height)


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


def parse_bmp(src: Source, limits: MediaLimits) -> Found:
    header = src.read_exact(0, 26, "BMP header")
    (dib_size,) = struct.unpack("<I", header[14:18])
    if dib_size == 12:
        width, height = struct.unpack("<HH", header[18:22])
    elif dib_size in (40, 52, 56, 64, 108, 124):
        width, height = struct.unpack("<ii", header[18:26])
    else:
        raise corrupt("BMP has an unknown header size")
    height = abs(height)  # negative height means top-down rows, not a smaller image
    if width <= 0 or height == 0:
        raise corrupt("BMP declares an empty image")
    check_image_size(width, height, limits)
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
    for i in range(count):
        entry = table[i * entry_size : (i + 1) * entry_size]
        tag, ftype = struct.unpack(order + "HH", entry[:4])
        if tag in (256, 257):
            value = entry[value_at : value_at + 4]
            if ftype == 3:
                dims[tag] = struct.unpack(order + "H", value[:2])[0]
            elif ftype == 4:
                dims[tag] = struct.unpack(order + "I", value)[0]
    width, height = dims.get(256, 0), dims.get(257, 0)
    if width == 0 or height == 0:
        raise corrupt("TIFF first directory has no image width or length")
    check_image_size(width, height, limits)
    return Found("image/tiff", width=width, height=height)
