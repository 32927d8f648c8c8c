"""Listing assets: filters, full-text search and keyset pagination."""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    literal,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from satchel.assets import filters
from satchel.assets.filters import LibraryFilter
from satchel.assets.models import Asset, AssetTag
from satchel.errors import Invalid

SortKey = Literal["created_at", "size", "filename", "taken_at"]
_SORT_ALIASES = {
    "taken_at": "taken_at",
    "takenAt": "taken_at",
    "created_at": "created_at",
    "createdAt": "created_at",
    "createdAtUtc": "created_at",
    "size": "size",
    "filename": "filename",
    "file_name": "filename",
    "originalFileName": "filename",
}
_TOKEN = re.compile(r"\w[\w.\-]*", re.UNICODE)
# SQLite's planner has no statistics (the app never runs ANALYZE): it walks the listing's
# sort index for any `seq IN (tagged or found)` condition, which finds a common tag's page
# at once but reads every asset for a rare one. So a tag or a search is first looked up
# with this cap: under it, its assets are fetched by primary key and sorted (at most this
# many); at or over it, the sort index is walked, and each row is checked by its tags'
# primary key (a tag) or against the found set (a search): with one asset in
# FEW_MATCHES / N matching, a page of 50 is found within 50 × N / FEW_MATCHES rows.
FEW_MATCHES = 5000
# The same holds for a range filter (a place, a capture-time range, a width range): each
# has its index, which finds a small range's rows at once, but a wide one means reading
# and sorting all of its rows. So the range's index is first counted with the same cap: at
# or over it, the sort index is walked: SQLite gets the filter on expressions its index
# does not serve; PostgreSQL is told not to sort for this statement (an expression would
# cost it its row estimate, and with it the plan: it guessed ten rows and read the table).
# SQLite needs it for each range; PostgreSQL's statistics judge time and width ranges
# well, but not a place (latitude and longitude are far from independent: it guessed 855
# of the 26,000 rows a 1°×1° box over a city holds, and read and sorted all of them).
_PG_WALK = "SET LOCAL enable_sort = {sort}; SET LOCAL max_parallel_workers_per_gather = {workers}"
_PROBED = {"sqlite": (filters.PLACE, filters.TAKEN, filters.WIDTH), "postgresql": (filters.PLACE,)}


@dataclass(frozen=True)
class ListQuery:
    limit: int = 50
    cursor: str | None = None
    q: str | None = None
    kind: str | None = None
    media_type: str | None = None
    status: str | None = None
    tag: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    modified_after: datetime | None = None
    sort: str = "created_at"
    order: Literal["asc", "desc"] = "desc"
    library: LibraryFilter = field(default_factory=LibraryFilter)


def normalize_sort(value: str) -> str:
    key = _SORT_ALIASES.get(value)
    if key is None:
        raise Invalid(
            f"Cannot sort by {value!r}.",
            fields=[{"field": "sort", "message": "one of created_at, size, filename, taken_at"}],
        )
    return key


def fts_query(q: str) -> str | None:
    """User words as an FTS5 query: every word must match as a prefix (no FTS syntax)."""
    tokens = _TOKEN.findall(q)
    return " ".join(f'"{t}"*' for t in tokens[:16]) or None


def ts_query(q: str) -> str | None:
    """The same words as a PostgreSQL `tsquery` literal: each a prefix, all required.

    Tokens hold only word characters, `.` and `-`, so quoting them needs no escapes; they
    are folded (case, accents) the way `satchel_fold` folds the indexed text.
    """
    tokens = [fold(t) for t in _TOKEN.findall(q)[:16]]
    return " & ".join(f"'{t}':*" for t in tokens if t) or None


