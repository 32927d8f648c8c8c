"""The delete engine: one asset, a batch, or all of an owner's, by the same plan.

The decision is written first (the row goes, a tombstone and an audit entry come, in one
transaction) and bytes nothing else points at are removed after. Hard references block a
delete (`409 asset_delete_blocked`); the plan a dry run answers is the one a delete runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from satchel.assets.blobrefs import locked
from satchel.assets.models import Asset, Blob, Tombstone
from satchel.assets.service import not_found, owned_by
from satchel.audit.service import record
from satchel.blobs import BlobStore
from satchel.codes import Code
from satchel.db import Database
from satchel.errors import Conflict
from satchel.ids import looks_like
from satchel.lifecycle import plans
from satchel.webhooks import events


@dataclass(frozen=True)
class Deleted:
    plan: dict[str, Any] | None  # None: it had been deleted before (repeating is harmless)


def _addresses(asset: Asset) -> set[str]:
    return {d.sha256 for d in asset.derivatives} | ({asset.sha256} if asset.sha256 else set())


def _remove(
    *,
    db: Database,
    blobs: BlobStore,
    owner_id: str | None,
    asset_id: str,
    actor_id: str,
    ip: str | None = None,
    dry_run: bool = False,
) -> dict[str, Any] | None:
    """Delete the row and its derivatives, and the bytes nothing else points at.

    Returns the plan that was (or, with `dry_run`, would be) carried out, or None when
    there is no such asset. Hard references block it: `409 asset_delete_blocked`.
    """
    by_id = owned_by(select(Asset).where(Asset.id == asset_id), owner_id)
    for _ in range(3):
        with db.session() as session:
            first = session.scalars(by_id).first()
            if first is None:
                return None
            if dry_run:
                return plans.plan(session, first)
            shas, location = _addresses(first), first.store
        with locked(blobs, shas), db.write_session() as session:
            asset = session.scalars(by_id).first()
            if asset is None:
                return None
            if _addresses(asset) != shas:
                continue  # bytes landed in between; take the right locks and try again
            plan = plans.plan(session, asset)
            refuse_if_blocked(plan)
            session.delete(asset)  # derivatives and references go with it (ON DELETE CASCADE)
            session.add(Tombstone(asset_id=asset_id, owner_id=asset.owner_id, sha256=asset.sha256))
            announce_deleted(session, asset, actor_id=actor_id, ip=ip, permanent=True)
            unused = plans.unshared(plan)
            if unused:
                session.execute(delete(Blob).where(Blob.sha256.in_(unused)))
            session.commit()
            # The rows are gone; removing the bytes now is safe. A crash here leaves
            # orphan files that startup repair or GC reclaims, never a row without bytes.
            for sha in unused:
                blobs.delete(sha)
            if location is not None:  # a connection's copies go unless its other assets use them
                for sha in shas:
                    blobs.delete(sha, location)
            return plan
    raise Conflict("The asset changed while it was being deleted; try again.")


def delete_asset(
    *,
    db: Database,
    blobs: BlobStore,
    owner_id: str | None,
    asset_id: str,
    actor_id: str,
    ip: str | None = None,
    dry_run: bool = False,
) -> Deleted:
    """Delete (or plan to); an id deleted before answers again, an unknown one is 404."""
    plan = None
    if looks_like("ast", asset_id):
        plan = _remove(
            db=db,
            blobs=blobs,
            owner_id=owner_id,
            asset_id=asset_id,
            actor_id=actor_id,
            ip=ip,
            dry_run=dry_run,
        )
    if plan is not None:
        return Deleted(plan)
    if was_deleted(db=db, owner_id=owner_id, asset_id=asset_id):
        return Deleted(None)
    raise not_found(asset_id)


def was_deleted(*, db: Database, owner_id: str | None, asset_id: str) -> bool:
    """Whether this owner's asset of that id was deleted (its tombstone)."""
    with db.session() as session:
        tomb = session.get(Tombstone, asset_id)
    return tomb is not None and owner_id in (None, tomb.owner_id)


def batch_delete(
    *,
    db: Database,
    blobs: BlobStore,
    owner_id: str | None,
    ids: list[str],
    actor_id: str,
    ip: str | None = None,
) -> tuple[int, list[str], list[str]]:
    """Returns (deleted count, ids not found, ids blocked by hard references)."""
    deleted, missing, blocked = 0, [], []
    for asset_id in dict.fromkeys(ids):
        try:
            done = looks_like("ast", asset_id) and _remove(
                db=db,
                blobs=blobs,
                owner_id=owner_id,
                asset_id=asset_id,
                actor_id=actor_id,
                ip=ip,
            )
        except Conflict as exc:
            if exc.code != "asset_delete_blocked":
                raise
            blocked.append(asset_id)
            continue
        if done:
            deleted += 1
        else:
            missing.append(asset_id)
    return deleted, missing, blocked


def delete_all_for_owner(*, db: Database, blobs: BlobStore, owner_id: str, actor_id: str) -> int:
    """Delete every asset of one owner (before the owner's account goes); returns the count."""
    with db.session() as session:
        ids = list(session.scalars(select(Asset.id).where(Asset.owner_id == owner_id)))
    deleted, _, blocked = batch_delete(
        db=db, blobs=blobs, owner_id=owner_id, ids=ids, actor_id=actor_id
    )
    if blocked:
        raise Conflict(
            f"{len(blocked)} of the user's assets are still needed elsewhere (hard references).",
            code=Code.ASSET_DELETE_BLOCKED,
        )
    return deleted


def refuse_if_blocked(plan: dict[str, Any]) -> None:
    """409 `asset_delete_blocked` while hard references still need the asset."""
    if plan["blocked"]:
        raise Conflict(
            f"{plan['hard_reference_count']} hard reference(s) still need this asset; "
            "see GET /assets/{id}/references.",
            code=Code.ASSET_DELETE_BLOCKED,
        )


def announce_deleted(
    session: Session, asset: Asset, *, actor_id: str, ip: str | None, permanent: bool
) -> None:
    """The audit record and the `asset.deleted` event of a delete or a move to the trash,
    in the caller's transaction."""
    record(
        session,
        action="ASSET_DELETED" if permanent else "ASSET_TRASHED",
        actor_id=actor_id,
        ip=ip,
        target_type="asset",
        target_id=asset.id,
        owner_id=asset.owner_id,
        filename=asset.filename,
    )
    data = {**events.asset_data(asset), "permanent": permanent}
    events.emit(session, events.ASSET_DELETED, owner_id=asset.owner_id, data=data)
