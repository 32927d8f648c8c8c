"""Processing stored assets: the job that extracts metadata and makes derivatives, and
reprocessing on request."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from satchel.assets.models import Asset, Derivative
from satchel.assets.service import (
    PROCESS_ASSET,
    drop_blob_if_unused,
    ensure_blob_row,
    get,
    locked,
    queue_processing,
)
from satchel.blobs import BlobStore, write_file
from satchel.db import Database, utcnow
from satchel.errors import Conflict
from satchel.jobs.models import TERMINAL, Job
from satchel.lifecycle import references
from satchel.processing.processors.base import (
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    run_processor,
)

log = logging.getLogger("satchel.processing")

PROCESSABLE = ("ready", "failed")  # statuses bulk reprocess picks up
_NUMERIC = ("width", "height", "duration", "pages")


@dataclass(frozen=True)
class Outcome:
    status: str  # "ready" | "failed" | "gone"
    reason: str | None = None


def mark_failed(db: Database, *, asset_id: str, reason: str) -> None:
    _set_status(db, asset_id, "failed", reason)
    with db.write_session() as session:
        references.remove_all(session, asset_id=asset_id, domain="jobs")
        session.commit()


def job_done(db: Database, *, job_id: str) -> None:
    """The job no longer points at its asset."""
    with db.write_session() as session:
        references.remove(session, domain="jobs", owner_id=job_id)
        session.commit()


def _set_status(db: Database, asset_id: str, status: str, reason: str | None = None) -> bool:
    with db.write_session() as session:
        asset = session.scalars(select(Asset).where(Asset.id == asset_id)).first()
        if asset is None:
            return False
        asset.status, asset.failure_reason = status, reason
        asset.updated_at = utcnow()
        if status in ("ready", "failed"):
            asset.processed_at = utcnow()
        session.commit()
        return True


def _store_derivative(
    *,
    db: Database,
    blobs: BlobStore,
    asset_id: str,
    kind: str,
    path: Path,
    media_type: str,
    width: int | None,
    height: int | None,
    location: str | None = None,
) -> str | None:
    """Place one derivative (in its asset's location) and point the asset at it; returns
    the replaced address."""
    writer = write_file(blobs, path, location)
    info = writer.finish()
    with locked(blobs, {info.sha256}), db.write_session() as session:
        if session.scalar(select(Asset.id).where(Asset.id == asset_id)) is None:
            writer.abort()  # deleted meanwhile: keep nothing
            return None
        writer.commit()
        ensure_blob_row(session, info)
        row = session.get(Derivative, (asset_id, kind))
        previous = row.sha256 if row is not None else None
        if row is None:
            row = Derivative(asset_id=asset_id, kind=kind)
            session.add(row)
        row.sha256, row.media_type, row.size = info.sha256, media_type, info.size
        row.width, row.height, row.created_at = width, height, utcnow()
        session.commit()
    return previous if previous != info.sha256 else None


def _apply(
    db: Database,
    blobs: BlobStore,
    asset_id: str,
    result: ProcessResult,
    location: str | None = None,
) -> bool:
    replaced: list[str] = []
    kinds = set()
    for d in result.derivatives:
        kinds.add(d.kind)
        old = _store_derivative(
            db=db,
            blobs=blobs,
            asset_id=asset_id,
            kind=d.kind,
            path=d.path,
            media_type=d.media_type,
            width=d.width,
            height=d.height,
            location=location,
        )
        if old:
            replaced.append(old)
    with db.write_session() as session:
        asset = session.scalars(select(Asset).where(Asset.id == asset_id)).first()
        if asset is None:
            return False
        # Derivatives this run no longer makes go (a reprocess after a processor change).
        stale = session.scalars(
            select(Derivative).where(Derivative.asset_id == asset_id, Derivative.kind.not_in(kinds))
        ).all()
        replaced += [d.sha256 for d in stale]
        session.execute(
            delete(Derivative).where(Derivative.asset_id == asset_id, Derivative.kind.not_in(kinds))
        )
        asset.info = result.metadata
        asset.raw_metadata = result.raw
        for name in _NUMERIC:
            if result.metadata.get(name) is not None:
                setattr(asset, name, result.metadata[name])
        asset.status, asset.failure_reason = "ready", None
        asset.processed_at = asset.updated_at = utcnow()
        session.commit()
    for sha in set(replaced):
        drop_blob_if_unused(db=db, blobs=blobs, sha256=sha)
        if location is not None:
            with blobs.lock(sha):
                blobs.delete(sha, location)
    return True


def process_asset(
    *,
    db: Database,
    blobs: BlobStore,
    asset_id: str,
    limits: ProcessLimits,
    progress: Any = None,
) -> Outcome:
    """Extract metadata and make derivatives; idempotent (a rerun replaces the outputs)."""
    with db.session() as session:
        asset = session.scalars(select(Asset).where(Asset.id == asset_id)).first()
        if asset is None or asset.sha256 is None or asset.status == "uploading":
            return Outcome("gone")
        sha, media_type, kind, location = asset.sha256, asset.media_type, asset.kind, asset.store
    if not _set_status(db, asset_id, "processing"):
        return Outcome("gone")
    try:
        with tempfile.TemporaryDirectory(prefix="process-", dir=blobs_tmp(blobs)) as out:
            with blobs.local_copy(sha) as source:
                result = run_processor(
                    source,
                    media_type=media_type,
                    kind=kind,
                    out_dir=Path(out),
                    limits=limits,
                    progress=progress,
                )
            if not _apply(db, blobs, asset_id, result, location):
                return Outcome("gone")
    except ProcessingFailed as exc:
        reason = str(exc) or "processing failed"
        return (
            Outcome("failed", reason)
            if _set_status(db, asset_id, "failed", reason)
            else (Outcome("gone"))
        )
    return Outcome("ready")


def blobs_tmp(blobs: BlobStore) -> str:
    return str(blobs.scratch_dir)


def reprocess(session: Session, *, owner_id: str | None, asset_id: str, actor_id: str) -> Job:
    """Queue processing again for one asset (the caller enqueues after commit)."""
    asset = get(session=session, owner_id=owner_id, asset_id=asset_id)
    if asset.status == "uploading":
        raise Conflict("The asset's bytes have not been uploaded yet.", code="asset_not_uploaded")
    job = queue_processing(session, asset=asset, actor_id=actor_id)
    session.commit()
    return job


def bulk_reprocess(
    session: Session,
    *,
    owner_id: str | None,
    actor_id: str,
    cursor: str | None,
    limit: int,
    kind: str | None,
) -> tuple[list[str], str | None]:
    """Queue up to `limit` ready or failed assets after `cursor`; returns job ids and the
    cursor to continue from (None when done)."""
    stmt = select(Asset).where(Asset.status.in_(PROCESSABLE))
    if owner_id is not None:
        stmt = stmt.where(Asset.owner_id == owner_id)
    if kind:
        stmt = stmt.where(Asset.kind == kind)
    if cursor:
        stmt = stmt.where(Asset.id > cursor)
    rows = list(session.scalars(stmt.order_by(Asset.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    job_ids = []
    for asset in rows:
        job_ids.append(queue_processing(session, asset=asset, actor_id=actor_id).id)
    session.commit()
    return job_ids, rows[-1].id if more and rows else None


def stuck_assets(session: Session, *, older_than: timedelta) -> list[Asset]:
    """Assets waiting for processing with no live job (lost to a crash or a restart)."""
    limit = utcnow() - older_than
    live = select(Job.subject_id).where(Job.kind == PROCESS_ASSET, Job.status.not_in(TERMINAL))
    return list(
        session.scalars(
            select(Asset)
            .where(
                Asset.status.in_(("pending", "processing")),
                Asset.updated_at < limit,
                Asset.id.not_in(live),
            )
            .limit(500)
        )
    )
