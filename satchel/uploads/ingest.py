"""The one way bytes become an asset, whatever brought them (form, inline base64, signed
PUT, multipart, tus, a tool's result): sniffed and accepted before the asset row commits.

A refused file (its type, a corrupt structure, an empty file, an image too large) raises
a `SatchelError` and leaves nothing stored. The same owner's identical bytes of the same
type answer the existing asset (`deduplicated`) unless dedupe is off. An announced
upload's reservation (`Intent.upload_id`) is marked done in the transaction that creates
its asset, so the bytes are never held by neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from satchel.assets.blobrefs import blob_in_use, ensure_blob_row
from satchel.assets.filenames import clean_filename
from satchel.assets.indexing import orientation_of
from satchel.assets.models import Asset, AssetStatus, Blob
from satchel.assets.names import free_name
from satchel.assets.schemas import AssetFields
from satchel.assets.service import live, normalized_tags, set_tags
from satchel.blobs import BlobInfo, BlobStore, BlobWriter
from satchel.codes import Code
from satchel.db import Database, utcnow
from satchel.errors import InsufficientStorage, Invalid, NotFound
from satchel.ids import new_id
from satchel.media import MediaInfo, MediaLimits, sniff_file
from satchel.metrics.counters import UPLOAD_BYTES, UPLOADS
from satchel.processing.service import latest_job_id, queue_processing
from satchel.uploads.models import Upload, UploadState
from satchel.webhooks import events


@dataclass(frozen=True)
class Ingested:
    asset: Asset
    deduplicated: bool
    job_id: str | None = None  # enqueue it once the caller is done (after the commit)
    existing_job_id: str | None = None  # a duplicate: the stored asset's latest job

    @property
    def answer_job_id(self) -> str | None:
        """The job the caller can wait for: the new one, or the duplicate's."""
        return self.job_id or self.existing_job_id


def duplicate(session: Session, asset: Asset) -> Ingested:
    return Ingested(asset, True, existing_job_id=latest_job_id(session, asset_id=asset.id))


@dataclass(frozen=True)
class Intent:
    """What the asset will be, as the upload said (the content decides its type)."""

    owner_id: str
    filename: str | None
    declared_type: str | None
    fields: AssetFields
    dedupe: bool = True
    location: str | None = None  # a storage connection id; None: managed storage
    asset_id: str | None = None  # the id an announcement reserved; None: a new one
    upload_id: str | None = None  # that announcement, marked done with the asset
    mode: str = "form"  # how the bytes came (form, inline, put, multipart, tus, output)


def intent_of(upload: Upload) -> Intent:
    """The intent an announced upload recorded."""
    return Intent(
        owner_id=upload.owner_id,
        filename=upload.filename,
        declared_type=upload.declared_type,
        fields=AssetFields.model_validate(upload.fields or {}),
        dedupe=upload.dedupe,
        location=upload.store,
        asset_id=upload.asset_id,
        upload_id=upload.id,
        mode=upload.protocol,
    )


def inspect(path: Path, *, size: int, intent: Intent, limits: MediaLimits) -> MediaInfo:
    """What the bytes at `path` are, or the refusal (nothing is stored yet)."""
    if size == 0:
        raise Invalid("The uploaded file is empty.", code=Code.ASSET_FILE_EMPTY)
    return sniff_file(
        path, declared_type=intent.declared_type, filename=intent.filename, limits=limits
    )


def _counted(ingested: Ingested, intent: Intent, size: int) -> Ingested:
    UPLOADS.labels(intent.mode, str(ingested.deduplicated).lower()).inc()
    UPLOAD_BYTES.labels(intent.mode).inc(size)
    return ingested


def ingest(
    *, db: Database, blobs: BlobStore, limits: MediaLimits, writer: BlobWriter, intent: Intent
) -> Ingested:
    """Turn bytes received into `writer` (in `intent.location`) into an asset, or refuse
    them leaving nothing."""
    try:
        info = writer.finish()
        media = inspect(writer.temp_path, size=info.size, intent=intent, limits=limits)
    except BaseException:
        writer.abort()
        raise
    # Under the address's lock (which also serializes this owner's identical uploads), the
    # duplicate check and the placing of the bytes need no database write lock; the write
    # transaction afterwards is short. A crash between the two leaves an orphan file for GC.
    with blobs.lock(info.sha256):
        if intent.dedupe:
            with db.session() as session:
                existing = _duplicate(session, intent, info.sha256, media.media_type)
                found = duplicate(session, existing) if existing is not None else None
            if existing is not None and found is not None:
                writer.abort()
                if intent.upload_id is not None:
                    with db.write_session() as session:
                        _finish_upload(session, intent, existing.id, info.size)
                        session.commit()
                return _counted(found, intent, info.size)
        writer.commit()
        try:
            with db.write_session() as session:
                return _counted(_insert(session, intent, info, media), intent, info.size)
        except (OperationalError, NotFound) as exc:
            # The row could not be written (a full disk, or the upload ended meanwhile):
            # take back the bytes just placed unless something else uses them.
            with db.session() as session:
                if intent.location is not None:
                    blobs.delete(info.sha256, intent.location)
                elif not blob_in_use(session, info.sha256):
                    blobs.delete(info.sha256)
            if isinstance(exc, OperationalError) and "full" in str(exc.orig).lower():
                raise InsufficientStorage("The storage is full; nothing was stored.") from exc
            raise


