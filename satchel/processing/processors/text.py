"""Text, Markdown, CSV, JSON and office documents: derived UTF-8 text, counts, validity."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from satchel.processing.processors.base import (
    Derivative,
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    Progress,
    processor,
)

_JSON_PARSE_LIMIT = 64 << 20  # parsing builds the whole tree in memory
_CSV_SNIFF_BYTES = 64 << 10
_CSV_FIELD_LIMIT = 16 << 20
_XML_CHUNK = 64 << 10
_MAX_MEMBER_BYTES = 64 << 20  # decompressed, per part: zip bombs stop here
_MAX_PARTS = 2000
_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
_SLIDE = re.compile(r"^ppt/slides/slide(\d+)\.xml$")
_SHEET = re.compile(r"^xl/worksheets/sheet(\d+)\.xml$")


@processor("text", "application/json")
def process_text(
    path: Path, media_type: str, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    progress(10, "reading the text")
    text, truncated = read_text(path, limits.max_text_bytes)
    metadata: dict[str, Any] = {"text_chars": len(text), "lines": text.count("\n") + 1}
    raw: dict[str, Any] = {"text_truncated": truncated}
    if media_type == "text/csv":
        progress(40, "counting rows")
        metadata.update(_csv_shape(path, raw, progress))
    elif media_type == "application/json":
        progress(40, "checking the JSON")
        metadata.update(_json_shape(path))
    return _with_text(text, out_dir, metadata, raw)


@processor(
    _OOXML + "wordprocessingml.document",
    _OOXML + "spreadsheetml.sheet",
    _OOXML + "presentationml.presentation",
    _ODF + "text",
    _ODF + "spreadsheet",
    _ODF + "presentation",
)
def process_office(
    path: Path, media_type: str, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    progress(10, "opening the document")
    collected = _Collected(limits.max_text_bytes)
    with zipfile.ZipFile(path) as archive:
        parts = _text_parts(archive, media_type)
        if not parts:
            raise ProcessingFailed("the document has none of the parts that hold its text")
        for number, name in enumerate(parts):
            progress(10 + 85 * number // len(parts), f"reading {name}")
            _extract(archive, name, media_type.startswith(_ODF), collected)
            if collected.full:
                break
    text = collected.text()
    metadata: dict[str, Any] = {"text_chars": len(text)}
    if media_type.endswith("presentation"):
        metadata["slides"] = len(parts)
    raw: dict[str, Any] = {"parts": parts[:100], "text_truncated": collected.full}
    return _with_text(text, out_dir, metadata, raw)


def read_text(path: Path, max_bytes: int) -> tuple[str, bool]:
    """The file's text as UTF-8 (BOM dropped, bad bytes replaced), cut on a character edge."""
    with path.open("rb") as file:
        data = file.read(max_bytes + 1)
    truncated = len(data) > max_bytes
    text = data[:max_bytes].decode("utf-8-sig", "ignore" if truncated else "replace")
    return text.replace("\r\n", "\n"), truncated


def _with_text(
    text: str, out_dir: Path, metadata: dict[str, Any], raw: dict[str, Any]
) -> ProcessResult:
    if not text.strip():
        return ProcessResult(metadata=metadata, raw=raw)
    target = out_dir / "text.txt"
    target.write_text(text, encoding="utf-8")
    derivative = Derivative("text", target, "text/plain")
    return ProcessResult(metadata=metadata, raw=raw, derivatives=[derivative])


def _csv_shape(path: Path, raw: dict[str, Any], progress: Progress) -> dict[str, Any]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as file:
        sample = file.read(_CSV_SNIFF_BYTES)
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
                sample, delimiters=",;\t|"
            )
        except csv.Error:
            dialect = csv.excel
        raw["csv_delimiter"] = dialect.delimiter
        file.seek(0)
        rows = columns = 0
        try:
            for row in csv.reader(_bounded_lines(file), dialect):
                if row:
                    rows += 1
                    columns = max(columns, len(row))
                    if rows % 100_000 == 0:
                        progress(50, f"counted {rows:,} rows")  # and the time budget check
        except csv.Error as exc:
            raw["csv_error"] = str(exc)[:200]
            return {}
    return {"rows": rows, "columns": columns}


