"""The library filters as query parameters, shared by the asset list, the trash, facets
and the CLI's listing (one FastAPI dependency)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Query

from satchel.assets import filters
from satchel.assets.filters import LibraryFilter


def library_filter(
    folder: Annotated[
        str | None, Query(max_length=1024, description="Only this folder (`/album/sub`).")
    ] = None,
    recursive: Annotated[bool, Query(description="With `folder`: its subfolders too.")] = False,
    favorite: Annotated[bool | None, Query(alias="is_favorite")] = None,
    archived: Annotated[
        Literal["false", "true", "any"],
        Query(
            alias="is_archived",
            description="Archived assets are hidden unless `true` (only them) or `any`.",
        ),
    ] = "false",
    taken_after: datetime | None = None,
    taken_before: datetime | None = None,
    camera: Annotated[
        str | None, Query(max_length=100, description="A camera model or make, as in facets.")
    ] = None,
    lens: Annotated[str | None, Query(max_length=200)] = None,
    near: Annotated[
        str | None,
        Query(max_length=80, description="`lat,lon,km`: taken within km of that place."),
    ] = None,
    bbox: Annotated[
        str | None,
        Query(max_length=120, description="`south,west,north,east` in decimal degrees."),
    ] = None,
    has_location: bool | None = None,
    orientation: Annotated[str | None, Query(description="landscape, portrait or square.")] = None,
    min_width: Annotated[int | None, Query(ge=0)] = None,
    max_width: Annotated[int | None, Query(ge=0)] = None,
    min_height: Annotated[int | None, Query(ge=0)] = None,
    max_height: Annotated[int | None, Query(ge=0)] = None,
    min_duration: Annotated[float | None, Query(ge=0)] = None,
    max_duration: Annotated[float | None, Query(ge=0)] = None,
    min_pages: Annotated[int | None, Query(ge=0)] = None,
    max_pages: Annotated[int | None, Query(ge=0)] = None,
) -> LibraryFilter:
    return LibraryFilter(
        folder=folder,
        recursive=recursive,
        favorite=favorite,
        archived="any" if archived == "any" else archived == "true",
        taken_after=taken_after,
        taken_before=taken_before,
        camera=camera,
        lens=lens,
        near=filters.parse_near(near),
        box=filters.parse_box(bbox),
        has_location=has_location,
        orientation=filters.parse_orientation(orientation),
        min_width=min_width,
        max_width=max_width,
        min_height=min_height,
        max_height=max_height,
        min_duration=min_duration,
        max_duration=max_duration,
        min_pages=min_pages,
        max_pages=max_pages,
    )


LibraryParams = Annotated[LibraryFilter, Depends(library_filter)]
