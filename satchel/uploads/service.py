"""Announced uploads: the reservation, its lease, and how it ends (done, refused, aborted,
expired).

An announcement (a signed PUT's or a multipart upload's JSON intent, a tus creation)
checks what it can already (size, and a declared type outside the allow-list) and writes
one `Upload` row that reserves the asset id. Until the bytes are accepted, the id shows
only as the reservation's view (`status: uploading`, `GET /assets/{id}`); listings,
usage and spaces see nothing, because there is no asset row. Finishing goes through
`satchel.uploads.ingest` like every other upload.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from satchel.assets import deletion
from satchel.assets import service as assets
from satchel.assets.blobrefs import drop_blob_if_unused
from satchel.assets.filenames import clean_filename
from satchel.assets.models import Asset, AssetStatus, Tombstone
from satchel.assets.schemas import AssetFields
from satchel.blobs import BlobStore, BlobWriter
from satchel.codes import Code
from satchel.db import Database, utcnow
from satchel.errors import Invalid, NotFound, SatchelError, TooLarge
from satchel.ids import looks_like, new_id
from satchel.lifecycle import references
from satchel.media import MediaLimits, check_declared_type
from satchel.units import size_text
from satchel.uploads.ingest import Ingested, ingest, intent_of
from satchel.uploads.models import Upload, UploadProtocol, UploadState
from satchel.uploads.staging import staging_of

if TYPE_CHECKING:
    from satchel.runtime import Runtime

LEASE_SECONDS = 60.0
log = logging.getLogger("satchel.uploads")


class Locked(SatchelError):
    status = 423
    code = Code.UPLOAD_LOCKED


def upload_not_found(upload_id: str) -> NotFound:
    return NotFound(f"No upload {upload_id}, or it has expired.", code=Code.UPLOAD_NOT_FOUND)


def announce(
    *,
    db: Database,
    limits: MediaLimits,
    owner_id: str,
    protocol: UploadProtocol,
    filename: str,
    declared_type: str | None,
    size: int,
    fields: AssetFields,
    dedupe: bool,
    max_bytes: int,
    ttl_seconds: int,
    location: str | None = None,
    part_size: int | None = None,
    client_sha256: str | None = None,
    metadata: dict[str, str] | None = None,
) -> Upload:
    """Reserve an asset id for bytes to come, or refuse what the announcement rules out:
    too large, empty, or declared as a type that may not be stored (422
    `asset_content_type_not_allowed`)."""
    if size > max_bytes:
        raise TooLarge(f"The file is larger than the limit of {size_text(max_bytes)}.")
    if size == 0:
        raise Invalid("The announced file is empty.", code=Code.ASSET_FILE_EMPTY)
    declared = check_declared_type(declared_type, limits)
    now = utcnow()
    upload = Upload(
        id=new_id("upl"),
        protocol=protocol,
        state=UploadState.OPEN,
        owner_id=owner_id,
        asset_id=new_id("ast"),
        filename=clean_filename(filename),
        declared_type=declared,
        fields=_fields_json(fields),
        dedupe=dedupe,
        store=location,
        total_size=size,
        part_size=part_size,
        part_count=math.ceil(size / part_size) if part_size else None,
        offset=0,
        client_sha256=client_sha256,
        upload_metadata=metadata or {},
        expires_at=now + timedelta(seconds=ttl_seconds),
        created_at=now,
        updated_at=now,
    )
    with db.write_session() as session:
        session.add(upload)
        session.commit()
        session.refresh(upload)
        session.expunge(upload)
    return upload


def _fields_json(fields: AssetFields) -> dict[str, Any]:
    data = {name: getattr(fields, name) for name in AssetFields.model_fields}
    data["tags"] = assets.normalized_tags(fields.tags)
    return data


def view(upload: Upload) -> Asset:
    """The asset an open upload will become, as clients see it until then (never stored)."""
    fields = AssetFields.model_validate(upload.fields or {})
    return Asset(
        id=upload.asset_id,
        owner_id=upload.owner_id,
        sha256=None,
        size=upload.total_size,
        filename=upload.filename,
        media_type=upload.declared_type or "application/octet-stream",
        kind="other",
        status=AssetStatus.UPLOADING,
        description=fields.description,
        alt_text=fields.alt_text,
        tags=list(fields.tags or []),
        attributes=dict(fields.attributes or {}),
        is_public=bool(fields.is_public),
        folder=fields.folder or "/",
        is_favorite=bool(fields.is_favorite),
        is_archived=bool(fields.is_archived),
        info={},
        version=1,
        store=upload.store,
        created_at=upload.created_at,
        updated_at=upload.updated_at,
    )


def reservation(session: Session, *, owner_id: str | None, asset_id: str) -> Upload | None:
    """The open, unexpired upload that reserved this asset id (None: any owner's)."""
    if not looks_like("ast", asset_id):
        return None
    stmt = select(Upload).where(
        Upload.asset_id == asset_id,
        Upload.state == UploadState.OPEN,
        Upload.expires_at > utcnow(),
    )
    if owner_id is not None:
        stmt = stmt.where(Upload.owner_id == owner_id)
    return session.scalars(stmt).first()


def asset_or_reservation(*, session: Session, owner_id: str | None, asset_id: str) -> Asset:
    """The caller's asset, or the view of the upload that reserved its id."""
    found = assets.find(session, owner_id=owner_id, asset_id=asset_id)
    if found is not None:
        return found
    upload = reservation(session, owner_id=owner_id, asset_id=asset_id)
    if upload is None:
        raise assets.not_found(asset_id)
    return view(upload)


def delete_or_cancel(
    *,
    db: Database,
    blobs: BlobStore,
    owner_id: str | None,
    asset_id: str,
    actor_id: str,
    ip: str | None = None,
    dry_run: bool = False,
) -> deletion.Deleted:
    """Delete an asset; an id an open upload reserved cancels that upload instead."""
    with db.session() as session:
        upload = reservation(session, owner_id=owner_id, asset_id=asset_id)
        if upload is not None:
            session.expunge(upload)
    if upload is None:
        return deletion.delete_asset(
            db=db,
            blobs=blobs,
            owner_id=owner_id,
            asset_id=asset_id,
            actor_id=actor_id,
            ip=ip,
            dry_run=dry_run,
        )
    plan = {
        "asset_id": asset_id,
        "upload_id": upload.id,
        "blocked": False,
        "reclaimable_bytes": 0,
        "files": [],
        **references.view([]),
    }
    if dry_run:
        return deletion.Deleted(plan)
    if not claim(db, upload_id=upload.id):
        raise Locked("The upload is being received or completed; try again.")
    end(db, blobs=blobs, upload=upload, tombstone=True)
    return deletion.Deleted(plan)


def load(
    db: Database, *, upload_id: str, owner_id: str | None, protocol: UploadProtocol | None
) -> Upload:
    """A live upload (open and unexpired, or done) of this owner (None: any owner, for
    signed URLs) and protocol (None: any)."""
    with db.session() as session:
        row = session.get(Upload, upload_id)
        if (
            row is None
            or (protocol is not None and row.protocol != protocol)
            or (owner_id is not None and row.owner_id != owner_id)
            or (row.state != UploadState.DONE and row.expires_at <= utcnow())
        ):
            raise upload_not_found(upload_id)
        session.expunge(row)
        return row


def for_asset(db: Database, *, owner_id: str, asset_id: str) -> Upload | None:
    """The live upload that reserved this asset id, whatever its protocol or state."""
    with db.session() as session:
        row = session.scalars(
            select(Upload).where(Upload.asset_id == asset_id, Upload.owner_id == owner_id)
        ).first()
        if row is None or (row.state != UploadState.DONE and row.expires_at <= utcnow()):
            return None
        session.expunge(row)
        return row


def result_of(db: Database, *, upload: Upload) -> Ingested:
    """What a done upload became (completing twice is harmless)."""
    with db.session() as session:
        asset = session.scalars(select(Asset).where(Asset.id == upload.result_asset_id)).first()
    if asset is None:  # it became an asset that was deleted since
        raise upload_not_found(upload.id)
    return Ingested(asset, asset.id != upload.asset_id)


def claim(db: Database, *, upload_id: str, seconds: float = LEASE_SECONDS) -> bool:
    """Take the upload's lease (one PATCH or complete at a time); False if someone holds it."""
    now = utcnow()
    with db.write_session() as session:
        result = session.execute(
            update(Upload)
            .where(
                Upload.id == upload_id,
                or_(Upload.busy_until.is_(None), Upload.busy_until < now),
            )
            .values(busy_until=now + timedelta(seconds=seconds))
        )
        session.commit()
        return bool(getattr(result, "rowcount", 0))


def renew(db: Database, *, upload_id: str, seconds: float = LEASE_SECONDS) -> None:
    save(db, upload_id=upload_id, busy_until=utcnow() + timedelta(seconds=seconds))


def release(db: Database, *, upload_id: str, **changes: object) -> None:
    save(db, upload_id=upload_id, busy_until=None, **changes)


def save(db: Database, *, upload_id: str, **changes: object) -> None:
    """Record progress (keeping the lease unless `busy_until` is among the changes)."""
    with db.write_session() as session:
        session.execute(
            update(Upload).where(Upload.id == upload_id).values(updated_at=utcnow(), **changes)
        )
        session.commit()


def forget(db: Database, *, upload_id: str) -> None:
    with db.write_session() as session:
        session.execute(delete(Upload).where(Upload.id == upload_id))
        session.commit()


def finish(runtime: Runtime, *, upload: Upload, writer: BlobWriter, sha256: str | None) -> Ingested:
    """Turn the assembled, finished bytes of a multipart or tus upload into its asset, or
    refuse them.

    The staged bytes stay until this succeeds (a checksum mismatch can be fixed by
    resending a part; a full disk by trying again); refused content ends the upload.
    """
    info = writer.finish()
    if info.size != upload.total_size:
        writer.abort()
        raise Invalid(
            f"Received {info.size} bytes; the upload announced {upload.total_size}.",
            code=Code.ASSET_SIZE_MISMATCH,
        )
    if sha256 is not None and info.sha256 != sha256.lower():
        writer.abort()
        raise Invalid(
            "The SHA-256 of the assembled bytes is not the one given; nothing was stored.",
            code=Code.UPLOAD_SHA256_MISMATCH,
            fields=[{"field": "sha256", "message": f"the bytes hash to {info.sha256}"}],
        )
    try:
        result = ingest(
            db=runtime.db,
            blobs=runtime.blobs,
            limits=runtime.limits,
            writer=writer,
            intent=intent_of(upload),
        )
    except (Invalid, TooLarge):
        end(
            runtime.db, blobs=runtime.blobs, upload=upload
        )  # the content was refused: nothing stays
        raise
    try:
        staging_of(runtime.blobs, upload.protocol).abort(upload.id, upload.backend_ref)
    except Exception:  # the asset is stored; GC removes stale staging later
        log.exception("could not remove the staging of upload %s", upload.id)
    return result


def end(db: Database, *, blobs: BlobStore, upload: Upload, tombstone: bool = False) -> None:
    """Remove an upload that will not become an asset (refused, aborted, terminated,
    expired): its row first, then its staging and any bytes a PUT placed that nothing else
    holds. With `tombstone`, its reserved id answers as deleted from now on."""
    with db.write_session() as session:
        session.execute(delete(Upload).where(Upload.id == upload.id))
        if tombstone and upload.state == UploadState.OPEN:
            session.add(Tombstone(asset_id=upload.asset_id, owner_id=upload.owner_id))
        session.commit()
    if upload.protocol != UploadProtocol.PUT:
        staging_of(blobs, upload.protocol).abort(upload.id, upload.backend_ref)
    if upload.sha256 is not None:
        drop_blob_if_unused(db=db, blobs=blobs, sha256=upload.sha256)
        if upload.store is not None:
            with blobs.lock(upload.sha256):
                blobs.delete(upload.sha256, upload.store)
