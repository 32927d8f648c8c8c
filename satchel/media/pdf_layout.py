"""Imposition: several PDF pages on one sheet (n-up) and saddle-stitch booklets, each page
placed as a form XObject (vectors and text kept, nothing re-rendered), scaled to fit its
cell with its proportions kept."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from satchel.media import pdf_structure as structure

GRIDS = {2: (2, 1), 3: (3, 1), 4: (2, 2), 6: (3, 2), 8: (4, 2), 9: (3, 3), 12: (4, 3),
         16: (4, 4)}  # fmt: skip


def sheet_size(page: pikepdf.Page, cols: int, rows: int) -> tuple[float, float]:
    """The first page's paper, turned to landscape when the grid is wider than tall."""
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    w, h = x1 - x0, y1 - y0
    short, long_ = min(w, h), max(w, h)
    return (long_, short) if cols > rows else (short, long_)


def impose(
    src: Path, out: Path, name: str, sheets: list[list[int | None]], cols: int, rows: int
) -> int:
    """Write `sheets` (each a list of 1-based page numbers or None for a blank cell, read
    left to right, top to bottom) on a `cols`×`rows` grid; returns the sheet count."""
    with structure.open_pdf(src, name) as pdf, pikepdf.new() as result:
        width, height = sheet_size(pdf.pages[0], cols, rows)
        cell_w, cell_h = width / cols, height / rows
        for cells in sheets:
            sheet = result.add_blank_page(page_size=(width, height))
            for i, number in enumerate(cells):
                if number is None:
                    continue
                col, row = i % cols, i // cols
                x, y = col * cell_w, height - (row + 1) * cell_h
                cell = pikepdf.Rectangle(x, y, x + cell_w, y + cell_h)
                sheet.add_overlay(pdf.pages[number - 1], cell)  # copied in by pikepdf
        structure.save(result, out)
        return len(sheets)


def nup_order(count: int, per_sheet: int) -> list[list[int | None]]:
    pages: list[int | None] = list(range(1, count + 1))
    return [pages[i : i + per_sheet] for i in range(0, count, per_sheet)]


def booklet_spreads(count: int) -> list[tuple[int | None, int | None]]:
    """Saddle-stitch order: the page count padded to a multiple of 4 with blanks, then for
    each folded sheet its front (last, first) and back (second, second to last)."""
    total = -(-count // 4) * 4

    def page(n: int) -> int | None:
        return n if n <= count else None

    spreads: list[tuple[int | None, int | None]] = []
    for i in range(total // 4):
        spreads.append((page(total - 2 * i), page(2 * i + 1)))
        spreads.append((page(2 * i + 2), page(total - 2 * i - 1)))
    return spreads


def booklet_order(count: int, per_sheet: int) -> list[list[int | None]]:
    """Spreads stacked `per_sheet / 2` to a sheet side (2: the classic booklet)."""
    spreads = booklet_spreads(count)
    per = per_sheet // 2
    sheets = []
    for i in range(0, len(spreads), per):
        cells: list[int | None] = []
        for left, right in spreads[i : i + per]:
            cells += [left, right]
        sheets.append(cells)
    return sheets
