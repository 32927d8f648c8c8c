"""Edit metadata: title, description, author, copyright, keywords, GPS and date written as
EXIF and XMP; JPEG, PNG and WebP keep their exact pixels."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

import pyvips
from pydantic import Field, field_validator, model_validator

from satchel.tools.base import (
    Action,
    InputFile,
    Inputs,
    InputSpec,
    ToolContext,
    ToolResult,
    ToolSettings,
    tool,
)
from satchel.tools.image import _metadata as meta
from satchel.tools.image.strip_metadata import NAMESPACES, RDF, read

ACCEPTS = ("image/jpeg", "image/png", "image/webp", "image/avif", "image/heic", "image/heif")
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


class Gps(ToolSettings):
    lat: float = Field(..., ge=-90, le=90, description="Latitude in decimal degrees.")
    lon: float = Field(..., ge=-180, le=180, description="Longitude in decimal degrees.")


class Settings(ToolSettings):
    title: str | None = Field(None, max_length=2000, description="Title ('' removes it).")
    description: str | None = Field(None, max_length=2000, description="Description.")
    author: str | None = Field(None, max_length=500, description="Author (EXIF Artist).")
    copyright: str | None = Field(None, max_length=500, description="Copyright notice.")
    keywords: list[str] | None = Field(
        None, max_length=100, description="Keywords (a list, or one comma-separated string)."
    )
    gps: Gps | None = Field(None, description="Position {lat, lon} in decimal degrees.")
    date_time: datetime | None = Field(
        None, description="When the photo was taken (ISO 8601; an offset is kept)."
    )

    @field_validator("keywords", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [k.strip() for k in value.split(",") if k.strip()]
        return value

    @field_validator("keywords")
    @classmethod
    def _short(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and any(len(k) > 200 or ";" in k for k in value):
            raise ValueError("keywords are at most 200 characters, without ';'")
        return value

    @model_validator(mode="after")
    def _something(self) -> Settings:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError("give at least one field to write")
        return self


def _xp(text: str) -> bytes:
    return text.encode("utf-16-le") + b"\x00\x00"


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees, rest = int(value), (value - int(value)) * 60
    return float(degrees), float(int(rest)), round((rest - int(rest)) * 60, 4)


def build_exif(exif: Any, s: Settings) -> bytes:
    """The image's EXIF (a Pillow `Image.Exif`) with the settings written in."""

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
        gps.update(
            {
                0: b"\x02\x03\x00\x00",
                1: "N" if s.gps.lat >= 0 else "S",
                2: _dms(s.gps.lat),
                3: "E" if s.gps.lon >= 0 else "W",
                4: _dms(s.gps.lon),
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


def build_xmp(existing: bytes, s: Settings) -> bytes:
    """The image's XMP packet with the settings' properties replaced (or a new packet)."""
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
            (f"{{{EXIF}}}GPSLatitude", s.gps.lat, "NS"),
            (f"{{{EXIF}}}GPSLongitude", s.gps.lon, "EW"),
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


def edit_file(inp: InputFile, s: Settings, ctx: ToolContext) -> tuple[Any, dict[str, Any]]:
    from PIL import Image

    read(inp)  # a damaged file is refused with a clear error before anything is written
    with Image.open(inp.path) as im:
        exif = im.getexif()
        xmp_old = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp") or b""
        icc = im.info.get("icc_profile")
        reencode = inp.media_type not in ("image/jpeg", "image/png", "image/webp")
        if reencode:  # the decoder has applied any rotation: say so, or it is done twice
            exif[0x0112] = 1
        exif_bytes = build_exif(exif, s)
        xmp = build_xmp(xmp_old.encode() if isinstance(xmp_old, str) else xmp_old, s)
        out = ctx.output(inp.name, inp.media_type)
        if reencode:
            im.load()
            buffer = io.BytesIO()
            extra: dict[str, Any] = {"icc_profile": icc} if icc else {}
            if im.format == "AVIF":
                extra["quality"] = 75
            else:
                extra.update(quality=70, enc_params=meta.HEIF_SPEED)
            im.save(buffer, format=im.format, exif=exif_bytes, xmp=xmp, **extra)
            out.path.write_bytes(buffer.getvalue())
            return out, {"lossless": False}
    data = inp.path.read_bytes()
    tiff = exif_bytes[len(meta.EXIF_HEADER) :]
    if inp.media_type == "image/jpeg":
        segments = (
            meta.jpeg_segment(0xE1, exif_bytes),
            meta.jpeg_segment(0xE1, meta.XMP_HEADER + xmp),
        )
        result = meta.jpeg_rewrite(data, drop={"exif", "xmp"}, insert=segments, name=inp.name)
    elif inp.media_type == "image/png":
        chunks = (meta.png_chunk(b"eXIf", tiff), meta.png_xmp_chunk(xmp))
        result = meta.png_rewrite(data, drop={"exif", "xmp"}, insert=chunks, name=inp.name)
    else:
        header = pyvips.Image.new_from_file(str(inp.path))
        result = meta.webp_rewrite(
            data,
            drop={"exif", "xmp"},
            add={"exif": tiff, "xmp": xmp},
            size=(
                header.width,
                header.get("page-height") if header.get_typeof("page-height") else header.height,
            ),
            alpha=header.hasalpha(),
            name=inp.name,
        )
    out.path.write_bytes(result)
    return out, {"lossless": True}


def current(report: dict[str, Any]) -> dict[str, Any]:
    """The editable fields' present values, XMP first, then EXIF, then IPTC."""
    xmp, exif, iptc = report["xmp"], report["exif"], report["iptc"]

    def first(*values: Any) -> Any:
        for value in values:
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value) if value else None
            if value:
                return value
        return None

    keywords = xmp.get("dc:subject") or iptc.get("Keywords") or exif.get("XPKeywords")
    if isinstance(keywords, str):
        keywords = [k.strip() for k in keywords.replace(";", ",").split(",") if k.strip()]
    return {
        "title": first(xmp.get("dc:title"), exif.get("XPTitle"), iptc.get("ObjectName")),
        "description": first(
            xmp.get("dc:description"), exif.get("ImageDescription"), iptc.get("Caption-Abstract")
        ),
        "author": first(xmp.get("dc:creator"), exif.get("Artist"), iptc.get("By-line")),
        "copyright": first(
            xmp.get("dc:rights"), exif.get("Copyright"), iptc.get("CopyrightNotice")
        ),
        "keywords": keywords or [],
        "gps": report["gps"],
        "date_time": first(
            exif.get("DateTimeOriginal"), xmp.get("xmp:CreateDate"), exif.get("DateTime")
        ),
    }


def inspect(inputs: Inputs, _settings: Any, _ctx: ToolContext) -> ToolResult:
    report = read(inputs.first)
    return ToolResult(data={"current": current(report), **report})


@tool(
    "image",
    "edit-metadata",
    name="Edit Metadata",
    settings=Settings,
    inputs=InputSpec(accepts=ACCEPTS),
    actions=(
        Action(
            "inspect",
            inspect,
            description="The image's EXIF, IPTC and XMP metadata, and the current values of "
            "the fields edit-metadata writes.",
        ),
    ),
)
def edit_metadata(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Write a title, description, author, copyright, keywords, GPS position and date into
    an image's EXIF and XMP, keeping the rest of its metadata. JPEG, PNG and WebP keep their
    exact pixels; AVIF and HEIC are re-encoded (quality 75 and 70). An empty text removes
    a field."""
    out, facts = edit_file(inputs.first, settings, ctx)
    written = settings.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return ToolResult([out], data={**facts, "written": written})
