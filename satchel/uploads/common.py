"""What multipart and tus uploads share: staging, leases, and finishing as an asset.

Finishing goes through the same doors as a single PUT: the assembled bytes are placed
like a PUT's (`assets.service.receive_put`), then `assets.service.complete` sniffs them,
deduplicates, and queues processing, or refuses them and leaves nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select, update

from satchel.assets import service as assets
from satchel.assets.models import Asset
from satchel.blobs import BlobStore, BlobWriter
from satchel.blobs.multipart import LocalMultipartStore, MultipartStore
from satchel.db import Database, utcnow
from satchel.errors import Conflict, Invalid, NotFound, SatchelError
from satchel.uploads.models import ResumableUpload

if TYPE_CHECKING:
    from satchel.runtime import Runtime

LEASE_SECONDS = 60.0
log = logging.getLogger("satchel.uploads")


class Locked(SatchelError):
    status = 423
    code = "upload_locked"


def staging_root(blobs: BlobStore) -> Path:
    """`<data>/uploads`: beside the scratch folder, out of reach of its hourly sweep (a tus
    upload may pause for a day)."""
    return Path(blobs.scratch_dir).parent / "uploads"


def staging_of(blobs: BlobStore, protocol: str, *, fsync: bool = True) -> MultipartStore:
    """Where an upload of this protocol stages: tus always on local disk; multipart in the
    blob store's own staging when it has one (S3: presigned UploadPart URLs; a store
    offers it as `multipart_store()`), else on local disk."""
    own = getattr(blobs, "multipart_store", None)
    if protocol == "multipart" and callable(own):
        store: MultipartStore = own()
        return store
    return LocalMultipartStore(staging_root(blobs), fsync=fsync)


def local_staging(runtime: Runtime) -> LocalMultipartStore:
    return LocalMultipartStore(staging_root(runtime.blobs), fsync=runtime.settings.fsync)


def staging(runtime: Runtime) -> MultipartStore:
    return staging_of(runtime.blobs, "multipart", fsync=runtime.settings.fsync)


def upload_not_found(upload_id: str) -> NotFound:
    return NotFound(f"No upload {upload_id}, or it has expired.", code="upload_not_found")


def load(db: Database, *, upload_id: str, owner_id: str | None, protocol: str) -> ResumableUpload:
    """A live upload of this owner (None: any owner, for signed part URLs)."""
    with db.session() as session:
        row = session.get(ResumableUpload, upload_id)
        if (
            row is None
            or row.protocol != protocol
            or (owner_id is not None and row.owner_id != owner_id)
            or (row.state != "done" and row.expires_at <= utcnow())
        ):
            raise upload_not_found(upload_id)
        session.expunge(row)
        return row


def claim(db: Database, upload_id: str, *, seconds: float = LEASE_SECONDS) -> bool:
    """Take the upload's lease (one PATCH or complete at a time); False if someone holds it."""
    now = utcnow()
    with db.write_session() as session:
        result = session.execute(
            update(ResumableUpload)
            .where(
                ResumableUpload.id == upload_id,
                or_(ResumableUpload.busy_until.is_(None), ResumableUpload.busy_until < now),
            )
            .values(busy_until=now + timedelta(seconds=seconds))
        )
        session.commit()
        return bool(getattr(result, "rowcount", 0))


def renew(db: Database, upload_id: str, *, seconds: float = LEASE_SECONDS) -> None:
    with db.write_session() as session:
        session.execute(
            update(ResumableUpload)
            .where(ResumableUpload.id == upload_id)
            .values(busy_until=utcnow() + timedelta(seconds=seconds))
        )
        session.commit()


def release(db: Database, upload_id: str, **changes: object) -> None:
    with db.write_session() as session:
        session.execute(
            update(ResumableUpload)
            .where(ResumableUpload.id == upload_id)
            .values(busy_until=None, updated_at=utcnow(), **changes)
        )
        session.commit()


def save(db: Database, upload_id: str, **changes: object) -> None:
    """Record progress, keeping the lease."""
    with db.write_session() as session:
        session.execute(
            update(ResumableUpload)
            .where(ResumableUpload.id == upload_id)
            .values(updated_at=utcnow(), **changes)
        )
        session.commit()


def forget(db: Database, upload_id: str) -> None:
    with db.write_session() as session:
        session.execute(delete(ResumableUpload).where(ResumableUpload.id == upload_id))
        session.commit()


def finish(
    runtime: Runtime, upload: ResumableUpload, writer: BlobWriter, *, sha256: str | None
) -> assets.Ingested:
    """Turn assembled, finished bytes into the upload's asset, or refuse them.

    The staged bytes stay until this succeeds (a checksum mismatch can be fixed by
    resending a part); a refused file (type, corrupt) ends the upload.
    """
    info = writer.finish()
    if info.size != upload.total_size:
        writer.abort()
        raise Invalid(
            f"Received {info.size} bytes; the upload announced {upload.total_size}.",
            code="asset_size_mismatch",
        )
    if sha256 is not None and info.sha256 != sha256.lower():
        writer.abort()
        raise Invalid(
            "The SHA-256 of the assembled bytes is not the one given; nothing was stored.",
            code="upload_sha256_mismatch",
            fields=[{"field": "sha256", "message": f"the bytes hash to {info.sha256}"}],
        )
    assert upload.asset_id is not None
    try:
        assets.receive_put(db=runtime.db, blobs=runtime.blobs, upload_id=upload.id, writer=writer)
        result = assets.complete(
            db=runtime.db,
            blobs=runtime.blobs,
            limits=runtime.limits,
            owner_id=upload.owner_id,
            asset_id=upload.asset_id,
        )
    except SatchelError as exc:
        if not isinstance(exc, Conflict):
            # Refused content: `complete` removed the pending asset; end the upload too.
            end(runtime.db, runtime.blobs, upload)
        raise
    release(runtime.db, upload.id, state="done", result_asset_id=result.asset.id, offset=info.size)
    try:
        staging_of(runtime.blobs, upload.protocol).abort(upload.id, upload.backend_ref)
    except Exception:  # the asset is stored; GC removes stale staging later
        log.exception("could not remove the staging of upload %s", upload.id)
    return result


def end(db: Database, blobs: BlobStore, upload: ResumableUpload) -> None:
    """Remove the staging, the pending asset and the row (abort, termination, expiry)."""
    if upload.state != "done" and upload.asset_id is not None:
        with db.session() as session:
            status = session.scalar(select(Asset.status).where(Asset.id == upload.asset_id))
        if status == "uploading":
            assets.delete_asset(
                db=db,
                blobs=blobs,
                owner_id=upload.owner_id,
                asset_id=upload.asset_id,
                actor_id=upload.owner_id,
            )
    staging_of(blobs, upload.protocol).abort(upload.id, upload.backend_ref)
    forget(db, upload.id)


def expires_at(runtime: Runtime) -> datetime:
    return utcnow() + timedelta(seconds=runtime.settings.resumable_upload_seconds)
