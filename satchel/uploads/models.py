"""Uploads in progress, whatever their protocol: a signed single PUT, multipart, or tus."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from satchel.db import Base, utcnow


class UploadProtocol(StrEnum):
    PUT = "put"  # one signed PUT of the whole file, then `complete`
    MULTIPART = "multipart"  # presigned parts, then `complete` with their ETags
    TUS = "tus"  # tus 1.0.0 PATCHes; the last byte completes it


class UploadState(StrEnum):
    OPEN = "open"  # waiting for bytes, or for `complete`
    DONE = "done"  # became `result_asset_id`; the row stays until it expires


class Upload(Base):
    """An announced upload. It reserves `asset_id` and holds everything the asset will be
    given (file name, declared type, fields, storage location); the asset row is created
    only once the bytes are received, sniffed and accepted, so nothing half-uploaded ever
    shows in a listing.

    Where the bytes wait: a signed PUT places them in the blob store under their address
    (`sha256`, which counts as a reference until the upload ends); multipart parts and tus
    appends stage in `satchel.blobs.multipart`, keyed by `id` (`backend_ref` is the storage
    side's own handle, an S3 UploadId). `result_asset_id` is what the upload became (after
    dedup, possibly an older asset), kept so a client can still ask once it is done.
    """

    __tablename__ = "uploads"
    __table_args__ = (
        Index("ix_uploads_expires", "expires_at"),
        Index("ix_uploads_owner", "owner_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    protocol: Mapped[str] = mapped_column(String(10))  # an UploadProtocol
    state: Mapped[str] = mapped_column(String(10), default=UploadState.OPEN)  # an UploadState
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    asset_id: Mapped[str] = mapped_column(String(40), unique=True)
    # What the asset will be: file name, declared type (a hint: the content decides), the
    # asset fields (description, alt_text, tags, attributes, is_public), and its location
    # (None: managed storage, else a storage connection id).
    filename: Mapped[str] = mapped_column(String(255))
    declared_type: Mapped[str | None] = mapped_column(String(255))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe: Mapped[bool] = mapped_column(Boolean, default=True)
    store: Mapped[str | None] = mapped_column(String(40))
    total_size: Mapped[int] = mapped_column(BigInteger)
    part_size: Mapped[int | None] = mapped_column(BigInteger)  # multipart
    part_count: Mapped[int | None] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes received (tus, PUT)
    sha256: Mapped[str | None] = mapped_column(String(64))  # a PUT's placed bytes
    client_sha256: Mapped[str | None] = mapped_column(String(64))  # multipart: what to expect
    # What the tus client sent in Upload-Metadata (decoded), returned on HEAD.
    upload_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    backend_ref: Mapped[str | None] = mapped_column(String(1024))
    result_asset_id: Mapped[str | None] = mapped_column(String(40))
    # A PATCH (tus) or a complete holds the upload until then; a second one is refused.
    busy_until: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
