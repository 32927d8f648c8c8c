"""Who points at stored bytes, and the locks under which bytes are placed and removed.

Ordering rules (DESIGN.md, "Where bytes live"): bytes are placed under their address
before a row points at them, and rows are removed before bytes. Placing and removing one
address happen under `blobs.lock(sha)`, so a delete can never remove bytes that a
concurrent upload of the same content has just been promised.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from satchel.assets.models import Asset, Blob, Derivative
from satchel.auth.models import User
from satchel.blobs import BlobInfo, BlobStore
from satchel.db import Database
from satchel.uploads.models import Upload, UploadState


def ensure_blob_row(session: Session, info: BlobInfo) -> None:
    """The `blobs` row of bytes just placed (their size and chunk checksums), once."""
    if session.get(Blob, info.sha256) is None:
        session.add(Blob(sha256=info.sha256, size=info.size, chunk_sums=info.chunk_sums))


def blob_in_use(session: Session, sha256: str) -> bool:
    """Whether any asset, derivative, avatar or open upload still points at these bytes."""
    return bool(
        session.scalar(select(exists().where(Asset.sha256 == sha256)))
        or session.scalar(select(exists().where(Derivative.sha256 == sha256)))
        or session.scalar(select(exists().where(User.avatar_sha256 == sha256)))
        or session.scalar(
            select(exists().where(Upload.sha256 == sha256, Upload.state == UploadState.OPEN))
        )
    )


@contextmanager
def locked(blobs: BlobStore, shas: set[str]) -> Iterator[None]:
    """Hold several addresses' locks, always taken in the same order (no deadlock)."""
    with ExitStack() as stack:
        for sha in sorted(shas):
            stack.enter_context(blobs.lock(sha))
        yield


def drop_blob_if_unused(*, db: Database, blobs: BlobStore, sha256: str) -> None:
    """Remove the row and the managed bytes of an address nothing points at any more."""
    with blobs.lock(sha256), db.write_session() as session:
        if blob_in_use(session, sha256):
            return
        session.execute(delete(Blob).where(Blob.sha256 == sha256))
        session.commit()
        blobs.delete(sha256)
