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

from satchel.assets.blobrefs import drop_blob_if_unused, ensure_blob_row, locked
from satchel.assets.indexing import indexed_columns
from satchel.assets.models import Asset, AssetStatus, Derivative, FailureCode
from satchel.assets.service import get
from satchel.blobs import BlobStore, write_file
from satchel.db import Database, utcnow
from satchel.jobs import service as jobs
from satchel.jobs.models import TERMINAL, Job
from satchel.lifecycle import references
from satchel.media.errors import ImageDecodeError, PdfError
from satchel.processing.processors.base import (
    ProcessingFailed,
    ProcessLimits,
    ProcessResult,
    run_processor,
)
from satchel.webhooks import events

log = logging.getLogger("satchel.processing")

# The job kind that processes a newly stored asset (its handler is `processing.jobs`).
PROCESS_ASSET = "assets.process"
PROCESSABLE = (AssetStatus.READY, AssetStatus.FAILED)  # statuses bulk reprocess picks up
_NUMERIC = ("width", "height", "duration", "pages")
# Libraries whose failure to read a stored file means its bytes are damaged: sniffing at
# upload checks structure cheaply, the decoders have the last word (`asset_file_corrupt`).
_DECODERS = frozenset(
    {
        "pyvips", "PIL", "pillow_heif", "av", "mutagen", "pypdfium2", "pypdfium2_raw",
        "pikepdf", "ezdxf", "zipfile", "xml", "pyexpat", "csv", "json",
    }
)  # fmt: skip


def queue_processing(
    session: Session,
    *,
    asset: Asset,
    actor_id: str | None,
    enrich: bool | None = None,
    skills: list[str] | None = None,
) -> Job:
    """A processing job for the asset, with its soft reference, in the caller's transaction
    (enqueue the job id after the commit). `enrich`: run AI enrichment after (None: the
    `run_enrichment` setting); `skills`: which skills it runs (None: the setting's)."""
    asset.status = AssetStatus.PENDING
    params: dict[str, Any] = {}
    if enrich is not None:
        params["enrich"] = enrich
    if skills is not None:
        params["skills"] = skills
    job = jobs.create(
        session, kind=PROCESS_ASSET, owner_id=actor_id, subject_id=asset.id, params=params
    )
    references.add(
        session, asset_id=asset.id, domain="jobs", owner_id=job.id, role="input", hard=False
    )
    return job


def latest_job_id(session: Session, *, asset_id: str) -> str | None:
    """The asset's most recent processing job: what a duplicate upload answers, so that a
    caller waiting for "its" job waits for the processing the stored asset got."""
    return session.scalars(
        select(Job.id)
        .where(Job.subject_id == asset_id, Job.kind == PROCESS_ASSET)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(1)
    ).first()


GONE = "gone"  # the asset was deleted meanwhile: nothing to do, and not an error


@dataclass(frozen=True)
class Outcome:
    status: str  # AssetStatus.READY | AssetStatus.FAILED | GONE
    reason: str | None = None
    code: str | None = None  # a FailureCode when failed


def failure_code(exc: ProcessingFailed) -> str:
    """The stable code of a processing failure: a decoder that could not read the file
    (the processor wrapped its exception) means the file is corrupt."""
    if exc.code != FailureCode.PROCESSING_FAILED:
        return exc.code
    cause = exc.__cause__
    for _ in range(4):  # the engines wrap the library's own exception
        if cause is None:
            break
        library = type(cause).__module__.split(".", 1)[0]
        if library in _DECODERS or type(cause) in (ImageDecodeError, PdfError):
            return FailureCode.FILE_CORRUPT
        cause = cause.__cause__
    return exc.code


def mark_failed(db: Database, *, asset_id: str, reason: str, code: str) -> None:
    """Processing was given up (cancelled, or its worker died): say so on the asset."""
    _set_status(db, asset_id, AssetStatus.FAILED, reason, code)
    with db.write_session() as session:
        references.remove_all(session, asset_id=asset_id, domain="jobs")
        session.commit()


def job_done(db: Database, *, job_id: str) -> None:
    """The job no longer points at its asset."""
    with db.write_session() as session:
        references.remove(session, domain="jobs", owner_id=job_id)
        session.commit()


def _set_status(
    db: Database,
    asset_id: str,
    status: AssetStatus,
    reason: str | None = None,
    code: str | None = None,
) -> bool:
    with db.write_session() as session:
        asset = session.scalars(select(Asset).where(Asset.id == asset_id)).first()
        if asset is None:
            return False
        asset.status, asset.failure_reason, asset.failure_code = status, reason, code
        asset.updated_at = utcnow()
        if status in (AssetStatus.READY, AssetStatus.FAILED):
            asset.processed_at = utcnow()
        if status == AssetStatus.FAILED:
            data = events.asset_data(asset)
            events.emit(session, events.ASSET_FAILED, owner_id=asset.owner_id, data=data)
        session.commit()
        return True


def store_derivative(
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
        old = store_derivative(
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
        indexed = indexed_columns(
            result.metadata, width=asset.width, height=asset.height, created_at=asset.created_at
        )
        for name, value in indexed.items():
            setattr(asset, name, value)
        asset.status, asset.failure_reason, asset.failure_code = AssetStatus.READY, None, None
        asset.processed_at = asset.updated_at = utcnow()
        data = events.asset_data(asset)
        events.emit(session, events.ASSET_READY, owner_id=asset.owner_id, data=data)
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
        if asset is None or asset.sha256 is None:
            return Outcome(GONE)
        sha, media_type, kind, location = asset.sha256, asset.media_type, asset.kind, asset.store
    if not _set_status(db, asset_id, AssetStatus.PROCESSING):
        return Outcome(GONE)
    try:
        with tempfile.TemporaryDirectory(prefix="process-", dir=blobs_tmp(blobs)) as out:
            with blobs.at(location).local_copy(sha) as source:
                result = run_processor(
                    source,
                    media_type=media_type,
                    kind=kind,
                    out_dir=Path(out),
                    limits=limits,
                    progress=progress,
                )
            if not _apply(db, blobs, asset_id, result, location):
                return Outcome(GONE)
    except ProcessingFailed as exc:
        reason, code = str(exc) or "processing failed", failure_code(exc)
        if not _set_status(db, asset_id, AssetStatus.FAILED, reason, code):
            return Outcome(GONE)
        return Outcome(AssetStatus.FAILED, reason, code)
    return Outcome(AssetStatus.READY)


def blobs_tmp(blobs: BlobStore) -> str:
    return str(blobs.scratch_dir)


def reprocess(session: Session, *, owner_id: str | None, asset_id: str, actor_id: str) -> Job:
    """Queue processing again for one asset (the caller enqueues after commit)."""
    asset = get(session=session, owner_id=owner_id, asset_id=asset_id)
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
                Asset.status.in_((AssetStatus.PENDING, AssetStatus.PROCESSING)),
                Asset.updated_at < limit,
                Asset.id.not_in(live),
            )
            .limit(500)
        )
    )