def ingest_placed(
    *, db: Database, blobs: BlobStore, limits: MediaLimits, sha256: str, intent: Intent
) -> Ingested:
    """Turn bytes already placed under their address (by a signed PUT, held by its upload
    row) into the upload's asset, or refuse them (the caller ends the upload)."""
    with blobs.at(intent.location).local_copy(sha256) as path:
        media = inspect(path, size=path.stat().st_size, intent=intent, limits=limits)
    with blobs.lock(sha256), db.write_session() as session:
        blob = session.get(Blob, sha256)
        if blob is None:  # the upload's bytes must be held by it: a bug, or a damaged store
            raise NotFound(
                "The upload's bytes are missing; send them again.", code=Code.UPLOAD_NOT_FOUND
            )
        if intent.dedupe:
            existing = _duplicate(session, intent, sha256, media.media_type)
            if existing is not None:
                _finish_upload(session, intent, existing.id, blob.size)
                found = duplicate(session, existing)
                session.commit()
                return _counted(found, intent, blob.size)
        info = BlobInfo(sha256=sha256, size=blob.size, chunk_sums=blob.chunk_sums)
        return _counted(_insert(session, intent, info, media), intent, blob.size)


def _duplicate(session: Session, intent: Intent, sha256: str, media_type: str) -> Asset | None:
    return session.scalars(
        select(Asset)
        .where(
            Asset.owner_id == intent.owner_id,
            Asset.sha256 == sha256,
            # per store: an upload aimed at a connection lands in that bucket
            Asset.store.is_(None) if intent.location is None else Asset.store == intent.location,
            Asset.media_type == media_type,
            # A twin in the trash is not answered: its id reads as 404 everywhere.
            live(),
        )
        .limit(1)
    ).first()


def _finish_upload(session: Session, intent: Intent, asset_id: str, size: int) -> None:
    """Mark the intent's upload done (it became `asset_id`); the asset holds the bytes now."""
    if intent.upload_id is None:
        return
    upload = session.get(Upload, intent.upload_id)
    if upload is None or upload.state != UploadState.OPEN:
        raise NotFound(
            f"No upload {intent.upload_id}, or it has ended.", code=Code.UPLOAD_NOT_FOUND
        )
    upload.state, upload.result_asset_id = UploadState.DONE, asset_id
    upload.sha256, upload.busy_until, upload.offset = None, None, size
    upload.updated_at = utcnow()


def _insert(session: Session, intent: Intent, info: BlobInfo, media: MediaInfo) -> Ingested:
    """The new asset row, its tags and its processing job, committed (with the upload's
    end, when it was announced)."""
    asset_id = intent.asset_id or new_id("ast")
    _finish_upload(session, intent, asset_id, info.size)
    ensure_blob_row(session, info)
    now = utcnow()
    fields = intent.fields
    folder = fields.folder or "/"
    filename = clean_filename(intent.filename, media_type=media.media_type)
    if not fields.allow_duplicates:
        filename = free_name(session, owner_id=intent.owner_id, folder=folder, name=filename)
    asset = Asset(
        id=asset_id,
        owner_id=intent.owner_id,
        sha256=info.sha256,
        size=info.size,
        filename=filename,
        media_type=media.media_type,
        kind=media.kind,
        status=AssetStatus.PENDING,
        description=fields.description,
        alt_text=fields.alt_text,
        attributes=fields.attributes or {},
        is_public=bool(fields.is_public),
        folder=folder,
        is_favorite=bool(fields.is_favorite),
        is_archived=bool(fields.is_archived),
        orientation=orientation_of(media.width, media.height),
        taken_at=now,
        width=media.width,
        height=media.height,
        duration=media.duration,
        pages=media.pages,
        store=intent.location,
        created_at=now,
        updated_at=now,
    )
    session.add(asset)
    session.flush()
    set_tags(session, asset, normalized_tags(fields.tags))
    job = queue_processing(
        session, asset=asset, actor_id=intent.owner_id, enrich=fields.run_enrichment
    )
    events.emit(
        session, events.ASSET_CREATED, owner_id=asset.owner_id, data=events.asset_data(asset)
    )
    session.commit()
    return Ingested(asset, False, job.id)
