"""Trashing, restoring, emptying and purging.

`DELETE /assets/{id}` trashes: the delete plan is computed and answered as it would be
for a permanent delete, the asset is marked `trashed_at` and becomes invisible to every
other read, and nothing is reclaimed yet. Emptying the trash, and the periodic purge of
what has been there longer than `SATCHEL_TRASH_DAYS`, run the delete engine (tombstones,
bytes to GC). Hard references block trashing as they block a delete: a trashed asset is
as unreadable to whatever needs it as a deleted one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from satchel.assets import deletion
from satchel.assets.models import Asset
from satchel.assets.service import not_found, owned_by
from satchel.audit.service import record
from satchel.blobs import BlobStore
from satchel.codes import Code
from satchel.db import Database, utcnow
from satchel.errors import Conflict, NotFound
from satchel.ids import looks_like
from satchel.lifecycle import plans
from satchel.uploads import service as uploads
from satchel.webhooks import events


@dataclass(frozen=True)
class Trashed:
    plan: dict[str, Any] | None  # None: deleted for good before (a tombstone)
    trashed_at: datetime | None = None
    already_trashed: bool = False


def trash(
    *,
    db: Database,
    owner_id: str | None,
    asset_id: str,
    actor_id: str,
    ip: str | None = None,
    dry_run: bool = False,
) -> Trashed:
    """Move one asset to the trash (or, with `dry_run`, answer its delete plan)."""
    by_id = owned_by(select(Asset).where(Asset.id == asset_id), owner_id)
    with db.write_session() if not dry_run else db.session() as session:
        asset = session.scalars(by_id).first() if looks_like("ast", asset_id) else None
        if asset is None:
            if deletion.was_deleted(db=db, owner_id=owner_id, asset_id=asset_id):
                return Trashed(None)
            raise not_found(asset_id)
        plan = plans.plan(session, asset)
        if dry_run:
            return Trashed(plan, asset.trashed_at, asset.trashed_at is not None)
        if asset.trashed_at is not None:
            return Trashed(plan, asset.trashed_at, True)
        deletion.refuse_if_blocked(plan)
        asset.trashed_at = utcnow()
        deletion.announce_deleted(session, asset, actor_id=actor_id, ip=ip, permanent=False)
        session.commit()
        return Trashed(plan, asset.trashed_at)


def trash_many(
    *, db: Database, owner_id: str | None, ids: list[str], actor_id: str, ip: str | None = None
) -> tuple[list[str], list[str], list[str]]:
    """Returns (trashed ids, ids not found, ids blocked by hard references)."""
    done: list[str] = []
    missing: list[str] = []
    blocked: list[str] = []
    for asset_id in dict.fromkeys(ids):
        try:
            result = trash(db=db, owner_id=owner_id, asset_id=asset_id, actor_id=actor_id, ip=ip)
        except Conflict as exc:
            if exc.code != Code.ASSET_DELETE_BLOCKED:
                raise
            blocked.append(asset_id)
            continue
        except NotFound:
            missing.append(asset_id)
            continue
        (done if result.plan is not None else missing).append(asset_id)
    return done, missing, blocked


def listing(
    session: Session, *, owner_id: str | None, limit: int, cursor: str | None
) -> tuple[list[Asset], str | None]:
    """The trash, most recently trashed first; the cursor is the last row's id."""
    stmt = owned_by(select(Asset).where(Asset.trashed_at.is_not(None)), owner_id)
    if cursor:
        last = session.scalars(owned_by(select(Asset).where(Asset.id == cursor), owner_id)).first()
        if last is not None and last.trashed_at is not None:
            stmt = stmt.where(tuple_(Asset.trashed_at, Asset.id) < (last.trashed_at, last.id))
    rows = list(
        session.scalars(stmt.order_by(Asset.trashed_at.desc(), Asset.id.desc()).limit(limit + 1))
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].id if more and rows else None


