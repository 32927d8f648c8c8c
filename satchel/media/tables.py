"""Tables: CSV, JSON records and XLSX read and written with types kept (numbers, dates,
booleans, unicode), within row and cell budgets, and never a formula written by accident.

Typing is lossless: a CSV cell becomes a number or a date only when writing that value
back gives the same text (`1.5` does, `1.50` and `007` stay text), so CSV → XLSX → CSV
and CSV → JSON → CSV give back the bytes' meaning unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from satchel.codes import Code
from satchel.media.errors import MediaError, ResultTooLarge

MAX_ROWS = 1_000_000
MAX_COLUMNS = 1000
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
_INT = re.compile(r"^-?(?:0|[1-9]\d{0,17})$")
_FLOAT = re.compile(r"^-?\d+\.\d+(?:e[+-]?\d+)?$", re.I)
csv.field_size_limit(MAX_CELL_CHARS * 4)

Cell = str | int | float | bool | date | datetime | time | None


class TableError(MediaError):
    code = Code.TOOL_INPUT_CORRUPT


@dataclass
class Table:
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)

    def records(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.header, row, strict=False)) for row in self.rows]


def typed(text: str) -> Cell:
    """The value a CSV cell's text stands for, when writing it back gives the same text."""
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text) and cell_text(value := float(text)) == text:
        return value
    if text in ("true", "false"):
        return text == "true"
    if len(text) == 10 and text[4:5] == "-":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return text
        return day if day.isoformat() == text else text
    if 19 <= len(text) <= 32 and text[4:5] == "-" and text[10:11] == "T":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        return moment if moment.isoformat() == text else text
    return text


def cell_text(value: Cell) -> str:
    """How a value is written in CSV (the inverse of `typed`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) + ".0" if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return str(value)


def decode(path: Path, name: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(f"{name} is not UTF-8 text.") from None


def read_csv(path: Path, name: str, *, types: bool = True) -> Table:
    """The header and rows of a CSV (its delimiter sniffed among `,;\\t|`)."""
    text = decode(path, name)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = _rows(csv.reader(io.StringIO(text, newline=""), dialect), name)
    header = next(rows, None)
    if header is None:
        raise TableError(f"{name} has no header row.")
    table = Table([str(h) for h in header])
    for row in rows:
        table.rows.append([typed(c) if types else c for c in row])
    return table


def _rows(reader: Iterable[list[str]], name: str) -> Iterator[list[str]]:
    try:
        for i, row in enumerate(reader):
            if i > MAX_ROWS:
                raise ResultTooLarge(f"{name} has over {MAX_ROWS} rows.")
            if len(row) > MAX_COLUMNS:
                raise TableError(f"{name}: row {i + 1} has over {MAX_COLUMNS} columns.")
            yield row
    except csv.Error as exc:
        raise TableError(f"{name} is not valid CSV: {exc}") from None


def write_csv(table: Table, out: Path) -> Path:
    with out.open("w", encoding="utf-8", newline="") as sink:
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(table.header)
        writer.writerows([cell_text(v) for v in row] for row in table.rows)
    return out


def load_json(path: Path, name: str) -> Any:
    try:
        return json.loads(decode(path, name))
    except json.JSONDecodeError as exc:
        raise TableError(f"{name} is not valid JSON: {exc}") from None
    except RecursionError:
        raise TableError(f"{name} is nested too deeply.") from None


def from_records(value: Any, name: str) -> Table:
    """A table from a JSON array of objects (columns in order of first appearance; nested
    values written as JSON text), or from `{"rows": [...]}`-like single-key wrappers."""
    if isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise TableError(f"{name} is not an array of objects (one object per row).")
    if len(value) > MAX_ROWS:
        raise ResultTooLarge(f"{name} has over {MAX_ROWS} rows.")
    header: dict[str, None] = {}
    for record in value:
        header.update(dict.fromkeys(str(k) for k in record))
    if len(header) > MAX_COLUMNS:
        raise TableError(f"{name} has over {MAX_COLUMNS} distinct keys.")
    table = Table(list(header))
    for record in value:
        table.rows.append([_scalar(record.get(k)) for k in table.header])
    return table


def _scalar(value: Any) -> Cell:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def json_value(value: Cell) -> Any:
    """A cell as JSON has it: dates as ISO text."""
    return value.isoformat() if isinstance(value, date | datetime | time) else value


CSV = ("text/csv", "text/plain")
JSON = ("application/json",)
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)
XML = ("text/plain", "text/xml", "application/xml")
