"""The signed single PUT: the bytes of an announced upload in one request, then `complete`.

The PUT places the bytes in the blob store under their address, held by the upload row
(`sha256`), so any API node can complete it; a second PUT replaces the first. `complete`
sniffs them and makes the reserved asset, or refuses them and ends the upload.
"""

from __future__ import annotations

from satchel.assets import service as assets
from satchel.assets.blobrefs import drop_blob_if_unused, ensure_blob_row
from satchel.blobs import BlobStore, BlobWriter
from satchel.codes import Code
from satchel.db import Database, utcnow
from satchel.errors import Conflict, Invalid, TooLarge
from satchel.media import MediaLimits
from satchel.uploads import service
from satchel.uploads.ingest import Ingested, ingest_placed, intent_of
from satchel.uploads.models import Upload, UploadProtocol, UploadState


def receiving(*, db: Database, upload_id: str) -> Upload:
    """The open upload a signed PUT URL names (its size bounds the body)."""
    upload = service.load(db, upload_id=upload_id, owner_id=None, protocol=UploadProtocol.PUT)
    if upload.state != UploadState.OPEN:
        raise service.upload_not_found(upload_id)
    _check_idle(upload)
    return upload


def _check_idle(upload: Upload) -> None:
    # While `complete` reads the bytes, a new PUT may not replace them.
    if upload.busy_until is not None and upload.busy_until > utcnow():
        raise service.Locked("The upload is being completed; its bytes can no longer change.")


def receive_put(*, db: Database, blobs: BlobStore, upload: Upload, writer: BlobWriter) -> None:
    """Place the bytes of a signed PUT and record them on the upload."""
    try:
        info = writer.finish()
        if info.size != upload.total_size:
            raise Invalid(
                f"Received {info.size} bytes; the upload announced {upload.total_size}.",
                code=Code.ASSET_SIZE_MISMATCH,
            )
    except BaseException:
        writer.abort()
        raise
    with blobs.lock(info.sha256), db.write_session() as session:
        row = session.get(Upload, upload.id)
        if row is None or row.state != UploadState.OPEN or row.expires_at <= utcnow():
            writer.abort()
            raise service.upload_not_found(upload.id)
        try:
            _check_idle(row)
        except service.Locked:
            writer.abort()
            raise
        writer.commit()
        ensure_blob_row(session, info)
        previous = row.sha256
        row.sha256, row.offset, row.updated_at = info.sha256, info.size, utcnow()
        session.commit()
    if previous and previous != info.sha256:
        drop_blob_if_unused(db=db, blobs=blobs, sha256=previous)


def complete(
    *, db: Database, blobs: BlobStore, limits: MediaLimits, owner_id: str, asset_id: str
) -> Ingested:
    """Check the bytes a PUT delivered and make the reserved asset (or refuse them and end
    the upload). Completing an asset that exists already answers it unchanged."""
    upload = service.for_asset(db, owner_id=owner_id, asset_id=asset_id)
    if upload is None:
        with db.session() as session:
            return Ingested(
                assets.get(session=session, owner_id=owner_id, asset_id=asset_id), False
            )
    if upload.state == UploadState.DONE:
        return service.result_of(db, upload=upload)
    if upload.protocol != UploadProtocol.PUT or upload.sha256 is None:
        raise Conflict(
            "The bytes have not been uploaded yet"
            + (
                " (a multipart upload completes with its upload_id and parts)."
                if upload.protocol == UploadProtocol.MULTIPART
                else "."
            ),
            code=Code.ASSET_NOT_UPLOADED,
        )
    if not service.claim(db, upload_id=upload.id, seconds=3600):
        raise service.Locked("The upload is being completed already.")
    try:
        return ingest_placed(
            db=db, blobs=blobs, limits=limits, sha256=upload.sha256, intent=intent_of(upload)
        )
    except (Invalid, TooLarge):
        service.end(db, blobs=blobs, upload=upload)  # the content was refused: nothing stays
        raise
    finally:
        service.release(db, upload_id=upload.id)