def restore(
    *, db: Database, owner_id: str | None, ids: list[str], actor_id: str, ip: str | None = None
) -> tuple[list[str], list[str]]:
    """Take assets out of the trash, same ids and bytes; returns (restored, not in trash)."""
    restored, missing = [], []
    with db.write_session() as session:
        for asset_id in dict.fromkeys(ids):
            asset = session.scalars(
                owned_by(
                    select(Asset).where(Asset.id == asset_id, Asset.trashed_at.is_not(None)),
                    owner_id,
                )
            ).first()
            if asset is None:
                missing.append(asset_id)
                continue
            asset.trashed_at = None
            asset.updated_at = utcnow()
            record(
                session,
                action="ASSET_RESTORED",
                actor_id=actor_id,
                ip=ip,
                target_type="asset",
                target_id=asset_id,
                owner_id=asset.owner_id,
            )
            data = events.asset_data(asset)
            events.emit(session, events.ASSET_RESTORED, owner_id=asset.owner_id, data=data)
            restored.append(asset_id)
        session.commit()
    return restored, missing


def _delete_for_good(
    *, db: Database, blobs: BlobStore, ids: list[str], actor_id: str | None
) -> tuple[int, list[str]]:
    deleted, blocked = 0, []
    for asset_id in ids:
        with db.session() as session:
            owner = session.scalar(select(Asset.owner_id).where(Asset.id == asset_id))
        if owner is None:
            continue
        try:
            deletion.delete_asset(
                db=db,
                blobs=blobs,
                owner_id=owner,
                asset_id=asset_id,
                actor_id=actor_id or owner,
            )
            deleted += 1
        except Conflict as exc:
            if exc.code != Code.ASSET_DELETE_BLOCKED:
                raise
            blocked.append(asset_id)
    return deleted, blocked


def empty(
    *, db: Database, blobs: BlobStore, owner_id: str | None, actor_id: str
) -> tuple[int, list[str]]:
    """Delete everything in the owner's trash for good; returns (deleted, blocked ids)."""
    with db.session() as session:
        ids = list(
            session.scalars(
                owned_by(select(Asset.id).where(Asset.trashed_at.is_not(None)), owner_id)
            )
        )
    return _delete_for_good(db=db, blobs=blobs, ids=ids, actor_id=actor_id)


def purge(*, db: Database, blobs: BlobStore, days: float, limit: int = 500) -> int:
    """Delete for good what has been in the trash longer than `days` (the periodic job);
    returns how many went. Each is the delete engine's (tombstone, audit, bytes to GC)."""
    cutoff = utcnow() - timedelta(days=days)
    with db.session() as session:
        ids = list(
            session.scalars(
                select(Asset.id)
                .where(Asset.trashed_at.is_not(None), Asset.trashed_at < cutoff)
                .order_by(Asset.trashed_at)
                .limit(limit)
            )
        )
    deleted, _ = _delete_for_good(db=db, blobs=blobs, ids=ids, actor_id=None)
    return deleted


def delete(
    *,
    db: Database,
    blobs: BlobStore,
    owner_id: str | None,
    asset_id: str,
    actor_id: str,
    ip: str | None = None,
    dry_run: bool = False,
    permanent: bool = False,
) -> tuple[deletion.Deleted, Trashed | None]:
    """`DELETE /assets/{id}`: to the trash, or for good with `permanent` (and always for
    an upload still in progress, which is cancelled). Returns the delete engine's answer,
    and the trash's when it trashed."""
    with db.session() as session:
        reserved = uploads.reservation(session, owner_id=owner_id, asset_id=asset_id)
    if permanent or reserved is not None or dry_run:
        done = uploads.delete_or_cancel(
            db=db,
            blobs=blobs,
            owner_id=owner_id,
            asset_id=asset_id,
            actor_id=actor_id,
            ip=ip,
            dry_run=dry_run,
        )
        return done, None
    result = trash(db=db, owner_id=owner_id, asset_id=asset_id, actor_id=actor_id, ip=ip)
    return deletion.Deleted(result.plan), result
