"""Edit metadata: title, description, author, copyright, keywords, GPS and date written as
EXIF and XMP; JPEG, PNG and WebP keep their exact pixels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from satchel.media import image_metadata, metadata_edit
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

ACCEPTS = ("image/jpeg", "image/png", "image/webp", "image/avif", "image/heic", "image/heif")


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


def edit_file(inp: InputFile, s: Settings, ctx: ToolContext) -> tuple[Any, dict[str, Any]]:
    image_metadata.read(inp.path, inp.name)  # a damaged file is refused before any writing
    fields = metadata_edit.Fields(
        title=s.title,
        description=s.description,
        author=s.author,
        copyright=s.copyright,
        keywords=s.keywords,
        gps=(s.gps.lat, s.gps.lon) if s.gps is not None else None,
        date_time=s.date_time,
    )
    data, lossless = metadata_edit.write(inp.path, inp.media_type, inp.name, fields)
    out = ctx.output(inp.name, inp.media_type)
    out.path.write_bytes(data)
    return out, {"lossless": lossless}


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
    report = image_metadata.read(inputs.first.path, inputs.first.name)
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
