"""Writing metadata fields (title, description, author, copyright, keywords, GPS, date
taken) into an image's EXIF and XMP: JPEG, PNG and WebP rewritten block by block with
their exact pixels, AVIF and HEIC re-encoded by Pillow."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from satchel.media import imaging
from satchel.media import metadata_blocks as blocks
from satchel.media.encoding import HEIF_SPEED
from satchel.media.image_metadata import NAMESPACES, RDF

X = "adobe:ns:meta/"
DC, XMP, PS, EXIF = (
    "http://purl.org/dc/elements/1.1/",
    "http://ns.adobe.com/xap/1.0/",
    "http://ns.adobe.com/photoshop/1.0/",
    "http://ns.adobe.com/exif/1.0/",
)
for _uri, _prefix in {**NAMESPACES, X: "x", RDF: "rdf"}.items():
    ET.register_namespace(_prefix, _uri)
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LOSSLESS_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


@dataclass(frozen=True)
class Fields:
    """What to write; None leaves a field as it is, "" removes it."""

    title: str | None = None
    description: str | None = None
    author: str | None = None
    copyright: str | None = None
    keywords: list[str] | None = None
    gps: tuple[float, float] | None = None  # latitude, longitude in decimal degrees
    date_time: datetime | None = None


def _xp(text: str) -> bytes:
    return text.encode("utf-16-le") + b"\x00\x00"


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees, rest = int(value), (value - int(value)) * 60
    return float(degrees), float(int(rest)), round((rest - int(rest)) * 60, 4)


def build_exif(exif: Any, s: Fields) -> bytes:
    """The image's EXIF (a Pillow `Image.Exif`) with the fields written in."""

    def put(tag: int, value: str | None, encode: Any = lambda t: t.encode()) -> None:
        if value is None:
            return
        if value == "":
            exif.pop(tag, None)
        else:
            exif[tag] = encode(value)

    put(0x9C9B, s.title, _xp)
    put(0x010E, s.description)
    put(0x013B, s.author)
    put(0x9C9D, s.author, _xp)
    put(0x8298, s.copyright)
    if s.keywords is not None:
        put(0x9C9E, "; ".join(s.keywords), _xp)
    if s.date_time is not None:
        stamp = s.date_time.strftime("%Y:%m:%d %H:%M:%S")
        exif[0x0132] = stamp
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = sub[0x9004] = stamp
        offset = s.date_time.strftime("%z")
        for tag in (0x9010, 0x9011, 0x9012):
            if offset:
                sub[tag] = f"{offset[:3]}:{offset[3:]}"
            else:
                sub.pop(tag, None)
    if s.gps is not None:
        gps = exif.get_ifd(0x8825)
        gps.clear()
        lat, lon = s.gps
        gps.update(
            {
                0: b"\x02\x03\x00\x00",
                1: "N" if lat >= 0 else "S",
                2: _dms(lat),
                3: "E" if lon >= 0 else "W",
                4: _dms(lon),
            }
        )
    data: bytes = exif.tobytes()
    return data


def _xmp_root(existing: bytes) -> ET.Element:
    if existing and b"<!DOCTYPE" not in existing and b"<!ENTITY" not in existing:
        try:
            root = ET.fromstring(existing.strip(b"\x00 \r\n\t"))  # noqa: S314 (no DTD: checked)
            if root.find(f".//{{{RDF}}}RDF") is not None or root.tag == f"{{{RDF}}}RDF":
                return root
        except ET.ParseError:
            pass
    root = ET.Element(f"{{{X}}}xmpmeta")
    ET.SubElement(root, f"{{{RDF}}}RDF")
    return root