def _bounded_lines(file: io.TextIOBase) -> Iterator[str]:
    """Lines, refusing a single "line" so long that the csv module would hold it all."""
    for line in file:
        if len(line) > _CSV_FIELD_LIMIT:
            raise csv.Error("a line is longer than 16 MiB")
        yield line


def _json_shape(path: Path) -> dict[str, Any]:
    if path.stat().st_size > _JSON_PARSE_LIMIT:
        return {}
    try:
        value = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return {"json_valid": False}
    shape: dict[str, Any] = {"json_valid": True, "json_type": type(value).__name__}
    if isinstance(value, dict | list):
        shape["json_items"] = len(value)
    return shape


def _text_parts(archive: zipfile.ZipFile, media_type: str) -> list[str]:
    names = [info.filename for info in archive.infolist()[: _MAX_PARTS * 5]]
    if media_type.startswith(_ODF):
        return [name for name in names if name == "content.xml"]
    if media_type.endswith("wordprocessingml.document"):
        return [name for name in names if name == "word/document.xml"]
    if media_type.endswith("spreadsheetml.sheet"):
        # Shared strings hold almost all cell text; inline strings live in the sheets.
        sheets = sorted((n for n in names if _SHEET.match(n)), key=_number)
        return [n for n in names if n == "xl/sharedStrings.xml"] + sheets[:_MAX_PARTS]
    slides = sorted((n for n in names if _SLIDE.match(n)), key=_number)
    return slides[:_MAX_PARTS]


def _number(name: str) -> int:
    digits = re.findall(r"\d+", name)
    return int(digits[-1]) if digits else 0


class _Collected:
    """Text gathered across parts, with the UTF-8 budget enforced as it grows."""

    def __init__(self, max_bytes: int) -> None:
        self.parts: list[str] = []
        self.room = max_bytes
        self.full = False

    def add(self, text: str) -> None:
        if self.full or not text:
            return
        encoded = text.encode("utf-8")
        if len(encoded) > self.room:
            text = encoded[: self.room].decode("utf-8", "ignore")
            self.full = True
        self.room -= len(text.encode("utf-8"))
        self.parts.append(text)

    def text(self) -> str:
        lines = "".join(self.parts).split("\n")
        return "\n".join(line.strip() for line in lines if line.strip())


def _extract(archive: zipfile.ZipFile, name: str, odf: bool, collected: _Collected) -> None:
    """Stream one XML part through expat: no DTD, no entities, bounded size."""
    parser = expat.ParserCreate()
    depth = {"text": 0}
    # Sheets hold numbers as <v>; only <t> (shared and inline strings) is text everywhere else.
    text_tags = {"p", "h"} if odf else {"t"}
    breaks = {"p", "h", "line-break"} if odf else {"p", "si", "br", "row"}

    def refuse(*_: Any) -> None:
        raise ProcessingFailed("the document's XML declares a DTD or entities, which we refuse")

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local in text_tags:
            depth["text"] += 1
        elif local in ("tab",):
            collected.add("\t")
        elif local == "s" and odf:
            collected.add(" ")

    def end(tag: str) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local in text_tags:
            depth["text"] -= 1
        if local in breaks:
            collected.add("\n")

    def characters(data: str) -> None:
        if depth["text"] > 0:
            collected.add(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    read = 0
    with archive.open(name) as member:
        while chunk := member.read(_XML_CHUNK):
            read += len(chunk)
            if read > _MAX_MEMBER_BYTES:
                raise ProcessingFailed(f"the document part {name} is larger than 64 MiB")
            parser.Parse(chunk, False)
            if collected.full:
                return
        parser.Parse(b"", True)
