"""DXF drawings: a PNG preview drawn from lines, polylines, circles and arcs (ezdxf + numpy)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from ezdxf import recover
from ezdxf.entities.dxfgfx import DXFGraphic
from ezdxf.entities.insert import Insert
from ezdxf.filemanagement import readfile
from ezdxf.lldxf.const import DXFError, DXFStructureError
from ezdxf.path import make_path

from satchel.media import imaging
from satchel.processing.processors.base import (
    Derivative,
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    Progress,
    processor,
)

_DRAWN = frozenset(
    {"LINE", "LWPOLYLINE", "POLYLINE", "CIRCLE", "ARC", "ELLIPSE", "SPLINE", "SOLID", "TRACE"}
)
_MAX_BLOCK_DEPTH = 4
_MARGIN = 16
_INK = 30  # near-black lines on white


@processor("application/dxf")
def process_dxf(
    path: Path, media_type: str, out_dir: Path, limits: ProcessLimits, progress: Progress
) -> ProcessResult:
    progress(5, "reading the drawing")
    raw: dict[str, Any] = {}
    try:
        document = readfile(str(path))
    except DXFStructureError:
        # The strict reader is ~40% faster; the recovering one copes with sloppy writers.
        try:
            document, auditor = recover.readfile(str(path))
        except DXFStructureError as exc:
            raise ProcessingFailed(f"the DXF file is damaged: {exc}") from None
        raw["recovered"] = True
        raw["audit_errors"] = len(auditor.errors)
    metadata: dict[str, Any] = {"dxf_version": document.dxfversion}
    raw.update(units=int(document.header.get("$INSUNITS", 0)), layers=len(document.layers))
    progress(20, "collecting the geometry")
    polylines, primitives, truncated = _polylines(document.modelspace(), limits, progress)
    metadata["primitives"] = primitives
    raw["truncated"] = truncated
    if not polylines:
        raise ProcessingFailed("the drawing has no lines, polylines, circles or arcs to preview")
    progress(70, "drawing the preview")
    canvas = render(polylines, limits.preview_px)
    preview = imaging.from_array(canvas)
    target = out_dir / "preview.png"
    preview.pngsave(str(target), keep="none", compression=6)
    thumb = preview.thumbnail_image(limits.thumbnail_px, height=limits.thumbnail_px, size="down")
    return ProcessResult(
        metadata=metadata,
        raw=raw,
        derivatives=[
            Derivative.of(
                "thumbnail", imaging.save_webp(thumb, out_dir / "thumbnail.webp", thumbnail=True)
            ),
            Derivative("preview", target, "image/png", preview.width, preview.height),
        ],
    )


def _polylines(
    space: Any, limits: ProcessLimits, progress: Progress
) -> tuple[list[np.ndarray[Any, Any]], int, bool]:
    """Each drawable entity as 2-D points, stopping at the primitive and segment limits."""
    out: list[np.ndarray[Any, Any]] = []
    primitives = segments = 0
    for entity in _entities(space, 0):
        if primitives >= limits.max_dxf_primitives or segments >= limits.max_dxf_primitives:
            return out, primitives, True
        if primitives % 500 == 0:
            progress(20 + 50 * primitives // limits.max_dxf_primitives, "collecting the geometry")
        try:
            path = make_path(entity)
        except (TypeError, ValueError, DXFError):
            continue  # an entity too broken to draw is left out, not fatal
        points = np.array([(v.x, v.y) for v in path.control_vertices()], dtype=np.float64)
        if len(points) == 0:
            continue
        span = float(np.ptp(points, axis=0).max()) if len(points) > 1 else 0.0
        flat = np.array(
            [(v.x, v.y) for v in path.flattening(distance=max(span / 200, 1e-9), segments=16)],
            dtype=np.float64,
        )
        room = limits.max_dxf_primitives - segments + 1
        flat = flat[: max(room, 2)]
        if len(flat) and np.isfinite(flat).all():
            out.append(flat)
            primitives += 1
            segments += max(len(flat) - 1, 1)
    return out, primitives, False


def _entities(space: Any, depth: int) -> Iterator[DXFGraphic]:
    for entity in space:
        kind = entity.dxftype()
        if kind in _DRAWN:
            yield entity
        elif kind == "INSERT" and depth < _MAX_BLOCK_DEPTH and isinstance(entity, Insert):
            try:
                inner = list(entity.virtual_entities())
            except (DXFError, ValueError, TypeError, ZeroDivisionError):
                continue
            yield from _entities(inner, depth + 1)


def render(polylines: list[np.ndarray[Any, Any]], size: int) -> np.ndarray[Any, Any]:
    """Polylines scaled to fit `size` px (long edge), y up, drawn 1 px wide on white."""
    points = np.concatenate(polylines)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = np.maximum(high - low, 1e-9)
    scale = (size - 2 * _MARGIN) / float(extent.max())
    width = max(int(np.ceil(extent[0] * scale)) + 2 * _MARGIN, 1)
    height = max(int(np.ceil(extent[1] * scale)) + 2 * _MARGIN, 1)
    canvas = np.full((height, width), 255, dtype=np.uint8)
    for line in polylines:
        xy = (line - low) * scale + _MARGIN
        xy[:, 1] = height - 1 - xy[:, 1]
        if len(xy) == 1:
            xy = np.vstack([xy, xy])
        starts, ends = xy[:-1], xy[1:]
        steps = np.ceil(np.abs(ends - starts).max(axis=1)).astype(np.int64) + 1
        for (x0, y0), (x1, y1), n in zip(starts, ends, steps, strict=True):
            t = np.linspace(0.0, 1.0, int(n))
            xs = np.clip(np.rint(x0 + (x1 - x0) * t).astype(np.int64), 0, width - 1)
            ys = np.clip(np.rint(y0 + (y1 - y0) * t).astype(np.int64), 0, height - 1)
            canvas[ys, xs] = _INK
    return canvas
