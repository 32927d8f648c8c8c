"""A storage connection: a user's own S3-compatible bucket (bring your own storage)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from satchel.db import Base, utcnow


class StorageConnection(Base):
    __tablename__ = "storage_connections"
    __table_args__ = (Index("ix_storage_connections_owner", "owner_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(20))  # s3 | r2 | seaweedfs | minio | other
    endpoint_url: Mapped[str | None] = mapped_column(String(1000))
    region: Mapped[str | None] = mapped_column(String(100))
    bucket: Mapped[str] = mapped_column(String(255))
    prefix: Mapped[str] = mapped_column(String(500), default="")
    # The access key id shown masked (`AKIA…WXYZ`); the credentials themselves are only
    # ever stored encrypted (see satchel.storage.crypto), never returned or logged.
    access_key_hint: Mapped[str] = mapped_column(String(40))
    credentials: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