def fold(token: str) -> str:
    decomposed = unicodedata.normalize("NFKD", token.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# (condition, True when it names a few rows to fetch by primary key): see FEW_MATCHES.
Matched = tuple[ColumnElement[bool], bool]


def _search(session: Session, q: str) -> Matched | None:
    """The full-text condition for `q`: FTS5 on SQLite, the tsvector + GIN on PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        match = ts_query(q)
        if match is None:
            return None
        found = text("assets.search_document @@ CAST(:tsq AS tsquery)").bindparams(tsq=match)
        return and_(found), False
    fts = fts_query(q)
    if fts is None:
        return None
    matching = (
        select(text("rowid"))
        .select_from(text("assets_fts"))
        .where(text("assets_fts MATCH :match"))
        .params(match=fts)
    )
    return _few_or_walk(session, matching, walk=Asset.seq.in_(matching))


def _tagged(session: Session, tag: str) -> Matched:
    tagged = select(AssetTag.asset_seq).where(AssetTag.tag == tag)
    if session.get_bind().dialect.name != "sqlite":
        return Asset.seq.in_(tagged), False
    probe = exists().where(AssetTag.asset_seq == Asset.seq, AssetTag.tag == tag)
    return _few_or_walk(session, tagged, walk=probe)


def _few_or_walk(session: Session, seqs: Select[Any], *, walk: ColumnElement[bool]) -> Matched:
    found = list(session.scalars(seqs.limit(FEW_MATCHES)))
    if len(found) < FEW_MATCHES:
        return Asset.seq.in_(found), True
    return walk, False


def _wide_ranges(session: Session, owner_id: str | None, f: LibraryFilter) -> frozenset[str]:
    """The range filters of `f` matching at least FEW_MATCHES of the owner's assets."""
    dialect = session.get_bind().dialect.name
    probed = _PROBED.get(dialect, ())
    if owner_id is None:
        return frozenset()
    wide = set()
    for name, conditions in filters.ranges(f).items():
        if name in probed:
            probe = select(literal(1)).where(Asset.owner_id == owner_id, *conditions)
            counted = select(func.count()).select_from(probe.limit(FEW_MATCHES).subquery())
            if session.execute(counted).scalar_one() >= FEW_MATCHES:  # no 5000 rows here
                wide.add(name)
    return frozenset(wide)


def _encode_cursor(value: Any, asset_id: str) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value, asset_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> tuple[Any, str]:
    try:
        value, asset_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if sort in ("created_at", "taken_at"):
            value = datetime.fromisoformat(value)
        elif sort == "size" and not isinstance(value, int):
            raise ValueError("size cursor")
        if not isinstance(asset_id, str):
            raise ValueError("id")
        return value, asset_id
    except (ValueError, TypeError) as exc:
        raise Invalid(
            "The cursor is not valid.", fields=[{"field": "cursor", "message": "not valid"}]
        ) from exc


def list_assets(
    *, session: Session, owner_id: str | None, query: ListQuery
) -> tuple[list[Asset], str | None]:
    sort = normalize_sort(query.sort)
    column: Any = {
        "created_at": Asset.created_at,
        "size": Asset.size,
        "filename": Asset.filename,
        "taken_at": Asset.taken_at,
    }[sort]
    stmt: Select[Asset] = select(Asset)
    walk = _wide_ranges(session, owner_id, query.library)
    sqlite = session.get_bind().dialect.name == "sqlite"
    conditions: list[ColumnElement[bool]] = filters.conditions(
        query.library, walk=walk if sqlite else frozenset()
    )
    if query.kind:
        conditions.append(Asset.kind == query.kind)
    if query.media_type:
        conditions.append(Asset.media_type == query.media_type)
    if query.status:
        conditions.append(Asset.status == query.status)
    by_key = False  # a few rows named by primary key: fetch those, then sort
    if query.tag:
        tagged, few = _tagged(session, query.tag)
        conditions.append(tagged)
        by_key |= few
    if query.created_after:
        conditions.append(Asset.created_at > query.created_after)
    if query.created_before:
        conditions.append(Asset.created_at < query.created_before)
    if query.modified_after:
        conditions.append(Asset.updated_at > query.modified_after)
    if query.q:
        searched = _search(session, query.q)
        if searched is None:
            return [], None
        conditions.append(searched[0])
        by_key |= searched[1]
    if query.cursor:
        value, last_id = _decode_cursor(query.cursor, sort)
        # A row-value comparison lets the database seek straight into the sort index;
        # the OR-expanded form walks it from the top.
        key, after = tuple_(column, Asset.id), tuple_(value, last_id)
        conditions.append(key < after if query.order == "desc" else key > after)
    if owner_id is not None:
        # SQLite only (by_key): a unary `+` keeps the owner's sort indexes out of the plan,
        # so the few rows are looked up by primary key and sorted, not searched for by
        # walking every row of the owner in sort order.
        owner = literal_column("+assets.owner_id") if by_key else Asset.owner_id
        conditions.append(owner == owner_id)
    if conditions:
        stmt = stmt.where(*conditions)
    if query.order == "desc":
        stmt = stmt.order_by(column.desc(), Asset.id.desc())
    else:
        stmt = stmt.order_by(column.asc(), Asset.id.asc())
    if walk and not sqlite:
        # A walk reads a few hundred index entries: no sort, and no parallel workers (their
        # start alone took 14 ms of the 17 the statement took at a million assets).
        session.execute(text(_PG_WALK.format(sort="off", workers="0")))
    rows = list(session.scalars(stmt.limit(query.limit + 1)))
    if walk and not sqlite:
        session.execute(text(_PG_WALK.format(sort="DEFAULT", workers="DEFAULT")))
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        last = rows[-1]
        next_cursor = _encode_cursor(getattr(last, sort), last.id)
    return rows, next_cursor
