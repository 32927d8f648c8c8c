"""Hostile inputs made here: a GIF frame bomb, a PDF declaring 200,000 pages, a
decompression-bomb PNG, a 30,000×30,000 SVG canvas."""

from __future__ import annotations

import io
import struct
import zlib


def gif_frame_bomb(width: int = 4000, height: int = 4000, frames: int = 2000) -> bytes:
    """A few dozen kilobytes that decode to `frames` full canvases (128 GB of RGBA by
    default): each frame's LZW data is only a clear code and an end code."""
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0))
    out += b"\x00\x00\x00\xff\xff\xff"  # a two-colour global table
    out += b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever
    for _ in range(frames):
        out += b"!\xf9\x04\x00\x01\x00\x00\x00"  # 10 ms per frame
        out += b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
        out += b"\x02\x01\x2c\x00"  # min code size 2; one sub-block: clear, end
    return bytes(out + b";")


def pdf_with_pages(count: int = 200_000) -> bytes:
    """A 1 MB PDF whose page tree lists one blank page `count` times."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    page = pdf.pages[0].obj
    pdf.Root.Pages.Kids = pikepdf.Array([page] * count)
    pdf.Root.Pages.Count = count
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A valid PNG header over a tiny stream of zeros: billions of pixels, a few KB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compressobj(9)
    data = rows.compress(b"\x00" * (width + 1) * 64) + rows.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def svg_canvas(size: int = 30_000) -> bytes:
    """An SVG that asks to be rasterized at size × size."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">'
        f'<rect width="{size}" height="{size}" fill="red"/></svg>'
    ).encode()
