"""Facets of the caller's library, for filter menus and timelines: counts per kind, per
year and month taken, per camera and per tag; and the exact duplicates to review."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from satchel.assets.filters import LibraryFilter, conditions
from satchel.assets.models import Asset, AssetFacet, AssetTag

MAX_VALUES = 100


def _month(session: Session) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", Asset.taken_at)
    return func.to_char(Asset.taken_at, "YYYY-MM")


def facets(session: Session, *, owner_id: str, library: LibraryFilter) -> dict[str, Any]:
    """Counts over the assets `library` selects (not trashed; archived only when asked).

    The default view's are kept by the database (`asset_facets`, migration 0020), so the
    filter menus of a million assets open at once; filtered ones are counted live.
    """
    if library == LibraryFilter():
        return kept_facets(session, owner_id=owner_id)
    return live_facets(session, owner_id=owner_id, library=library)


def kept_facets(session: Session, *, owner_id: str) -> dict[str, Any]:
    """The default view's facets from the counts the triggers keep."""
    rows = session.execute(
        select(AssetFacet.facet, AssetFacet.value, AssetFacet.make, AssetFacet.count).where(
            AssetFacet.owner_id == owner_id, AssetFacet.count > 0
        )
    ).all()
    by_facet: dict[str, list[tuple[str, str, int]]] = {}
    for facet, value, make, count in rows:
        by_facet.setdefault(facet, []).append((value, make, int(count)))

    def top(facet: str, limit: int = MAX_VALUES) -> list[tuple[str, str, int]]:
        return sorted(by_facet.get(facet, []), key=lambda r: (-r[2], r[0]))[:limit]

    months = sorted(((v, c) for v, _, c in by_facet.get("month", [])), reverse=True)
    return _shaped(
        total=sum(c for *_, c in by_facet.get("total", [])),
        kinds=[(v, c) for v, _, c in top("kind")],
        months=months[:10_000],
        cameras=[(m or None, v, c) for v, m, c in top("camera")],
        orientations=[(v, c) for v, _, c in top("orientation")],
        tags=[(v, c) for v, _, c in top("tag")],
        with_location=sum(c for *_, c in by_facet.get("location", [])),
    )


def _shaped(
    *,
    total: int,
    kinds: list[tuple[Any, int]],
    months: list[tuple[Any, int]],
    cameras: list[tuple[Any, Any, int]],
    orientations: list[tuple[Any, int]],
    tags: list[tuple[Any, int]],
    with_location: int,
) -> dict[str, Any]:
    years: dict[str, int] = {}
    for value, count in months:
        years[value[:4]] = years.get(value[:4], 0) + count
    return {
        "total": total,
        "kinds": [{"value": v, "count": c} for v, c in kinds],
        "years": [{"value": y, "count": c} for y, c in sorted(years.items(), reverse=True)],
        "months": [{"value": m, "count": c} for m, c in months],
        "cameras": [{"value": model, "make": make, "count": c} for make, model, c in cameras],
        "orientations": [{"value": v, "count": c} for v, c in orientations],
        "tags": [{"value": t, "count": c} for t, c in tags],
        "with_location": with_location,
    }


def live_facets(session: Session, *, owner_id: str, library: LibraryFilter) -> dict[str, Any]:
    """The same counts, counted over the assets (any filter)."""
    where = [Asset.owner_id == owner_id, *conditions(library)]

    def counted(column: Any, *, limit: int = MAX_VALUES) -> list[tuple[Any, int]]:
        stmt = (
            select(column, func.count())
            .where(*where, column.is_not(None))
            .group_by(column)
            .order_by(func.count().desc(), column)
            .limit(limit)
        )
        return [(value, int(count)) for value, count in session.execute(stmt)]

    months = sorted(counted(_month(session), limit=10_000), reverse=True)
    cameras = session.execute(
        select(Asset.camera_make, Asset.camera_model, func.count())
        .where(*where, Asset.camera_model.is_not(None))
        .group_by(Asset.camera_make, Asset.camera_model)
        .order_by(func.count().desc(), Asset.camera_model)
        .limit(MAX_VALUES)
    ).all()
    tags = session.execute(
        select(AssetTag.tag, func.count())
        .join(Asset, Asset.seq == AssetTag.asset_seq)
        .where(*where)
        .group_by(AssetTag.tag)
        .order_by(func.count().desc(), AssetTag.tag)
        .limit(MAX_VALUES)
    ).all()
    total = session.scalar(select(func.count()).select_from(Asset).where(*where)) or 0
    located = session.scalar(
        select(func.count()).select_from(Asset).where(*where, Asset.latitude.is_not(None))
    )
    return _shaped(
        total=int(total),
        kinds=counted(Asset.kind),
        months=months,
        cameras=[(make, model, int(c)) for make, model, c in cameras],
        orientations=counted(Asset.orientation),
        tags=[(t, int(c)) for t, c in tags],
        with_location=int(located or 0),
    )


def duplicates(
    session: Session, *, owner_id: str, limit: int = 100, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Groups of the owner's assets holding the same bytes (stored with `dedupe=false`, or
    in different folders), largest waste first by SHA-256; near-duplicates (similar
    pictures) are not exact and are not here."""
    live = [Asset.owner_id == owner_id, Asset.trashed_at.is_(None), Asset.sha256.is_not(None)]
    groups = select(Asset.sha256, func.count().label("n")).where(*live).group_by(Asset.sha256)
    groups = groups.having(func.count() > 1)
    if cursor:
        groups = groups.where(Asset.sha256 > cursor)
    shas = [sha for sha, _ in session.execute(groups.order_by(Asset.sha256).limit(limit + 1))]
    more = len(shas) > limit
    shas = shas[:limit]
    rows = session.scalars(
        select(Asset).where(*live, Asset.sha256.in_(shas)).order_by(Asset.sha256, Asset.seq)
    ).all()
    by_sha: dict[str, list[Asset]] = {}
    for asset in rows:
        by_sha.setdefault(asset.sha256 or "", []).append(asset)
    out = [
        {
            "sha256": sha,
            "kind": "exact",
            "count": len(members),
            "size": members[0].size,
            "wasted_bytes": members[0].size * (len(members) - 1),
            "assets": [
                {"id": a.id, "filename": a.filename, "folder": a.folder, "created_at": a.created_at}
                for a in members
            ],
        }
        for sha, members in by_sha.items()
    ]
    return out, shas[-1] if more and shas else None
