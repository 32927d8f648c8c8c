"""Charts drawn as SVG (bar, line, pie) from a table: the first column labels, every numeric
column a series; libvips renders the SVG to pixels. Plain geometry, no plotting library:
a bar's height is exactly its value's share of the axis."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from satchel.codes import Code
from satchel.media.errors import MediaError
from satchel.media.tables import Table

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")  # fmt: skip
MAX_POINTS = 500


class ChartError(MediaError):
    code = Code.TOOL_INPUT_INVALID


@dataclass
class Series:
    name: str
    values: list[float]


def series_of(table: Table) -> tuple[list[str], list[Series]]:
    """Labels from the first column, a series per column whose cells are all numbers."""
    if len(table.header) < 2 or not table.rows:
        raise ChartError("A chart needs a label column, a number column and one row at least.")
    if len(table.rows) > MAX_POINTS:
        raise ChartError(f"At most {MAX_POINTS} rows can be charted; this has {len(table.rows)}.")
    labels = ["" if r[0] is None else str(r[0]) for r in table.rows]
    found = []
    for i, name in enumerate(table.header[1:], 1):
        cells = [r[i] if i < len(r) else None for r in table.rows]
        if all(isinstance(c, int | float) and not isinstance(c, bool) for c in cells):
            values = [float(c) for c in cells]  # type: ignore[arg-type]
            if all(math.isfinite(v) for v in values):
                found.append(Series(name, values))
    if not found:
        raise ChartError("No column after the first holds only numbers.")
    return labels, found


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    return float(math.ceil(value / step) * step)


def svg(kind: str, labels: list[str], series: list[Series], *, title: str, width: int,
        height: int) -> str:  # fmt: skip
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">',
             f'<rect width="{width}" height="{height}" fill="#ffffff"/>']  # fmt: skip
    top = 40 if title else 16
    if title:
        parts.append(
            f'<text x="{width / 2}" y="26" font-family="DejaVu Sans" font-size="18" '
            f'text-anchor="middle" fill="#222">{escape(title)}</text>'
        )
    if kind == "pie":
        parts += _pie(labels, series[0], width, height, top)
    else:
        parts += _axes(kind, labels, series, width, height, top)
    parts.append("</svg>")
    return "".join(parts)


def plot_area(width: int, height: int, top: int) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the plotting area."""
    return 60.0, float(top), width - 20.0, height - 40.0


def _axes(kind: str, labels: list[str], series: list[Series], width: int, height: int,
          top: int) -> list[str]:  # fmt: skip
    if any(v < 0 for s in series for v in s.values):
        raise ChartError("Bar and line charts here start at zero: negative values are refused.")
    x0, y0, x1, y1 = plot_area(width, height, top)
    peak = _nice_max(max(v for s in series for v in s.values))
    out = [f'<line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}" stroke="#444"/>',
           f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#444"/>',
           f'<text x="{x0 - 6}" y="{y0 + 4}" font-family="DejaVu Sans" font-size="11" '
           f'text-anchor="end">{peak:g}</text>']  # fmt: skip
    n = len(labels)
    slot = (x1 - x0) / n
    for i, label in enumerate(labels):
        cx = x0 + slot * (i + 0.5)
        out.append(
            f'<text x="{cx}" y="{y1 + 16}" font-family="DejaVu Sans" font-size="11" '
            f'text-anchor="middle">{escape(label[:20])}</text>'
        )
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        if kind == "bar":
            bar = slot * 0.8 / len(series)
            for i, v in enumerate(s.values):
                h = (y1 - y0) * v / peak
                x = x0 + slot * i + slot * 0.1 + bar * k
                out.append(f'<rect x="{x:.2f}" y="{y1 - h:.2f}" width="{bar:.2f}" '
                           f'height="{h:.2f}" fill="{colour}"/>')  # fmt: skip
        else:
            points = " ".join(
                f"{x0 + slot * (i + 0.5):.2f},{y1 - (y1 - y0) * v / peak:.2f}"
                for i, v in enumerate(s.values)
            )
            out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                       'stroke-width="3"/>')  # fmt: skip
    return out


def _pie(labels: list[str], s: Series, width: int, height: int, top: int) -> list[str]:
    if any(v < 0 for v in s.values) or sum(s.values) <= 0:
        raise ChartError("A pie needs positive values.")
    total = sum(s.values)
    cx, cy = width / 2, (top + height) / 2
    r = max(10.0, min(width, height - top) / 2 - 20)
    out, angle = [], -math.pi / 2
    for i, v in enumerate(s.values):
        sweep = 2 * math.pi * v / total
        colour = PALETTE[i % len(PALETTE)]
        if sweep >= 2 * math.pi - 1e-9:
            out.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{colour}"/>')
        elif sweep > 0:
            a, b = angle, angle + sweep
            large = 1 if sweep > math.pi else 0
            out.append(
                f'<path d="M{cx},{cy} L{cx + r * math.cos(a):.3f},{cy + r * math.sin(a):.3f} '
                f'A{r},{r} 0 {large} 1 {cx + r * math.cos(b):.3f},{cy + r * math.sin(b):.3f} Z" '
                f'fill="{colour}"><title>{escape(labels[i])}</title></path>'
            )
        angle += sweep
    return out
