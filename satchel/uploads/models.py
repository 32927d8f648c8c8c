"""Uploads in progress that span many requests: multipart (presigned parts) and tus."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from satchel.db import Base, utcnow


class ResumableUpload(Base):
    """One multipart or tus upload. Its staged bytes live in the blob store's staging area
    (see `satchel.blobs.multipart`), keyed by `id`; the pending asset (status `uploading`)
    is `asset_id`. `result_asset_id` is the asset the upload became (after dedup, possibly
    an older one), kept so a tus client can still ask once it is done."""

    __tablename__ = "resumable_uploads"
    __table_args__ = (
        Index("ix_resumable_uploads_expires", "expires_at"),
        Index("ix_resumable_uploads_owner", "owner_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    protocol: Mapped[str] = mapped_column(String(10))  # "multipart" | "tus"
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    asset_id: Mapped[str | None] = mapped_column(String(40))
    total_size: Mapped[int] = mapped_column(BigInteger)
    part_size: Mapped[int | None] = mapped_column(BigInteger)
    part_count: Mapped[int | None] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)  # tus: bytes received
    client_sha256: Mapped[str | None] = mapped_column(String(64))
    # What the tus client sent in Upload-Metadata (decoded), returned on HEAD.
    upload_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The storage side's own handle (an S3 UploadId); None on local disk.
    backend_ref: Mapped[str | None] = mapped_column(String(1024))
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | completing | done
    result_asset_id: Mapped[str | None] = mapped_column(String(40))
    # A PATCH (tus) or a complete holds the upload until then; a second one is refused.
    busy_until: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
