"""The library's list filters: folder, favourites, archive, and the searched metadata
(capture time, camera, lens, place, orientation, size in pixels, duration, pages).

Trashed assets never match; archived ones only when asked for. Every condition is on an
indexed column of `assets` (migration 0016), so a filter stays an index range scan.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, literal_column, or_

from satchel.assets import folders
from satchel.assets.models import Asset
from satchel.errors import Invalid

KM_PER_DEGREE = 111.32
ORIENTATIONS = ("landscape", "portrait", "square")
_NUMBER = r"\s*(-?\d+(?:\.\d+)?)\s*"


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    km: float


@dataclass(frozen=True)
class Box:
    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True)
class LibraryFilter:
    folder: str | None = None
    recursive: bool = False
    favorite: bool | None = None
    archived: bool | Literal["any"] = False
    taken_after: datetime | None = None
    taken_before: datetime | None = None
    camera: str | None = None
    lens: str | None = None
    near: Near | None = None
    box: Box | None = None
    has_location: bool | None = None
    orientation: str | None = None
    min_width: int | None = None
    max_width: int | None = None
    min_height: int | None = None
    max_height: int | None = None
    min_duration: float | None = None
    max_duration: float | None = None
    min_pages: int | None = None
    max_pages: int | None = None


def _bad(field: str, message: str) -> Invalid:
    return Invalid(f"{field}: {message}.", fields=[{"field": field, "message": message}])


def parse_near(value: str | None) -> Near | None:
    """`lat,lon,km` (km defaults to 1)."""
    if not value:
        return None
    match = re.fullmatch(f"{_NUMBER},{_NUMBER}(?:,{_NUMBER})?", value)
    if not match:
        raise _bad("near", "latitude,longitude[,km] in decimal degrees")
    lat, lon, km = float(match[1]), float(match[2]), float(match[3] or 1)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < km <= 20_000):
        raise _bad("near", "latitude -90..90, longitude -180..180, 0 < km <= 20000")
    return Near(lat, lon, km)


def parse_box(value: str | None) -> Box | None:
    """`south,west,north,east` in decimal degrees (west > east crosses the antimeridian)."""
    if not value:
        return None
    match = re.fullmatch(",".join([_NUMBER] * 4), value)
    if not match:
        raise _bad("bbox", "south,west,north,east in decimal degrees")
    south, west, north, east = (float(match[i]) for i in range(1, 5))
    if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
        raise _bad("bbox", "south <= north within -90..90, west and east within -180..180")
    return Box(south, west, north, east)


def parse_orientation(value: str | None) -> str | None:
    if value is None:
        return None
    if value not in ORIENTATIONS:
        raise _bad("orientation", "one of landscape, portrait, square")
    return value


# A range filter the listing may answer by walking its sort index instead (see
# `satchel.assets.listing`): a place (near or bbox), a capture-time range, a width range.
PLACE, TAKEN, WIDTH = "place", "taken", "width"


def unindexed(column: Any) -> Any:
    """`column` as an expression no SQLite index serves (the same values): a unary `+`."""
    return literal_column(f"+assets.{column.key}", type_=column.type)


def ranges(f: LibraryFilter) -> dict[str, list[ColumnElement[bool]]]:
    """The range filters of `f`, each with the conditions its index serves."""
    out: dict[str, list[ColumnElement[bool]]] = {}
    if f.near or f.box:
        out[PLACE] = _place(f, Asset.latitude, Asset.longitude)
    if f.taken_after or f.taken_before:
        out[TAKEN] = _taken(f, Asset.taken_at)
    if f.min_width is not None or f.max_width is not None:
        out[WIDTH] = _between(Asset.width, f.min_width, f.max_width)
    return out


def _place(f: LibraryFilter, lat: Any, lon: Any) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if f.near:
        out += _near(f.near, lat, lon)
    if f.box:
        out.append(lat.between(f.box.south, f.box.north))
        out.append(_longitudes(lon, f.box.west, f.box.east))
    return out


def _taken(f: LibraryFilter, taken: Any) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if f.taken_after:
        out.append(taken > _naive(f.taken_after))
    if f.taken_before:
        out.append(taken < _naive(f.taken_before))
    return out


def _between(column: Any, low: float | None, high: float | None) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if low is not None:
        out.append(column >= low)
    if high is not None:
        out.append(column <= high)
    return out


def _longitudes(lon: Any, west: float, east: float) -> ColumnElement[bool]:
    if west <= east:
        return lon.between(west, east)  # type: ignore[no-any-return]
    return (lon >= west) | (lon <= east)  # type: ignore[no-any-return]


def _near(near: Near, lat: Any, lon: Any) -> list[ColumnElement[bool]]:
    # A box the index can range over, then the distance on a local flat projection
    # (plain arithmetic, so SQLite needs no math functions; exact enough below ~500 km).
    dlat = near.km / KM_PER_DEGREE
    scale = max(math.cos(math.radians(near.latitude)), 1e-6)
    dlon = min(dlat / scale, 180.0)
    south, north = max(near.latitude - dlat, -90.0), min(near.latitude + dlat, 90.0)
    west, east = near.longitude - dlon, near.longitude + dlon
    conditions: list[ColumnElement[bool]] = [lat.between(south, north)]
    if dlon < 180:
        conditions.append(_longitudes(lon, (west + 540) % 360 - 180, (east + 540) % 360 - 180))
    y = lat - near.latitude
    x = (lon - near.longitude) * scale
    conditions.append(x * x + y * y <= dlat * dlat)
    return conditions


def conditions(
    f: LibraryFilter, *, walk: frozenset[str] = frozenset()
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of `f` (trashed assets are always left out); the range
    filters named in `walk` on expressions no SQLite index serves."""

    def col(column: Any, name: str) -> Any:
        return unindexed(column) if name in walk else column

    out: list[ColumnElement[bool]] = [Asset.trashed_at.is_(None)]
    if f.archived != "any":
        out.append(Asset.is_archived.is_(bool(f.archived)))
    if f.folder is not None:
        selected = folders.selects(folders.normalize(f.folder), recursive=f.recursive)
        if selected is not None:
            out.append(selected)
    if f.favorite is not None:
        out.append(Asset.is_favorite.is_(f.favorite))
    out += _taken(f, col(Asset.taken_at, TAKEN))
    if f.camera:
        # The values `/assets/facets` answers: a model ("Canon EOS 40D") or a make ("Canon").
        camera = f.camera.strip()
        out.append(or_(Asset.camera_model == camera, Asset.camera_make == camera))
    if f.lens:
        out.append(Asset.lens == f.lens.strip())
    out += _place(f, col(Asset.latitude, PLACE), col(Asset.longitude, PLACE))
    if f.has_location is not None:
        out.append(Asset.latitude.is_not(None) if f.has_location else Asset.latitude.is_(None))
    if f.orientation:
        out.append(Asset.orientation == f.orientation)
    out += _between(col(Asset.width, WIDTH), f.min_width, f.max_width)
    for column, low, high in (
        (Asset.height, f.min_height, f.max_height),
        (Asset.duration, f.min_duration, f.max_duration),
        (Asset.pages, f.min_pages, f.max_pages),
    ):
        out += _between(column, low, high)
    return out


def _naive(moment: datetime) -> datetime:
    """Stored moments are naive UTC; a query's aware one is converted."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
