"""Text content: UTF-8 checks, and JSON, SVG, DXF and HTML told apart from plain text."""

from __future__ import annotations

import codecs
import json
import re

from satchel.codes import Code
from satchel.errors import Invalid
from satchel.media.source import HEAD_SIZE, Found, Source, corrupt

JSON_PARSE_LIMIT = 16 * 1024 * 1024  # larger JSON gets a structural check, not a full parse
BINARY_DXF = b"AutoCAD Binary DXF\r\n\x1a\x00"
TEXT_CHOICES = frozenset({"text/plain", "text/csv", "text/markdown"})

_BOM = codecs.BOM_UTF8
_SVG_ROOT = re.compile(
    r"^(?:\s|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*<(?:[\w.-]+:)?svg\b([^>]*)>",
    re.S | re.I,
)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$")
_HTML = re.compile(r"^(?:\s|<!--.*?-->)*<(?:!doctype\s+html|html|head|body)\b", re.S | re.I)
_DXF_START = re.compile(r"^\s*(?:0\s*\r?\n\s*SECTION|999\s*\r?\n)", re.S)


def is_text(src: Source) -> bool:
    """Valid UTF-8 (a BOM is fine) without NUL, checked over the whole file in blocks."""
    if b"\0" in src.head:
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        if src.size <= HEAD_SIZE:
            decoder.decode(src.head, final=True)
            return True
        for block in src.blocks(0, src.size):
            if b"\0" in block:
                return False
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def looks_like_utf16(head: bytes) -> bool:
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def parse_text(src: Source, wants_json: bool) -> Found:
    head = src.head[len(_BOM) :] if src.head.startswith(_BOM) else src.head
    text = head[:4096].decode("utf-8", "ignore")
    stripped = text.lstrip()
    svg = _SVG_ROOT.match(text)
    if svg:
        width, height = _svg_size(svg.group(1))
        return Found(
            "image/svg+xml",
            width=width,
            height=height,
            related=frozenset({"text/plain", "text/xml", "application/xml"}),
        )
    if _HTML.match(text):
        return Found("text/html", related=frozenset({"text/plain"}))
    if _DXF_START.match(text):
        return Found("application/dxf", choices=frozenset({"text/plain"}))
    if wants_json or stripped[:1] in ("{", "["):
        if _is_json(src):
            return Found("application/json", choices=TEXT_CHOICES)
        if wants_json:
            raise corrupt("the file is declared as JSON but is not valid JSON")
    return Found("text/plain", choices=TEXT_CHOICES, weak=True)


def _is_json(src: Source) -> bool:
    if src.size <= JSON_PARSE_LIMIT:
        raw = src.head if src.size <= len(src.head) else b"".join(src.blocks(0, src.size))
        try:
            json.loads(raw.decode("utf-8-sig"))
        except (ValueError, RecursionError):
            return False
        return True
    # Too big to parse on every upload: the outer brackets must match.
    first = src.head.lstrip(_BOM).lstrip()[:1]
    last = src.tail(4096).rstrip()[-1:]
    return (first, last) in ((b"{", b"}"), (b"[", b"]"))


def _svg_size(attributes: str) -> tuple[int | None, int | None]:
    attrs = {m.group(1).lower(): m.group(2) or m.group(3) or "" for m in _ATTR.finditer(attributes)}
    width, height = _LENGTH.match(attrs.get("width", "")), _LENGTH.match(attrs.get("height", ""))
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = attrs.get("viewbox", "").replace(",", " ").split()
    if len(box) == 4:
        try:
            w, h = float(box[2]), float(box[3])
        except ValueError:
            return None, None
        if w > 0 and h > 0:
            return round(w), round(h)
    return None, None


def not_utf8(head: bytes) -> Invalid:
    encoding = "UTF-16" if looks_like_utf16(head) else "an unknown encoding"
    return Invalid(
        f"text in {encoding} is not supported; upload UTF-8",
        code=Code.ASSET_CONTENT_TYPE_NOT_ALLOWED,
    )