def build_xmp(existing: bytes, s: Fields) -> bytes:
    """The image's XMP packet with the fields' properties replaced (or a new packet)."""
    root = _xmp_root(existing)
    rdf = root if root.tag == f"{{{RDF}}}RDF" else root.find(f".//{{{RDF}}}RDF")
    assert rdf is not None
    values: dict[str, tuple[str, list[str]] | None] = {}

    def plan(key: str, kind: str, items: list[str] | str | None) -> None:
        if items is not None:
            listed = [items] if isinstance(items, str) else items
            values[key] = (kind, listed) if any(listed) else None

    plan(f"{{{DC}}}title", "Alt", s.title)
    plan(f"{{{DC}}}description", "Alt", s.description)
    plan(f"{{{DC}}}creator", "Seq", s.author)
    plan(f"{{{DC}}}rights", "Alt", s.copyright)
    plan(f"{{{DC}}}subject", "Bag", s.keywords)
    if s.date_time is not None:
        iso = s.date_time.isoformat()
        for key in (f"{{{XMP}}}CreateDate", f"{{{PS}}}DateCreated", f"{{{EXIF}}}DateTimeOriginal"):
            plan(key, "", iso)
    if s.gps is not None:
        for key, value, refs in (
            (f"{{{EXIF}}}GPSLatitude", s.gps[0], "NS"),
            (f"{{{EXIF}}}GPSLongitude", s.gps[1], "EW"),
        ):
            whole, minutes = int(abs(value)), (abs(value) - int(abs(value))) * 60
            plan(key, "", f"{whole},{minutes:.6f}{refs[0] if value >= 0 else refs[1]}")
    descriptions = rdf.findall(f"{{{RDF}}}Description")
    for desc in descriptions:
        for key in values:
            desc.attrib.pop(key, None)
            for child in desc.findall(key):
                desc.remove(child)
    target = descriptions[0] if descriptions else ET.SubElement(rdf, f"{{{RDF}}}Description")
    target.set(f"{{{RDF}}}about", target.get(f"{{{RDF}}}about", ""))
    for key, planned in values.items():
        if planned is None:
            continue
        kind, items = planned
        prop = ET.SubElement(target, key)
        if not kind:
            prop.text = items[0]
            continue
        holder = ET.SubElement(prop, f"{{{RDF}}}{kind}")
        for item in items:
            li = ET.SubElement(holder, f"{{{RDF}}}li")
            li.text = item
            if kind == "Alt":
                li.set(LANG, "x-default")
    body = ET.tostring(root, encoding="unicode")
    packet = (
        f'<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n{body}\n<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def write(path: Path, media_type: str, name: str, fields: Fields) -> tuple[bytes, bool]:
    """The file with the fields written in, and whether its pixels are untouched (JPEG,
    PNG and WebP) rather than re-encoded (AVIF at quality 75, HEIC at 70)."""
    from PIL import Image

    with Image.open(path) as im:
        exif = im.getexif()
        xmp_old = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp") or b""
        icc = im.info.get("icc_profile")
        reencode = media_type not in LOSSLESS_TYPES
        if reencode:  # the decoder has applied any rotation: say so, or it is done twice
            exif[0x0112] = 1
        exif_bytes = build_exif(exif, fields)
        xmp = build_xmp(xmp_old.encode() if isinstance(xmp_old, str) else xmp_old, fields)
        if reencode:
            im.load()
            buffer = io.BytesIO()
            extra: dict[str, Any] = {"icc_profile": icc} if icc else {}
            if im.format == "AVIF":
                extra["quality"] = 75
            else:
                extra.update(quality=70, enc_params=HEIF_SPEED)
            im.save(buffer, format=im.format, exif=exif_bytes, xmp=xmp, **extra)
            return buffer.getvalue(), False
    data = path.read_bytes()
    tiff = exif_bytes[len(blocks.EXIF_HEADER) :]
    drop = {"exif", "xmp"}
    if media_type == "image/jpeg":
        segments = (
            blocks.jpeg_segment(0xE1, exif_bytes),
            blocks.jpeg_segment(0xE1, blocks.XMP_HEADER + xmp),
        )
        return blocks.jpeg_rewrite(data, drop=drop, insert=segments, name=name), True
    if media_type == "image/png":
        chunks = (blocks.png_chunk(b"eXIf", tiff), blocks.png_xmp_chunk(xmp))
        return blocks.png_rewrite(data, drop=drop, insert=chunks, name=name), True
    header = imaging.header(path, media_type, name=name)
    page = header.get("page-height") if header.get_typeof("page-height") else header.height
    rewritten = blocks.webp_rewrite(
        data,
        drop=drop,
        add={"exif": tiff, "xmp": xmp},
        size=(header.width, page),
        alpha=header.hasalpha(),
        name=name,
    )
    return rewritten, True
