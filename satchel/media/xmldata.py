"""XML as data, parsed through defusedxml (no DTD entities, no external entities, no
network): JSON ↔ XML in one mapping, and the repeating records of a document as a table.

The mapping: an object's keys become child elements (`@name` keys attributes, `#text`
the element's text), an array becomes the same element repeated, scalars become text.
Names that are not XML names are written `<item key="...">`.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, SubElement, indent, tostring

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from satchel.media.tables import Table, TableError

MAX_ELEMENTS = 2_000_000
_NAME = re.compile(r"^[A-Za-z_][\w.\-]*$")


def parse(path: Path, name: str) -> Element:
    try:
        root: Element = safe_et.parse(str(path), forbid_dtd=False).getroot()
    except DefusedXmlException as exc:
        raise TableError(f"{name} was refused: {type(exc).__name__} ({exc}).") from None
    except ParseError as exc:
        raise TableError(f"{name} is not well-formed XML: {exc}") from None
    count = sum(1 for _ in root.iter())
    if count > MAX_ELEMENTS:
        raise TableError(f"{name} has over {MAX_ELEMENTS} elements.")
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def to_value(element: Element) -> Any:
    """An element as JSON (see the module's mapping); a name that repeats is an array."""
    result: dict[str, Any] = {f"@{_local(k)}": v for k, v in element.attrib.items()}
    counts = Counter(_key(c) for c in element)
    for child in element:
        key, value = _key(child), to_value(child)
        if key != _local(child.tag):  # <item key="...">: the key is not an attribute
            value = _without_key(value)
        if counts[key] > 1:
            result.setdefault(key, []).append(value)
        else:
            result[key] = value
    text = (element.text or "").strip()
    if not result:
        return text
    if text:
        result["#text"] = text
    return result


def _key(child: Element) -> str:
    tag = _local(child.tag)
    return child.attrib["key"] if tag == "item" and "key" in child.attrib else tag


def _without_key(value: Any) -> Any:
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "@key"}
        return value.get("#text", "") if set(value) <= {"#text"} else value
    return value


def from_value(value: Any, root: str = "root") -> Element:
    element = Element(root)
    _fill(element, value)
    return element


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            key = str(key)
            if key.startswith("@") and not isinstance(item, dict | list):
                element.set(key[1:], _text(item))
            elif key == "#text":
                element.text = _text(item)
            else:
                for one in item if isinstance(item, list) else [item]:
                    _child(element, key, one)
    elif isinstance(value, list):
        for item in value:
            _child(element, "item", item)
    else:
        element.text = _text(value)


def _child(parent: Element, key: str, value: Any) -> None:
    if _NAME.match(key) and not key.lower().startswith("xml"):
        _fill(SubElement(parent, key), value)
    else:
        _fill(SubElement(parent, "item", key=key), value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def serialize(element: Element, *, pretty: bool) -> bytes:
    if pretty:
        indent(element)
    body: bytes = tostring(element, encoding="utf-8", xml_declaration=True)
    return body


def records(root: Element, name: str) -> Table:
    """The repeating records: the children sharing the tag that repeats most under one
    parent; each record's attributes and its children's text become columns."""
    count, parent, tag = 0, root, ""
    for candidate in root.iter():
        for name_, n in Counter(_local(c.tag) for c in candidate).items():
            if n > count:
                count, parent, tag = n, candidate, name_
    if count < 1:
        raise TableError(f"{name} has no repeating elements to make rows of.")
    rows: list[dict[str, str]] = []
    columns: dict[str, None] = {}
    for record in (c for c in parent if _local(c.tag) == tag):
        row: dict[str, str] = {f"@{_local(k)}": v for k, v in record.attrib.items()}
        for child in record:
            key = _local(child.tag)
            text = "".join(child.itertext()).strip()
            row[key] = f"{row[key]}; {text}" if key in row else text
        if not len(record) and (record.text or "").strip():
            row[tag] = (record.text or "").strip()
        columns.update(dict.fromkeys(row))
        rows.append(row)
    header = list(columns)
    return Table(header, [[r.get(c, "") for c in header] for r in rows])
