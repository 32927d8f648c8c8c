"""XLSX workbooks through openpyxl: tables in and out with types kept, formulas never
written from data, and hostile packages refused before openpyxl parses them.

openpyxl parses its XML through defusedxml when it is installed (it is a dependency), so
entity expansion and external entities are refused; the ZIP package is checked first
against the archive budgets (members, sizes, compression ratio).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import TYPE_STRING

from satchel.media import archives
from satchel.media.tables import MAX_COLUMNS, MAX_ROWS, Cell, Table, TableError

MAX_XLSX_BYTES = 512 * 1024 * 1024  # unpacked, all members together
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-ddThh:mm:ss"


def write_xlsx(table: Table, out: Path, *, sheet: str = "Sheet1") -> Path:
    """One sheet, a bold header row; text that looks like a formula (`=`, `+`, `-`, `@`)
    is stored as text, so a spreadsheet never evaluates it."""
    book = openpyxl.Workbook(write_only=False)
    ws = book.active
    ws.title = sheet[:31] or "Sheet1"
    ws.append([_text_cell(ws, h) for h in table.header])
    for row in table.rows:
        ws.append([_cell(ws, v) for v in row])
    book.save(out)
    return out


def _text_cell(ws: Any, value: str) -> Any:
    from openpyxl.cell.cell import Cell as XCell

    cell = XCell(ws)
    cell.value = value
    cell.data_type = TYPE_STRING  # `=SUM(A1)` stays the text it was
    return cell


def _cell(ws: Any, value: Cell) -> Any:
    if isinstance(value, str):
        return _text_cell(ws, value)
    from openpyxl.cell.cell import Cell as XCell

    cell = XCell(ws, value=value)
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, float) and value.is_integer():
        cell.number_format = "0.0"  # XLSX stores 3.0 as 3: the format says it was a float
    return cell


def read_xlsx(path: Path, name: str, *, sheet: int = 1) -> Table:
    """Sheet number `sheet` (1 is the first) as a table: its first row the header, values
    as stored (formulas' cached results, never re-evaluated)."""
    archives.check_package(path, name, max_total=MAX_XLSX_BYTES)
    try:
        # A file object: openpyxl judges a path by its extension, and ours may have none.
        book = openpyxl.load_workbook(
            io.BytesIO(path.read_bytes()), read_only=True, data_only=True, keep_links=False
        )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise TableError(f"{name} could not be read as an XLSX workbook: {exc}") from None
    except Exception as exc:  # defusedxml's refusals and parser errors
        raise TableError(f"{name} was refused: {type(exc).__name__}: {exc}") from None
    try:
        if not 1 <= sheet <= len(book.worksheets):
            raise TableError(f"{name} has {len(book.worksheets)} sheet(s); there is no {sheet}.")
        ws = book.worksheets[sheet - 1]
        rows = ws.iter_rows(max_col=MAX_COLUMNS)
        header = next(rows, None)
        if header is None:
            raise TableError(f"{name}: sheet {sheet} is empty.")
        values = [c.value for c in header]
        while values and values[-1] is None:  # read-only rows are padded to max_col
            values.pop()
        table = Table([_header(v, i) for i, v in enumerate(values)])
        for i, row in enumerate(rows):
            if i >= MAX_ROWS:
                raise TableError(f"{name}: sheet {sheet} has over {MAX_ROWS} rows.")
            table.rows.append([_value(c) for c in row[: len(table.header)]])
    finally:
        book.close()
    while table.rows and all(v is None for v in table.rows[-1]):
        table.rows.pop()
    return table


def _header(value: Any, index: int) -> str:
    return str(value) if value is not None else f"column{index + 1}"


def _value(cell: Any) -> Cell:
    value = getattr(cell, "value", None)
    if isinstance(value, datetime):
        shown = str(getattr(cell, "number_format", "")).lower()
        if "h" not in shown and "s" not in shown and value.time() == time(0):
            return value.date()  # a date cell: openpyxl hands every date back as midnight
        return value
    if type(value) is int and str(getattr(cell, "number_format", "")) == "0.0":
        return float(value)
    if isinstance(value, str | int | float | bool | date | time) or value is None:
        return value
    return str(value)
