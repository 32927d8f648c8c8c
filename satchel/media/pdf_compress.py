"""PDF compression on pikepdf: 8-bit RGB and grey images re-encoded as JPEG and shrunk to
a resolution the quality sets, fonts and vectors left alone, object streams generated,
unreferenced objects dropped. An image is replaced only when the new one is smaller.

The resolution is judged against the largest page (an image is never drawn bigger than
its page), so pictures drawn small keep more pixels than a renderer-based tool would
leave them; Ghostscript's `/ebook` remains the peer the benchmark measures against.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pyvips

from satchel.media import pdf_structure as structure

_COLOUR = {"/DeviceRGB": 3, "/DeviceGray": 1}


@dataclass
class Compressed:
    images: int = 0  # re-encoded
    before: int = 0
    after: int = 0


def dpi_for(quality: int) -> int:
    return 50 + 2 * quality  # quality 50 → 150 DPI (the ebook preset), 100 → 250


def _bands(image: pikepdf.Stream) -> int | None:
    space = image.get("/ColorSpace")
    if isinstance(space, pikepdf.Name):
        return _COLOUR.get(str(space))
    if isinstance(space, pikepdf.Array) and len(space) == 2 and space[0] == "/ICCBased":
        n = int(space[1].get("/N", 0))
        return n if n in (1, 3) else None
    return None


def _decoded(image: pikepdf.Stream, bands: int) -> pyvips.Image | None:
    filters = image.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
    width, height = int(image.Width), int(image.Height)
    if names == ["/DCTDecode"]:
        return pyvips.Image.new_from_buffer(image.read_raw_bytes(), "")
    try:
        data = image.read_bytes()  # every filter but the image codecs
    except (pikepdf.PdfError, zlib.error):
        return None
    if len(data) < width * height * bands:
        return None
    return pyvips.Image.new_from_memory(
        data[: width * height * bands], width, height, bands, "uchar"
    )


def _colour_key(obj: pikepdf.Stream, image: pyvips.Image) -> pyvips.Image | None:
    """A colour-key /Mask ([lo hi] per band) as an 8-bit alpha image, or None."""
    key = obj.get("/Mask")
    if not isinstance(key, pikepdf.Array) or len(key) != 2 * image.bands:
        return None
    inside = None
    for band in range(image.bands):
        lo, hi = int(key[2 * band]), int(key[2 * band + 1])
        channel = image[band]
        this = (channel >= lo) & (channel <= hi)
        inside = this if inside is None else inside & this
    assert inside is not None
    return (inside ^ 255).cast("uchar")  # keyed pixels transparent


def _candidate(image: pikepdf.Stream) -> int | None:
    if image.get("/Subtype") != pikepdf.Name.Image or image.get("/ImageMask", False):
        return None
    if int(image.get("/BitsPerComponent", 0)) != 8 or "/Decode" in image:
        return None
    if "/Mask" in image and not isinstance(image.Mask, pikepdf.Array):
        return None  # a stencil mask stream: its pixels must keep matching ours
    if str(image.get("/Filter")) in ("/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"):
        return None
    bands = _bands(image)
    if bands is None and _palette(image) is not None and "/Mask" not in image:
        return INDEXED
    return bands


INDEXED = 0  # a palette image: expanded to sRGB before it is re-encoded
_BASES = {"/DeviceRGB": ("srgb", 3), "/DeviceGray": ("b-w", 1), "/DeviceCMYK": ("cmyk", 4)}


def _palette(image: pikepdf.Stream) -> tuple[str, int, bytes] | None:
    """(vips interpretation, bands, table bytes) of an /Indexed colour space we can read."""
    space = image.get("/ColorSpace")
    if not isinstance(space, pikepdf.Array) or len(space) != 4 or space[0] != "/Indexed":
        return None
    base = _BASES.get(str(space[1]))
    if base is None:
        return None
    table = space[3]
    data = table.read_bytes() if isinstance(table, pikepdf.Stream) else bytes(table)
    if len(data) < (int(space[2]) + 1) * base[1]:
        return None
    return base[0], base[1], data


def _from_palette(obj: pikepdf.Stream) -> pyvips.Image | None:
    found = _palette(obj)
    indexes = _decoded(obj, 1)
    if found is None or indexes is None:
        return None
    kind, bands, data = found
    entries = len(data) // bands
    table = pyvips.Image.new_from_memory(data[: entries * bands], entries, 1, bands, "uchar")
    table = table.copy(interpretation=kind)
    if kind == "cmyk":
        table = table.icc_import(input_profile="cmyk").colourspace("srgb")  # built-in profile
    elif kind == "b-w":
        table = table.colourspace("srgb")
    return indexes.maplut(table.cast("uchar"))


def compress(src: Path, out: Path, name: str, *, quality: int) -> Compressed:
    result = Compressed(before=src.stat().st_size)
    with structure.open_pdf(src, name) as pdf:
        longest = max(max(float(p.mediabox[2]), float(p.mediabox[3])) for p in pdf.pages)
        limit = max(64, round(longest / 72 * dpi_for(quality)))
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Stream):
                continue
            bands = _candidate(obj)
            if bands is None:
                continue
            palette = bands == INDEXED
            try:
                image = _from_palette(obj) if palette else _decoded(obj, bands)
                if image is None:
                    continue
                bands = 3 if palette else bands
                alpha = _colour_key(obj, image) if "/SMask" not in obj and not palette else None
                scale = min(1.0, limit / max(image.width, image.height))
                if scale < 1.0:
                    image = image.resize(scale)
                    alpha = alpha.resize(scale) if alpha is not None else None
                if image.bands != bands:
                    image = image.colourspace("b-w" if bands == 1 else "srgb")[:bands]
                jpeg: bytes = image.jpegsave_buffer(Q=quality, keep="none", optimize_coding=True)
            except pyvips.Error:
                continue  # an image we cannot read stays as it was
            if len(jpeg) >= len(obj.read_raw_bytes()):
                continue
            obj.write(jpeg, filter=pikepdf.Name.DCTDecode)
            obj.Width, obj.Height = image.width, image.height
            if palette:
                obj.ColorSpace = pikepdf.Name.DeviceRGB
            if alpha is not None:
                # JPEG moves colours: the colour key becomes a soft mask, made before
                obj.SMask = pdf.make_stream(
                    zlib.compress(alpha.write_to_memory()), Type=pikepdf.Name.XObject,
                    Subtype=pikepdf.Name.Image, Width=alpha.width, Height=alpha.height,
                    ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                    Filter=pikepdf.Name.FlateDecode,
                )  # fmt: skip
            for key in ("/DecodeParms", "/SMaskInData", "/Mask"):
                if key in obj:
                    del obj[key]
            result.images += 1
        structure.save(pdf, out)
    result.after = out.stat().st_size
    return result
